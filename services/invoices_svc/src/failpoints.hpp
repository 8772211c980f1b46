// Failpoints for crash tests, after etcd's gofail: compiled in only when the build
// sets -DTIM_FAILPOINTS=ON (scripts/test.sh's test build does; release builds and images do
// not), and then armed by the TIM_FAILPOINTS environment variable, a comma list of names.
// In any other build `armed` is constexpr false and the code around it disappears.
#pragma once

#include <cstdlib>
#include <string_view>

namespace tim::invoices::failpoints {

// The process exits after a payment's transaction committed and before its answer is sent.
inline constexpr std::string_view kExitAfterPaymentCommit = "exit_after_payment_commit";

#ifdef TIM_FAILPOINTS
bool armed(std::string_view name);
// Logs that `name` fired and ends the process at once (no destructors, no answer).
[[noreturn]] void exit_now(std::string_view name);
// Logs each armed failpoint at start, so a test can tell that this build honours them.
void announce();
#else
constexpr bool armed(std::string_view) noexcept {
  return false;
}
[[noreturn]] inline void exit_now(std::string_view) {
  std::abort();  // never called: armed() is false
}
inline void announce() {}
#endif

}  // namespace tim::invoices::failpoints

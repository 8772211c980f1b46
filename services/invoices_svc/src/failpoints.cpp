#include "failpoints.hpp"

#include <cstdlib>
#include <string>

#include "tim/log.hpp"

namespace tim::invoices::failpoints {
namespace {

const std::string& armed_list() {
  static const std::string list = [] {
    const char* value = std::getenv("TIM_FAILPOINTS");
    return "," + std::string(value ? value : "") + ",";
  }();
  return list;
}

}  // namespace

bool armed(std::string_view name) {
  return armed_list().find("," + std::string(name) + ",") != std::string::npos;
}

void exit_now(std::string_view name) {
  log::warn("failpoint fired: exiting", {{"failpoint", name}});
  log::flush();  // _Exit skips the timer that would write it
  std::_Exit(3);
}

void announce() {
  if (armed(kExitAfterPaymentCommit))
    log::warn("failpoint armed", {{"failpoint", kExitAfterPaymentCommit}});
}

}  // namespace tim::invoices::failpoints

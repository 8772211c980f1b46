// Retry budget, as Finagle's: every request deposits, every retry withdraws, over a sliding
// window (`ttl`), so that retries add at most `percent_can_retry`% to the requests of the last
// `ttl`, plus a reserve of `min_retries_per_second` * ttl for quiet times. Retrying is what
// turns a brown-out into an outage; the budget caps that.
// No I/O and no clock of its own (callers pass `now`); lock-free, shared by the I/O threads.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace tim {

struct RetryBudgetOptions {
  std::chrono::milliseconds ttl{10'000};
  int percent_can_retry = 20;       // RETRY_BUDGET_PERCENT
  int min_retries_per_second = 10;  // RETRY_BUDGET_MIN_PER_SEC
};

class RetryBudget {
 public:
  using Clock = std::chrono::steady_clock;
  using Options = RetryBudgetOptions;

  explicit RetryBudget(Options options = {});
  RetryBudget(const RetryBudget&) = delete;
  RetryBudget& operator=(const RetryBudget&) = delete;

  // One request (first attempt).
  void deposit(Clock::time_point now) noexcept;
  // One retry: true (and withdrawn) when the budget allows it.
  bool try_withdraw(Clock::time_point now) noexcept;
  // Retries the budget would allow now, for tests and logs.
  std::int64_t balance(Clock::time_point now) const noexcept;

 private:
  static constexpr int kSlots = 10;           // the window slides in steps of ttl / kSlots
  static constexpr std::int64_t kCost = 100;  // units of one retry; a deposit is `percent` units
  std::int64_t epoch_of(Clock::time_point now) const noexcept;
  void add(std::int64_t epoch, std::int32_t units) noexcept;
  std::int64_t units(std::int64_t epoch) const noexcept;

  const Options options_;
  const std::int64_t slot_nanos_;
  const std::int64_t reserve_units_;
  // Each slot packs (its epoch mod 2^32) << 32 | (its net units as int32): one CAS updates both,
  // so a slot reused for a new epoch never mixes old and new counts.
  std::array<std::atomic<std::uint64_t>, kSlots> slots_{};
};

}  // namespace tim

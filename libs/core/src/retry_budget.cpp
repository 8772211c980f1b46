#include "tim/retry_budget.hpp"

#include <algorithm>

namespace tim {

namespace {
std::uint64_t pack(std::uint32_t epoch, std::int32_t units) {
  return (std::uint64_t{epoch} << 32) | static_cast<std::uint32_t>(units);
}
std::uint32_t epoch_part(std::uint64_t v) {
  return static_cast<std::uint32_t>(v >> 32);
}
std::int32_t units_part(std::uint64_t v) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
}
}  // namespace

RetryBudget::RetryBudget(Options options)
    : options_(options),
      slot_nanos_(std::max<std::int64_t>(
          1, std::chrono::duration_cast<std::chrono::nanoseconds>(options.ttl).count() / kSlots)),
      reserve_units_(std::int64_t{options.min_retries_per_second} * kCost * options.ttl.count() /
                     1000) {
  // Epoch 0 marks an unused slot; real epochs start at 1 (see epoch_of).
  for (auto& s : slots_) s.store(pack(0, 0), std::memory_order_relaxed);
}

std::int64_t RetryBudget::epoch_of(Clock::time_point now) const noexcept {
  return now.time_since_epoch().count() / slot_nanos_ + 1;
}

void RetryBudget::add(std::int64_t epoch, std::int32_t units) noexcept {
  auto& slot = slots_[static_cast<std::size_t>(epoch % kSlots)];
  const auto e = static_cast<std::uint32_t>(epoch);
  std::uint64_t old = slot.load(std::memory_order_relaxed);
  for (;;) {
    const std::int32_t base = epoch_part(old) == e ? units_part(old) : 0;
    // Saturate instead of wrapping on absurd rates.
    const std::int64_t sum =
        std::clamp<std::int64_t>(std::int64_t{base} + units, INT32_MIN / 2, INT32_MAX / 2);
    if (slot.compare_exchange_weak(old, pack(e, static_cast<std::int32_t>(sum)),
                                   std::memory_order_relaxed))
      return;
  }
}

std::int64_t RetryBudget::units(std::int64_t epoch) const noexcept {
  std::int64_t total = reserve_units_;
  const auto e = static_cast<std::uint32_t>(epoch);
  for (const auto& slot : slots_) {
    const auto v = slot.load(std::memory_order_relaxed);
    // Live when its epoch is one of the last kSlots (unsigned arithmetic handles the wrap).
    if (e - epoch_part(v) < static_cast<std::uint32_t>(kSlots)) total += units_part(v);
  }
  return total;
}

void RetryBudget::deposit(Clock::time_point now) noexcept {
  if (options_.percent_can_retry > 0) add(epoch_of(now), options_.percent_can_retry);
}

bool RetryBudget::try_withdraw(Clock::time_point now) noexcept {
  const auto epoch = epoch_of(now);
  // Check-then-withdraw: two threads may both pass on the last unit; one retry too many at
  // worst, which a budget can afford better than a lock on every request.
  if (units(epoch) < kCost) return false;
  add(epoch, -static_cast<std::int32_t>(kCost));
  return true;
}

std::int64_t RetryBudget::balance(Clock::time_point now) const noexcept {
  return std::max<std::int64_t>(0, units(epoch_of(now)) / kCost);
}

}  // namespace tim

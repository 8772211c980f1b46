#include "tim/circuit_breaker.hpp"

#include <string_view>

namespace tim {

CircuitBreaker::Permit CircuitBreaker::try_acquire(Clock::time_point now, Transition* transition) {
  if (transition) *transition = Transition::none;
  if (state_.load(std::memory_order_acquire) == State::closed) return Permit::normal;
  std::lock_guard lock(mutex_);
  switch (state_.load(std::memory_order_relaxed)) {
    case State::closed:
      return Permit::normal;
    case State::half_open:  // the one trial is out
      return Permit::denied;
    case State::open:
      if (now < open_until_) return Permit::denied;
      state_.store(State::half_open, std::memory_order_release);
      if (transition) *transition = Transition::half_opened;
      return Permit::trial;
  }
  return Permit::denied;
}

CircuitBreaker::Transition CircuitBreaker::on_success(Permit permit) {
  if (permit == Permit::trial) {
    std::lock_guard lock(mutex_);
    consecutive_failures_.store(0, std::memory_order_relaxed);
    state_.store(State::closed, std::memory_order_release);
    return Transition::closed;
  }
  // A call let through while closed: only the failure streak ends. (A late success of a call
  // made before the breaker opened does not close it: the trial decides.)
  if (consecutive_failures_.load(std::memory_order_relaxed) != 0)
    consecutive_failures_.store(0, std::memory_order_relaxed);
  return Transition::none;
}

CircuitBreaker::Transition CircuitBreaker::on_failure(Permit permit, Clock::time_point now) {
  if (permit == Permit::trial) {
    std::lock_guard lock(mutex_);
    return open_locked(now);
  }
  const int failures = consecutive_failures_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (failures < options_.failure_threshold) return Transition::none;
  std::lock_guard lock(mutex_);
  // Late failures of calls made before it opened do not extend the pause.
  if (state_.load(std::memory_order_relaxed) != State::closed) return Transition::none;
  return open_locked(now);
}

CircuitBreaker::Transition CircuitBreaker::open_locked(Clock::time_point now) {
  open_until_ = now + options_.open_duration;
  consecutive_failures_.store(0, std::memory_order_relaxed);
  const bool was_open = state_.load(std::memory_order_relaxed) == State::open;
  state_.store(State::open, std::memory_order_release);
  return was_open ? Transition::none : Transition::opened;
}

std::string_view to_string(CircuitBreaker::State s) noexcept {
  switch (s) {
    case CircuitBreaker::State::closed:
      return "closed";
    case CircuitBreaker::State::open:
      return "open";
    case CircuitBreaker::State::half_open:
      return "half_open";
  }
  return "unknown";
}

}  // namespace tim

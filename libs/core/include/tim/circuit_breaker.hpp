// Circuit breaker of one upstream instance: after `failure_threshold` consecutive failures it
// opens (calls fail at once, without touching the network), after `open_duration` it lets ONE
// trial call through (half-open); the trial's success closes it, its failure re-opens it.
// No I/O and no clock of its own: callers pass `now`, so tests drive time.
// Shared by the I/O threads: the closed state (the hot path) costs an atomic load on the way
// in and at most one atomic store on the way out; the mutex guards only state changes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string_view>

namespace tim {

struct CircuitBreakerOptions {
  int failure_threshold = 5;                      // BREAKER_FAILURES
  std::chrono::milliseconds open_duration{5000};  // BREAKER_OPEN_MS
};

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  using Options = CircuitBreakerOptions;
  enum class State { closed, open, half_open };
  // What try_acquire() hands out; the call's result goes back with it.
  enum class Permit { denied, normal, trial };
  // What a call changed, for logs and the state gauge.
  enum class Transition { none, opened, half_opened, closed };

  explicit CircuitBreaker(Options options = {}) : options_(options) {}
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  // May a call go out now? `denied`: fail it without calling. When the pause is over the first
  // caller gets the `trial` (and *transition = half_opened); the others stay denied until it ends.
  Permit try_acquire(Clock::time_point now, Transition* transition = nullptr);
  // Reports the call made with `permit` (not `denied`).
  Transition on_success(Permit permit);
  Transition on_failure(Permit permit, Clock::time_point now);

  State state() const noexcept { return state_.load(std::memory_order_acquire); }
  const Options& options() const noexcept { return options_; }

 private:
  Transition open_locked(Clock::time_point now);

  const Options options_;
  std::atomic<State> state_{State::closed};
  std::atomic<int> consecutive_failures_{0};
  std::mutex mutex_;  // guards changes of state_ and open_until_
  Clock::time_point open_until_{};
};

std::string_view to_string(CircuitBreaker::State s) noexcept;

}  // namespace tim

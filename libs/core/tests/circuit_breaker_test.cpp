#include "tim/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using tim::CircuitBreaker;
using namespace std::chrono_literals;
using Permit = CircuitBreaker::Permit;
using State = CircuitBreaker::State;
using Transition = CircuitBreaker::Transition;

namespace {
const CircuitBreaker::Clock::time_point t0{std::chrono::hours(100)};

CircuitBreaker::Options opts(int failures = 3, std::chrono::milliseconds open = 1000ms) {
  return {failures, open};
}

void fail(CircuitBreaker& b, CircuitBreaker::Clock::time_point now) {
  auto p = b.try_acquire(now);
  ASSERT_NE(p, Permit::denied);
  b.on_failure(p, now);
}
}  // namespace

TEST(CircuitBreaker, StaysClosedBelowTheThresholdOfConsecutiveFailures) {
  CircuitBreaker b(opts(3));
  fail(b, t0);
  fail(b, t0);
  EXPECT_EQ(b.state(), State::closed);
  EXPECT_EQ(b.on_success(b.try_acquire(t0)), Transition::none);  // the streak ends
  fail(b, t0);
  fail(b, t0);
  EXPECT_EQ(b.state(), State::closed);
  EXPECT_EQ(b.try_acquire(t0), Permit::normal);
}

TEST(CircuitBreaker, OpensAtTheThresholdAndDeniesWithoutCalling) {
  CircuitBreaker b(opts(3));
  fail(b, t0);
  fail(b, t0);
  auto p = b.try_acquire(t0);
  EXPECT_EQ(b.on_failure(p, t0), Transition::opened);
  EXPECT_EQ(b.state(), State::open);
  EXPECT_EQ(b.try_acquire(t0 + 999ms), Permit::denied);
}

TEST(CircuitBreaker, HalfOpensAfterThePauseWithExactlyOneTrial) {
  CircuitBreaker b(opts(1, 1000ms));
  fail(b, t0);
  Transition t;
  EXPECT_EQ(b.try_acquire(t0 + 1000ms, &t), Permit::trial);
  EXPECT_EQ(t, Transition::half_opened);
  EXPECT_EQ(b.state(), State::half_open);
  // While the trial is out, everyone else is still turned away.
  EXPECT_EQ(b.try_acquire(t0 + 1001ms, &t), Permit::denied);
  EXPECT_EQ(t, Transition::none);
  EXPECT_EQ(b.try_acquire(t0 + 5000ms), Permit::denied);
}

TEST(CircuitBreaker, TrialSuccessCloses) {
  CircuitBreaker b(opts(2, 1000ms));
  fail(b, t0);
  fail(b, t0);
  auto trial = b.try_acquire(t0 + 1s);
  ASSERT_EQ(trial, Permit::trial);
  EXPECT_EQ(b.on_success(trial), Transition::closed);
  EXPECT_EQ(b.state(), State::closed);
  EXPECT_EQ(b.try_acquire(t0 + 1s), Permit::normal);
  // A fresh streak is needed to open again.
  fail(b, t0 + 1s);
  EXPECT_EQ(b.state(), State::closed);
}

TEST(CircuitBreaker, TrialFailureReopensForAnotherPause) {
  CircuitBreaker b(opts(1, 1000ms));
  fail(b, t0);
  auto trial = b.try_acquire(t0 + 1s);
  ASSERT_EQ(trial, Permit::trial);
  b.on_failure(trial, t0 + 1500ms);
  EXPECT_EQ(b.state(), State::open);
  EXPECT_EQ(b.try_acquire(t0 + 2499ms), Permit::denied);
  EXPECT_EQ(b.try_acquire(t0 + 2500ms), Permit::trial);
}

TEST(CircuitBreaker, LateResultsOfCallsMadeBeforeItOpenedChangeNothing) {
  CircuitBreaker b(opts(1, 1000ms));
  auto early = b.try_acquire(t0);
  auto early2 = b.try_acquire(t0);
  fail(b, t0);
  EXPECT_EQ(b.on_success(early), Transition::none);
  EXPECT_EQ(b.state(), State::open);
  // A late failure does not push the end of the pause further.
  b.on_failure(early2, t0 + 900ms);
  EXPECT_EQ(b.try_acquire(t0 + 1000ms), Permit::trial);
}

TEST(CircuitBreaker, ThreadsSharingItOpenItOnce) {
  CircuitBreaker b(opts(100, 1000ms));
  std::atomic<int> opened{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int j = 0; j < 1000; ++j) {
        auto p = b.try_acquire(t0);
        if (p == Permit::denied) continue;
        if (b.on_failure(p, t0) == Transition::opened) ++opened;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(opened.load(), 1);
  EXPECT_EQ(b.state(), State::open);
}

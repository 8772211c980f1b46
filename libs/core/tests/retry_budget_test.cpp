#include "tim/retry_budget.hpp"

#include <gtest/gtest.h>

using tim::RetryBudget;
using namespace std::chrono_literals;

namespace {
const RetryBudget::Clock::time_point t0{std::chrono::hours(100)};

int withdraw_all(RetryBudget& b, RetryBudget::Clock::time_point now) {
  int n = 0;
  while (b.try_withdraw(now) && n < 100000) ++n;
  return n;
}
}  // namespace

TEST(RetryBudget, QuietTimesHaveTheReserveOfMinPerSecondTimesTheWindow) {
  RetryBudget b({10s, 20, 2});
  EXPECT_EQ(b.balance(t0), 20);
  EXPECT_EQ(withdraw_all(b, t0), 20);
  EXPECT_FALSE(b.try_withdraw(t0));
}

TEST(RetryBudget, EachRequestAddsItsPercentOfARetry) {
  RetryBudget b({10s, 20, 0});
  EXPECT_FALSE(b.try_withdraw(t0));
  for (int i = 0; i < 1000; ++i) b.deposit(t0);
  // 20% of 1000 requests
  EXPECT_EQ(withdraw_all(b, t0), 200);
}

TEST(RetryBudget, DepositsExpireAfterTheWindow) {
  RetryBudget b({10s, 50, 0});
  for (int i = 0; i < 100; ++i) b.deposit(t0);
  EXPECT_EQ(b.balance(t0 + 9s), 50);
  EXPECT_EQ(b.balance(t0 + 10s), 0);
  EXPECT_FALSE(b.try_withdraw(t0 + 11s));
}

TEST(RetryBudget, WithdrawalsCountAgainstTheWindowAndComeBackWhenTheyExpire) {
  RetryBudget b({10s, 0, 1});  // reserve: 10 retries per window
  EXPECT_EQ(withdraw_all(b, t0), 10);
  EXPECT_FALSE(b.try_withdraw(t0 + 5s));
  EXPECT_EQ(b.balance(t0 + 10s), 10);
}

TEST(RetryBudget, ZeroPercentAndZeroMinimumMeansNoRetries) {
  RetryBudget b({10s, 0, 0});
  for (int i = 0; i < 100; ++i) b.deposit(t0);
  EXPECT_FALSE(b.try_withdraw(t0));
}

TEST(RetryBudget, TheWindowSlides) {
  RetryBudget b({10s, 100, 0});
  b.deposit(t0);       // expires at t0+10s
  b.deposit(t0 + 5s);  // expires at t0+15s
  EXPECT_EQ(b.balance(t0 + 9s), 2);
  EXPECT_EQ(b.balance(t0 + 12s), 1);
  EXPECT_EQ(b.balance(t0 + 16s), 0);
}

#include "expected_date.hpp"

#include <gtest/gtest.h>

using namespace tim::expected_date;
using namespace std::chrono;

TEST(TutorialRule, AddsTheDrawnNumberOfDays) {
  TutorialRule rule{[] { return 3; }};
  const auto now = sys_days{year{2026} / November / 26} + hours{10};
  EXPECT_EQ(rule.expected_date(42, now), now + days{3});
}

TEST(TutorialRule, RandomDaysStayWithinOneToTen) {
  auto draw = random_days();
  bool seen_low = false, seen_high = false;
  for (int i = 0; i < 2000; ++i) {
    const int d = draw();
    ASSERT_GE(d, 1);
    ASSERT_LE(d, 10);
    seen_low |= d == 1;
    seen_high |= d == 10;
  }
  EXPECT_TRUE(seen_low && seen_high);
}

TEST(ExpectedDateJson, HasTheTutorialShape) {
  const auto t = sys_days{year{2018} / January / 1} + hours{11} + minutes{54} + seconds{30} +
                 milliseconds{769};
  EXPECT_EQ(expected_date_json(42, t),
            R"({"invoiceId":42,"expectedDate":"2018-01-01T11:54:30.769Z"})");
}

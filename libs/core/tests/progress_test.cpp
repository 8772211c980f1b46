#include "tim/progress.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using tim::ProgressLine;

TEST(ProgressLine, ShowsRowsRateShareAndTimeLeft) {
  const auto t0 = ProgressLine::Clock::time_point{} + 1h;
  ProgressLine progress(1000, t0);
  // A quarter of the bytes in 2 s: 6 s to go at that pace.
  EXPECT_EQ(progress.update(250, 50'000, t0 + 2s),
            "\r50,000 rows, 25,000 rows/s, 25%, about 6 s left");
}

TEST(ProgressLine, RedrawsAtMostFourTimesASecond) {
  const auto t0 = ProgressLine::Clock::time_point{} + 1h;
  ProgressLine progress(1000, t0);
  EXPECT_TRUE(progress.update(10, 1, t0 + 1s));
  EXPECT_FALSE(progress.update(20, 2, t0 + 1s + 100ms));
  EXPECT_FALSE(progress.update(30, 3, t0 + 1s + 249ms));
  EXPECT_TRUE(progress.update(40, 4, t0 + 1s + 250ms));
}

TEST(ProgressLine, CoversALongerLineAndClearsWhatItDrew) {
  const auto t0 = ProgressLine::Clock::time_point{} + 1h;
  ProgressLine progress(0, t0);  // size unknown: no share, no time left
  EXPECT_EQ(progress.clear(), "");
  const auto first = *progress.update(0, 1'234'567, t0 + 1s);
  EXPECT_EQ(first, "\r1,234,567 rows, 1,234,567 rows/s");
  const auto second = *progress.update(0, 5, t0 + 2s);
  EXPECT_EQ(second.size(), first.size());  // padded with spaces over the longer line
  EXPECT_EQ(second.substr(0, 17), "\r5 rows, 3 rows/s");
  EXPECT_EQ(progress.clear(), "\r" + std::string(first.size() - 1, ' ') + "\r");
}

TEST(ProgressLine, FormatsLongDurationsAndLargeCounts) {
  EXPECT_EQ(tim::with_thousands(0), "0");
  EXPECT_EQ(tim::with_thousands(999), "999");
  EXPECT_EQ(tim::with_thousands(1000), "1,000");
  EXPECT_EQ(tim::duration_text(125), "2 min 5 s");
  EXPECT_EQ(tim::duration_text(7300), "2 h 1 min");
  EXPECT_EQ(ProgressLine::format(10, 2.4, 1.5, std::nullopt), "10 rows, 2 rows/s, 100%");
}

#include "tim/time.hpp"

#include <gtest/gtest.h>

TEST(Iso8601, FormatsUtcWithMilliseconds) {
  using namespace std::chrono;
  auto t = sys_days{year{2018} / January / 1} + hours{11} + minutes{54} + seconds{30} +
           milliseconds{769};
  EXPECT_EQ(tim::format_iso8601_utc(t), "2018-01-01T11:54:30.769Z");
  EXPECT_EQ(tim::format_iso8601_utc(sys_days{year{2024} / February / 29}),
            "2024-02-29T00:00:00.000Z");
}

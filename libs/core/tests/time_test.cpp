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

TEST(Iso8601, EveryFieldIsZeroPadded) {
  using namespace std::chrono;
  EXPECT_EQ(tim::format_iso8601_utc(sys_days{year{1970} / January / 1}),
            "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(tim::format_iso8601_utc(sys_days{year{1901} / February / 3} + hours{5} + minutes{6} +
                                    seconds{7} + milliseconds{8}),
            "1901-02-03T05:06:07.008Z");
  EXPECT_EQ(tim::format_iso8601_utc(sys_days{year{2199} / December / 31} + hours{23} + minutes{59} +
                                    seconds{59} + milliseconds{999}),
            "2199-12-31T23:59:59.999Z");
  EXPECT_EQ(tim::format_iso8601_utc(sys_days{year{2026} / November / 27} + microseconds{1999}),
            "2026-11-27T00:00:00.001Z");
}

TEST(IsoDate, IsZeroPaddedInsideTheFourDigitYearsAndStillWrittenOutside) {
  using namespace std::chrono;
  EXPECT_EQ(tim::format_iso_date(year{2026} / November / 27), "2026-11-27");
  EXPECT_EQ(tim::format_iso_date(year{7} / January / 2), "0007-01-02");
  EXPECT_EQ(tim::format_iso_date(year{12345} / March / 4), "12345-03-04");
}

TEST(IsoDate, ParsesExactlyYyyyMmDdOfARealDay) {
  using namespace std::chrono;
  EXPECT_EQ(tim::parse_iso_date("2024-02-29"), year{2024} / February / 29);
  EXPECT_EQ(tim::parse_iso_date("0001-01-01"), year{1} / January / 1);
  for (auto bad : {"2023-02-29", "2024-13-01", "2024-00-10", "2024-1-01", "2024-01-1", "2024/01/01",
                   "+024-01-01", "2024-0a-01", " 2024-01-01", "2024-01-01T", "", "2024-01-32"})
    EXPECT_FALSE(tim::parse_iso_date(bad)) << bad;
}

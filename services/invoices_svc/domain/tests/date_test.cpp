#include "tim/invoices/date.hpp"

#include <gtest/gtest.h>

using tim::invoices::Date;

TEST(Date, ParsesAndFormatsRealDays) {
  for (auto text : {"2026-11-01", "2024-02-29", "1970-01-01", "9999-12-31", "1000-01-01"}) {
    const auto date = Date::parse(text);
    ASSERT_TRUE(date) << text;
    EXPECT_EQ(date->to_string(), text);
  }
  EXPECT_EQ(Date::parse("1970-01-02")->days_since_epoch(), 1);
  EXPECT_LT(*Date::parse("2026-11-30"), *Date::parse("2026-12-01"));
}

TEST(Date, RefusesImpossibleOrMalformedDates) {
  for (auto text : {"2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-04-31",
                    "2026-1-01", "2026/01/01", "26-01-01", "2026-01-01T00:00:00Z", "",
                    " 2026-01-01", "0999-01-01", "2026-0a-01", "+202-01-01"})
    EXPECT_FALSE(Date::parse(text)) << text;
}

TEST(Instant, RoundTripsAtMilliseconds) {
  const auto t = tim::invoices::parse_instant("2018-01-01T11:54:30.769Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(tim::invoices::format_instant(*t), "2018-01-01T11:54:30.769Z");
  EXPECT_EQ(tim::invoices::format_instant(*tim::invoices::parse_instant("2018-01-01T11:54:30Z")),
            "2018-01-01T11:54:30.000Z");
  EXPECT_EQ(tim::invoices::format_instant(*tim::invoices::parse_instant("2018-01-01T11:54:30.7Z")),
            "2018-01-01T11:54:30.700Z");
  for (auto bad : {"2018-01-01T24:00:00Z", "2018-01-01 11:54:30Z", "2018-01-01T11:54:30",
                   "2018-02-30T11:54:30Z", "2018-01-01T11:54:30.1234Z"})
    EXPECT_FALSE(tim::invoices::parse_instant(bad)) << bad;
}

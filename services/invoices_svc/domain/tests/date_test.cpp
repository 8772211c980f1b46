#include "tim/invoices/date.hpp"

#include <gtest/gtest.h>

using tim::invoices::Date;

TEST(Date, ParsesAndFormatsRealDays) {
  for (auto text : {"2026-11-01", "2024-02-29", "1970-01-01", "2199-12-31", "1900-01-01"}) {
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

TEST(Date, AcceptsOnlyTheDocumentedRangeAtItsEdges) {
  for (auto text : {"1900-01-01", "2199-12-31", "2000-02-29", "2196-02-29"})
    EXPECT_TRUE(Date::parse(text)) << text;
  for (auto text :
       {"1899-12-31", "2200-01-01", "9999-12-31", "1000-01-01", "0000-01-01", "2200-02-29"})
    EXPECT_FALSE(Date::parse(text)) << text;
  EXPECT_TRUE(Date::from_ymd(1900, 1, 1));
  EXPECT_TRUE(Date::from_ymd(2199, 12, 31));
  EXPECT_FALSE(Date::from_ymd(1899, 12, 31));
  EXPECT_FALSE(Date::from_ymd(2200, 1, 1));
  EXPECT_FALSE(Date::from_ymd(-2000, 1, 1));
  EXPECT_FALSE(Date::from_ymd(70000, 1, 1));  // beyond std::chrono::year's short
  EXPECT_EQ(tim::invoices::date_rule(),
            "must be a real calendar date as YYYY-MM-DD between 1900-01-01 and 2199-12-31");
}

TEST(Date, ReadsBackWhatEarlierBuildsStored) {
  // Rows written before the range existed must stay readable, not turn into corrupt_invoice.
  EXPECT_EQ(Date::parse_stored("9999-12-31")->to_string(), "9999-12-31");
  EXPECT_EQ(Date::parse_stored("1000-01-01")->to_string(), "1000-01-01");
  EXPECT_FALSE(Date::parse_stored("0999-12-31"));
  EXPECT_FALSE(Date::parse_stored("2026-02-30"));
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

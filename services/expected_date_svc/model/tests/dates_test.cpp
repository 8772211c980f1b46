#include "model/dates.hpp"

#include <gtest/gtest.h>

using namespace tim::expected_date;
using namespace std::chrono;

TEST(Dates, ParsesUsDatesWithoutPadding) {
  EXPECT_EQ(parse_us_date("1/2/2013"), Date{year{2013} / January / 2});
  EXPECT_EQ(parse_us_date("12/31/2012"), Date{year{2012} / December / 31});
  EXPECT_EQ(parse_us_date("02/29/2012"), Date{year{2012} / February / 29});
}

TEST(Dates, RejectsWhatIsNotACalendarDate) {
  for (const char* bad : {"", "1/2", "2/30/2013", "13/1/2013", "1/2/13", "a/b/cdef", "1/2/2013x",
                          "-1/2/2013", "0/1/2013"})
    EXPECT_FALSE(parse_us_date(bad)) << bad;
  for (const char* bad : {"", "2013-7-12", "2013-02-29", "2013/07/12", "2013-07-12T00"})
    EXPECT_FALSE(parse_iso_date(bad)) << bad;
}

TEST(Dates, IsoRoundTrip) {
  auto d = parse_iso_date("2013-07-12");
  ASSERT_TRUE(d);
  EXPECT_EQ(format_iso_date(*d), "2013-07-12");
  EXPECT_EQ(days_between(*d, *parse_iso_date("2013-08-11")), 30);
}

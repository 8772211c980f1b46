#include "tim/invoices/money.hpp"

#include <gtest/gtest.h>

#include <limits>

using namespace tim::invoices;

TEST(Currency, KnowsIso4217CodesAndTheirMinorUnits) {
  EXPECT_EQ(find_currency("GBP")->minor_digits, 2);
  EXPECT_EQ(find_currency("JPY")->minor_digits, 0);
  EXPECT_EQ(find_currency("KWD")->minor_digits, 3);
  EXPECT_EQ(find_currency("AED")->code, "AED");
  EXPECT_EQ(find_currency("ZWG")->code, "ZWG");
  for (auto bad : {"gbp", "XXX", "GB", "GBPX", "", "ABC", "XAU"})
    EXPECT_FALSE(find_currency(bad)) << bad;
}

TEST(Money, ArithmeticIsOverflowChecked) {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(checked_add(2, 3), 5);
  EXPECT_FALSE(checked_add(max, 1));
  EXPECT_EQ(checked_sub(5, 7), -2);
  EXPECT_FALSE(checked_sub(min, 1));
}

TEST(Money, ParsesDecimalAmountsExactly) {
  EXPECT_EQ(parse_decimal_amount("55.94", 2), 5594);
  EXPECT_EQ(parse_decimal_amount("55.9", 2), 5590);
  EXPECT_EQ(parse_decimal_amount("7", 2), 700);
  EXPECT_EQ(parse_decimal_amount("1,024.50", 2), 102450);
  EXPECT_EQ(parse_decimal_amount("1500", 0), 1500);
  EXPECT_EQ(parse_decimal_amount("0.001", 3), 1);
  EXPECT_EQ(parse_decimal_amount("90071992547409.91", 2), kMaxAmount);
  for (auto bad : {"", ".", "1.234", "-5", "+5", "1e3", "abc", "1.2.3", ",5", "90071992547409.92",
                   "99999999999999999999999"})
    EXPECT_FALSE(parse_decimal_amount(bad, 2)) << bad;
  EXPECT_FALSE(parse_decimal_amount("1.5", 0));
}

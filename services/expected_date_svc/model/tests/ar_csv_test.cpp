#include "model/ar_csv.hpp"

#include <gtest/gtest.h>

using namespace tim::expected_date;

namespace {
const std::string kHeader =
    "countryCode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount,"
    "Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate\r\n";
}

TEST(DecimalMinor, ExactWithoutFloatingPoint) {
  EXPECT_EQ(parse_decimal_minor("55.94", 2), 5594);
  EXPECT_EQ(parse_decimal_minor("55.9", 2), 5590);
  EXPECT_EQ(parse_decimal_minor("55", 2), 5500);
  EXPECT_EQ(parse_decimal_minor("0.07", 2), 7);
  EXPECT_EQ(parse_decimal_minor("-1.5", 2), -150);
  EXPECT_EQ(parse_decimal_minor("128.29", 2), 12829);  // 128.29 * 100 is 12828.999... in double
  EXPECT_EQ(parse_decimal_minor("7", 0), 7);
  for (const char* bad : {"", ".5", "5.", "55.945", "1e3", "5,00", "abc", "1234567890123456"})
    EXPECT_FALSE(parse_decimal_minor(bad, 2)) << bad;
}

TEST(ArCsv, ParsesRowsWithCrlf) {
  auto rows = parse_accounts_receivable_csv(
      kHeader +
      "391,0379-NEVHP,4/6/2013,0000611365,1/2/2013,2/1/2013,55.94,No,1/15/2013,Paper,13,0\r\n"
      "406,8976-AMJEO,3/3/2012,0007900770,1/26/2013,2/25/2013,61.74,Yes,3/3/2013,Electronic,36,"
      "6\r\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].country_code, "391");
  EXPECT_EQ(rows[0].customer_id, "0379-NEVHP");
  EXPECT_EQ(rows[0].invoice_number, "0000611365");
  EXPECT_EQ(format_iso_date(rows[0].invoice_date), "2013-01-02");
  EXPECT_EQ(format_iso_date(rows[0].due_date), "2013-02-01");
  EXPECT_EQ(rows[0].amount_minor, 5594);
  EXPECT_FALSE(rows[0].disputed);
  EXPECT_EQ(rows[0].channel, BillingChannel::paper);
  EXPECT_EQ(rows[1].channel, BillingChannel::electronic);
  EXPECT_TRUE(rows[1].disputed);
  EXPECT_EQ(rows[1].days_to_settle, 36);
  EXPECT_EQ(rows[1].days_late, 6);
  auto facts = facts_of(rows[1]);
  EXPECT_EQ(facts.customer_id, "8976-AMJEO");
  EXPECT_EQ(facts.amount_minor, 6174);
}

TEST(ArCsv, ErrorsNameTheLine) {
  auto expect_error = [](const std::string& text, const std::string& part) {
    try {
      parse_accounts_receivable_csv(text);
      ADD_FAILURE() << "no error for: " << text;
    } catch (const CsvError& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect_error("", "no header");
  expect_error("a,b,c\n", "header");
  expect_error(kHeader + "391,X,4/6/2013,1,1/2/2013,2/1/2013,55.94,No,1/15/2013,Paper,13\n",
               "line 2: expected 12 fields");
  expect_error(kHeader + "391,X,4/6/2013,1,2/30/2013,2/1/2013,55.94,No,1/15/2013,Paper,13,0\n",
               "line 2: InvoiceDate");
  expect_error(kHeader + "391,X,4/6/2013,1,1/2/2013,2/1/2013,55.945,No,1/15/2013,Paper,13,0\n",
               "InvoiceAmount");
  expect_error(kHeader + "391,X,4/6/2013,1,1/2/2013,2/1/2013,55.94,Maybe,1/15/2013,Paper,13,0\n",
               "Disputed");
  expect_error(kHeader + "391,X,4/6/2013,1,1/2/2013,2/1/2013,55.94,No,1/15/2013,Fax,13,0\n",
               "PaperlessBill");
  EXPECT_THROW(read_accounts_receivable_csv("/nonexistent/file.csv"), CsvError);
}

TEST(ArCsv, ReadsTheRealFile) {
  auto rows = read_accounts_receivable_csv(TIM_AR_CSV);
  ASSERT_EQ(rows.size(), 2466u);
  for (const auto& r : rows) {
    EXPECT_EQ(days_between(r.invoice_date, r.settled_date), r.days_to_settle);
    EXPECT_GT(r.amount_minor, 0);
  }
}

TEST(ArCsv, ReadsRfc4180QuotingABomAndCrlf) {
  auto rows = parse_accounts_receivable_csv(
      "\xEF\xBB\xBF" + kHeader +
      "\"391\",\"X,\"\"1\"\"\n2\",4/6/2013,1,1/2/2013,2/1/2013,55.94,No,1/15/2013,Paper,13,0\r\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].country_code, "391");
  EXPECT_EQ(rows[0].customer_id, "X,\"1\"\n2");
  try {
    parse_accounts_receivable_csv(kHeader + "391,\"X,4/6/2013\n");
    ADD_FAILURE() << "an unclosed quote passed";
  } catch (const CsvError& e) {
    EXPECT_EQ(std::string(e.what()), "line 2: a quoted field is not closed");
  }
}

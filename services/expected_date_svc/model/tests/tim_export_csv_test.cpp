#include "model/tim_export_csv.hpp"

#include <gtest/gtest.h>

using namespace tim::expected_date;

namespace {
const std::string kHeader =
    "id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,settledDate,"
    "payments,createdAt,updatedAt\r\n";
std::string line_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const CsvError& error) {
    return error.what();
  }
  return "";
}
}  // namespace

TEST(TimExportCsv, ReadsPaidInvoicesAndLeavesOpenAndVoidOnesOut) {
  const std::string text =
      kHeader +
      "1,INV-1,C-1,\"Acme, \"\"the\"\" Ltd\",GBP,1000,0,2026-01-01,2026-01-31,paid,2026-02-20,"
      "1000@2026-02-20,2026-01-01T00:00:00.000Z,2026-02-20T00:00:00.000Z\r\n"
      "2,INV-2,C-1,\"multi\nline\",GBP,500,500,2026-02-01,2026-03-01,open,,,"
      "2026-02-01T00:00:00.000Z,2026-02-01T00:00:00.000Z\r\n"
      "3,INV-3,C-2,B,EUR,700,700,2026-02-01,2026-03-01,void,,,"
      "2026-02-01T00:00:00.000Z,2026-02-01T00:00:00.000Z\r\n"
      "4,INV-4,C-2,B,EUR,700,0,2026-02-01,2026-03-01,paid,2026-02-25,700@2026-02-25,"
      "2026-02-01T00:00:00.000Z,2026-02-25T00:00:00.000Z\r\n";
  ASSERT_TRUE(is_tim_export(text));
  const auto rows = parse_tim_export_csv(text);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].customer_id, "C-1");
  EXPECT_EQ(rows[0].invoice_number, "INV-1");
  EXPECT_EQ(rows[0].amount_minor, 1000);
  EXPECT_EQ(format_iso_date(rows[0].settled_date), "2026-02-20");
  EXPECT_EQ(rows[0].days_late, 20);
  EXPECT_EQ(rows[0].days_to_settle, 50);
  EXPECT_EQ(rows[1].days_late, 0);  // paid early
  EXPECT_EQ(rows[1].country_code, "");
}

TEST(TimExportCsv, TellsTheLayoutsApartByHeaderAndNamesTheBadLine) {
  EXPECT_FALSE(is_tim_export("countryCode,customerID,PaperlessDate\n"));
  EXPECT_TRUE(is_tim_export("\xEF\xBB\xBF" + kHeader));
  EXPECT_FALSE(
      is_tim_export("id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,"
                    "status,settledDate,payments,createdAt,updatedAt,extra\n"));
  std::exception_ptr e;
  try {
    parse_tim_export_csv(kHeader + "1,R,C,N,GBP,100,0,2026-01-01,2026-01-31,paid,2026-13-01,,,\n");
  } catch (...) {
    e = std::current_exception();
  }
  ASSERT_TRUE(e);
  EXPECT_NE(line_of(e).find("line 2: settledDate"), std::string::npos) << line_of(e);
  try {
    parse_tim_export_csv(kHeader + "1,R,C,N,GBP,100\n");
    e = nullptr;
  } catch (...) {
    e = std::current_exception();
  }
  ASSERT_TRUE(e);
  EXPECT_NE(line_of(e).find("line 2: expected 14 fields"), std::string::npos) << line_of(e);
}

// The export writes free text that a spreadsheet would run as a formula with a leading ': the
// customer trained on is the one the store holds.
TEST(TimExportCsv, UndoesTheExportsFormulaNeutralising) {
  const std::string text =
      "\xEF\xBB\xBF" + kHeader +
      "1,'=INV-1,'-C-9,'=HYPERLINK(\"\"x\"\"),GBP,1000,0,2026-01-01,2026-01-31,paid,2026-02-20,"
      "1000@2026-02-20,2026-01-01T00:00:00.000Z,2026-02-20T00:00:00.000Z\r\n";
  const auto rows = parse_tim_export_csv(text);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].customer_id, "-C-9");
  EXPECT_EQ(rows[0].invoice_number, "=INV-1");
}

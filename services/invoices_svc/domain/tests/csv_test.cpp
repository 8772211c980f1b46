#include "tim/invoices/csv.hpp"

#include <gtest/gtest.h>

#include "tim/invoices/error.hpp"

using namespace tim::invoices;

namespace {

const Instant kNow = *parse_instant("2026-11-20T10:00:00.000Z");
const char* kSampleHeader =
    "countryCode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount,"
    "Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate\r";

Invoice paid_invoice() {
  Invoice invoice = make_invoice(NewInvoice{"R,\"7\"", "C-1", "Acme, Ltd", "GBP", 12000,
                                            *Date::parse("2026-11-01"), *Date::parse("2026-12-01")},
                                 7, kNow);
  apply_payment(invoice, {5000, *Date::parse("2026-11-20"), std::nullopt}, kNow);
  apply_payment(invoice, {7000, *Date::parse("2026-11-25"), std::nullopt}, kNow);
  return invoice;
}

// The column a refused line names, and checks the line number is in the message.
std::string refused_column(CsvImporter& importer, std::string_view line, std::size_t number) {
  try {
    importer.read_line(line, number);
    return "(accepted)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(std::string(e.what()).rfind("line " + std::to_string(number) + ": ", 0), 0u)
        << e.what();
    return e.field().empty() ? e.code() : e.field();
  }
}

}  // namespace

TEST(CsvExport, WritesOneQuotedLinePerInvoice) {
  EXPECT_EQ(
      invoice_to_csv_row(paid_invoice()),
      "7,\"R,\"\"7\"\"\",C-1,\"Acme, Ltd\",GBP,12000,0,2026-11-01,2026-12-01,paid,2026-11-25,"
      "5000@2026-11-20;7000@2026-11-25,2026-11-20T10:00:00.000Z,2026-11-20T10:00:00.000Z\r\n");
  EXPECT_EQ(csv_header().substr(0, 19), "id,ref,customerId,c");
}

TEST(CsvSplit, FollowsRfc4180Quoting) {
  EXPECT_EQ(split_csv_line("a,\"b,c\",\"d\"\"e\",\r"),
            (std::vector<std::string>{"a", "b,c", "d\"e", ""}));
  EXPECT_FALSE(split_csv_line("a,\"open"));
}

TEST(CsvImport, ReadsItsOwnExportBack) {
  CsvImporter importer;
  EXPECT_FALSE(importer.read_line(csv_header(), 1));
  const auto record = importer.read_line(invoice_to_csv_row(paid_invoice()), 2);
  ASSERT_TRUE(record);
  const Invoice again = build_imported_invoice(*record, kNow);
  Invoice expected = paid_invoice();
  expected.id = 0;
  EXPECT_EQ(again, expected);
}

TEST(CsvImport, ReadsTheAccountsReceivableSample) {
  CsvImporter importer("USD");
  EXPECT_FALSE(importer.read_line(kSampleHeader, 1));
  const auto record = importer.read_line(
      "391,0379-NEVHP,4/6/2013,0000611365,1/2/2013,2/1/2013,55.94,No,1/15/2013,Paper,13,0\r", 2);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->invoice.ref, "0000611365");
  EXPECT_EQ(record->invoice.customer_id, "0379-NEVHP");
  EXPECT_EQ(record->invoice.ccy, "USD");
  EXPECT_EQ(record->invoice.amount, 5594);
  EXPECT_EQ(record->invoice.issue_date.to_string(), "2013-01-02");
  EXPECT_EQ(record->invoice.due_date.to_string(), "2013-02-01");
  const Invoice invoice = build_imported_invoice(*record, kNow);
  EXPECT_EQ(invoice.status, Status::paid);
  EXPECT_EQ(invoice.settled_date->to_string(), "2013-01-15");
}

TEST(CsvImport, RefusesBadRowsNamingLineAndColumn) {
  CsvImporter sample("USD");
  EXPECT_EQ(refused_column(sample, "not,a,known,header", 1), "invalid_csv");
  sample.read_line(kSampleHeader, 1);
  EXPECT_EQ(refused_column(sample, "391,X,4/6/2013,1,2/30/2013,3/1/2013,5.00,No,,Paper,0,0", 2),
            "InvoiceDate");
  EXPECT_EQ(refused_column(sample, "391,X,4/6/2013,1,1/2/2013,2/1/2013,5.001,No,,Paper,0,0", 3),
            "InvoiceAmount");
  EXPECT_EQ(refused_column(sample, "391,X,4/6/2013,1,1/2/2013,2/1/2013,5.00,No,1/1/2013,P,0,0", 4),
            "payment_before_issue_date");
  EXPECT_EQ(refused_column(sample, "391,X,4/6/2013", 5), "invalid_csv");
  EXPECT_TRUE(sample.read_line("391,X,4/6/2013,1,1/2/2013,2/1/2013,5.00,No,,Paper,0,0", 6));

  CsvImporter ours;
  ours.read_line(csv_header(), 1);
  std::string row = invoice_to_csv_row(paid_invoice());
  const auto replace = [&](std::string from, std::string to) {
    std::string changed = row;
    changed.replace(changed.find(from), from.size(), to);
    return changed;
  };
  EXPECT_EQ(refused_column(ours, replace(",0,2026-11-01", ",1,2026-11-01"), 2), "balance");
  EXPECT_EQ(refused_column(ours, replace(",paid,", ",open,"), 3), "status");
  EXPECT_EQ(refused_column(ours, replace("5000@", "5000#"), 4), "payments");
  EXPECT_EQ(refused_column(ours, replace(",GBP,", ",XXX,"), 5), "ccy");
}

TEST(CsvImport, RefusesDatesOutsideTheDocumentedRange) {
  CsvImporter sample("USD");
  sample.read_line(kSampleHeader, 1);
  EXPECT_TRUE(sample.read_line("391,X,4/6/2013,1,1/1/1900,12/31/2199,5.00,No,,Paper,0,0", 2));
  EXPECT_EQ(refused_column(sample, "391,X,4/6/2013,1,12/31/1899,2/1/2013,5.00,No,,Paper,0,0", 3),
            "InvoiceDate");
  EXPECT_EQ(refused_column(sample, "391,X,4/6/2013,1,1/2/2013,1/1/2200,5.00,No,,Paper,0,0", 4),
            "DueDate");
  EXPECT_EQ(refused_column(sample, "391,X,4/6/2013,1,1/2/2013,2/1/2013,5.00,No,1/1/2200,P,0,0", 5),
            "SettledDate");

  CsvImporter ours;
  ours.read_line(csv_header(), 1);
  std::string row = invoice_to_csv_row(paid_invoice());
  row.replace(row.find("7000@2026-11-25"), 15, "7000@9999-12-31");
  EXPECT_EQ(refused_column(ours, row, 2), "payments");
}

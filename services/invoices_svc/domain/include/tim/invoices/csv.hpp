// CSV export (our format) and import (our format, or the public accounts-receivable sample's
// layout), over the shared RFC 4180 reader and writer (libs/csv, tim/csv.hpp): the importer
// hands CsvImporter each record's fields as the reader splits them (quoted line breaks
// included).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tim/invoices/invoice.hpp"

namespace tim::invoices {

// id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,settledDate,
// payments,createdAt,updatedAt — amounts in minor units, payments as "5000@2026-11-20;…".
// Each line ends with CRLF (RFC 4180). ref, customerId and customerName go through
// csv::neutralize_formula (a leading ' before = + - @ tab CR or '), which the import of our
// layout reverses; the other columns never start with those characters.
std::string csv_header();
std::string invoice_to_csv_row(const Invoice& invoice);

// The fields of one CSV line (RFC 4180 quoting; a trailing LF or CRLF is ignored). nullopt when a
// quote is left open (or the line is not one whole record).
std::optional<std::vector<std::string>> split_csv_line(std::string_view line);

// Reads an import file record by record. The header picks the layout:
//  - ours (csv_header()): ref, customer, ccy, amount, dates and payments are taken, status
//    "void" voids; balance and settledDate must agree with the payments; ids and times are new.
//  - the accounts-receivable sample (countryCode,customerID,…,SettledDate,…): customerID is
//    customerId and customerName, invoiceNumber the ref (zero padding kept), M/D/YYYY dates,
//    InvoiceAmount in major units of `sample_currency`, and SettledDate one payment of the full
//    amount.
// The most payments one imported row may carry ("a;b;…" in our layout's payments column): an
// invoice's history, not a way to make one row cost seconds of work.
inline constexpr std::size_t kMaxImportPaymentsPerRow = 1000;

class CsvImporter {
 public:
  explicit CsvImporter(std::string sample_currency = "USD");

  // Line numbers count from 1 (the header). Returns the record of a data line, nullopt for the
  // header and blank lines. Throws Error(invalid) "line N: …" (field() names the column) for a
  // line it refuses (bad quoting, a field that is not UTF-8, a bad value, more than
  // kMaxImportPaymentsPerRow payments); the importer can go on with the next line.
  std::optional<ImportRecord> read_line(std::string_view line, std::size_t line_number);
  // The same for a record's fields as the CSV reader split them (`line_number`: where it
  // starts); what the importer calls.
  std::optional<ImportRecord> read_record(std::span<const std::string_view> fields,
                                          std::size_t line_number);

 private:
  enum class Layout { unknown, ours, sample };
  ImportRecord read_ours(std::span<const std::string_view> fields);
  ImportRecord read_sample(std::span<const std::string_view> fields);

  std::string sample_currency_;
  Layout layout_ = Layout::unknown;
};

}  // namespace tim::invoices

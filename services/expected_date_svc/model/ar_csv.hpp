// Reading IBM's accounts-receivable sample (data/accounts-receivable/SOURCE.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/dates.hpp"
#include "model/predictor.hpp"

namespace tim::expected_date {

// One row, typed. The last four fields are outcomes: known only once the invoice is settled.
struct ArRecord {
  std::string country_code;
  std::string customer_id;
  Date paperless_date;
  std::string invoice_number;  // kept as text: it is zero-padded
  Date invoice_date;
  Date due_date;
  std::int64_t amount_minor = 0;  // InvoiceAmount in hundredths
  bool disputed = false;
  Date settled_date;
  BillingChannel channel = BillingChannel::paper;
  int days_to_settle = 0;
  int days_late = 0;
};

struct CsvError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "55.94" -> 5594 with 2 digits; exact (no floating point). nullopt for anything else,
// including more fraction digits than the currency has.
std::optional<std::int64_t> parse_decimal_minor(std::string_view text, int minor_digits);

// Called now and then while a file is read (and once at its end): bytes of the input read so
// far, and rows kept. For a progress line on a terminal.
using ReadProgress = std::function<void(std::uint64_t bytes_read, std::uint64_t rows)>;

// The whole file's text (header + rows, CRLF or LF). Throws CsvError naming the line.
std::vector<ArRecord> parse_accounts_receivable_csv(std::string_view text,
                                                    const ReadProgress& progress = {});
std::vector<ArRecord> read_accounts_receivable_csv(const std::filesystem::path& file,
                                                   const ReadProgress& progress = {});

// What the model may know about a row when the invoice is issued.
InvoiceFacts facts_of(const ArRecord& r);
// The row as a paid invoice in a customer's history (outcome included).
PaidInvoice paid_of(const ArRecord& r);

}  // namespace tim::expected_date

#include "model/ar_csv.hpp"

#include <array>
#include <charconv>
#include <fstream>

#include "tim/csv.hpp"

namespace tim::expected_date {
namespace {

constexpr std::array<std::string_view, 12> kHeader{
    "countryCode",   "customerID", "PaperlessDate", "invoiceNumber", "InvoiceDate",  "DueDate",
    "InvoiceAmount", "Disputed",   "SettledDate",   "PaperlessBill", "DaysToSettle", "DaysLate"};

[[noreturn]] void fail(std::size_t line_no, const std::string& what) {
  throw CsvError("line " + std::to_string(line_no) + ": " + what);
}

Date date_field(std::string_view v, std::size_t line_no, std::string_view column) {
  auto d = parse_us_date(v);
  if (!d) fail(line_no, std::string(column) + " is not a M/D/YYYY date: '" + std::string(v) + "'");
  return *d;
}

int int_field(std::string_view v, std::size_t line_no, std::string_view column) {
  int x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc{} || p != v.data() + v.size())
    fail(line_no, std::string(column) + " is not an integer: '" + std::string(v) + "'");
  return x;
}

}  // namespace

std::optional<std::int64_t> parse_decimal_minor(std::string_view text, int minor_digits) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  auto dot = text.find('.');
  auto whole = text.substr(0, dot);
  auto frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  // 15 digits before the point and at most 3 after fit in int64 with room to spare.
  if (whole.empty() || whole.size() > 15 || minor_digits < 0 || minor_digits > 3 ||
      static_cast<int>(frac.size()) > minor_digits)
    return std::nullopt;
  if (dot != std::string_view::npos && frac.empty()) return std::nullopt;
  std::int64_t value = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  for (int i = 0; i < minor_digits; ++i) {
    int digit = 0;
    if (i < static_cast<int>(frac.size())) {
      char c = frac[static_cast<std::size_t>(i)];
      if (c < '0' || c > '9') return std::nullopt;
      digit = c - '0';
    }
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

namespace {

// The rows of the file `reader` reads (the shared RFC 4180 reader, tim/csv.hpp).
std::vector<ArRecord> read_rows(csv::Reader& reader, const ReadProgress& progress) {
  std::vector<ArRecord> rows;
  bool header_seen = false;
  csv::Record record;
  for (;;) {
    try {
      if (!reader.next(record)) break;
    } catch (const csv::ParseError& e) {
      throw CsvError(e.what());  // "line N: …"
    }
    const std::size_t line_no = record.line;
    if (record.blank()) continue;
    const auto& f = record.fields;
    if (!header_seen) {
      if (f.size() != kHeader.size() || !std::equal(f.begin(), f.end(), kHeader.begin()))
        fail(line_no, "header is not the accounts-receivable header (countryCode,customerID,...)");
      header_seen = true;
      continue;
    }
    if (f.size() != kHeader.size())
      fail(line_no, "expected 12 fields, found " + std::to_string(f.size()));
    ArRecord r;
    r.country_code = f[0];
    r.customer_id = f[1];
    if (r.customer_id.empty()) fail(line_no, "customerID is empty");
    r.paperless_date = date_field(f[2], line_no, kHeader[2]);
    r.invoice_number = f[3];
    r.invoice_date = date_field(f[4], line_no, kHeader[4]);
    r.due_date = date_field(f[5], line_no, kHeader[5]);
    auto amount = parse_decimal_minor(f[6], 2);
    if (!amount) fail(line_no, "InvoiceAmount is not an amount with <= 2 decimals");
    r.amount_minor = *amount;
    if (f[7] != "Yes" && f[7] != "No") fail(line_no, "Disputed is not Yes/No");
    r.disputed = f[7] == "Yes";
    r.settled_date = date_field(f[8], line_no, kHeader[8]);
    if (f[9] == "Electronic")
      r.channel = BillingChannel::electronic;
    else if (f[9] == "Paper")
      r.channel = BillingChannel::paper;
    else
      fail(line_no, "PaperlessBill is not Paper/Electronic");
    r.days_to_settle = int_field(f[10], line_no, kHeader[10]);
    r.days_late = int_field(f[11], line_no, kHeader[11]);
    rows.push_back(std::move(r));
    if (progress && rows.size() % 1024 == 0) progress(reader.bytes_read(), rows.size());
  }
  if (!header_seen) throw CsvError("empty file: no header");
  if (progress) progress(reader.bytes_read(), rows.size());
  return rows;
}

}  // namespace

std::vector<ArRecord> parse_accounts_receivable_csv(std::string_view text,
                                                    const ReadProgress& progress) {
  csv::Reader reader(text);
  return read_rows(reader, progress);
}

std::vector<ArRecord> read_accounts_receivable_csv(const std::filesystem::path& file,
                                                   const ReadProgress& progress) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw CsvError("cannot open " + file.string());
  csv::Reader reader(in);  // streamed: the file's text is never held whole
  try {
    return read_rows(reader, progress);
  } catch (const CsvError& e) {
    throw CsvError(file.string() + ": " + e.what());
  }
}

InvoiceFacts facts_of(const ArRecord& r) {
  return {r.customer_id, r.invoice_date, r.due_date, r.amount_minor, "", r.country_code, r.channel};
}

PaidInvoice paid_of(const ArRecord& r) {
  return {r.invoice_date, r.due_date, r.settled_date, r.amount_minor, "", r.channel};
}

}  // namespace tim::expected_date

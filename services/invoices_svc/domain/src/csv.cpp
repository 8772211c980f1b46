#include "tim/invoices/csv.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "tim/csv.hpp"
#include "tim/invoices/error.hpp"
#include "tim/invoices/money.hpp"

namespace tim::invoices {
namespace {

constexpr std::string_view kOurHeader =
    "id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,settledDate,"
    "payments,createdAt,updatedAt";
constexpr std::string_view kSampleHeader =
    "countryCode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount,"
    "Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate";
enum OurColumn {
  kId,
  kRef,
  kCustomerId,
  kCustomerName,
  kCcy,
  kAmount,
  kBalance,
  kIssueDate,
  kDueDate,
  kStatus,
  kSettledDate,
  kPayments,
  kCreatedAt,
  kUpdatedAt,
  kOurColumns
};
enum SampleColumn {
  kCustomerID = 1,
  kInvoiceNumber = 3,
  kInvoiceDate = 4,
  kSampleDueDate = 5,
  kInvoiceAmount = 6,
  kSampleSettledDate = 8,
  kSampleColumns = 12
};

// The header's name of column `index` of a layout's header line.
std::string column_name(std::string_view header, std::size_t index) {
  for (; index > 0; --index) header.remove_prefix(std::min(header.size(), header.find(',') + 1));
  return std::string(header.substr(0, header.find(',')));
}

bool is_header(std::span<const std::string_view> fields, std::string_view header) {
  std::size_t i = 0;
  for (;;) {
    const auto comma = header.find(',');
    if (i >= fields.size() || fields[i] != header.substr(0, comma)) return false;
    ++i;
    if (comma == std::string_view::npos) return i == fields.size();
    header.remove_prefix(comma + 1);
  }
}

std::int64_t integer(std::string_view text, const char* column) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    throw_invalid_field(column, "must be an integer");
  return value;
}

Date iso_date(std::string_view text, const char* column) {
  const auto date = Date::parse(text);
  if (!date) throw_invalid_field(column, date_rule());
  return *date;
}

// M/D/YYYY, as the sample writes dates.
Date us_date(std::string_view text, const char* column) {
  unsigned month = 0, day = 0;
  int year = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  auto part = [&](auto& value, bool last) {
    const auto [next, ec] = std::from_chars(p, end, value);
    if (ec != std::errc{} || next == p || (!last && (next == end || *next != '/')) ||
        (last && next != end))
      throw_invalid_field(column, "must be a date as M/D/YYYY");
    p = last ? next : next + 1;
  };
  part(month, false);
  part(day, false);
  part(year, true);
  const auto date = Date::from_ymd(year, month, day);
  if (!date) throw_invalid_field(column, date_rule("M/D/YYYY"));
  return *date;
}

}  // namespace

std::string csv_header() {
  return std::string(kOurHeader) + "\r\n";
}

std::string invoice_to_csv_row(const Invoice& invoice) {
  std::string payments;
  for (const auto& p : invoice.payments) {
    // What the balance counts: a reversed payment is left out (credit notes go as payments).
    if (!p.active()) continue;
    if (!payments.empty()) payments += ';';
    payments += std::to_string(p.amount) + "@" + p.date.to_string();
  }
  // Free text is neutralised against spreadsheet formulas; the other columns are numbers,
  // dates and words we write ourselves, never starting with one of its characters.
  const std::string id = std::to_string(invoice.id), ref = csv::neutralize_formula(invoice.ref),
                    customer_id = csv::neutralize_formula(invoice.customer_id),
                    customer_name = csv::neutralize_formula(invoice.customer_name),
                    amount = std::to_string(invoice.amount),
                    balance = std::to_string(invoice.balance),
                    issue = invoice.issue_date.to_string(), due = invoice.due_date.to_string(),
                    settled = invoice.settled_date ? invoice.settled_date->to_string() : "",
                    created = format_instant(invoice.created_at),
                    updated = format_instant(invoice.updated_at);
  const std::array<std::string_view, kOurColumns> fields{
      id,      ref,      customer_id, customer_name, invoice.ccy,
      amount,  balance,  issue,       due,           to_string(invoice.status),
      settled, payments, created,     updated};
  std::string row;
  csv::append_record(row, fields);
  return row;
}

std::optional<std::vector<std::string>> split_csv_line(std::string_view line) {
  csv::Reader reader(line);
  csv::Record record;
  try {
    if (!reader.next(record)) return std::vector<std::string>{""};
  } catch (const csv::ParseError&) {
    return std::nullopt;
  }
  std::vector<std::string> fields(record.fields.begin(), record.fields.end());
  // One record only: text after it (a line break outside quotes, then more) is not one line.
  if (reader.bytes_read() < line.size() &&
      line.substr(static_cast<std::size_t>(reader.bytes_read())).find_first_not_of("\r\n") !=
          std::string_view::npos)
    return std::nullopt;
  return fields;
}

CsvImporter::CsvImporter(std::string sample_currency)
    : sample_currency_(std::move(sample_currency)) {
  if (!find_currency(sample_currency_))
    throw_invalid_field("ccy", "is not an ISO 4217 currency code");
}

std::optional<ImportRecord> CsvImporter::read_line(std::string_view line, std::size_t line_number) {
  const auto fields = split_csv_line(line);
  if (!fields)
    throw Error(ErrorKind::invalid, "invalid_csv",
                "line " + std::to_string(line_number) + ": a quoted field is not closed");
  const std::vector<std::string_view> views(fields->begin(), fields->end());
  return read_record(views, line_number);
}

std::optional<ImportRecord> CsvImporter::read_record(std::span<const std::string_view> fields,
                                                     std::size_t line_number) {
  try {
    if (fields.size() == 1 && fields.front().empty()) return std::nullopt;  // blank line
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (is_utf8(fields[i])) continue;
      const auto header = layout_ == Layout::sample ? kSampleHeader : kOurHeader;
      if (layout_ == Layout::unknown ||
          i >= static_cast<std::size_t>(std::count(header.begin(), header.end(), ',') + 1))
        throw Error(ErrorKind::invalid, "invalid_utf8", "the line is not valid UTF-8");
      throw Error(ErrorKind::invalid, "invalid_utf8",
                  column_name(header, i) + " is not valid UTF-8", column_name(header, i));
    }
    if (layout_ == Layout::unknown) {
      if (is_header(fields, kOurHeader))
        layout_ = Layout::ours;
      else if (is_header(fields, kSampleHeader))
        layout_ = Layout::sample;
      else
        throw Error(ErrorKind::invalid, "invalid_csv",
                    "the header is neither our export format nor the accounts-receivable one");
      return std::nullopt;
    }
    const std::size_t expected =
        layout_ == Layout::ours ? std::size_t{kOurColumns} : std::size_t{kSampleColumns};
    if (fields.size() != expected)
      throw Error(ErrorKind::invalid, "invalid_csv",
                  std::to_string(fields.size()) + " columns where the header has " +
                      std::to_string(expected));
    // read_ours builds the invoice to check it; the sample's rows are checked here.
    if (layout_ == Layout::ours) return read_ours(fields);
    ImportRecord record = read_sample(fields);
    build_imported_invoice(record, Instant{});  // refuse now what the store would refuse
    return record;
  } catch (const Error& e) {
    // In a file every refusal is bad input, also those a live invoice would answer with 409.
    throw Error(ErrorKind::invalid, e.code(),
                "line " + std::to_string(line_number) + ": " + e.what(), e.field());
  }
}

ImportRecord CsvImporter::read_ours(std::span<const std::string_view> f) {
  ImportRecord r;
  // Our export neutralised these against spreadsheet formulas (invoice_to_csv_row).
  r.invoice.ref = csv::restore_formula(f[kRef]);
  r.invoice.customer_id = csv::restore_formula(f[kCustomerId]);
  r.invoice.customer_name = csv::restore_formula(f[kCustomerName]);
  r.invoice.ccy = f[kCcy];
  r.invoice.amount = integer(f[kAmount], "amount");
  r.invoice.issue_date = iso_date(f[kIssueDate], "issueDate");
  r.invoice.due_date = iso_date(f[kDueDate], "dueDate");
  const auto status = parse_status(f[kStatus]);
  if (!status) throw_invalid_field("status", "must be open, paid or void");
  r.voided = *status == Status::void_;
  std::string_view payments = f[kPayments];
  if (std::count(payments.begin(), payments.end(), ';') >=
      static_cast<std::ptrdiff_t>(kMaxImportPaymentsPerRow))
    throw_invalid_field("payments", "has more than " + std::to_string(kMaxImportPaymentsPerRow) +
                                        " payments (the most one row may carry)");
  while (!payments.empty()) {
    const auto item = payments.substr(0, payments.find(';'));
    payments.remove_prefix(std::min(payments.size(), item.size() + 1));
    const auto at = item.find('@');
    if (at == std::string_view::npos)
      throw_invalid_field("payments", "must be amount@YYYY-MM-DD;…");
    r.payments.push_back({integer(item.substr(0, at), "payments"),
                          iso_date(item.substr(at + 1), "payments"), std::nullopt});
  }
  validate(r.invoice);
  const Invoice built = build_imported_invoice(r, Instant{});
  if (built.balance != integer(f[kBalance], "balance"))
    throw_invalid_field("balance", "does not equal amount minus payments");
  if (built.status != *status) throw_invalid_field("status", "does not agree with the payments");
  if ((built.settled_date ? built.settled_date->to_string() : "") != f[kSettledDate])
    throw_invalid_field("settledDate", "does not agree with the payments");
  return r;
}

ImportRecord CsvImporter::read_sample(std::span<const std::string_view> f) {
  ImportRecord r;
  r.invoice.ref = std::string(f[kInvoiceNumber]);
  r.invoice.customer_id = std::string(f[kCustomerID]);
  r.invoice.customer_name = r.invoice.customer_id;  // the sample names customers by id only
  r.invoice.ccy = sample_currency_;
  const auto amount =
      parse_decimal_amount(f[kInvoiceAmount], find_currency(sample_currency_)->minor_digits);
  if (!amount) throw_invalid_field("InvoiceAmount", "must be a decimal amount like 55.94");
  r.invoice.amount = *amount;
  r.invoice.issue_date = us_date(f[kInvoiceDate], "InvoiceDate");
  r.invoice.due_date = us_date(f[kSampleDueDate], "DueDate");
  if (!f[kSampleSettledDate].empty())
    r.payments.push_back({*amount, us_date(f[kSampleSettledDate], "SettledDate"), std::nullopt});
  return r;
}

}  // namespace tim::invoices

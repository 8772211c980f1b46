#include "model/tim_export_csv.hpp"

#include <array>
#include <charconv>
#include <fstream>
#include <sstream>

#include "tim/csv.hpp"

namespace tim::expected_date {
namespace {

constexpr std::string_view kExportHeader =
    "id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,settledDate,"
    "payments,createdAt,updatedAt";
constexpr std::size_t kColumns = 14;

[[noreturn]] void fail(std::size_t line_no, const std::string& what) {
  throw CsvError("line " + std::to_string(line_no) + ": " + what);
}

std::string_view without_bom(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  return text;
}

Date iso_date(const std::string& v, std::size_t line_no, std::string_view column) {
  const auto d = parse_iso_date(v);
  if (!d) fail(line_no, std::string(column) + " is not a YYYY-MM-DD date: '" + v + "'");
  return *d;
}

}  // namespace

bool is_tim_export(std::string_view text) {
  text = without_bom(text);
  return text.starts_with(kExportHeader) &&
         (text.size() == kExportHeader.size() || text[kExportHeader.size()] == '\r' ||
          text[kExportHeader.size()] == '\n');
}

std::vector<ArRecord> parse_tim_export_csv(std::string_view text, const ReadProgress& progress) {
  if (!is_tim_export(text)) throw CsvError("line 1: not TIM's export header");
  csv::Reader reader(text);  // the one RFC 4180 reader; it skips the BOM
  csv::Record record;
  std::vector<ArRecord> rows;
  std::uint64_t read = 0;  // records, the open and void ones included
  try {
    reader.next(record);  // the header
    while (reader.next(record)) {
      if (progress && ++read % 1024 == 0) progress(reader.bytes_read(), rows.size());
      if (record.blank()) continue;
      const auto at = record.line;
      const auto& f = record.fields;
      if (f.size() != kColumns)
        fail(at,
             "expected " + std::to_string(kColumns) + " fields, found " + std::to_string(f.size()));
      if (f[9] != "paid" || f[10].empty()) continue;  // no outcome yet (open) or none (void)
      ArRecord r;
      // The export neutralises spreadsheet formulas in its free-text columns: undo it.
      r.customer_id = std::string(csv::restore_formula(f[2]));
      if (r.customer_id.empty()) fail(at, "customerId is empty");
      r.invoice_number = std::string(csv::restore_formula(f[1]));
      r.invoice_date = iso_date(std::string(f[7]), at, "issueDate");
      r.due_date = iso_date(std::string(f[8]), at, "dueDate");
      r.settled_date = iso_date(std::string(f[10]), at, "settledDate");
      r.paperless_date = r.invoice_date;
      const auto amount = f[5];
      const auto [end, ec] =
          std::from_chars(amount.data(), amount.data() + amount.size(), r.amount_minor);
      if (amount.empty() || ec != std::errc{} || end != amount.data() + amount.size() ||
          r.amount_minor <= 0)
        fail(at, "amount is not a positive integer in minor units: '" + std::string(amount) + "'");
      r.channel = BillingChannel::paper;
      r.days_to_settle = static_cast<int>((r.settled_date - r.invoice_date).count());
      r.days_late = std::max(0, static_cast<int>((r.settled_date - r.due_date).count()));
      rows.push_back(std::move(r));
    }
  } catch (const csv::ParseError& e) {
    throw CsvError(e.what());
  }
  if (progress) progress(reader.bytes_read(), rows.size());
  return rows;
}

std::vector<ArRecord> read_training_csv(const std::filesystem::path& file,
                                        const ReadProgress& progress) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw CsvError("cannot open " + file.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  try {
    return is_tim_export(text) ? parse_tim_export_csv(text, progress)
                               : parse_accounts_receivable_csv(text, progress);
  } catch (const CsvError& e) {
    throw CsvError(file.string() + ": " + e.what());
  }
}

}  // namespace tim::expected_date

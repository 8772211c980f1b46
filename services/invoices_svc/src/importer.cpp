#include "importer.hpp"

#include <charconv>

#include "tim/invoices/csv.hpp"
#include "tim/invoices/error.hpp"

namespace tim::invoices {
namespace {

// The index in "record <index>: …", the store's prefix for a refused record.
std::optional<std::size_t> refused_record(const Error& e) {
  std::string_view m = e.what();
  if (e.kind() == ErrorKind::unavailable || e.kind() == ErrorKind::internal) return std::nullopt;
  if (!m.starts_with("record ")) return std::nullopt;
  m.remove_prefix(7);
  std::size_t index = 0;
  auto [end, ec] = std::from_chars(m.data(), m.data() + m.size(), index);
  if (ec != std::errc{} || end == m.data() + m.size() || *end != ':') return std::nullopt;
  return index;
}

}  // namespace

ImportReport import_csv(std::istream& in, InvoiceStore& store, const ImportOptions& options,
                        Instant now) {
  ImportReport report;
  CsvImporter reader(options.sample_currency);
  std::vector<ImportRecord> batch;
  std::vector<std::size_t> lines;  // line number of each record in batch

  auto flush = [&] {
    // The rules were checked per row; a record the store still refuses is reported and the
    // rest of the batch retried, so that one bad row never drops its neighbours.
    while (!batch.empty()) {
      try {
        store.import(batch, now);
        report.imported += batch.size();
        break;
      } catch (const Error& e) {
        auto index = refused_record(e);
        if (!index || *index >= batch.size()) throw;
        report.rejected.push_back({lines[*index], e.field(), e.what()});
        batch.erase(batch.begin() + static_cast<std::ptrdiff_t>(*index));
        lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(*index));
      }
    }
    batch.clear();
    lines.clear();
  };

  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    try {
      auto record = reader.read_line(line, number);
      if (!record) continue;
      build_imported_invoice(*record, now);  // throws what the store would refuse
      batch.push_back(std::move(*record));
      lines.push_back(number);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::conflict) throw;
      std::string message = e.what();
      if (!message.starts_with("line "))
        message = "line " + std::to_string(number) + ": " + message;
      report.rejected.push_back({number, e.field(), std::move(message)});
    }
    if (batch.size() >= options.batch_size) flush();
  }
  flush();
  return report;
}

boost::json::object report_to_json(const ImportReport& report) {
  boost::json::object o;
  o["imported"] = report.imported;
  boost::json::array rejected;
  for (const auto& r : report.rejected) {
    boost::json::object row;
    row["line"] = r.line;
    if (!r.field.empty()) row["field"] = r.field;
    row["message"] = r.message;
    rejected.push_back(std::move(row));
  }
  o["rejected"] = std::move(rejected);
  return o;
}

}  // namespace tim::invoices

#include "importer.hpp"

#include <malloc.h>

#include <algorithm>
#include <charconv>

#include "tim/csv.hpp"
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

void ImportReport::reject(RejectedRow row) {
  ++rejected_count;
  if (rejected.size() < kListedRejections) rejected.push_back(std::move(row));
}

namespace {

constexpr std::size_t kRecordsPerProgress = 1024;

ImportReport import_records(csv::Reader& reader, InvoiceStore& store, const ImportOptions& options,
                            Instant now) {
  ImportReport report;
  CsvImporter importer(options.sample_currency);
  std::vector<ImportRecord> batch;
  std::vector<std::size_t> lines;  // line number of each record in batch

  auto flush = [&] {
    // The rules were checked per row; a record the store still refuses is reported and the
    // rest of the batch retried, so that one bad row never drops its neighbours.
    while (!batch.empty()) {
      try {
        const ImportResult result = store.import(batch, now, options.subject);
        report.imported += result.ids.size();
        for (const std::size_t index : result.duplicates) {
          ++report.duplicate_count;
          if (report.duplicates.size() < kListedRejections)
            report.duplicates.push_back({lines[index], batch[index].invoice.ref.value_or("")});
        }
        break;
      } catch (const Error& e) {
        auto index = refused_record(e);
        if (!index || *index >= batch.size()) throw;
        report.reject({lines[*index], e.field(), e.what()});
        batch.erase(batch.begin() + static_cast<std::ptrdiff_t>(*index));
        lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(*index));
      }
    }
    batch.clear();
    lines.clear();
  };
  // Past the listed rows only the count is kept: no message is built.
  auto reject = [&](std::size_t line, const std::string& field, const std::string& message) {
    if (report.rejected.size() >= kListedRejections)
      ++report.rejected_count;
    else
      report.reject({line, field, message});
  };

  csv::Record fields;
  std::size_t records = 0;
  for (;;) {
    try {
      if (!reader.next(fields)) break;
    } catch (const csv::ParseError& e) {
      reject(e.line(), "", e.what());  // the reader goes on at the next line
      continue;
    }
    if (options.on_progress && ++records % kRecordsPerProgress == 0)
      options.on_progress({reader.bytes_read(), records - 1});  // the header is no row
    try {
      auto record = importer.read_record(fields.fields, fields.line);  // checks the rules
      if (!record) continue;
      batch.push_back(std::move(*record));
      lines.push_back(fields.line);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::conflict) throw;
      reject(fields.line, e.field(), e.what());
    }
    if (batch.size() >= options.batch_size) flush();
  }
  flush();
  if (options.on_progress) options.on_progress({reader.bytes_read(), records ? records - 1 : 0});
  // Rows the store refused were reported at their batch's end: put the list in line order.
  std::stable_sort(report.rejected.begin(), report.rejected.end(),
                   [](const RejectedRow& a, const RejectedRow& b) { return a.line < b.line; });
  return report;
}

}  // namespace

ImportReport import_csv(std::istream& in, InvoiceStore& store, const ImportOptions& options,
                        Instant now) {
  csv::Reader reader(in);
  return import_records(reader, store, options, now);
}

ImportReport import_csv(std::string_view text, InvoiceStore& store, const ImportOptions& options,
                        Instant now) {
  csv::Reader reader(text);
  return import_records(reader, store, options, now);
}

boost::json::object report_to_json(const ImportReport& report) {
  boost::json::object o;
  o["imported"] = report.imported;
  o["rejectedCount"] = report.rejected_count;
  boost::json::array rejected;
  for (const auto& r : report.rejected) {
    boost::json::object row;
    row["line"] = r.line;
    if (!r.field.empty()) row["field"] = r.field;
    row["message"] = r.message;
    rejected.push_back(std::move(row));
  }
  o["rejected"] = std::move(rejected);
  o["duplicateCount"] = report.duplicate_count;
  boost::json::array duplicates;
  for (const auto& d : report.duplicates) duplicates.push_back({{"line", d.line}, {"ref", d.ref}});
  o["duplicates"] = std::move(duplicates);
  return o;
}

void release_free_memory() noexcept {
  ::malloc_trim(0);
}

}  // namespace tim::invoices

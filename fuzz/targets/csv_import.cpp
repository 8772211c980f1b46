// The CSV import reader: the input is a file, read line by line as the importer does; the first
// byte picks the sample layout's currency. A refused line is Error(invalid) and the reader
// goes on; anything else escaping, or a crash, is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tim/invoices/csv.hpp"
#include "tim/invoices/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  tim::invoices::CsvImporter reader(data[0] & 1 ? "JPY" : "USD");
  std::size_t number = 0;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const auto line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    ++number;
    try {
      if (auto record = reader.read_line(line, number))
        (void)tim::invoices::build_imported_invoice(*record, tim::invoices::Instant{});
    } catch (const tim::invoices::Error& e) {
      if (e.kind() != tim::invoices::ErrorKind::invalid) throw;
    }
  }
  return 0;
}

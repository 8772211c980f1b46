// The list query string and the cursor in it (base64url of "v1.<id>.<filter tag>"), decoded
// against the query's own filter as GET /api/invoices does. A refusal is Error(invalid).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tim/invoices/error.hpp"
#include "tim/invoices/query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto query = tim::invoices::parse_list_query(text);
    // A cursor made for this filter must decode back to its id.
    const auto id = static_cast<tim::invoices::InvoiceId>(size) + 1;
    if (tim::invoices::decode_cursor(tim::invoices::encode_cursor(query.filter, id),
                                     query.filter) != id)
      __builtin_trap();
  } catch (const tim::invoices::Error& e) {
    if (e.kind() != tim::invoices::ErrorKind::invalid) throw;
  }
  try {
    (void)tim::invoices::decode_cursor(text, tim::invoices::ListFilter{});
  } catch (const tim::invoices::Error& e) {
    if (e.kind() != tim::invoices::ErrorKind::invalid) throw;
  }
  return 0;
}

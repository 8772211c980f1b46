// The list query (GET /api/invoices?customer=&status=&due_before=&due_after=&limit=&cursor=
// &format=&expand=)
// and its opaque cursor. Pages are ordered by id, and a cursor holds the last id of the
// previous page: pages stay stable while invoices are added.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tim/invoices/invoice.hpp"

namespace tim::invoices {

inline constexpr int kDefaultListLimit = 50;
inline constexpr int kMaxListLimit = 500;  // larger limits are capped to this, not refused

struct ListFilter {
  std::optional<std::string> customer;  // exact customerId
  std::optional<Status> status;
  std::optional<Date> due_before;  // dueDate < due_before (exclusive)
  std::optional<Date> due_after;   // dueDate > due_after (exclusive)
  int limit = kDefaultListLimit;
  std::optional<InvoiceId> after_id;  // from the cursor: only ids greater than this
  bool operator==(const ListFilter&) const = default;
};

enum class ListFormat { json, csv };

struct ListQuery {
  ListFilter filter;
  ListFormat format = ListFormat::json;  // format=csv; the handler also honours Accept
  bool expand_expected_date = false;     // expand=expectedDate: each open invoice's prediction
};

// The raw query string (after '?', percent-encoded). Throws Error(invalid) naming the
// parameter for unknown or repeated parameters and bad values, and "cursor" for a cursor that
// is malformed or was made for another filter.
ListQuery parse_list_query(std::string_view query);

// The cursor that continues `filter` after `last_id`. Bound to the filter's conditions (not to
// limit), so it cannot be replayed against another filter.
std::string encode_cursor(const ListFilter& filter, InvoiceId last_id);
// The last id a cursor holds; throws Error(invalid, field "cursor").
InvoiceId decode_cursor(std::string_view cursor, const ListFilter& filter);

struct InvoicePage {
  std::vector<Invoice> invoices;
  std::optional<std::string> next_cursor;  // absent on the last page
};

// {"invoices":[…], "next": "<cursor>" | null}
boost::json::object page_to_json(const InvoicePage& page);

}  // namespace tim::invoices

// The statements the API's reads run, built in one place so that the store runs them and the
// EXPLAIN test (tests/store_test.cpp) checks the very same text for a full scan.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sql.hpp"
#include "tim/invoices/query.hpp"

namespace tim::invoices::sql {

inline constexpr const char* kInvoiceColumns =
    "id, ref, customer_id, customer_name, ccy, amount, balance, issue_date, due_date, status, "
    "payments, settled_date, created_at, updated_at, version";

struct Statement {
  std::string text;
  std::vector<Value> params;
};

// GET /api/invoices: the filter's conditions, ordered by id, at most `rows` rows.
Statement list_statement(const ListFilter& filter, int rows, Dialect dialect);

// GET /api/invoices/:id
Statement get_statement(std::int64_t id);

// A customer's paid-delay histogram (the predictor's history).
Statement paid_delays_statement(const std::string& customer_id);

// Several customers' paid-delay histograms: customer_ids padded to kCustomersPerRead (one
// statement text, prepared once), at most that many per statement.
inline constexpr std::size_t kCustomersPerRead = 100;
Statement paid_delays_of_statement(std::span<const std::string> customer_ids);

// The forecast's open invoices: id, customer_id, ccy, amount, balance, issue_date, due_date,
// version; after `after_id` in id order, through the status (or customer and status) index.
Statement open_invoices_statement(const std::optional<std::string>& customer,
                                  const std::optional<std::string>& ccy, std::int64_t after_id,
                                  int rows, Dialect dialect);

// GET /api/events: after a feed cursor ("" from the start), in commit order (sql_store.cpp).
// Throws invalid_field for a malformed cursor.
Statement events_statement(const std::string& after, const std::optional<std::string>& type,
                           int rows, Dialect dialect);

// An import's duplicate check: which of these refs stored invoices have.
Statement existing_refs_statement(std::span<const std::string> refs);

// GET /api/invoices/:id/events
Statement invoice_events_statement(std::int64_t invoice_id, std::int64_t after_id, int rows,
                                   Dialect dialect);

}  // namespace tim::invoices::sql

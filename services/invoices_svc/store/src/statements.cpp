#include "statements.hpp"

#include <algorithm>

namespace tim::invoices::sql {

Statement list_statement(const ListFilter& filter, int rows, Dialect dialect) {
  Statement s{std::string("SELECT ") + kInvoiceColumns + " FROM invoices WHERE 1 = 1", {}};
  s.params.reserve(6);
  const auto condition = [&]<class T>(const char* sql_text, T value) {
    s.params.emplace_back(std::in_place_type<T>, std::move(value));
    s.text += std::string(" AND ") + sql_text + " $" + std::to_string(s.params.size());
  };
  // PostgreSQL drops a column compared with = from ORDER BY, and then finds walking the
  // primary key in id order and filtering cheaper than the filter's index: it assumes the
  // matches are spread evenly, and open invoices, say, are all at the end. Written as a range
  // of one value, the column stays in ORDER BY, which only the filter's index delivers.
  std::string order = "ORDER BY ";
  const auto equal = [&](const char* column, std::string value) {
    if (dialect == Dialect::sqlite) {
      condition((std::string(column) + " =").c_str(), std::move(value));
      return;
    }
    s.params.emplace_back(std::move(value));
    const std::string p = "$" + std::to_string(s.params.size());
    s.text += std::string(" AND ") + column + " >= " + p + " AND " + column + " <= " + p;
    order += std::string(column) + ", ";
  };
  if (filter.customer) equal("customer_id", *filter.customer);
  if (filter.status) equal("status", std::string(to_string(*filter.status)));
  if (filter.due_before) condition("due_date <", filter.due_before->to_string());
  if (filter.due_after) condition("due_date >", filter.due_after->to_string());
  if (filter.after_id) condition("id >", std::int64_t{*filter.after_id});
  s.params.emplace_back(std::in_place_type<std::int64_t>, rows);
  s.text += " " + order + "id LIMIT $" + std::to_string(s.params.size());
  return s;
}

Statement get_statement(std::int64_t id) {
  return {std::string("SELECT ") + kInvoiceColumns + " FROM invoices WHERE id = $1", {Value{id}}};
}

Statement paid_delays_statement(const std::string& customer_id) {
  return {
      "SELECT delay_days, paid_count FROM customer_paid_delays WHERE customer_id = $1 AND "
      "paid_count > 0 ORDER BY delay_days",
      {Value{customer_id}}};
}

namespace {
Statement for_customers(std::string text, std::span<const std::string> customer_ids,
                        const char* order) {
  Statement s{std::move(text) + " IN (", {}};
  s.params.reserve(kCustomersPerRead);
  for (std::size_t i = 0; i < kCustomersPerRead; ++i) {
    // Padded with the last id: the same text whatever the count, so prepared once.
    const std::string& id =
        customer_ids.empty() ? std::string() : customer_ids[std::min(i, customer_ids.size() - 1)];
    s.params.emplace_back(id);
    s.text += (i ? ", $" : "$") + std::to_string(i + 1);
  }
  s.text += std::string(")") + order;
  return s;
}
}  // namespace

Statement paid_delays_of_statement(std::span<const std::string> customer_ids) {
  return for_customers(
      "SELECT customer_id, delay_days, paid_count FROM customer_paid_delays WHERE paid_count > 0 "
      "AND customer_id",
      customer_ids, " ORDER BY customer_id, delay_days");
}

Statement open_invoices_statement(const std::optional<std::string>& customer,
                                  const std::optional<std::string>& ccy, std::int64_t after_id,
                                  int rows, Dialect dialect) {
  Statement s{
      "SELECT id, customer_id, ccy, amount, balance, issue_date, due_date, version FROM invoices "
      "WHERE 1 = 1",
      {}};
  std::string order = "ORDER BY ";
  const auto next = [&](Value v) {
    s.params.push_back(std::move(v));
    return "$" + std::to_string(s.params.size());
  };
  // As list_statement: on PostgreSQL an equality written as a range keeps the column in ORDER
  // BY, which only its index delivers in order.
  const auto equal = [&](const char* column, std::string value) {
    const auto p = next(Value{std::move(value)});
    if (dialect == Dialect::sqlite) {
      s.text += std::string(" AND ") + column + " = " + p;
      return;
    }
    s.text += std::string(" AND ") + column + " >= " + p + " AND " + column + " <= " + p;
    order += std::string(column) + ", ";
  };
  if (customer) equal("customer_id", *customer);
  equal("status", "open");
  // A filter on the rows the index hands over, not an index of its own: most stores hold one
  // or two currencies, and a forecast reads every open invoice anyway.
  if (ccy) s.text += " AND ccy = " + next(Value{*ccy});
  s.text += " AND id > " + next(Value{after_id});
  s.text += " " + order + "id LIMIT " + next(Value{std::int64_t{rows}});
  return s;
}

}  // namespace tim::invoices::sql

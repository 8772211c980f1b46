#include "statements.hpp"

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

}  // namespace tim::invoices::sql

#include "expected_date.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <regex>

namespace tim::invoices {

std::optional<std::string> expected_date_from_answer(std::string_view body, std::int64_t invoice_id,
                                                     std::string* why) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  const auto* object = ec ? nullptr : value.if_object();
  if (!object) {
    *why = "answer is not a JSON object";
    return std::nullopt;
  }
  const auto* id = object->if_contains("invoiceId");
  if (!id || !id->is_int64() || id->as_int64() != invoice_id) {
    *why = "answer is about another invoice";
    return std::nullopt;
  }
  const auto* date = object->if_contains("expectedDate");
  static const std::regex iso_utc{R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z)"};
  if (!date || !date->is_string() || !std::regex_match(date->as_string().c_str(), iso_utc)) {
    *why = "answer has no ISO 8601 UTC expectedDate";
    return std::nullopt;
  }
  return std::string(date->as_string());
}

}  // namespace tim::invoices

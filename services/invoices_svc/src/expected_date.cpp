#include "expected_date.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace tim::invoices {

namespace {

// "2026-11-20T10:00:00.000Z" and the like: checked by hand, this runs on every invoice answer.
bool iso_utc_instant(std::string_view s) {
  auto digits = [&](std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i)
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    return true;
  };
  if (s.size() < 20 || !s.ends_with('Z')) return false;
  if (!digits(0, 4) || s[4] != '-' || !digits(5, 2) || s[7] != '-' || !digits(8, 2) ||
      s[10] != 'T' || !digits(11, 2) || s[13] != ':' || !digits(14, 2) || s[16] != ':' ||
      !digits(17, 2))
    return false;
  if (s.size() == 20) return true;
  const auto fraction = s.substr(19, s.size() - 20);  // ".123"
  return fraction.size() >= 2 && fraction.size() <= 10 && fraction[0] == '.' &&
         digits(20, fraction.size() - 1);
}

const boost::json::string* instant_member(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() && iso_utc_instant(v->as_string()) ? &v->as_string() : nullptr;
}

}  // namespace

std::string prediction_request_json(const Invoice& invoice, std::span<const PaidDelay> paid,
                                    Date as_of) {
  boost::json::object facts;
  facts["customerId"] = invoice.customer_id;
  facts["issueDate"] = invoice.issue_date.to_string();
  facts["dueDate"] = invoice.due_date.to_string();
  facts["amount"] = invoice.amount;
  facts["ccy"] = invoice.ccy;
  boost::json::array delays;
  for (const auto& p : paid) {
    if (p.count <= 0) continue;
    delays.emplace_back(boost::json::object{{"delayDays", p.delay_days}, {"count", p.count}});
  }
  boost::json::object body;
  body["invoice"] = std::move(facts);
  body["paidDelays"] = std::move(delays);
  body["asOf"] = as_of.to_string();
  return boost::json::serialize(body);
}

std::optional<ExpectedDate> expected_date_from_answer(std::string_view body,
                                                      std::int64_t invoice_id, std::string* why) {
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
  const auto* date = instant_member(*object, "expectedDate");
  if (!date) {
    *why = "answer has no ISO 8601 UTC expectedDate";
    return std::nullopt;
  }
  ExpectedDate out{std::string(*date), {}, {}, {}};
  const auto* low = instant_member(*object, "expectedDateLow");
  const auto* high = instant_member(*object, "expectedDateHigh");
  if (low && high) {  // an interval is given whole or not at all
    out.low = std::string(*low);
    out.high = std::string(*high);
  }
  if (const auto* basis = object->if_contains("basis"); basis && basis->is_string())
    out.basis = std::string(basis->as_string());
  return out;
}

}  // namespace tim::invoices

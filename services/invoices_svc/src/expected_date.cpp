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

namespace {

std::optional<ExpectedDate> from_object(const boost::json::object* object, std::int64_t invoice_id,
                                        std::string* why) {
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
  ExpectedDate out{std::string(*date), {}, {}, {}, {}};
  const auto* low = instant_member(*object, "expectedDateLow");
  const auto* high = instant_member(*object, "expectedDateHigh");
  if (low && high) {  // an interval is given whole or not at all
    out.low = std::string(*low);
    out.high = std::string(*high);
  }
  if (const auto* basis = object->if_contains("basis"); basis && basis->is_string())
    out.basis = std::string(basis->as_string());
  if (const auto* version = object->if_contains("modelVersion"); version && version->is_string())
    out.model_version = std::string(version->as_string());
  return out;
}

boost::json::array delays_json(std::span<const PaidDelay> paid) {
  boost::json::array delays;
  for (const auto& p : paid) {
    if (p.count <= 0) continue;
    delays.emplace_back(boost::json::object{{"delayDays", p.delay_days}, {"count", p.count}});
  }
  return delays;
}

boost::json::object facts_json(const Invoice& invoice) {
  boost::json::object facts;
  facts["customerId"] = invoice.customer_id;
  facts["issueDate"] = invoice.issue_date.to_string();
  facts["dueDate"] = invoice.due_date.to_string();
  facts["amount"] = invoice.amount;
  facts["ccy"] = invoice.ccy;
  return facts;
}

}  // namespace

std::string prediction_request_json(const Invoice& invoice, std::span<const PaidDelay> paid,
                                    Date as_of) {
  boost::json::object body;
  body["invoice"] = facts_json(invoice);
  body["paidDelays"] = delays_json(paid);
  body["asOf"] = as_of.to_string();
  return boost::json::serialize(body);
}

std::optional<ExpectedDate> expected_date_from_answer(std::string_view body,
                                                      std::int64_t invoice_id, std::string* why) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  return from_object(ec ? nullptr : value.if_object(), invoice_id, why);
}

std::string batch_request_json(std::span<const Invoice> invoices,
                               const std::map<std::string, PaidHistory, std::less<>>& histories,
                               Date as_of) {
  boost::json::object sent;
  boost::json::array items;
  items.reserve(invoices.size());
  for (const auto& invoice : invoices) {
    items.emplace_back(
        boost::json::object{{"invoiceId", invoice.id}, {"invoice", facts_json(invoice)}});
    if (sent.contains(invoice.customer_id)) continue;
    const auto found = histories.find(invoice.customer_id);
    if (found == histories.end()) continue;
    sent[invoice.customer_id] =
        boost::json::object{{"paidDelays", delays_json(found->second.delays)}};
  }
  boost::json::object body;
  body["asOf"] = as_of.to_string();
  body["histories"] = std::move(sent);
  body["items"] = std::move(items);
  return boost::json::serialize(body);
}

std::optional<std::vector<std::optional<ExpectedDate>>> expected_dates_from_batch_answer(
    std::string_view body, std::span<const InvoiceId> invoice_ids, std::string* why) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  const auto* object = ec ? nullptr : value.if_object();
  const auto* list = object ? object->if_contains("predictions") : nullptr;
  if (!list || !list->is_array() || list->as_array().size() != invoice_ids.size()) {
    *why = "answer is not one prediction per invoice asked";
    return std::nullopt;
  }
  std::vector<std::optional<ExpectedDate>> out;
  out.reserve(invoice_ids.size());
  for (std::size_t i = 0; i < invoice_ids.size(); ++i)
    out.push_back(from_object(list->as_array()[i].if_object(), invoice_ids[i], why));
  return out;
}

}  // namespace tim::invoices

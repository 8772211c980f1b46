#include "prediction_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tim/time.hpp"

namespace tim::expected_date {

namespace {

namespace json = boost::json;

struct Invalid {
  RequestError error;
};

[[noreturn]] void invalid(std::string field, std::string message) {
  throw Invalid{{std::move(field), std::move(message)}};
}

const json::value& member(const json::object& o, std::string_view key, const std::string& path) {
  const auto* v = o.if_contains(key);
  if (!v) invalid(path + std::string(key), "is required");
  return *v;
}

std::string text(const json::object& o, std::string_view key, const std::string& path) {
  const auto& v = member(o, key, path);
  if (!v.is_string() || v.as_string().empty())
    invalid(path + std::string(key), "must be a non-empty string");
  return std::string(v.as_string());
}

Date date(const json::object& o, std::string_view key, const std::string& path) {
  auto d = parse_iso_date(text(o, key, path));
  if (!d || !in_date_range(std::chrono::year_month_day{*d}))
    invalid(path + std::string(key),
            "must be a calendar date YYYY-MM-DD " + std::string(kDateRangeText));
  return *d;
}

std::int64_t amount(const json::object& o, const std::string& path) {
  const auto& v = member(o, "amount", path);
  if (!v.is_int64() || v.as_int64() < 0)
    invalid(path + "amount", "must be a non-negative integer in minor units");
  return v.as_int64();
}

BillingChannel channel(const json::object& o, const std::string& path) {
  const auto* v = o.if_contains("channel");
  if (!v) return BillingChannel::paper;
  if (v->is_string() && v->as_string() == "paper") return BillingChannel::paper;
  if (v->is_string() && v->as_string() == "electronic") return BillingChannel::electronic;
  invalid(path + "channel", "must be \"paper\" or \"electronic\"");
}

const json::object& object(const json::value& v, const std::string& path) {
  if (!v.is_object()) invalid(path, "must be an object");
  return v.as_object();
}

constexpr std::int64_t kMaxDelayDays = 36500;

std::string instant(Date d) {
  return format_iso8601_utc(std::chrono::system_clock::time_point{d});
}

}  // namespace

std::variant<PredictionRequest, RequestError> parse_prediction_request(std::string_view body) {
  boost::system::error_code ec;
  auto root = json::parse(body, ec);
  if (ec) return RequestError{"", "body is not JSON: " + ec.message()};
  try {
    const auto& top = object(root, "body");
    PredictionRequest r;
    const auto& inv = object(member(top, "invoice", ""), "invoice");
    r.invoice.customer_id = text(inv, "customerId", "invoice.");
    r.invoice.issue_date = date(inv, "issueDate", "invoice.");
    r.invoice.due_date = date(inv, "dueDate", "invoice.");
    r.invoice.amount_minor = amount(inv, "invoice.");
    r.invoice.currency = text(inv, "ccy", "invoice.");
    if (inv.if_contains("country")) r.invoice.country_code = text(inv, "country", "invoice.");
    r.invoice.channel = channel(inv, "invoice.");
    if (const auto* h = top.if_contains("history")) {
      if (!h->is_array()) invalid("history", "must be an array");
      std::size_t i = 0;
      for (const auto& item : h->as_array()) {
        const auto path = "history[" + std::to_string(i++) + "].";
        const auto& o = object(item, path.substr(0, path.size() - 1));
        PaidInvoice p;
        p.issue_date = date(o, "issueDate", path);
        p.due_date = date(o, "dueDate", path);
        p.settle_date = date(o, "settledDate", path);
        p.amount_minor = amount(o, path);
        p.currency = text(o, "ccy", path);
        p.channel = channel(o, path);
        r.history.paid.push_back(std::move(p));
      }
    }
    if (const auto* d = top.if_contains("paidDelays")) {
      if (!d->is_array()) invalid("paidDelays", "must be an array");
      std::size_t i = 0;
      for (const auto& item : d->as_array()) {
        const auto path = "paidDelays[" + std::to_string(i++) + "].";
        const auto& o = object(item, path.substr(0, path.size() - 1));
        const auto& days = member(o, "delayDays", path);
        // A century either way: beyond that a date is wrong, not late.
        if (!days.is_int64() || days.as_int64() < -kMaxDelayDays || days.as_int64() > kMaxDelayDays)
          invalid(path + "delayDays", "must be an integer number of days within ±36500");
        const auto& count = member(o, "count", path);
        if (!count.is_int64() || count.as_int64() < 1)
          invalid(path + "count", "must be a positive integer");
        r.history.delays.push_back(
            {static_cast<int>(days.as_int64()), count.as_int64(), channel(o, path)});
      }
    }
    if (top.if_contains("asOf")) r.as_of = date(top, "asOf", "");
    return r;
  } catch (const Invalid& e) {
    return e.error;
  }
}

std::string request_error_json(const RequestError& error) {
  json::object e{{"code", "invalid_request"},
                 {"message", (error.field.empty() ? "" : error.field + " ") + error.message}};
  if (!error.field.empty()) e["field"] = error.field;
  return json::serialize(json::object{{"error", std::move(e)}});
}

std::string prediction_json(std::int64_t invoice_id, const Prediction& p, std::string_view model) {
  json::object o;
  o["invoiceId"] = invoice_id;
  o["expectedDate"] = instant(p.expected);
  o["expectedDateLow"] = instant(p.low);
  o["expectedDateHigh"] = instant(p.high);
  o["basis"] = describe_basis(p);
  o["historyCount"] = p.history_count;
  o["model"] = model;
  json::array notes;
  for (const auto& n : p.notes) notes.emplace_back(n);
  o["notes"] = std::move(notes);
  return json::serialize(o);
}

}  // namespace tim::expected_date

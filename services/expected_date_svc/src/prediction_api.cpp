#include "prediction_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>

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

void read_history(const json::object& top, const std::string& at, CustomerHistory& out) {
  if (const auto* h = top.if_contains("history")) {
    if (!h->is_array()) invalid(at + "history", "must be an array");
    std::size_t i = 0;
    for (const auto& item : h->as_array()) {
      const auto path = at + "history[" + std::to_string(i++) + "].";
      const auto& o = object(item, path.substr(0, path.size() - 1));
      PaidInvoice p;
      p.issue_date = date(o, "issueDate", path);
      p.due_date = date(o, "dueDate", path);
      p.settle_date = date(o, "settledDate", path);
      p.amount_minor = amount(o, path);
      p.currency = text(o, "ccy", path);
      p.channel = channel(o, path);
      out.paid.push_back(std::move(p));
    }
  }
  if (const auto* d = top.if_contains("paidDelays")) {
    if (!d->is_array()) invalid(at + "paidDelays", "must be an array");
    std::size_t i = 0;
    for (const auto& item : d->as_array()) {
      const auto path = at + "paidDelays[" + std::to_string(i++) + "].";
      const auto& o = object(item, path.substr(0, path.size() - 1));
      const auto& days = member(o, "delayDays", path);
      // A century either way: beyond that a date is wrong, not late.
      if (!days.is_int64() || days.as_int64() < -kMaxDelayDays || days.as_int64() > kMaxDelayDays)
        invalid(path + "delayDays", "must be an integer number of days within ±36500");
      const auto& count = member(o, "count", path);
      if (!count.is_int64() || count.as_int64() < 1)
        invalid(path + "count", "must be a positive integer");
      out.delays.push_back({static_cast<int>(days.as_int64()), count.as_int64(), channel(o, path)});
    }
  }
}

// One invoice's request object; `at` prefixes every field path ("" or "items[3].").
PredictionRequest read_request(const json::object& top, const std::string& at) {
  PredictionRequest r;
  const auto& inv = object(member(top, "invoice", at), at + "invoice");
  const auto in = at + "invoice.";
  r.invoice.customer_id = text(inv, "customerId", in);
  r.invoice.issue_date = date(inv, "issueDate", in);
  r.invoice.due_date = date(inv, "dueDate", in);
  r.invoice.amount_minor = amount(inv, in);
  r.invoice.currency = text(inv, "ccy", in);
  if (inv.if_contains("country")) r.invoice.country_code = text(inv, "country", in);
  r.invoice.channel = channel(inv, in);
  read_history(top, at, r.history);
  if (top.if_contains("asOf")) r.as_of = date(top, "asOf", at);
  return r;
}

}  // namespace

std::variant<PredictionRequest, RequestError> parse_prediction_request(std::string_view body) {
  boost::system::error_code ec;
  auto root = json::parse(body, ec);
  if (ec) return RequestError{"", "body is not JSON: " + ec.message()};
  try {
    return read_request(object(root, "body"), "");
  } catch (const Invalid& e) {
    return e.error;
  }
}

std::variant<BatchRequest, RequestError> parse_batch_request(std::string_view body) {
  boost::system::error_code ec;
  auto root = json::parse(body, ec);
  if (ec) return RequestError{"", "body is not JSON: " + ec.message()};
  try {
    const auto& top = object(root, "body");
    BatchRequest batch;
    if (top.if_contains("asOf")) batch.as_of = date(top, "asOf", "");
    std::map<std::string, CustomerHistory, std::less<>> histories;
    if (const auto* h = top.if_contains("histories")) {
      const auto& by_customer = object(*h, "histories");
      for (const auto& [customer, history] : by_customer) {
        const auto at = "histories." + std::string(customer.data(), customer.size());
        read_history(object(history, at), at + ".", histories[std::string(customer)]);
      }
    }
    const auto& items = member(top, "items", "");
    if (!items.is_array()) invalid("items", "must be an array");
    if (items.as_array().size() > kMaxBatchItems)
      invalid("items", "holds at most " + std::to_string(kMaxBatchItems) + " invoices per call");
    std::size_t i = 0;
    for (const auto& item : items.as_array()) {
      const auto at = "items[" + std::to_string(i++) + "]";
      const auto& o = object(item, at);
      const auto& id = member(o, "invoiceId", at + ".");
      if (!id.is_int64() || id.as_int64() < 1)
        invalid(at + ".invoiceId", "must be a positive integer");
      BatchItem b{id.as_int64(), read_request(o, at + ".")};
      if (!b.request.as_of) b.request.as_of = batch.as_of;
      // The customer's shared history adds to what the item carries itself.
      if (auto found = histories.find(b.request.invoice.customer_id); found != histories.end()) {
        const auto& shared = found->second;
        b.request.history.paid.insert(b.request.history.paid.end(), shared.paid.begin(),
                                      shared.paid.end());
        b.request.history.delays.insert(b.request.history.delays.end(), shared.delays.begin(),
                                        shared.delays.end());
      }
      batch.items.push_back(std::move(b));
    }
    return batch;
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

namespace {

json::object prediction_object(std::int64_t invoice_id, const Prediction& p, std::string_view model,
                               std::string_view model_version) {
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
  o["modelVersion"] = model_version;
  return o;
}

}  // namespace

std::string prediction_json(std::int64_t invoice_id, const Prediction& p, std::string_view model,
                            std::string_view model_version) {
  return json::serialize(prediction_object(invoice_id, p, model, model_version));
}

std::string batch_json(std::span<const BatchItem> items, std::span<const Prediction> predictions,
                       std::string_view model, std::string_view model_version) {
  json::array out;
  out.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i)
    out.push_back(prediction_object(items[i].invoice_id, predictions[i], model, model_version));
  return json::serialize(
      json::object{{"modelVersion", model_version}, {"predictions", std::move(out)}});
}

}  // namespace tim::expected_date

#include "tim/invoices/json.hpp"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "tim/invoices/error.hpp"

namespace tim::invoices {
namespace {

namespace json = boost::json;

json::object parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec)
    throw Error(ErrorKind::invalid, "invalid_json", "body is not valid JSON: " + ec.message());
  if (!value.is_object())
    throw Error(ErrorKind::invalid, "invalid_json", "body must be a JSON object");
  return std::move(value.as_object());
}

template <std::size_t N>
void refuse_unknown_fields(const json::object& object,
                           const std::array<std::string_view, N>& known) {
  for (const auto& field : object)
    if (std::find(known.begin(), known.end(), field.key()) == known.end())
      throw_invalid_field(std::string(field.key()), "is not a known field");
}

const json::value& required(const json::object& object, const char* field) {
  const auto* value = object.if_contains(field);
  if (!value || value->is_null()) throw_invalid_field(field, "is required");
  return *value;
}

std::string string_field(const json::value& value, const char* field) {
  if (!value.is_string()) throw_invalid_field(field, "must be a string");
  return std::string(value.get_string());
}

std::string required_string(const json::object& object, const char* field) {
  return string_field(required(object, field), field);
}

std::optional<std::string> optional_string(const json::object& object, const char* field) {
  const auto* value = object.if_contains(field);
  if (!value || value->is_null()) return std::nullopt;
  return string_field(*value, field);
}

std::int64_t required_amount(const json::object& object, const char* field) {
  const json::value& value = required(object, field);
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64()) throw_invalid_field(field, "is too large");
  throw_invalid_field(field, "must be an integer number of minor units (4200 for 42.00)");
}

Date required_date(const json::object& object, const char* field) {
  const auto text = required_string(object, field);
  const auto date = Date::parse(text);
  if (!date) throw_invalid_field(field, date_rule());
  return *date;
}

std::string date_text(const json::value& value) {
  if (!value.is_string()) throw std::invalid_argument("date is not a string");
  return std::string(value.get_string());
}

}  // namespace

json::array payments_to_json(const std::vector<Payment>& payments) {
  json::array out;
  out.reserve(payments.size());
  for (const auto& p : payments) {
    json::object entry{{"id", p.id},
                       {"kind", p.kind == EntryKind::payment ? "payment" : "creditNote"},
                       {"amount", p.amount},
                       {"date", p.date.to_string()}};
    if (p.kind == EntryKind::credit_note) entry["reason"] = p.reason;
    if (p.reversal)
      entry["reversed"] =
          json::object{{"reason", p.reversal->reason}, {"date", p.reversal->date.to_string()}};
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<Payment> payments_from_json(std::string_view text) {
  boost::system::error_code ec;
  const json::value value = json::parse(text, ec);
  try {
    if (ec || !value.is_array()) throw std::invalid_argument("not an array");
    std::vector<Payment> payments;
    for (const auto& item : value.get_array()) {
      const auto& object = item.as_object();
      const auto date = Date::parse_stored(date_text(object.at("date")));
      if (!date) throw std::invalid_argument("bad date");
      Payment p{object.at("amount").as_int64(), *date};
      // Rows written before entries had ids are numbered by position, as they were made.
      const auto* id = object.if_contains("id");
      p.id = id ? id->as_int64() : static_cast<std::int64_t>(payments.size()) + 1;
      if (const auto* kind = object.if_contains("kind");
          kind && kind->as_string() == "creditNote") {
        p.kind = EntryKind::credit_note;
        p.reason = std::string(object.at("reason").as_string());
      }
      if (const auto* reversed = object.if_contains("reversed")) {
        const auto& r = reversed->as_object();
        const auto when = Date::parse(date_text(r.at("date")));
        if (!when) throw std::invalid_argument("bad date");
        p.reversal = Reversal{std::string(r.at("reason").as_string()), *when};
      }
      payments.push_back(std::move(p));
    }
    return payments;
  } catch (const std::exception&) {
    throw Error(ErrorKind::internal, "corrupt_invoice", "stored payments are not readable");
  }
}

json::object invoice_to_json(const Invoice& invoice,
                             const std::optional<std::string>& expected_date) {
  json::object out;
  out.reserve(16);
  out.emplace("id", invoice.id);
  out.emplace("ref", invoice.ref);
  out.emplace("amount", invoice.amount);
  out.emplace("balance", invoice.balance);
  out.emplace("ccy", invoice.ccy);
  if (expected_date) out.emplace("expectedDate", *expected_date);
  out.emplace("customerId", invoice.customer_id);
  out.emplace("customerName", invoice.customer_name);
  out.emplace("issueDate", invoice.issue_date.to_string());
  out.emplace("dueDate", invoice.due_date.to_string());
  out.emplace("status", to_string(invoice.status));
  out.emplace("payments", payments_to_json(invoice.payments));
  if (invoice.settled_date)
    out.emplace("settledDate", invoice.settled_date->to_string());
  else
    out.emplace("settledDate", nullptr);
  if (auto how = settled_by(invoice))
    out.emplace("settledBy", *how);
  else
    out.emplace("settledBy", nullptr);
  out.emplace("createdAt", format_instant(invoice.created_at));
  out.emplace("updatedAt", format_instant(invoice.updated_at));
  return out;
}

NewInvoice parse_new_invoice(std::string_view body) {
  static constexpr std::array<std::string_view, 7> kFields = {
      "ref", "customerId", "customerName", "ccy", "amount", "issueDate", "dueDate"};
  const json::object object = parse_object(body);
  refuse_unknown_fields(object, kFields);
  NewInvoice request;
  request.customer_id = required_string(object, "customerId");
  request.customer_name = required_string(object, "customerName");
  request.ccy = required_string(object, "ccy");
  request.amount = required_amount(object, "amount");
  request.issue_date = required_date(object, "issueDate");
  request.due_date = required_date(object, "dueDate");
  request.ref = optional_string(object, "ref");
  validate(request);
  return request;
}

PaymentRequest parse_payment(std::string_view body) {
  static constexpr std::array<std::string_view, 3> kFields = {"amount", "date", "ccy"};
  const json::object object = parse_object(body);
  refuse_unknown_fields(object, kFields);
  PaymentRequest request;
  request.amount = required_amount(object, "amount");
  request.date = required_date(object, "date");
  request.ccy = optional_string(object, "ccy");
  validate(request);
  return request;
}

ReversalRequest parse_reversal(std::string_view body) {
  static constexpr std::array<std::string_view, 2> kFields = {"reason", "date"};
  const json::object object = parse_object(body);
  refuse_unknown_fields(object, kFields);
  ReversalRequest request{required_string(object, "reason"), required_date(object, "date")};
  validate(request);
  return request;
}

CreditNoteRequest parse_credit_note(std::string_view body) {
  static constexpr std::array<std::string_view, 3> kFields = {"amount", "reason", "date"};
  const json::object object = parse_object(body);
  refuse_unknown_fields(object, kFields);
  CreditNoteRequest request{required_amount(object, "amount"), required_string(object, "reason"),
                            required_date(object, "date")};
  validate(request);
  return request;
}

Amendment parse_amendment(std::string_view body) {
  static constexpr std::array<std::string_view, 3> kFields = {"customerName", "dueDate", "amount"};
  const json::object object = parse_object(body);
  refuse_unknown_fields(object, kFields);
  Amendment amendment;
  amendment.customer_name = optional_string(object, "customerName");
  if (object.contains("dueDate")) amendment.due_date = required_date(object, "dueDate");
  if (object.contains("amount")) amendment.amount = required_amount(object, "amount");
  return amendment;
}

}  // namespace tim::invoices

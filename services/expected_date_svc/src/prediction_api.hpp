// The predictor's HTTP contract, as plain functions: what a caller (invoices_svc) hands over —
// the open invoice and the customer's paid history — and the answer. The service keeps no
// state about invoices, so it scales by adding replicas.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "model/predictor.hpp"

namespace tim::expected_date {

struct PredictionRequest {
  InvoiceFacts invoice;
  CustomerHistory history;
  std::optional<Date> as_of;  // "asOf": today when absent
};

struct RequestError {
  std::string field;  // JSON path of the offending value, e.g. "history[2].settledDate"
  std::string message;
};

// {"invoice":{"customerId","issueDate","dueDate","amount","ccy","country","channel"},
//  "paidDelays":[{"delayDays","count","channel"?}] (what invoices_svc sends: the customer's
//  paid invoices as days from due date to settle date, with how many had each),
//  "history":[{"issueDate","dueDate","settledDate","amount","ccy","channel"}] (the earlier
//  contract, still read; both may be given and add up), "asOf"?}
// Dates are YYYY-MM-DD; amounts integers in minor units; channel "paper" or "electronic".
std::variant<PredictionRequest, RequestError> parse_prediction_request(std::string_view body);

// The 400 body for a refused request: {"error":{"code":"invalid_request","message","field"}},
// the field (when known) also leading the message.
std::string request_error_json(const RequestError& error);

// {"invoiceId","expectedDate","expectedDateLow","expectedDateHigh","basis","historyCount",
//  "model","notes"}: the tutorial's two fields first; dates as midnight UTC instants.
std::string prediction_json(std::int64_t invoice_id, const Prediction& p, std::string_view model);

}  // namespace tim::expected_date

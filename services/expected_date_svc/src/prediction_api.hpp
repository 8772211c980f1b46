// The predictor's HTTP contract, as plain functions: what a caller (invoices_svc) hands over —
// the open invoice and the customer's paid history — and the answer. The service keeps no
// state about invoices, so it scales by adding replicas.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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
//  "model","notes","modelVersion"}: the tutorial's two fields first; dates as midnight UTC
// instants. modelVersion names the model file's content, so a caller may cache the answer.
std::string prediction_json(std::int64_t invoice_id, const Prediction& p, std::string_view model,
                            std::string_view model_version);

// POST /api/expected-dates: many invoices in one call.
inline constexpr std::size_t kMaxBatchItems = 1000;

struct BatchItem {
  std::int64_t invoice_id = 0;
  PredictionRequest request;
};

struct BatchRequest {
  std::optional<Date> as_of;
  std::vector<BatchItem> items;
};

// {"asOf"?, "histories"?: {"<customerId>": {"paidDelays"?, "history"?}},
//  "items": [{"invoiceId", "invoice", "paidDelays"?, "history"?, "asOf"?}]} (at most
// kMaxBatchItems): a customer's history is sent once for all its invoices and adds to what an
// item carries itself; an item's asOf wins over the call's. Each item reads as the single
// request does, so each answer is the single call's. Errors name the field
// ("items[3].invoice.dueDate").
std::variant<BatchRequest, RequestError> parse_batch_request(std::string_view body);

// {"modelVersion", "predictions": [prediction_json's object per item, in the items' order]}
std::string batch_json(std::span<const BatchItem> items, std::span<const Prediction> predictions,
                       std::string_view model, std::string_view model_version);

}  // namespace tim::expected_date

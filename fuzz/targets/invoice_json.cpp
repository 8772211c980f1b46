// The JSON the services read: a new invoice and a payment (invoices_svc's API), the stored
// payments column, the predictor's request (expected_date_svc) and its answer as invoices_svc
// reads it back. The first byte picks the reader. Refusals are Error(invalid) or a
// RequestError; anything else escaping, or a crash, is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "expected_date.hpp"
#include "model/predictor.hpp"
#include "prediction_api.hpp"
#include "tim/invoices/error.hpp"
#include "tim/invoices/json.hpp"

namespace {

using tim::invoices::Error;
using tim::invoices::ErrorKind;

void new_invoice(std::string_view body) {
  try {
    const auto invoice = tim::invoices::parse_new_invoice(body);
    // What the store does next with an accepted one.
    const auto made = tim::invoices::make_invoice(invoice, 1, tim::invoices::Instant{});
    (void)tim::invoices::invoice_to_json(made);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::conflict) throw;
  }
}

void payment(std::string_view body) {
  try {
    (void)tim::invoices::parse_payment(body);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::invalid) throw;
  }
}

void stored_payments(std::string_view text) {
  try {
    (void)tim::invoices::payments_to_json(tim::invoices::payments_from_json(text));
  } catch (const Error& e) {
    if (e.code() != "corrupt_invoice") throw;
  }
}

void prediction_request(std::string_view body) {
  namespace ed = tim::expected_date;
  auto parsed = ed::parse_prediction_request(body);
  auto* request = std::get_if<ed::PredictionRequest>(&parsed);
  if (!request) return;
  // The fallback rule needs no model file; it answers with the same read-off as the model.
  const auto p = ed::predict_fallback(request->invoice, request->history, request->as_of);
  if (p.expected < request->invoice.issue_date || p.low < request->invoice.issue_date ||
      p.high < p.low)
    __builtin_trap();  // the predictor's promise: never before the issue date, low <= high
  (void)ed::prediction_json(1, p, "fallback", "fallback");
}

void prediction_answer(std::string_view body) {
  std::string why;
  (void)tim::invoices::expected_date_from_answer(body, 1, &why);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0:
      new_invoice(body);
      break;
    case 1:
      payment(body);
      break;
    case 2:
      stored_payments(body);
      break;
    case 3:
      prediction_request(body);
      break;
    default:
      prediction_answer(body);
      break;
  }
  return 0;
}

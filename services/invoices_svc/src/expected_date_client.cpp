#include "expected_date_client.hpp"

#include "expected_date.hpp"
#include "tim/log.hpp"

namespace tim::invoices {

ExpectedDateClient::ExpectedDateClient(http::HttpClient& client, http::ParsedUri service,
                                       std::chrono::milliseconds timeout)
    : client_(client),
      breaker_(client.breaker(service.endpoint)),
      service_(std::move(service)),
      timeout_(timeout) {}

Task<std::optional<ExpectedDate>> ExpectedDateClient::predict(const Invoice& invoice,
                                                              std::span<const PaidDelay> paid,
                                                              Date today,
                                                              const http::Request& origin) {
  const std::int64_t invoice_id = invoice.id;
  http::ClientRequest request;
  request.method = "POST";
  request.target = service_.base_path + "/api/expected-date/" + std::to_string(invoice_id);
  request.headers.add("x-request-id", origin.request_id);
  request.headers.add("traceparent", origin.trace.downstream_traceparent());
  // W3C: tracestate travels with the trace it belongs to, and only then.
  if (origin.trace.has_parent())
    if (auto state = origin.headers.get("tracestate"))
      request.headers.add("tracestate", std::string(*state));
  request.headers.add("accept", "application/json");
  request.headers.add("content-type", "application/json");
  request.body = prediction_request_json(invoice, paid, today);
  auto result = co_await client_.fetch(service_.endpoint, std::move(request), timeout_, &breaker_);
  if (result.error == http::FetchError::circuit_open) {
    // Known down: the breaker's opening was logged once; no warning per request.
    log::debug("expected date skipped: predictor circuit open",
               {{"invoice_id", invoice_id},
                {"request_id", std::string_view(origin.request_id)},
                {"trace_id", origin.trace.trace_id_hex()}});
    co_return std::nullopt;
  }
  std::string why;
  if (!result.ok())
    why = std::string(http::to_string(result.error)) + ": " + result.message;
  else if (result.status != 200)
    why = "status " + std::to_string(result.status);
  else if (auto date = expected_date_from_answer(result.body, invoice_id, &why))
    co_return date;
  log::warn("expected date unavailable; answering without it",
            {{"invoice_id", invoice_id},
             {"reason", std::string_view(why)},
             {"request_id", std::string_view(origin.request_id)},
             {"trace_id", origin.trace.trace_id_hex()}});
  co_return std::nullopt;
}

}  // namespace tim::invoices

// Asks expected_date_svc for an invoice's expected date, within a short deadline.
// Failure is normal here (the tutorial's rule): the invoice is answered without the date.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>

#include "expected_date.hpp"
#include "tim/http/client.hpp"

namespace tim::invoices {

class ExpectedDateClient {
 public:
  // Calls go through the predictor's circuit breaker (BREAKER_FAILURES, BREAKER_OPEN_MS).
  ExpectedDateClient(http::HttpClient& client, http::ParsedUri service,
                     std::chrono::milliseconds timeout);
  // The prediction for an open invoice from its facts and the customer's paid delays;
  // nullopt (and a warning in the log) when the predictor is slow, down or answers garbage,
  // and at once while its breaker is open. `origin`'s x-request-id and trace go along.
  Task<std::optional<ExpectedDate>> predict(const Invoice& invoice, std::span<const PaidDelay> paid,
                                            Date today, const http::Request& origin);

 private:
  http::HttpClient& client_;
  CircuitBreaker& breaker_;
  http::ParsedUri service_;
  std::chrono::milliseconds timeout_;
};

}  // namespace tim::invoices

// Asks expected_date_svc for an invoice's expected date, within a short deadline.
// Failure is normal here (the tutorial's rule): the invoice is answered without the date.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "tim/http/client.hpp"

namespace tim::invoices {

class ExpectedDateClient {
 public:
  ExpectedDateClient(http::HttpClient& client, http::ParsedUri service,
                     std::chrono::milliseconds timeout);
  // nullopt (and a warning in the log) when the predictor is slow, down or answers garbage.
  Task<std::optional<std::string>> lookup(std::int64_t invoice_id, const std::string& request_id);

 private:
  http::HttpClient& client_;
  http::ParsedUri service_;
  std::chrono::milliseconds timeout_;
};

}  // namespace tim::invoices

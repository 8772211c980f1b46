// When the gateway sends a request again after a failed attempt (README: RETRY_MAX and the
// retry budget). Pure rules; gateway.cpp applies them around the network calls.
#pragma once

#include <string_view>

#include "tim/message.hpp"
#include "tim/retry_budget.hpp"

namespace tim::gateway {

struct RetryOptions {
  int max_retries = 2;          // RETRY_MAX: extra attempts of one request
  RetryBudget::Options budget;  // RETRY_BUDGET_PERCENT, RETRY_BUDGET_MIN_PER_SEC (10 s window)
  // Reads the variables above; throws config::ConfigError on a malformed value.
  static RetryOptions from_env();
};

// How an attempt failed, as far as retrying is concerned.
enum class AttemptFailure {
  connect_refused,       // nothing was sent
  connect_timeout,       // no connection: nothing was sent either, but the peer may be slow
  closed_before_answer,  // the connection ended before any byte of an answer
  other,                 // a timeout, a bad or partial answer: the peer may have acted on it
};

// Connect refused: any method; connect timeout and closed before an answer: idempotent
// requests only; anything else (timeouts above all): never.
bool may_retry(AttemptFailure failure, bool idempotent_request) noexcept;

// GET, HEAD, OPTIONS, PUT, DELETE, or a POST carrying Idempotency-Key.
bool idempotent_request(std::string_view method, const http::Headers& headers) noexcept;

}  // namespace tim::gateway

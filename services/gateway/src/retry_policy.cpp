#include "retry_policy.hpp"

#include "tim/config.hpp"

namespace tim::gateway {

RetryOptions RetryOptions::from_env() {
  RetryOptions o;
  o.max_retries = static_cast<int>(config::get_int("RETRY_MAX", o.max_retries, 0, 10));
  o.budget.percent_can_retry = static_cast<int>(
      config::get_int("RETRY_BUDGET_PERCENT", o.budget.percent_can_retry, 0, 1000));
  o.budget.min_retries_per_second = static_cast<int>(
      config::get_int("RETRY_BUDGET_MIN_PER_SEC", o.budget.min_retries_per_second, 0, 100'000));
  return o;
}

bool may_retry(AttemptFailure failure, bool idempotent_request) noexcept {
  switch (failure) {
    case AttemptFailure::connect_refused:
      return true;
    case AttemptFailure::connect_timeout:
    case AttemptFailure::closed_before_answer:
      return idempotent_request;
    case AttemptFailure::other:
      return false;
  }
  return false;
}

bool idempotent_request(std::string_view m, const http::Headers& headers) noexcept {
  return m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PUT" || m == "DELETE" ||
         (m == "POST" && headers.contains("idempotency-key"));
}

}  // namespace tim::gateway

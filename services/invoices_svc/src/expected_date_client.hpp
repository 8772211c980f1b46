// Asks expected_date_svc for invoices' expected dates, within a short deadline, through the
// prediction cache. Failure is normal here (the tutorial's rule): invoices are answered
// without the date.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "expected_date.hpp"
#include "prediction_cache.hpp"
#include "tim/http/client.hpp"

namespace tim::invoices {

// Invoices per batch call: the predictor's limit.
inline constexpr std::size_t kMaxPredictionBatch = 1000;

class ExpectedDateClient {
 public:
  // Calls go through the predictor's circuit breaker (BREAKER_FAILURES, BREAKER_OPEN_MS).
  // cache may be null (no caching). batch_timeout bounds a batch call (up to 1,000 invoices).
  ExpectedDateClient(http::HttpClient& client, http::ParsedUri service,
                     std::chrono::milliseconds timeout, PredictionCache* cache = nullptr,
                     std::chrono::milliseconds batch_timeout = std::chrono::seconds{2});
  // The prediction for an open invoice from its facts and the customer's paid history;
  // nullopt (and a warning in the log) when the predictor is slow, down or answers garbage,
  // and at once while its breaker is open. `origin`'s x-request-id and trace go along.
  Task<std::optional<ExpectedDate>> predict(const Invoice& invoice, const PaidHistory& history,
                                            Date today, const http::Request& origin);
  // Many open invoices: cached answers first, the rest in batch calls of up to
  // kMaxPredictionBatch (one call for a page of invoices). An entry is nullopt when its call
  // failed. `histories` holds the invoices' customers (a missing one: no history).
  Task<std::vector<std::optional<ExpectedDate>>> predict_many(
      std::span<const Invoice> invoices,
      const std::map<std::string, PaidHistory, std::less<>>& histories, Date today,
      const http::Request& origin);

 private:
  http::ClientRequest request_to(std::string target, std::string body,
                                 const http::Request& origin) const;
  // The model version to key the cache with: the last one the predictor named, while it was
  // named recently enough (a new model is noticed within kModelRecheck); "" = do not trust
  // the cache now.
  std::string trusted_model_version();
  void saw_model_version(const std::string& version);
  PredictionKey key_of(const Invoice& invoice, std::int64_t history_version,
                       const std::string& model_version, Date today) const;

  http::HttpClient& client_;
  CircuitBreaker& breaker_;
  http::ParsedUri service_;
  std::chrono::milliseconds timeout_;
  PredictionCache* cache_;
  std::chrono::milliseconds batch_timeout_;
  std::mutex model_mutex_;
  std::string model_version_;
  std::chrono::steady_clock::time_point model_seen_at_{};
};

// How long a model version named by the predictor is trusted for cache lookups: answers are
// served from the cache at most this long after the predictor loads a new model.
inline constexpr std::chrono::seconds kModelRecheck{10};

}  // namespace tim::invoices

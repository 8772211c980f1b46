#include "expected_date_client.hpp"

#include "expected_date.hpp"
#include "tim/log.hpp"

namespace tim::invoices {

ExpectedDateClient::ExpectedDateClient(http::HttpClient& client, http::ParsedUri service,
                                       std::chrono::milliseconds timeout, PredictionCache* cache,
                                       std::chrono::milliseconds batch_timeout)
    : client_(client),
      breaker_(client.breaker(service.endpoint)),
      service_(std::move(service)),
      timeout_(timeout),
      cache_(cache && cache->capacity() > 0 ? cache : nullptr),
      batch_timeout_(batch_timeout) {}

http::ClientRequest ExpectedDateClient::request_to(std::string target, std::string body,
                                                   const http::Request& origin) const {
  http::ClientRequest request;
  request.method = "POST";
  request.target = service_.base_path + std::move(target);
  request.headers.add("x-request-id", origin.request_id);
  request.headers.add("traceparent", origin.trace.downstream_traceparent());
  // W3C: tracestate travels with the trace it belongs to, and only then.
  if (origin.trace.has_parent())
    if (auto state = origin.headers.get("tracestate"))
      request.headers.add("tracestate", std::string(*state));
  request.headers.add("accept", "application/json");
  request.headers.add("content-type", "application/json");
  request.body = std::move(body);
  return request;
}

std::string ExpectedDateClient::trusted_model_version() {
  std::lock_guard lock(model_mutex_);
  if (std::chrono::steady_clock::now() - model_seen_at_ > kModelRecheck) return {};
  return model_version_;
}

void ExpectedDateClient::saw_model_version(const std::string& version) {
  if (version.empty()) return;
  std::lock_guard lock(model_mutex_);
  model_version_ = version;
  model_seen_at_ = std::chrono::steady_clock::now();
}

PredictionKey ExpectedDateClient::key_of(const Invoice& invoice, std::int64_t history_version,
                                         const std::string& model_version, Date today) const {
  return {invoice.id, invoice.version, history_version, model_version, today.days_since_epoch()};
}

Task<std::optional<ExpectedDate>> ExpectedDateClient::predict(const Invoice& invoice,
                                                              const PaidHistory& history,
                                                              Date today,
                                                              const http::Request& origin) {
  const std::int64_t invoice_id = invoice.id;
  if (cache_) {
    const auto model = trusted_model_version();
    if (!model.empty())
      if (auto hit = cache_->find(key_of(invoice, history.version, model, today))) co_return hit;
  }
  auto request = request_to("/api/expected-date/" + std::to_string(invoice_id),
                            prediction_request_json(invoice, history.delays, today), origin);
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
  else if (auto date = expected_date_from_answer(result.body, invoice_id, &why)) {
    saw_model_version(date->model_version);
    if (cache_ && !date->model_version.empty())
      cache_->put(key_of(invoice, history.version, date->model_version, today), *date);
    co_return date;
  }
  log::warn("expected date unavailable; answering without it",
            {{"invoice_id", invoice_id},
             {"reason", std::string_view(why)},
             {"request_id", std::string_view(origin.request_id)},
             {"trace_id", origin.trace.trace_id_hex()}});
  co_return std::nullopt;
}

Task<std::vector<std::optional<ExpectedDate>>> ExpectedDateClient::predict_many(
    std::span<const Invoice> invoices,
    const std::map<std::string, PaidHistory, std::less<>>& histories, Date today,
    const http::Request& origin) {
  std::vector<std::optional<ExpectedDate>> out(invoices.size());
  const auto history_version = [&](const Invoice& invoice) {
    const auto found = histories.find(invoice.customer_id);
    return found == histories.end() ? std::int64_t{0} : found->second.version;
  };
  // What the cache does not hold, by position in `invoices`.
  std::vector<std::size_t> missing;
  const auto model = cache_ ? trusted_model_version() : std::string();
  for (std::size_t i = 0; i < invoices.size(); ++i) {
    if (!model.empty())
      if (auto hit =
              cache_->find(key_of(invoices[i], history_version(invoices[i]), model, today))) {
        out[i] = std::move(hit);
        continue;
      }
    missing.push_back(i);
  }
  for (std::size_t from = 0; from < missing.size(); from += kMaxPredictionBatch) {
    const std::size_t n = std::min(kMaxPredictionBatch, missing.size() - from);
    std::vector<Invoice> asked;
    std::vector<InvoiceId> ids;
    asked.reserve(n);
    ids.reserve(n);
    for (std::size_t j = from; j < from + n; ++j) {
      asked.push_back(invoices[missing[j]]);
      ids.push_back(invoices[missing[j]].id);
    }
    auto request =
        request_to("/api/expected-dates", batch_request_json(asked, histories, today), origin);
    auto result =
        co_await client_.fetch(service_.endpoint, std::move(request), batch_timeout_, &breaker_);
    if (result.error == http::FetchError::circuit_open) co_return out;  // known down: no warning
    std::string why;
    if (!result.ok())
      why = std::string(http::to_string(result.error)) + ": " + result.message;
    else if (result.status != 200)
      why = "status " + std::to_string(result.status);
    else if (auto dates = expected_dates_from_batch_answer(result.body, ids, &why)) {
      for (std::size_t j = 0; j < n; ++j) {
        auto& date = (*dates)[j];
        if (!date) continue;
        const Invoice& invoice = invoices[missing[from + j]];
        saw_model_version(date->model_version);
        if (cache_ && !date->model_version.empty())
          cache_->put(key_of(invoice, history_version(invoice), date->model_version, today), *date);
        out[missing[from + j]] = std::move(date);
      }
      continue;
    }
    log::warn("expected dates unavailable; answering without them",
              {{"invoices", static_cast<std::int64_t>(n)},
               {"reason", std::string_view(why)},
               {"request_id", std::string_view(origin.request_id)},
               {"trace_id", origin.trace.trace_id_hex()}});
    co_return out;  // the predictor failed: the next batch would wait as long for nothing
  }
  co_return out;
}

}  // namespace tim::invoices

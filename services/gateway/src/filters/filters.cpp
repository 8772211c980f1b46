#include "filters/filters.hpp"

#include <algorithm>
#include <random>
#include <variant>

#include "edge_rules.hpp"
#include "tim/log.hpp"
#include "tim/metrics.hpp"

namespace tim::gateway {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Upstream answers with a larger (or unknown) body are streamed to the client as they arrive
// instead of being held whole: no size limit, and memory per answer stays near one read.
constexpr std::size_t kStreamAnswersOver = 64 * 1024;

AttemptFailure classify(const http::FetchResult& r) noexcept {
  switch (r.error) {
    case http::FetchError::connect_refused:
      return AttemptFailure::connect_refused;
    case http::FetchError::connect_timeout:
      return AttemptFailure::connect_timeout;
    case http::FetchError::closed:
      return r.response_started ? AttemptFailure::other : AttemptFailure::closed_before_answer;
    default:
      return AttemptFailure::other;
  }
}

void add_header(http::Headers& headers, const HeaderToAdd& h, std::string_view remote_address) {
  auto value = h.has_variables ? expand_header_value(h.value, remote_address) : h.value;
  if (h.append)
    headers.add(h.name, std::move(value));
  else
    headers.set(h.name, std::move(value));
}

}  // namespace

// ---------------------------------------------------------------------------------- edge

Filter::Step EdgeFilter::on_request(Exchange& ex) {
  auto normalized = normalize_target(ex.request.target);
  if (auto* error = std::get_if<TargetError>(&normalized)) {
    ex.reply = local_reply(400, error->message);
    return Step::answered;
  }
  ex.target = std::move(std::get<std::string>(normalized));
  ex.path = std::string_view(ex.target).substr(0, ex.target.find('?'));
  const auto host = ex.request.headers.get("host").value_or("");
  const auto& table = *ex.table;
  ex.mapping = table.routes.match(ex.path, host);
  if (!ex.mapping) {
    ex.reply = local_reply(404, "");
    return Step::answered;
  }
  ex.request.route = "mapping:" + ex.mapping->name;  // the metrics label, bounded by the file
  ex.service =
      table.services[static_cast<std::size_t>(ex.mapping - table.routes.mappings().data())];
  ex.headers = sanitized_request_headers(ex.request.headers,
                                         {ex.request.remote_address, ex.request.request_id});
  // W3C trace context: the client's trace continues when its traceparent is valid (the server
  // parsed it), else a new one starts and the client's tracestate goes with the old one.
  ex.traceparent = ex.request.trace.downstream_traceparent();
  if (!ex.request.trace.has_parent()) ex.headers.remove("tracestate");
  ex.headers.set("traceparent", ex.traceparent);
  return Step::next;
}

// ---------------------------------------------------------------------------- auth cache

Filter::Step AuthCacheFilter::on_request(Exchange& ex) {
  if (!cache_.enabled() || !ex.table->auth || ex.mapping->bypass_auth) return Step::next;
  // One Authorization value or none cached: auth_svc refuses several, and without one there
  // is nothing to key on.
  if (ex.headers.count("authorization") != 1) return Step::next;
  const auto authorization = *ex.headers.get("authorization");
  ex.auth_cache_key = cache_.key(authorization, ex.request.method, ex.mapping->name);
  ex.auth_decided = cache_.apply(ex.auth_cache_key, ex.headers);
  ex.auth_cacheable = !ex.auth_decided;
  if (observe_) observe_(ex.auth_decided);
  return Step::next;
}

void AuthCacheFilter::on_response(Exchange& ex, http::Response&) {
  if (!ex.auth_cacheable || !ex.auth_granted) return;
  // ex.headers went upstream (moved) by now; the credential is read from the client's request,
  // where sanitizing left it as it was.
  if (const auto authorization = ex.request.headers.get("authorization"))
    cache_.store(ex.auth_cache_key, *authorization, std::move(*ex.auth_granted), ex.auth_asked_at);
}

// ----------------------------------------------------------------------------- ext auth

Filter::Step ExtAuthFilter::on_request(Exchange& ex) {
  if (!ex.table->auth || ex.mapping->bypass_auth || ex.auth_decided) return Step::next;
  return Step::async;
}

Task<Filter::Step> ExtAuthFilter::on_request_async(Exchange& ex) {
  const auto& auth = *ex.table->auth;
  http::ClientRequest check{
      ex.request.method, auth.path_prefix + ex.target, auth_request_headers(ex.headers, auth), {}};
  check.headers.set("traceparent", ex.traceparent);
  if (auto state = ex.headers.get("tracestate"))
    check.headers.set("tracestate", std::string(*state));
  ex.auth_asked_at = Clock::now();
  // An auth check changes nothing upstream: it may always go again after a failed attempt.
  auto answer = co_await send_with_retries(upstream_, ex.table->auth_service, check, auth.timeout,
                                           {nullptr, retry_.max_retries, true}, ex.request);
  if (!answer.ok() || answer.status >= 500) {
    log::warn("auth service failed",
              {{"reason", answer.ok() ? std::string_view("5xx") : http::to_string(answer.error)},
               {"status", std::int64_t{answer.status}},
               {"fail_open", auth.failure_mode_allow},
               {"request_id", std::string_view(ex.request.request_id)},
               {"trace_id", ex.request.trace.trace_id_hex()}});
    if (auth.failure_mode_allow) co_return Step::next;
    ex.reply = local_reply(auth.status_on_error, "");
    co_return Step::answered;
  }
  if (answer.status != 200) {
    ex.reply = denial_response(answer.status, answer.headers, std::move(answer.body), auth);
    co_return Step::answered;
  }
  http::Headers granted;
  apply_auth_headers(granted, answer.headers, auth);
  for (const auto& f : granted) ex.headers.set(f.name, f.value);
  ex.auth_granted = std::move(granted);
  co_return Step::next;
}

// --------------------------------------------------------------------------------- body

Filter::Step BodyFilter::on_request(Exchange& ex) {
  return ex.request.read_body ? Step::async : Step::next;
}

Task<Filter::Step> BodyFilter::on_request_async(Exchange& ex) {
  // Admitted: only now is the body read. A request refused before never had it read, as with
  // Envoy's ext_authz without include_body.
  if (auto refused = co_await ex.request.read_body()) {
    ex.reply = std::move(*refused);
    co_return Step::answered;
  }
  co_return Step::next;
}

// ------------------------------------------------------------------------------ rewrite

Filter::Step RewriteFilter::on_request(Exchange& ex) {
  ex.upstream_target = rewrite_target(*ex.mapping, ex.target);
  if (ex.upstream_target != ex.target) ex.headers.set("x-envoy-original-path", ex.target);
  return Step::next;
}

void RewriteFilter::on_response(Exchange& ex, http::Response& response) {
  for (const char* name : {"location", "content-location"})
    if (auto location = response.headers.get(name))
      if (auto rewritten = client_location(*ex.mapping, *location))
        response.headers.set(name, std::move(*rewritten));
}

// ---------------------------------------------------------------------- mapping headers

Filter::Step MappingHeadersFilter::on_request(Exchange& ex) {
  const auto& m = *ex.mapping;
  for (const auto& name : m.remove_request_headers) ex.headers.remove(name);
  for (const auto& h : m.add_request_headers) add_header(ex.headers, h, ex.request.remote_address);
  return Step::next;
}

void MappingHeadersFilter::on_response(Exchange& ex, http::Response& response) {
  const auto& m = *ex.mapping;
  for (const auto& name : m.remove_response_headers) response.headers.remove(name);
  for (const auto& h : m.add_response_headers)
    add_header(response.headers, h, ex.request.remote_address);
}

// ------------------------------------------------------------------------------ timeout

Filter::Step TimeoutFilter::on_request(Exchange& ex) {
  const auto timeout = ex.mapping->timeout;
  if (timeout.count() > 0) {
    ex.timeout = timeout;
    ex.headers.set("x-envoy-expected-rq-timeout-ms", std::to_string(timeout.count()));
  } else {
    ex.timeout = 24h;  // timeout_ms: 0, none (Envoy's 0 disables it)
  }
  return Step::next;
}

// ---------------------------------------------------------------------- retries, router

bool policy_retries(const MappingRetryPolicy& policy, const http::FetchResult& r) noexcept {
  using E = http::FetchError;
  // No usable answer: Envoy's "reset" (disconnect, refused, timeout of a try).
  const bool no_answer = r.error == E::connect_refused || r.error == E::connect_timeout ||
                         r.error == E::closed || r.error == E::timeout ||
                         r.error == E::bad_response;
  switch (policy.retry_on) {
    case RetryOn::five_xx:
      return r.ok() ? r.status >= 500 : no_answer;
    case RetryOn::gateway_error:
      return r.ok() ? (r.status == 502 || r.status == 503 || r.status == 504) : no_answer;
    case RetryOn::connect_failure:
      return r.error == E::connect_refused || r.error == E::connect_timeout;
    case RetryOn::retriable_4xx:
      return r.ok() && r.status == 409;
    case RetryOn::refused_stream:          // HTTP/2's REFUSED_STREAM: never on HTTP/1.1
    case RetryOn::retriable_status_codes:  // Emissary's retry_policy names no codes
      return false;
  }
  return false;
}

std::chrono::milliseconds retry_backoff(int retry, double jitter01) noexcept {
  constexpr long long base = 25, cap = 250;
  const long long span = std::min(cap, base * ((1LL << std::clamp(retry, 1, 10)) - 1));
  return std::chrono::milliseconds(
      static_cast<long long>(std::clamp(jitter01, 0.0, 1.0) * static_cast<double>(span)));
}

Task<http::FetchResult> send_with_retries(UpstreamCaller& upstream, ServiceId service,
                                          const http::ClientRequest& request,
                                          std::chrono::milliseconds timeout, RetryRule rule,
                                          const http::Request& origin) {
  const auto deadline = Clock::now() + timeout;
  std::size_t turn = upstream.first_turn(service);
  upstream.deposit_request(service);
  const std::size_t n = upstream.instance_count(service);
  http::FetchResult result;
  bool attempted = false;   // a real attempt went out
  std::size_t skipped = 0;  // instances skipped in a row for an open breaker
  int retries = 0;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) {
      if (!attempted) {
        result.error = http::FetchError::timeout;
        result.message = "no time left for an attempt";
      }
      break;
    }
    auto try_timeout = left;
    if (rule.policy && rule.policy->per_try_timeout.count() > 0)
      try_timeout = std::min(left, rule.policy->per_try_timeout);
    const std::size_t index = turn++ % n;
    auto fetched = co_await upstream.fetch(service, index, request, try_timeout);
    if (fetched.error == http::FetchError::circuit_open) {
      if (!attempted) result = std::move(fetched);
      if (++skipped >= n) break;  // every instance is open: the last real failure, if any, stands
      continue;
    }
    skipped = 0;
    attempted = true;
    result = std::move(fetched);
    const bool again = rule.policy ? policy_retries(*rule.policy, result)
                                   : !result.ok() && may_retry(classify(result), rule.idempotent);
    if (!again) break;
    log::warn("upstream attempt failed",
              {{"upstream", upstream.instance_name(service, (turn - 1) % n)},
               {"reason", result.ok() ? std::string_view("status") : http::to_string(result.error)},
               {"status", std::int64_t{result.status}},
               {"request_id", std::string_view(origin.request_id)},
               {"trace_id", origin.trace.trace_id_hex()}});
    if (retries >= rule.max_retries) break;
    if (!upstream.withdraw_retry(service)) {
      metrics::count_retry(upstream.name(service), "budget_exhausted");
      log::warn("retry budget exhausted: not retrying",
                {{"service", upstream.name(service)},
                 {"request_id", std::string_view(origin.request_id)},
                 {"trace_id", origin.trace.trace_id_hex()}});
      break;
    }
    metrics::count_retry(upstream.name(service), "attempted");
    ++retries;
    if (rule.policy) {
      thread_local std::minstd_rand random(std::random_device{}());
      const auto wait =
          std::min(retry_backoff(retries, std::uniform_real_distribution<double>(0, 1)(random)),
                   std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
      if (wait > 0ms) co_await upstream.pause(wait);
    }
  }
  co_return result;
}

Task<Filter::Step> RetryFilter::on_request_async(Exchange& ex) {
  const auto& mapping = *ex.mapping;
  const bool idempotent = idempotent_request(ex.request.method, ex.request.headers);
  const RetryRule rule{
      mapping.retry_policy ? &*mapping.retry_policy : nullptr,
      mapping.retry_policy ? mapping.retry_policy->num_retries : retry_.max_retries, idempotent};
  const auto start = Clock::now();
  http::ClientRequest forward{ex.request.method, std::move(ex.upstream_target),
                              std::move(ex.headers), std::move(ex.request.body),
                              kStreamAnswersOver};
  auto answer =
      co_await send_with_retries(upstream_, ex.service, forward, ex.timeout, rule, ex.request);
  if (!answer.ok()) {
    log::warn("upstream failed", {{"service", std::string_view(mapping.service)},
                                  {"reason", http::to_string(answer.error)},
                                  {"detail", std::string_view(answer.message)},
                                  {"request_id", std::string_view(ex.request.request_id)},
                                  {"trace_id", ex.request.trace.trace_id_hex()}});
    switch (answer.error) {
      case http::FetchError::circuit_open:
        ex.reply = local_reply(503, "upstream circuit open");
        ex.reply->headers.set("x-envoy-overloaded", "true");
        break;
      case http::FetchError::timeout:
        ex.reply = local_reply(504, "upstream request timeout");
        break;
      case http::FetchError::resolve_failed:
        ex.reply = local_reply(503, "no healthy upstream");
        break;
      case http::FetchError::connect_refused:
      case http::FetchError::connect_timeout:
        ex.reply =
            local_reply(503,
                        "upstream connect error or disconnect/reset before headers. reset reason: "
                        "connection failure");
        break;
      default:
        ex.reply =
            local_reply(503,
                        "upstream connect error or disconnect/reset before headers. reset reason: "
                        "connection termination");
    }
    co_return Step::answered;
  }
  const auto upstream_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  http::Response response{answer.status, client_response_headers(answer.headers, upstream_ms),
                          std::move(answer.body), std::move(answer.stream)};
  // A HEAD's length, and a streamed body's when the upstream gave one: passed on as it is.
  if (ex.request.method == "HEAD" || response.stream)
    if (auto length = answer.headers.get("content-length"))
      response.headers.add("content-length", std::string(*length));
  ex.reply = std::move(response);
  co_return Step::answered;
}

std::vector<std::unique_ptr<Filter>> gateway_filters(UpstreamCaller& upstream, RetryOptions retry,
                                                     AuthDecisionCache& cache,
                                                     std::function<void(bool hit)> observe_cache) {
  std::vector<std::unique_ptr<Filter>> f;
  f.push_back(std::make_unique<EdgeFilter>());
  f.push_back(std::make_unique<AuthCacheFilter>(cache, std::move(observe_cache)));
  f.push_back(std::make_unique<ExtAuthFilter>(upstream, retry));
  f.push_back(std::make_unique<BodyFilter>());
  f.push_back(std::make_unique<RewriteFilter>());
  f.push_back(std::make_unique<MappingHeadersFilter>());
  f.push_back(std::make_unique<TimeoutFilter>());
  f.push_back(std::make_unique<RetryFilter>(upstream, retry));
  return f;
}

}  // namespace tim::gateway

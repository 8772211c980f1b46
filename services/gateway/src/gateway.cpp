#include "gateway.hpp"

#include <variant>

#include "edge_rules.hpp"
#include "tim/log.hpp"
#include "tim/metrics.hpp"

namespace tim::gateway {

using namespace std::chrono_literals;

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

}  // namespace

Gateway::Gateway(GatewayConfig config, Upstreams upstreams, http::HttpClient& client,
                 RetryOptions retry)
    : routes_(std::move(config.mappings)),
      upstreams_(std::move(upstreams)),
      client_(client),
      retry_(retry) {
  if (config.auth_services.size() > 1)
    throw RouteFileError("the local gateway supports one AuthService, the file has " +
                         std::to_string(config.auth_services.size()));
  if (!config.auth_services.empty()) {
    auth_ = std::move(config.auth_services.front());
    auth_target_ = &target(auth_->auth_service);
  }
  for (const auto& m : routes_.mappings()) route_targets_.push_back(&target(m.service));
}

Gateway::Target& Gateway::target(const std::string& service) {
  const Upstream* upstream = &upstreams_.resolve(service);
  for (auto& t : targets_)
    if (t->upstream == upstream) return *t;
  auto t = std::make_unique<Target>();
  t->upstream = upstream;
  t->name = service;
  for (const auto& endpoint : upstream->instances())
    t->breakers.push_back(&client_.breaker(endpoint));
  t->budget = std::make_unique<RetryBudget>(retry_.budget);
  targets_.push_back(std::move(t));
  return *targets_.back();
}

Task<http::FetchResult> Gateway::send(Target& target, const http::ClientRequest& request,
                                      std::chrono::milliseconds timeout,
                                      const http::Request& origin, bool idempotent) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  const auto& instances = target.upstream->instances();
  const std::size_t n = instances.size();
  std::size_t turn = target.upstream->next();
  target.budget->deposit(Clock::now());
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
    const std::size_t index = turn++ % n;
    const auto& endpoint = instances[index];
    auto fetched = co_await client_.fetch_copy(endpoint, request, left, target.breakers[index]);
    if (fetched.error == http::FetchError::circuit_open) {
      if (!attempted) result = std::move(fetched);
      if (++skipped >= n) break;  // every instance is open: the last real failure, if any, stands
      continue;
    }
    skipped = 0;
    attempted = true;
    result = std::move(fetched);
    if (result.ok() || !may_retry(classify(result), idempotent)) break;
    log::warn("upstream attempt failed", {{"upstream", std::string_view(endpoint.authority())},
                                          {"reason", http::to_string(result.error)},
                                          {"request_id", std::string_view(origin.request_id)},
                                          {"trace_id", origin.trace.trace_id_hex()}});
    if (retries >= retry_.max_retries) break;
    if (!target.budget->try_withdraw(Clock::now())) {
      metrics::count_retry(target.name, "budget_exhausted");
      log::warn("retry budget exhausted: not retrying",
                {{"service", std::string_view(target.name)},
                 {"request_id", std::string_view(origin.request_id)},
                 {"trace_id", origin.trace.trace_id_hex()}});
      break;
    }
    metrics::count_retry(target.name, "attempted");
    ++retries;
  }
  co_return result;
}

Task<http::Response> Gateway::handle(http::Request& request) {
  auto normalized = normalize_target(request.target);
  if (auto* error = std::get_if<TargetError>(&normalized))
    co_return local_reply(400, error->message);
  const auto& target = std::get<std::string>(normalized);
  const std::string_view path = std::string_view(target).substr(0, target.find('?'));
  const auto host = request.headers.get("host").value_or("");

  const Mapping* mapping = routes_.match(path, host);
  if (!mapping) co_return local_reply(404, "");
  request.route = "mapping:" + mapping->name;  // the metrics label, bounded by the route file
  auto& upstream = *route_targets_[static_cast<std::size_t>(mapping - routes_.mappings().data())];

  auto headers =
      sanitized_request_headers(request.headers, {request.remote_address, request.request_id});
  // W3C trace context: the client's trace continues when its traceparent is valid (the server
  // parsed it), else a new one starts and the client's tracestate goes with the old one.
  auto traceparent = request.trace.downstream_traceparent();
  if (!request.trace.has_parent()) headers.remove("tracestate");
  headers.set("traceparent", traceparent);

  if (auth_ && !mapping->bypass_auth) {
    http::ClientRequest check{
        request.method, auth_->path_prefix + target, auth_request_headers(headers, *auth_), {}};
    check.headers.set("traceparent", traceparent);
    if (auto state = headers.get("tracestate"))
      check.headers.set("tracestate", std::string(*state));
    // An auth check changes nothing upstream: it may always go again after a failed attempt.
    auto answer = co_await send(*auth_target_, check, auth_->timeout, request, true);
    if (!answer.ok() || answer.status >= 500) {
      log::warn("auth service failed",
                {{"reason", answer.ok() ? std::string_view("5xx") : http::to_string(answer.error)},
                 {"status", std::int64_t{answer.status}},
                 {"fail_open", auth_->failure_mode_allow},
                 {"request_id", std::string_view(request.request_id)},
                 {"trace_id", request.trace.trace_id_hex()}});
      if (!auth_->failure_mode_allow) co_return local_reply(auth_->status_on_error, "");
    } else if (answer.status != 200) {
      co_return denial_response(answer.status, answer.headers, std::move(answer.body), *auth_);
    } else {
      apply_auth_headers(headers, answer.headers, *auth_);
    }
  }

  // Admitted: only now is the body read (within the server's memory budget). A request refused
  // above never had it read, as with Envoy's ext_authz without include_body.
  if (request.read_body)
    if (auto refused = co_await request.read_body()) co_return std::move(*refused);

  auto upstream_target = rewrite_target(*mapping, target);
  add_upstream_headers(headers, target, upstream_target, mapping->timeout.count());
  const auto timeout =
      mapping->timeout.count() > 0 ? mapping->timeout : std::chrono::milliseconds{24h};
  const auto start = std::chrono::steady_clock::now();
  const bool idempotent = idempotent_request(request.method, request.headers);
  http::ClientRequest forward{request.method, std::move(upstream_target), std::move(headers),
                              std::move(request.body), kStreamAnswersOver};
  auto answer = co_await send(upstream, forward, timeout, request, idempotent);
  if (!answer.ok()) {
    log::warn("upstream failed", {{"service", std::string_view(mapping->service)},
                                  {"reason", http::to_string(answer.error)},
                                  {"detail", std::string_view(answer.message)},
                                  {"request_id", std::string_view(request.request_id)},
                                  {"trace_id", request.trace.trace_id_hex()}});
    switch (answer.error) {
      case http::FetchError::circuit_open: {
        auto reply = local_reply(503, "upstream circuit open");
        reply.headers.set("x-envoy-overloaded", "true");
        co_return reply;
      }
      case http::FetchError::timeout:
        co_return local_reply(504, "upstream request timeout");
      case http::FetchError::resolve_failed:
        co_return local_reply(503, "no healthy upstream");
      case http::FetchError::connect_refused:
      case http::FetchError::connect_timeout:
        co_return local_reply(
            503,
            "upstream connect error or disconnect/reset before headers. reset reason: "
            "connection failure");
      default:
        co_return local_reply(
            503,
            "upstream connect error or disconnect/reset before headers. reset reason: "
            "connection termination");
    }
  }
  const auto upstream_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - start)
                               .count();
  http::Response response{answer.status, client_response_headers(answer.headers, upstream_ms),
                          std::move(answer.body), std::move(answer.stream)};
  for (const char* name : {"location", "content-location"})
    if (auto location = response.headers.get(name))
      if (auto rewritten = client_location(*mapping, *location))
        response.headers.set(name, std::move(*rewritten));
  // A HEAD's length, and a streamed body's when the upstream gave one: passed on as it is.
  if (request.method == "HEAD" || response.stream)
    if (auto length = answer.headers.get("content-length"))
      response.headers.add("content-length", std::string(*length));
  co_return response;
}

}  // namespace tim::gateway

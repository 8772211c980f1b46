// The gateway's filters, in the order gateway.cpp chains them. Each one is one behaviour of
// Emissary/Envoy (reference/gateway-protocol.md), tested alone in tests/filters_test.cpp.
#pragma once

#include <functional>

#include "filters/auth_cache.hpp"
#include "filters/chain.hpp"
#include "retry_policy.hpp"

namespace tim::gateway {

// Edge header rules: the target normalized (400 when it cannot be), the Mapping chosen (404
// without auth when none matches), the client's headers sanitized, trace context continued.
class EdgeFilter final : public Filter {
 public:
  std::string_view name() const override { return "edge"; }
  Step on_request(Exchange& ex) override;
};

// Auth-decision cache: a live cached admission stands for auth_svc's answer (its headers set
// exactly as a fresh one sets them); a fresh admission is kept on the way back. `observe` is
// told of each lookup (true: hit), for metrics.
class AuthCacheFilter final : public Filter {
 public:
  AuthCacheFilter(AuthDecisionCache& cache, std::function<void(bool hit)> observe = {})
      : cache_(cache), observe_(std::move(observe)) {}
  std::string_view name() const override { return "auth_cache"; }
  Step on_request(Exchange& ex) override;
  void on_response(Exchange& ex, http::Response& response) override;

 private:
  AuthDecisionCache& cache_;
  std::function<void(bool)> observe_;
};

// External auth (Emissary's AuthService over HTTP): asks on the headers alone; a 200 admits
// (listed headers copied upstream), 5xx/no answer is status_on_error (or failure_mode_allow),
// anything else is the denial passed to the client.
class ExtAuthFilter final : public Filter {
 public:
  ExtAuthFilter(UpstreamCaller& upstream, RetryOptions retry)
      : upstream_(upstream), retry_(retry) {}
  std::string_view name() const override { return "ext_authz"; }
  Step on_request(Exchange& ex) override;
  Task<Step> on_request_async(Exchange& ex) override;

 private:
  UpstreamCaller& upstream_;
  RetryOptions retry_;
};

// The body is read only once the request is admitted (within the server's memory budget).
class BodyFilter final : public Filter {
 public:
  std::string_view name() const override { return "body"; }
  Step on_request(Exchange& ex) override;
  Task<Step> on_request_async(Exchange& ex) override;
};

// Prefix rewrite: the matched prefix replaced by the Mapping's rewrite (x-envoy-original-path
// set when it changed); Location/Content-Location of the answer get the prefix back.
class RewriteFilter final : public Filter {
 public:
  std::string_view name() const override { return "rewrite"; }
  Step on_request(Exchange& ex) override;
  void on_response(Exchange& ex, http::Response& response) override;
};

// A Mapping's remove_/add_request_headers and remove_/add_response_headers: removals first,
// then additions; `append` (default true) adds a field, false replaces every one of that name.
class MappingHeadersFilter final : public Filter {
 public:
  std::string_view name() const override { return "mapping_headers"; }
  Step on_request(Exchange& ex) override;
  void on_response(Exchange& ex, http::Response& response) override;
};

// A Mapping's timeout_ms (3000 by default, 0 = none): the budget of the upstream call, all
// retries included, told upstream as x-envoy-expected-rq-timeout-ms.
class TimeoutFilter final : public Filter {
 public:
  std::string_view name() const override { return "timeout"; }
  Step on_request(Exchange& ex) override;
};

// Sends the request upstream and retries within the route timeout: by the Mapping's
// retry_policy when it has one, else by the gateway's rules (RETRY_MAX, may_retry); every retry
// within the service's retry budget. Answers with the upstream's answer or Envoy's local reply
// (503, 504). The chain's last filter.
class RetryFilter final : public Filter {
 public:
  RetryFilter(UpstreamCaller& upstream, RetryOptions retry) : upstream_(upstream), retry_(retry) {}
  std::string_view name() const override { return "router"; }
  Step on_request(Exchange&) override { return Step::async; }
  Task<Step> on_request_async(Exchange& ex) override;

 private:
  UpstreamCaller& upstream_;
  RetryOptions retry_;
};

// Whether a Mapping's retry_policy retries this attempt's outcome, as Envoy's retry_on does.
bool policy_retries(const MappingRetryPolicy& policy, const http::FetchResult& attempt) noexcept;

// What one call may retry: a Mapping's policy, or the gateway's rules.
struct RetryRule {
  const MappingRetryPolicy* policy = nullptr;  // null: may_retry() with max_retries
  int max_retries = 0;
  bool idempotent = false;
};

// Attempts a service until one answers as the rule accepts, within `timeout` in all.
Task<http::FetchResult> send_with_retries(UpstreamCaller& upstream, ServiceId service,
                                          const http::ClientRequest& request,
                                          std::chrono::milliseconds timeout, RetryRule rule,
                                          const http::Request& origin);

// Envoy's back-off before retry n (1-based): fully jittered, base 25 ms, at most 250 ms.
std::chrono::milliseconds retry_backoff(int retry, double jitter01) noexcept;

// The gateway's filters in their order (the README's "request path"): edge, auth cache,
// external auth, body, rewrite, Mapping headers, timeout, retries. `observe_cache` hears each
// auth-cache lookup (true: a hit).
std::vector<std::unique_ptr<Filter>> gateway_filters(
    UpstreamCaller& upstream, RetryOptions retry, AuthDecisionCache& cache,
    std::function<void(bool hit)> observe_cache = {});

}  // namespace tim::gateway

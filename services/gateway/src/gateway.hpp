// The gateway's request flow, as Emissary runs it: normalize, route (404 without auth),
// external auth, rewrite, proxy with a deadline. Rules live in routing.hpp and edge_rules.hpp;
// this file only sequences them around the two network calls.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "retry_policy.hpp"
#include "route_config.hpp"
#include "routing.hpp"
#include "tim/http/client.hpp"
#include "upstreams.hpp"

namespace tim::gateway {

class Gateway {
 public:
  // Resolves every service named in the configuration; throws UpstreamsError or
  // RouteFileError when one cannot be used.
  Gateway(GatewayConfig config, Upstreams upstreams, http::HttpClient& client,
          RetryOptions retry = {});

  Task<http::Response> handle(http::Request& request);

 private:
  // A service as the gateway calls it: its instances, each instance's breaker (shared with
  // every other use of that host:port), and the service's retry budget.
  struct Target {
    const Upstream* upstream = nullptr;
    std::string name;                       // the service, for logs and metrics
    std::vector<CircuitBreaker*> breakers;  // parallel to upstream->instances()
    std::unique_ptr<RetryBudget> budget;
  };
  Target& target(const std::string& service);  // start-up only

  // Sends to the service's instances in turn within one deadline: instances whose breaker is
  // open are skipped (circuit_open when all are), failed attempts are retried as may_retry()
  // says, at most max_retries times and while the retry budget allows.
  Task<http::FetchResult> send(Target& target, const http::ClientRequest& request,
                               std::chrono::milliseconds timeout, const http::Request& origin,
                               bool idempotent);

  Routes routes_;
  std::optional<AuthService> auth_;
  Upstreams upstreams_;
  http::HttpClient& client_;
  RetryOptions retry_;
  std::vector<std::unique_ptr<Target>> targets_;
  Target* auth_target_ = nullptr;
  std::vector<Target*> route_targets_;  // parallel to routes_.mappings()
};

}  // namespace tim::gateway

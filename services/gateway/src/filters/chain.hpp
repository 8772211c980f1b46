// The gateway's request path as a chain of filters, as Envoy runs an HTTP connection: each
// filter sees the request in order and may answer it there (a local reply, a denial); the
// answer then goes back through the filters that saw the request, in reverse order.
// Filters are shared by every request and thread: per-request state lives in the Exchange.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "route_config.hpp"
#include "routing.hpp"
#include "tim/http/client.hpp"
#include "tim/message.hpp"
#include "tim/task.hpp"

namespace tim::gateway {

// A service the gateway calls (the auth service, a Mapping's service), as UpstreamCaller knows it.
using ServiceId = std::size_t;

// One route file, ready to serve: swapped whole when the file changes, and held by each
// request for its lifetime, so a reload never changes a request half-way.
struct RouteTable {
  Routes routes{{}};
  std::optional<AuthService> auth;
  ServiceId auth_service = 0;
  std::vector<ServiceId> services;  // parallel to routes.mappings()
};

// The network side of the chain, injected: the real one sends through the pooled client to
// the service's instances; tests use a fake, with no sockets.
class UpstreamCaller {
 public:
  virtual ~UpstreamCaller() = default;
  // The instance a request tries first (round-robin), then one after the other.
  virtual std::size_t first_turn(ServiceId service) = 0;
  virtual std::size_t instance_count(ServiceId service) const = 0;
  virtual std::string_view instance_name(ServiceId service, std::size_t index) const = 0;
  // One attempt at one instance, through its breaker (circuit_open, not sent, when it is open).
  virtual Task<http::FetchResult> fetch(ServiceId service, std::size_t index,
                                        const http::ClientRequest& request,
                                        std::chrono::milliseconds timeout) = 0;
  // The service's retry budget: each request deposits, each retry must withdraw.
  virtual void deposit_request(ServiceId service) = 0;
  virtual bool withdraw_retry(ServiceId service) = 0;
  // Waits (Envoy's back-off between retries of a Mapping's retry_policy).
  virtual Task<void> pause(std::chrono::milliseconds duration) = 0;
  virtual std::string_view name(ServiceId service) const = 0;
};

// Everything one request carries through the chain.
struct Exchange {
  Exchange(http::Request& r, std::shared_ptr<const RouteTable> t)
      : request(r), table(std::move(t)) {}

  http::Request& request;
  std::shared_ptr<const RouteTable> table;
  std::string target;     // normalized request-target (path and query)
  std::string_view path;  // its path, into `target`
  const Mapping* mapping = nullptr;
  ServiceId service = 0;  // the Mapping's
  http::Headers headers;  // what goes upstream (edge-sanitized, then each filter's changes)
  std::string traceparent;
  std::string upstream_target;                                // after the Mapping's rewrite
  std::chrono::milliseconds timeout{std::chrono::hours{24}};  // the upstream call's budget

  // External auth: a cached decision already vouched for this request.
  bool auth_decided = false;
  // A fresh auth 200: the headers it put on the request and when it was asked, for the cache.
  std::optional<http::Headers> auth_granted;
  std::chrono::steady_clock::time_point auth_asked_at{};
  std::array<unsigned char, 32> auth_cache_key{};
  bool auth_cacheable = false;

  // The answer, once a filter has given one.
  std::optional<http::Response> reply;
};

class Filter {
 public:
  enum class Step { next, answered, async };
  virtual ~Filter() = default;
  virtual std::string_view name() const = 0;
  // Request side. `answered`: ex.reply holds the answer. `async`: the filter must wait for
  // something; on_request_async then decides (next or answered).
  virtual Step on_request(Exchange& ex) = 0;
  virtual Task<Step> on_request_async(Exchange& ex);
  // Answer side, for every filter whose on_request ran, last first.
  virtual void on_response(Exchange&, http::Response&) {}
};

class Chain {
 public:
  explicit Chain(std::vector<std::unique_ptr<Filter>> filters) : filters_(std::move(filters)) {}
  // Runs the request through the filters, on `table`; the last one must answer. The exchange
  // lives in this coroutine's frame: the chain adds no frame of its own per request.
  Task<http::Response> run(http::Request& request, std::shared_ptr<const RouteTable> table) const;
  const std::vector<std::unique_ptr<Filter>>& filters() const { return filters_; }

 private:
  std::vector<std::unique_ptr<Filter>> filters_;
};

}  // namespace tim::gateway

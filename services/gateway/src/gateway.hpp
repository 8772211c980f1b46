// The gateway: Emissary's request path as a chain of filters (filters/filters.hpp), over the
// route file it re-reads when the file changes. This file wires the chain to the network
// (UpstreamCaller over the pooled client) and swaps route tables; the behaviour is in the
// filters.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "filters/auth_cache.hpp"
#include "filters/chain.hpp"
#include "retry_policy.hpp"
#include "route_config.hpp"
#include "tim/http/client.hpp"
#include "upstreams.hpp"

namespace tim::gateway {

class Gateway final : public UpstreamCaller {
 public:
  // Resolves every service named in the configuration; throws UpstreamsError or
  // RouteFileError when one cannot be used.
  Gateway(GatewayConfig config, Upstreams upstreams, http::HttpClient& client,
          RetryOptions retry = {}, AuthCacheOptions auth_cache = {});
  ~Gateway() override;

  Task<http::Response> handle(http::Request& request);

  // Re-reads `path` when what stat() says of it changes (checked every `every`, off the I/O
  // threads): a good file replaces the routes at once, for the next requests (requests in
  // flight finish on the routes they started with; no connection is dropped); a broken one is
  // logged and the last good routes stay.
  void watch_route_file(std::string path, std::chrono::milliseconds every);
  // One reload now; false (and the reason logged) when the file was refused.
  bool reload(const std::string& path);

  // UpstreamCaller
  std::size_t first_turn(ServiceId service) override;
  std::size_t instance_count(ServiceId service) const override;
  std::string_view instance_name(ServiceId service, std::size_t index) const override;
  Task<http::FetchResult> fetch(ServiceId service, std::size_t index,
                                const http::ClientRequest& request,
                                std::chrono::milliseconds timeout) override;
  void deposit_request(ServiceId service) override;
  bool withdraw_retry(ServiceId service) override;
  Task<void> pause(std::chrono::milliseconds duration) override;
  std::string_view name(ServiceId service) const override;

 private:
  // A service as the gateway calls it: its instances, each instance's breaker (shared with
  // every other use of that host:port), and the service's retry budget.
  struct Target {
    const Upstream* upstream = nullptr;
    std::string name;                       // the service, for logs and metrics
    std::vector<CircuitBreaker*> breakers;  // parallel to upstream->instances()
    std::vector<std::string> authorities;   // host:port of each, for logs
    std::unique_ptr<RetryBudget> budget;
  };
  // Targets are only ever added (by the reload thread, under targets_mutex_) into room
  // reserved at start, so I/O threads read them without a lock.
  static constexpr std::size_t kMaxServices = 256;
  ServiceId target(const std::string& service);
  std::shared_ptr<const RouteTable> build(GatewayConfig config);

  Upstreams upstreams_;
  http::HttpClient& client_;
  RetryOptions retry_;
  std::mutex targets_mutex_;
  std::vector<std::unique_ptr<Target>> targets_;
  std::atomic<std::shared_ptr<const RouteTable>> table_;
  AuthDecisionCache auth_cache_;
  Chain chain_;
  std::jthread watcher_;
};

}  // namespace tim::gateway

#include "gateway.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>
#include <sys/stat.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>

#include "filters/filters.hpp"
#include "tim/log.hpp"
#include "tim/metrics.hpp"

namespace tim::gateway {

namespace {

// gateway_auth_cache_lookups_total{result="hit|miss"}: made once, incremented lock-free.
struct AuthCacheMetrics {
  prometheus::Family<prometheus::Counter>& family =
      prometheus::BuildCounter()
          .Name("gateway_auth_cache_lookups_total")
          .Help("Auth-decision cache lookups of requests that need auth, by result")
          .Register(metrics::registry());
  prometheus::Counter& hit = family.Add({{"result", "hit"}});
  prometheus::Counter& miss = family.Add({{"result", "miss"}});
};

// gateway_route_reloads_total{result="ok|refused"}.
prometheus::Counter& route_reloads(bool ok) {
  static auto& family = prometheus::BuildCounter()
                            .Name("gateway_route_reloads_total")
                            .Help("Re-reads of the route file after it changed, by result")
                            .Register(metrics::registry());
  static auto& good = family.Add({{"result", "ok"}});
  static auto& refused = family.Add({{"result", "refused"}});
  return ok ? good : refused;
}

// What stat() says of the file the path leads to (symlinks followed, as a Kubernetes
// ConfigMap's `..data` swap changes the inode), as auth_svc watches its key file.
struct FileStamp {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {true,
          st.st_dev,
          st.st_ino,
          st.st_size,
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
          static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec};
}

std::vector<std::unique_ptr<Filter>> make_filters(UpstreamCaller& upstream, RetryOptions retry,
                                                  AuthDecisionCache& cache) {
  static AuthCacheMetrics cache_metrics;
  return gateway_filters(upstream, retry, cache, [](bool hit) {
    (hit ? cache_metrics.hit : cache_metrics.miss).Increment();
  });
}

}  // namespace

Gateway::Gateway(GatewayConfig config, Upstreams upstreams, http::HttpClient& client,
                 RetryOptions retry, AuthCacheOptions auth_cache)
    : upstreams_(std::move(upstreams)),
      client_(client),
      retry_(retry),
      auth_cache_(auth_cache),
      chain_(make_filters(*this, retry, auth_cache_)) {
  targets_.reserve(kMaxServices);
  table_.store(build(std::move(config)));
}

Gateway::~Gateway() {
  if (watcher_.joinable()) {
    watcher_.request_stop();
    watcher_.join();
  }
}

ServiceId Gateway::target(const std::string& service) {
  const Upstream* upstream = &upstreams_.resolve(service);
  for (std::size_t i = 0; i < targets_.size(); ++i)
    if (targets_[i]->upstream == upstream) return i;
  if (targets_.size() >= kMaxServices)
    throw RouteFileError("more than " + std::to_string(kMaxServices) + " services");
  auto t = std::make_unique<Target>();
  t->upstream = upstream;
  t->name = service;
  for (const auto& endpoint : upstream->instances()) {
    t->breakers.push_back(&client_.breaker(endpoint));
    t->authorities.push_back(endpoint.authority());
  }
  t->budget = std::make_unique<RetryBudget>(retry_.budget);
  targets_.push_back(std::move(t));
  return targets_.size() - 1;
}

std::shared_ptr<const RouteTable> Gateway::build(GatewayConfig config) {
  if (config.auth_services.size() > 1)
    throw RouteFileError("the local gateway supports one AuthService, the file has " +
                         std::to_string(config.auth_services.size()));
  std::lock_guard lock(targets_mutex_);
  auto table = std::make_shared<RouteTable>();
  table->routes = Routes(std::move(config.mappings));
  if (!config.auth_services.empty()) {
    table->auth = std::move(config.auth_services.front());
    table->auth_service = target(table->auth->auth_service);
  }
  for (const auto& m : table->routes.mappings()) table->services.push_back(target(m.service));
  return table;
}

bool Gateway::reload(const std::string& path) {
  try {
    auto table = build(load_route_file(path));
    const auto mappings = static_cast<std::int64_t>(table->routes.mappings().size());
    table_.store(std::move(table));
    // A decision was made for the old AuthService and Mappings: ask again under the new ones.
    auth_cache_.clear();
    route_reloads(true).Increment();
    log::info("routes reloaded", {{"file", std::string_view(path)}, {"mappings", mappings}});
    return true;
  } catch (const std::exception& e) {
    route_reloads(false).Increment();
    log::error("routes reload refused: keeping the last good routes",
               {{"file", std::string_view(path)}, {"error", std::string_view(e.what())}});
    return false;
  }
}

void Gateway::watch_route_file(std::string path, std::chrono::milliseconds every) {
  watcher_ = std::jthread([this, path = std::move(path), every](std::stop_token stop) {
    auto seen = stamp_of(path);
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    while (!stop.stop_requested()) {
      wake.wait_for(lock, stop, every, [] { return false; });
      if (stop.stop_requested()) break;
      const auto now = stamp_of(path);
      if (now == seen) continue;
      seen = now;  // a broken version is reported once; tried again when it changes
      reload(path);
    }
  });
}

// Not a coroutine: the chain's frame is the request's.
Task<http::Response> Gateway::handle(http::Request& request) {
  return chain_.run(request, table_.load(std::memory_order_acquire));
}

std::size_t Gateway::first_turn(ServiceId service) {
  return targets_[service]->upstream->next();
}

std::size_t Gateway::instance_count(ServiceId service) const {
  return targets_[service]->upstream->instances().size();
}

std::string_view Gateway::instance_name(ServiceId service, std::size_t index) const {
  return targets_[service]->authorities[index];
}

// Not a coroutine: the client's awaitable is handed back as it is, no frame added per attempt.
Task<http::FetchResult> Gateway::fetch(ServiceId service, std::size_t index,
                                       const http::ClientRequest& request,
                                       std::chrono::milliseconds timeout) {
  auto& t = *targets_[service];
  return client_.fetch_copy(t.upstream->instances()[index], request, timeout, t.breakers[index]);
}

void Gateway::deposit_request(ServiceId service) {
  targets_[service]->budget->deposit(std::chrono::steady_clock::now());
}

bool Gateway::withdraw_retry(ServiceId service) {
  return targets_[service]->budget->try_withdraw(std::chrono::steady_clock::now());
}

Task<void> Gateway::pause(std::chrono::milliseconds duration) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, duration);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

std::string_view Gateway::name(ServiceId service) const {
  return targets_[service]->name;
}

}  // namespace tim::gateway

// gateway: the tutorial's API gateway on one machine, behaving as Emissary-ingress does for
// the features the tutorial uses, and reading the same route file.
#include "gateway.hpp"
#include "tim/cli.hpp"
#include "tim/config.hpp"
#include "tim/http/env_vars.hpp"
#include "tim/http/server.hpp"
#include "tim/log.hpp"

using namespace tim;

namespace {

// What serve() reads, for --help; tests/functional/test_cli.py checks it against the code.
std::vector<cli::EnvVar> environment() {
  const gateway::RetryOptions retry;
  std::vector<cli::EnvVar> env = {
      {"ROUTES_FILE", "/etc/tim/routes.yaml", "Emissary Mappings to serve"},
      {"UPSTREAMS", "", "service=host:port,... overrides of the route file's DNS names"},
      {"ADMIN_PORT", "8877", "port of /metrics and /readyz (Emissary's admin port)"},
      {"BODY_MEMORY_BUDGET_BYTES", std::to_string(64 << 20),
       "request bodies held in memory at once, all connections together"},
      {"RETRY_MAX", std::to_string(retry.max_retries), "extra attempts of one request"},
      {"RETRY_BUDGET_PERCENT", std::to_string(retry.budget.percent_can_retry),
       "retries may add this share to the requests of the last 10 s"},
      {"RETRY_BUDGET_MIN_PER_SEC", std::to_string(retry.budget.min_retries_per_second),
       "retries always allowed per second"},
      {"ROUTES_RELOAD_INTERVAL_MS", "1000",
       "how often the route file is checked for changes (a broken file keeps the last routes)"},
      {"AUTH_CACHE_ENTRIES", "0", "auth_svc's admissions kept (LRU); 0: off, every request asks"},
      {"AUTH_CACHE_TTL_MS", "1000",
       "how long an admission is reused (a JWT's also ends at its exp); revocation takes this "
       "plus auth_svc's reload"},
  };
  for (auto list : {http::server_env_vars(), http::client_env_vars()})
    env.insert(env.end(), list.begin(), list.end());
  return env;
}

int serve() {
  return http::run_service("gateway", [](http::ServerOptions& options) {
    const auto routes_file = config::get_string("ROUTES_FILE", "/etc/tim/routes.yaml");
    const auto retry = gateway::RetryOptions::from_env();
    http::HttpClient client(http::ClientOptions::from_env());
    std::unique_ptr<gateway::Gateway> gw;
    try {
      gw = std::make_unique<gateway::Gateway>(
          gateway::load_route_file(routes_file),
          gateway::Upstreams::parse(config::get_string("UPSTREAMS", "")), client, retry,
          gateway::AuthCacheOptions::from_env());
      // A changed route file is read again (as auth_svc re-reads its key file); a broken one
      // keeps the last good routes.
      const auto every =
          config::get_millis("ROUTES_RELOAD_INTERVAL_MS", std::chrono::milliseconds{1000});
      if (every.count() > 0) gw->watch_route_file(routes_file, every);
    } catch (const std::exception& e) {
      log::error("cannot load routes", {{"error", std::string_view(e.what())}});
      std::fprintf(stderr, "gateway: %s\n", e.what());
      return 2;
    }
    // The edge: every external request gets a fresh x-request-id, answers say `server: envoy`
    // as Emissary's do.
    options.trust_request_id = false;
    options.server_header = "envoy";
    // Bodies are read only after auth admits the request, and all of them together within a
    // budget: unauthenticated uploads cost no memory, admitted ones a bounded amount.
    options.defer_body = true;
    options.body_memory_budget = static_cast<std::size_t>(
        config::get_int("BODY_MEMORY_BUDGET_BYTES", 64 << 20, 0, std::int64_t{1} << 40));
    // /metrics and /readyz on Emissary's admin port, not on the client listener.
    options.admin_port = static_cast<std::uint16_t>(config::get_int("ADMIN_PORT", 8877, 0, 65535));
    http::Server server(options, [&](http::Request& r) { return gw->handle(r); });
    return server.run();
  });
}

}  // namespace

int main(int argc, char** argv) {
  cli::Program program("gateway",
                       "TIM's API gateway: routes as Emissary-ingress does, asking auth_svc first.",
                       environment());
  program.default_command("serve", "Serve the routes (the default)", serve);
  return program.run(argc, argv);
}

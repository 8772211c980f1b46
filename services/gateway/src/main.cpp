// gateway: the tutorial's API gateway on one machine, behaving as Emissary-ingress does for
// the features the tutorial uses, and reading the same route file.
#include "gateway.hpp"
#include "tim/config.hpp"
#include "tim/http/server.hpp"
#include "tim/log.hpp"

using namespace tim;

int main() {
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

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
          gateway::Upstreams::parse(config::get_string("UPSTREAMS", "")), client, retry);
    } catch (const std::exception& e) {
      log::error("cannot load routes", {{"error", std::string_view(e.what())}});
      std::fprintf(stderr, "gateway: %s\n", e.what());
      return 2;
    }
    // The edge: every external request gets a fresh x-request-id, answers say `server: envoy`
    // as Emissary's do.
    options.trust_request_id = false;
    options.server_header = "envoy";
    http::Server server(options, [&](http::Request& r) { return gw->handle(r); });
    return server.run();
  });
}

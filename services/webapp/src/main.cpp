// webapp: serves the browser app's files (behind the gateway's /app/ Mapping, no auth: the
// files hold no data; every API call the app makes carries the user's own credential).
#include <cstdio>
#include <string_view>

#include "static_assets.hpp"
#include "tim/cli.hpp"
#include "tim/config.hpp"
#include "tim/http/env_vars.hpp"
#include "tim/http/server.hpp"
#include "tim/log.hpp"

using namespace tim;

namespace {

// What serve() reads, for --help; tests/functional/test_cli.py checks it against the code.
std::vector<cli::EnvVar> environment() {
  std::vector<cli::EnvVar> env = {
      {"STATIC_DIR", "/usr/share/tim/webapp",
       "folder of the app's files, read into memory at start (must hold index.html)"},
  };
  const auto server = http::server_env_vars();
  env.insert(env.end(), server.begin(), server.end());
  return env;
}

int serve() {
  return http::run_service("webapp", [](http::ServerOptions& options) {
    const auto folder = config::get_string("STATIC_DIR", "/usr/share/tim/webapp");
    webapp::AssetTable table;
    try {
      table = webapp::AssetTable::load(folder);
    } catch (const webapp::AssetLoadError& e) {
      log::error("cannot load the app's files", {{"error", std::string_view(e.what())}});
      std::fprintf(stderr, "webapp: %s\n", e.what());
      return 2;
    }
    log::info("app files loaded", {{"files", static_cast<std::int64_t>(table.size())},
                                   {"bytes", static_cast<std::int64_t>(table.total_bytes())}});
    http::Server server(options, [&](http::Request& request) -> Task<http::Response> {
      request.route = "/*";
      co_return webapp::serve(table, request);
    });
    return server.run();
  });
}

}  // namespace

int main(int argc, char** argv) {
  cli::Program program("webapp", "TIM's web app: serves the browser app's files.", environment());
  program.default_command("serve", "Serve the app's files (the default)", serve);
  return program.run(argc, argv);
}

// webapp: serves the browser app's files (behind the gateway's /app/ Mapping, no auth: the
// files hold no data; every API call the app makes carries the user's own credential).
#include <cstdio>
#include <string_view>

#include "static_assets.hpp"
#include "tim/config.hpp"
#include "tim/http/server.hpp"
#include "tim/log.hpp"

int main() {
  return tim::http::run_service("webapp", [](tim::http::ServerOptions& options) {
    namespace webapp = tim::webapp;
    const auto folder = tim::config::get_string("STATIC_DIR", "/usr/share/tim/webapp");
    webapp::AssetTable table;
    try {
      table = webapp::AssetTable::load(folder);
    } catch (const webapp::AssetLoadError& e) {
      tim::log::error("cannot load the app's files", {{"error", std::string_view(e.what())}});
      std::fprintf(stderr, "webapp: %s\n", e.what());
      return 2;
    }
    tim::log::info("app files loaded", {{"files", static_cast<std::int64_t>(table.size())},
                                        {"bytes", static_cast<std::int64_t>(table.total_bytes())}});
    tim::http::Server server(options,
                             [&](tim::http::Request& request) -> tim::Task<tim::http::Response> {
                               request.route = "/*";
                               co_return webapp::serve(table, request);
                             });
    return server.run();
  });
}

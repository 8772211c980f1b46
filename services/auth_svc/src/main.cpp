// auth_svc: the gateway asks it about every routed request (Emissary's external auth).
#include "auth_handler.hpp"
#include "tim/config.hpp"
#include "tim/http/server.hpp"
#include "tim/log.hpp"

int main() {
  return tim::http::run_service("auth_svc", [](tim::http::ServerOptions& options) {
    const auto token = tim::config::get_optional("TOKEN");
    if (!token) {
      tim::log::error("TOKEN is not set: refusing to start an auth service that nobody can pass");
      std::fprintf(stderr,
                   "auth_svc: set TOKEN to the shared secret clients send in 'authorization'\n");
      return 2;
    }
    const tim::auth::SharedToken shared{*token};
    tim::http::Server server(options,
                             [&](tim::http::Request& request) -> tim::Task<tim::http::Response> {
                               co_return tim::auth::check_request(shared, request);
                             });
    return server.run();
  });
}

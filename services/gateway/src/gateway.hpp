// The gateway's request flow, as Emissary runs it: normalize, route (404 without auth),
// external auth, rewrite, proxy with a deadline. Rules live in routing.hpp and edge_rules.hpp;
// this file only sequences them around the two network calls.
#pragma once

#include <optional>
#include <vector>

#include "route_config.hpp"
#include "routing.hpp"
#include "tim/http/client.hpp"
#include "upstreams.hpp"

namespace tim::gateway {

class Gateway {
 public:
  // Resolves every service named in the configuration; throws UpstreamsError or
  // RouteFileError when one cannot be used.
  Gateway(GatewayConfig config, Upstreams upstreams, http::HttpClient& client);

  Task<http::Response> handle(http::Request& request);

 private:
  // Sends to the service's instances in turn, moving on when one refuses the connection
  // (nothing was sent, so any method may go to the next), within one deadline.
  Task<http::FetchResult> send(const Upstream& upstream, http::ClientRequest request,
                               std::chrono::milliseconds timeout, const http::Request& origin);

  Routes routes_;
  std::optional<AuthService> auth_;
  const Upstream* auth_upstream_ = nullptr;
  std::vector<const Upstream*> route_upstreams_;  // parallel to routes_.mappings()
  Upstreams upstreams_;
  http::HttpClient& client_;
};

}  // namespace tim::gateway

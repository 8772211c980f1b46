#include "gateway.hpp"

#include <variant>

#include "edge_rules.hpp"
#include "tim/log.hpp"

namespace tim::gateway {

using namespace std::chrono_literals;

Gateway::Gateway(GatewayConfig config, Upstreams upstreams, http::HttpClient& client)
    : routes_(std::move(config.mappings)), upstreams_(std::move(upstreams)), client_(client) {
  if (config.auth_services.size() > 1)
    throw RouteFileError("the local gateway supports one AuthService, the file has " +
                         std::to_string(config.auth_services.size()));
  if (!config.auth_services.empty()) {
    auth_ = std::move(config.auth_services.front());
    auth_upstream_ = &upstreams_.resolve(auth_->auth_service);
  }
  for (const auto& m : routes_.mappings())
    route_upstreams_.push_back(&upstreams_.resolve(m.service));
}

Task<http::FetchResult> Gateway::send(const Upstream& upstream, http::ClientRequest request,
                                      std::chrono::milliseconds timeout,
                                      const http::Request& origin) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto& instances = upstream.instances();
  const auto first = upstream.next();
  http::FetchResult result;
  for (std::size_t i = 0; i < instances.size(); ++i) {
    const auto& endpoint = instances[(first + i) % instances.size()];
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) break;
    // Named, not a temporary in the co_await expression: g++ 12 destroys such temporaries twice.
    http::ClientRequest attempt = i + 1 < instances.size() ? request : std::move(request);
    result = co_await client_.fetch(endpoint, std::move(attempt), left);
    if (result.error != http::FetchError::connect_refused) break;
    log::warn("upstream instance refused the connection",
              {{"upstream", std::string_view(endpoint.authority())},
               {"request_id", std::string_view(origin.request_id)}});
  }
  co_return result;
}

Task<http::Response> Gateway::handle(http::Request& request) {
  auto normalized = normalize_target(request.target);
  if (auto* error = std::get_if<TargetError>(&normalized))
    co_return local_reply(400, error->message);
  const auto& target = std::get<std::string>(normalized);
  const std::string_view path = std::string_view(target).substr(0, target.find('?'));
  const auto host = request.headers.get("host").value_or("");

  const Mapping* mapping = routes_.match(path, host);
  if (!mapping) co_return local_reply(404, "");
  request.route = "mapping:" + mapping->name;  // the metrics label, bounded by the route file
  const auto& upstream =
      *route_upstreams_[static_cast<std::size_t>(mapping - routes_.mappings().data())];

  auto headers =
      sanitized_request_headers(request.headers, {request.remote_address, request.request_id});

  if (auth_ && !mapping->bypass_auth) {
    http::ClientRequest check{
        request.method, auth_->path_prefix + target, auth_request_headers(headers, *auth_), {}};
    auto answer = co_await send(*auth_upstream_, std::move(check), auth_->timeout, request);
    if (!answer.ok() || answer.status >= 500) {
      log::warn("auth service failed",
                {{"reason", answer.ok() ? std::string_view("5xx") : http::to_string(answer.error)},
                 {"status", std::int64_t{answer.status}},
                 {"fail_open", auth_->failure_mode_allow},
                 {"request_id", std::string_view(request.request_id)}});
      if (!auth_->failure_mode_allow) co_return local_reply(auth_->status_on_error, "");
    } else if (answer.status != 200) {
      co_return denial_response(answer.status, answer.headers, std::move(answer.body), *auth_);
    } else {
      apply_auth_headers(headers, answer.headers, *auth_);
    }
  }

  auto upstream_target = rewrite_target(*mapping, target);
  add_upstream_headers(headers, target, upstream_target, mapping->timeout.count());
  const auto timeout =
      mapping->timeout.count() > 0 ? mapping->timeout : std::chrono::milliseconds{24h};
  const auto start = std::chrono::steady_clock::now();
  http::ClientRequest forward{request.method, std::move(upstream_target), std::move(headers),
                              std::move(request.body)};
  auto answer = co_await send(upstream, std::move(forward), timeout, request);
  if (!answer.ok()) {
    log::warn("upstream failed", {{"service", std::string_view(mapping->service)},
                                  {"reason", http::to_string(answer.error)},
                                  {"detail", std::string_view(answer.message)},
                                  {"request_id", std::string_view(request.request_id)}});
    switch (answer.error) {
      case http::FetchError::timeout:
        co_return local_reply(504, "upstream request timeout");
      case http::FetchError::resolve_failed:
        co_return local_reply(503, "no healthy upstream");
      case http::FetchError::connect_refused:
      case http::FetchError::connect_timeout:
        co_return local_reply(
            503,
            "upstream connect error or disconnect/reset before headers. reset reason: "
            "connection failure");
      default:
        co_return local_reply(
            503,
            "upstream connect error or disconnect/reset before headers. reset reason: "
            "connection termination");
    }
  }
  const auto upstream_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - start)
                               .count();
  http::Response response{answer.status, client_response_headers(answer.headers, upstream_ms),
                          std::move(answer.body)};
  if (request.method == "HEAD")
    if (auto length = answer.headers.get("content-length"))
      response.headers.add("content-length", std::string(*length));
  co_return response;
}

}  // namespace tim::gateway

// The gateway's header rules, all in one place (like Envoy's conn_manager_utility): what goes
// to the auth service, what goes upstream, what comes back. Each rule names the Emissary/Envoy
// behaviour it copies (reference/gateway-protocol.md §2.2, §2.3, §5).
#pragma once

#include <string>
#include <string_view>

#include "route_config.hpp"
#include "tim/message.hpp"

namespace tim::gateway {

// Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade and every
// field named in this message's Connection header (RFC 9110 §7.6.1).
bool is_hop_by_hop(std::string_view name, const http::Headers& message);

// What the gateway knows about the client's request at the edge.
struct EdgeFacts {
  std::string_view remote_address;  // the peer: appended to x-forwarded-for
  std::string_view request_id;      // fresh for every external request
  std::string_view proto = "http";  // the real scheme: overwrites x-forwarded-proto
};

// The client's headers after edge sanitising: hop-by-hop fields, client-sent x-envoy-*,
// x-auth-* (identity headers only auth_svc may set) and x-request-id dropped; x-forwarded-for
// appended, x-forwarded-proto overwritten, fresh x-request-id. Both the auth call and the upstream
// call start from this.
http::Headers sanitized_request_headers(const http::Headers& client, const EdgeFacts& edge);

// Headers of the auth call: only Emissary's allow-list (authorization, cookie, from,
// proxy-authorization, user-agent, x-forwarded-for, x-forwarded-host, x-forwarded-proto) plus
// allowed_request_headers, the original Host, add_auth_headers on top, Content-Length: 0.
http::Headers auth_request_headers(const http::Headers& sanitized, const AuthService& auth);

// On an auth 200: copies (overwriting) the auth answer's headers named in Emissary's fixed list
// or allowed_authorization_headers onto the upstream request.
void apply_auth_headers(http::Headers& upstream, const http::Headers& auth_answer,
                        const AuthService& auth);

// On an auth denial (<500, not 200): the auth answer's status and body go to the client with
// only the listed headers; a non-empty body without a listed content-type is text/plain.
http::Response denial_response(int status, const http::Headers& auth_answer, std::string body,
                               const AuthService& auth);

// The upstream request's extra headers: x-envoy-original-path when rewritten and
// x-envoy-expected-rq-timeout-ms when the route has a timeout.
void add_upstream_headers(http::Headers& upstream, std::string_view original_target,
                          std::string_view rewritten_target, long long timeout_ms);

// The upstream's answer for the client: hop-by-hop fields, Server and Date dropped (the
// gateway sets its own), x-envoy-upstream-service-time added.
http::Headers client_response_headers(const http::Headers& upstream_answer, long long upstream_ms);

// Envoy's local replies: an empty 404 when no route matches, text/plain 503/504 when the
// upstream cannot be reached or is too slow.
http::Response local_reply(int status, std::string_view body);

}  // namespace tim::gateway

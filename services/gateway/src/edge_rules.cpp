#include "edge_rules.hpp"

#include <algorithm>
#include <array>

namespace tim::gateway {

namespace {

constexpr std::array<std::string_view, 7> kHopByHop = {
    "connection", "keep-alive",        "proxy-connection", "te",
    "trailer",    "transfer-encoding", "upgrade"};

// Envoy's ext_authz sends these client headers to an HTTP auth service (Emissary's list).
constexpr std::array<std::string_view, 8> kAuthRequestAllowList = {
    "authorization",       "cookie",           "from",
    "proxy-authorization", "user-agent",       "x-forwarded-for",
    "x-forwarded-host",    "x-forwarded-proto"};

// Auth answer headers Emissary always passes on (to the upstream on allow, the client on deny).
constexpr std::array<std::string_view, 5> kAuthAnswerAllowList = {
    "authorization", "location", "proxy-authenticate", "set-cookie", "www-authenticate"};

template <class List>
bool listed(const List& list, std::string_view name) {
  return std::any_of(list.begin(), list.end(),
                     [&](const auto& n) { return http::iequals(n, name); });
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && http::iequals(s.substr(0, prefix.size()), prefix);
}

// Names listed in a Connection header value ("close, x-foo").
bool named_in_connection(std::string_view name, const http::Headers& message) {
  for (const auto& f : message) {
    if (!http::iequals(f.name, "connection")) continue;
    std::string_view v = f.value;
    while (!v.empty()) {
      auto comma = v.find(',');
      auto token = v.substr(0, comma);
      while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
        token.remove_prefix(1);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
        token.remove_suffix(1);
      if (http::iequals(token, name)) return true;
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
  return false;
}

bool auth_answer_header_passes(std::string_view name, const AuthService& auth) {
  return listed(kAuthAnswerAllowList, name) || listed(auth.allowed_authorization_headers, name);
}

}  // namespace

bool is_hop_by_hop(std::string_view name, const http::Headers& message) {
  return listed(kHopByHop, name) || named_in_connection(name, message);
}

http::Headers sanitized_request_headers(const http::Headers& client, const EdgeFacts& edge) {
  http::Headers out;
  // Room for the three added here and the upstream's later ones (auth answer, x-envoy-*):
  // growing the vector moves every field, for each request.
  out.reserve(client.size() + 8);
  std::string forwarded_for;
  for (const auto& f : client) {
    // x-auth-*: identity is what auth_svc vouches for, never what the client claims (Envoy
    // only overwrites the auth headers the auth answer carries, Emissary #1173).
    if (is_hop_by_hop(f.name, client) || starts_with_icase(f.name, "x-envoy-") ||
        starts_with_icase(f.name, "x-auth-") || http::iequals(f.name, "x-request-id") ||
        http::iequals(f.name, "x-forwarded-proto") || http::iequals(f.name, "content-length"))
      continue;
    if (http::iequals(f.name, "x-forwarded-for")) {
      if (!forwarded_for.empty()) forwarded_for += ", ";
      forwarded_for += f.value;
      continue;
    }
    out.add(f.name, f.value);
  }
  if (!forwarded_for.empty()) forwarded_for += ", ";
  forwarded_for.append(edge.remote_address);
  out.add("x-forwarded-for", std::move(forwarded_for));
  out.add("x-forwarded-proto", std::string(edge.proto));
  out.add("x-request-id", std::string(edge.request_id));
  return out;
}

http::Headers auth_request_headers(const http::Headers& sanitized, const AuthService& auth) {
  http::Headers out;
  out.reserve(sanitized.size() + auth.add_auth_headers.size() + 1);
  for (const auto& f : sanitized)
    if (http::iequals(f.name, "host") || listed(kAuthRequestAllowList, f.name) ||
        listed(auth.allowed_request_headers, f.name))
      out.add(f.name, f.value);
  for (const auto& [name, value] : auth.add_auth_headers) out.set(name, value);
  out.set("content-length", "0");
  return out;
}

void apply_auth_headers(http::Headers& upstream, const http::Headers& auth_answer,
                        const AuthService& auth) {
  for (const auto& f : auth_answer)
    if (auth_answer_header_passes(f.name, auth)) upstream.set(f.name, f.value);
}

http::Response denial_response(int status, const http::Headers& auth_answer, std::string body,
                               const AuthService& auth) {
  http::Response r{status, {}, std::move(body)};
  for (const auto& f : auth_answer)
    if (auth_answer_header_passes(f.name, auth)) r.headers.add(f.name, f.value);
  if (!r.body.empty() && !r.headers.contains("content-type"))
    r.headers.add("content-type", "text/plain");
  return r;
}

void add_upstream_headers(http::Headers& upstream, std::string_view original_target,
                          std::string_view rewritten_target, long long timeout_ms) {
  if (original_target != rewritten_target)
    upstream.set("x-envoy-original-path", std::string(original_target));
  if (timeout_ms > 0) upstream.set("x-envoy-expected-rq-timeout-ms", std::to_string(timeout_ms));
}

http::Headers client_response_headers(const http::Headers& upstream_answer, long long upstream_ms) {
  http::Headers out;
  out.reserve(upstream_answer.size() + 1);
  for (const auto& f : upstream_answer) {
    if (is_hop_by_hop(f.name, upstream_answer) || http::iequals(f.name, "server") ||
        http::iequals(f.name, "date") || http::iequals(f.name, "content-length"))
      continue;
    out.add(f.name, f.value);
  }
  out.add("x-envoy-upstream-service-time", std::to_string(upstream_ms));
  return out;
}

http::Response local_reply(int status, std::string_view body) {
  http::Response r{status, {}, std::string(body)};
  if (!body.empty()) r.headers.add("content-type", "text/plain");
  return r;
}

}  // namespace tim::gateway

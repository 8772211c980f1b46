#include "edge_rules.hpp"

#include <gtest/gtest.h>

using namespace tim::gateway;
using tim::http::Headers;

namespace {
Headers client_headers() {
  Headers h;
  h.add("Host", "api.local:8080");
  h.add("Authorization", "letmeinpleasekthxbye");
  h.add("User-Agent", "curl/8");
  h.add("Content-Type", "application/json");
  h.add("Accept", "*/*");
  h.add("Connection", "keep-alive, X-Secret-Hop");
  h.add("X-Secret-Hop", "1");
  h.add("Keep-Alive", "timeout=5");
  h.add("Transfer-Encoding", "chunked");
  h.add("X-Envoy-Retry-On", "5xx");
  h.add("X-Request-Id", "client-chosen");
  h.add("X-Forwarded-For", "10.0.0.1");
  h.add("X-Forwarded-Proto", "https");
  h.add("Content-Length", "12");
  return h;
}
}  // namespace

TEST(SanitizedRequest, DropsHopByHopEnvoyAndClientIdsAndForwards) {
  auto h = sanitized_request_headers(client_headers(), {"127.0.0.9", "fresh-id"});
  for (auto gone : {"connection", "x-secret-hop", "keep-alive", "transfer-encoding",
                    "x-envoy-retry-on", "content-length"})
    EXPECT_FALSE(h.contains(gone)) << gone;
  EXPECT_EQ(h.get("x-request-id"), "fresh-id");
  EXPECT_EQ(h.count("x-request-id"), 1u);
  EXPECT_EQ(h.get("x-forwarded-for"), "10.0.0.1, 127.0.0.9");
  EXPECT_EQ(h.get("x-forwarded-proto"), "http");
  EXPECT_EQ(h.get("host"), "api.local:8080");
  EXPECT_EQ(h.get("content-type"), "application/json");
}

TEST(SanitizedRequest, DropsClientClaimedIdentity) {
  auto client = client_headers();
  client.add("X-Auth-Subject", "admin");
  client.add("x-auth-scopes", "invoices:write");
  client.add("X-AUTH-Anything", "1");
  auto h = sanitized_request_headers(client, {"127.0.0.9", "fresh-id"});
  for (auto gone : {"x-auth-subject", "x-auth-scopes", "x-auth-anything"})
    EXPECT_FALSE(h.contains(gone)) << gone;
}

TEST(AuthRequest, OnlyTheAllowListOriginalHostAndZeroLength) {
  AuthService auth;
  auth.allowed_request_headers = {"x-request-id"};
  auth.add_auth_headers = {{"x-gateway", "local"}};
  auto h = auth_request_headers(sanitized_request_headers(client_headers(), {"127.0.0.9", "id-1"}),
                                auth);
  EXPECT_EQ(h.get("host"), "api.local:8080");
  EXPECT_EQ(h.get("authorization"), "letmeinpleasekthxbye");
  EXPECT_EQ(h.get("user-agent"), "curl/8");
  EXPECT_EQ(h.get("x-forwarded-for"), "10.0.0.1, 127.0.0.9");
  EXPECT_EQ(h.get("x-forwarded-proto"), "http");
  EXPECT_EQ(h.get("x-request-id"), "id-1");
  EXPECT_EQ(h.get("x-gateway"), "local");
  EXPECT_EQ(h.get("content-length"), "0");
  EXPECT_FALSE(h.contains("content-type"));
  EXPECT_FALSE(h.contains("accept"));
  AuthService plain;
  EXPECT_FALSE(auth_request_headers(sanitized_request_headers(client_headers(), {"a", "b"}), plain)
                   .contains("x-request-id"));
}

TEST(AuthAnswer, AllowCopiesListedHeadersOverwriting) {
  AuthService auth;
  auth.allowed_authorization_headers = {"x-auth-subject"};
  Headers upstream;
  upstream.add("x-auth-subject", "forged-by-client");
  Headers answer;
  answer.add("X-Auth-Subject", "alice");
  answer.add("Authorization", "Bearer internal");
  answer.add("X-Other", "dropped");
  apply_auth_headers(upstream, answer, auth);
  EXPECT_EQ(upstream.get("x-auth-subject"), "alice");
  EXPECT_EQ(upstream.count("x-auth-subject"), 1u);
  EXPECT_EQ(upstream.get("authorization"), "Bearer internal");
  EXPECT_FALSE(upstream.contains("x-other"));
}

TEST(AuthAnswer, DenialKeepsStatusBodyAndListedHeadersOnly) {
  AuthService auth;
  Headers answer;
  answer.add("Content-Type", "application/json");
  answer.add("WWW-Authenticate", "Bearer");
  answer.add("X-Bar", "dropped");
  auto r = denial_response(401, answer, R"({"ok":false})", auth);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, R"({"ok":false})");
  EXPECT_EQ(r.headers.get("www-authenticate"), "Bearer");
  EXPECT_FALSE(r.headers.contains("x-bar"));
  EXPECT_EQ(r.headers.get("content-type"), "text/plain");  // as Emissary (#5484)
  auth.allowed_authorization_headers = {"content-type"};
  EXPECT_EQ(denial_response(401, answer, "{}", auth).headers.get("content-type"),
            "application/json");
}

TEST(UpstreamHeaders, OriginalPathAndExpectedTimeout) {
  Headers h;
  add_upstream_headers(h, "/invoices/42", "/api/invoices/42", 3000);
  EXPECT_EQ(h.get("x-envoy-original-path"), "/invoices/42");
  EXPECT_EQ(h.get("x-envoy-expected-rq-timeout-ms"), "3000");
  Headers same;
  add_upstream_headers(same, "/x", "/x", 0);
  EXPECT_TRUE(same.empty());
}

TEST(ClientResponse, DropsHopByHopServerDateAddsServiceTime) {
  Headers answer;
  answer.add("Content-Type", "application/json");
  answer.add("Connection", "close");
  answer.add("Server", "upstream/1");
  answer.add("Date", "yesterday");
  answer.add("Content-Length", "5");
  auto h = client_response_headers(answer, 7);
  EXPECT_EQ(h.get("content-type"), "application/json");
  EXPECT_FALSE(h.contains("connection"));
  EXPECT_FALSE(h.contains("server"));
  EXPECT_FALSE(h.contains("date"));
  EXPECT_EQ(h.get("x-envoy-upstream-service-time"), "7");
}

TEST(LocalReply, NotFoundIsEmpty) {
  auto r = local_reply(404, "");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.body.empty());
  EXPECT_FALSE(r.headers.contains("content-type"));
  EXPECT_EQ(local_reply(504, "upstream request timeout").headers.get("content-type"), "text/plain");
}

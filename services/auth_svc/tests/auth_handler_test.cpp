#include "auth_handler.hpp"

#include <gtest/gtest.h>

namespace tim::auth {
namespace {

using namespace std::chrono_literals;
const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
constexpr std::string_view kToken = "letmeinpleasekthxbye";

http::Request request(std::string method, std::vector<std::pair<std::string, std::string>> h) {
  http::Request r;
  r.method = std::move(method);
  r.target = "/invoices/1";
  r.remote_address = "127.0.0.1";
  for (auto& [n, v] : h) r.headers.add(n, v);
  return r;
}

class HandlerTest : public ::testing::Test {
 protected:
  HandlerTest() { creds_.token.emplace(kToken); }
  Credentials creds_;
  FailureLimiter limiter_{LimiterConfig{.burst = 2, .refill_interval = 60s, .max_addresses = 10}};
};

TEST_F(HandlerTest, AllowCarriesIdentityAndNoContentType) {
  const auto d =
      decide(creds_, limiter_, request("GET", {{"authorization", std::string(kToken)}}), now);
  const auto r = decision_response(d);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("x-auth-subject"), "token");
  EXPECT_EQ(r.headers.get("x-auth-scopes"), "invoices:read,invoices:write,webhooks:manage");
  EXPECT_FALSE(r.headers.contains("content-type"));
}

TEST_F(HandlerTest, MissingAndWrongCredentialsKeepTheTutorialBody) {
  for (auto& req : {request("GET", {}), request("GET", {{"authorization", "nope"}})}) {
    const auto r = decision_response(decide(creds_, limiter_, req, now));
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.body, R"({"ok":false})");
    EXPECT_TRUE(r.headers.get("www-authenticate")->starts_with("Bearer"));
  }
}

TEST_F(HandlerTest, TwoAuthorizationFieldsAreRefusedEvenIfOneIsRight) {
  const auto req =
      request("GET", {{"authorization", std::string(kToken)}, {"authorization", "other"}});
  EXPECT_EQ(decision_response(decide(creds_, limiter_, req, now)).status, 401);
}

TEST_F(HandlerTest, FailuresAreCountedForTheRightmostForwardedAddress) {
  auto bad = request("GET", {{"authorization", "nope"}, {"x-forwarded-for", "1.1.1.1, 10.0.0.7"}});
  decide(creds_, limiter_, bad, now);
  decide(creds_, limiter_, bad, now);
  const auto r = decision_response(decide(creds_, limiter_, bad, now));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body, R"({"ok":false,"error":"rate_limited"})");
  EXPECT_GE(std::stoi(std::string(*r.headers.get("retry-after"))), 1);
  // A client-chosen left entry does not escape the block; another gateway-seen address is not
  // limited.
  auto spoof =
      request("GET", {{"authorization", "guess"}, {"x-forwarded-for", "9.9.9.9, 10.0.0.7"}});
  EXPECT_EQ(decide(creds_, limiter_, spoof, now).status, 429);
  auto other = request("GET", {{"authorization", "guess"}, {"x-forwarded-for", "10.0.0.8"}});
  EXPECT_EQ(decide(creds_, limiter_, other, now).status, 401);
}

TEST(DecisionResponse, ForbiddenSaysInsufficientScope) {
  Decision d;
  d.outcome = Decision::Outcome::forbidden;
  d.status = 403;
  d.www_authenticate = R"(Bearer realm="tim", error="insufficient_scope")";
  const auto r = decision_response(d);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, R"({"ok":false,"error":"insufficient_scope"})");
  EXPECT_EQ(r.headers.get("www-authenticate"), d.www_authenticate);
}

}  // namespace
}  // namespace tim::auth

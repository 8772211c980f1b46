#include "filters/auth_cache.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tim/base64url.hpp"

using namespace tim::gateway;
using namespace std::chrono_literals;
using tim::base64url_encode;
using tim::http::Headers;

namespace {

// A clock the test moves by hand.
struct FakeTime {
  std::chrono::steady_clock::time_point steady{std::chrono::hours(1000)};
  std::chrono::system_clock::time_point wall{std::chrono::seconds(1'800'000'000)};
  AuthCacheClock clock() {
    return {[this] { return steady; }, [this] { return wall; }};
  }
  void advance(std::chrono::milliseconds d) {
    steady += d;
    wall += d;
  }
};

std::string jwt_with_exp(long long exp) {
  return "Bearer " + base64url_encode(R"({"alg":"RS256","typ":"JWT"})") + "." +
         base64url_encode(R"({"sub":"alice","exp":)" + std::to_string(exp) + "}") + ".c2lnbmF0dXJl";
}

Headers granted(const std::string& subject) {
  Headers h;
  h.add("x-auth-subject", subject);
  h.add("x-auth-scopes", "invoices:read,invoices:write");
  return h;
}

}  // namespace

TEST(AuthCache, AnAdmissionIsServedUntilItsTtlAndNotAfter) {
  FakeTime t;
  AuthDecisionCache cache({100, 1000ms}, t.clock());
  const auto key = cache.key("tim_k1", "GET", "invoices");
  cache.store(key, "tim_k1", granted("ci"), t.steady);
  t.advance(999ms);
  Headers upstream;
  ASSERT_TRUE(cache.apply(key, upstream));
  EXPECT_EQ(upstream.get("x-auth-subject").value_or(""), "ci");
  EXPECT_EQ(upstream.get("x-auth-scopes").value_or(""), "invoices:read,invoices:write");
  t.advance(1ms);
  Headers again;
  EXPECT_FALSE(cache.apply(key, again));
  EXPECT_FALSE(again.contains("x-auth-subject"));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
}

TEST(AuthCache, TheTtlCountsFromWhenAuthWasAskedNotWhenTheAnswerEnded) {
  FakeTime t;
  AuthDecisionCache cache({100, 1000ms}, t.clock());
  const auto asked = t.steady;
  t.advance(800ms);  // a slow upstream answer
  const auto key = cache.key("tim_k1", "GET", "invoices");
  cache.store(key, "tim_k1", granted("ci"), asked);
  t.advance(200ms);
  Headers h;
  EXPECT_FALSE(cache.apply(key, h));
}

TEST(AuthCache, AJwtEntryEndsWithItsExpBeforeTheTtl) {
  FakeTime t;
  AuthDecisionCache cache({100, 60'000ms}, t.clock());
  const auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>(t.wall.time_since_epoch()).count();
  const auto token = jwt_with_exp(now_s + 2);  // valid for 2 more seconds
  const auto key = cache.key(token, "GET", "invoices");
  cache.store(key, token, granted("alice"), t.steady);
  Headers h;
  t.advance(1999ms);
  EXPECT_TRUE(cache.apply(key, h));
  t.advance(1ms);
  EXPECT_FALSE(cache.apply(key, h));
}

TEST(AuthCache, AnExpiredOrUnreadableJwtIsNeverKept) {
  FakeTime t;
  AuthDecisionCache cache({100, 60'000ms}, t.clock());
  const auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>(t.wall.time_since_epoch()).count();
  for (const std::string& token :
       {jwt_with_exp(now_s), jwt_with_exp(now_s - 10),
        "Bearer " + base64url_encode("{}") + "." + base64url_encode(R"({"sub":"x"})") + ".sig",
        "Bearer " + base64url_encode("{}") + "." + base64url_encode("not json") + ".sig"}) {
    const auto key = cache.key(token, "GET", "invoices");
    cache.store(key, token, granted("x"), t.steady);
    Headers h;
    EXPECT_FALSE(cache.apply(key, h)) << token;
  }
  EXPECT_EQ(cache.size(), 0u);
}

TEST(AuthCache, JwtExpiryIsReadOnlyFromThreePartBearerTokens) {
  EXPECT_FALSE(jwt_expiry("tim_abc.def"));
  EXPECT_FALSE(jwt_expiry("Bearer tim_abcdef"));
  EXPECT_FALSE(jwt_expiry("Bearer a.b.c.d"));
  EXPECT_FALSE(jwt_expiry("Basic dXNlcjpwYXNz"));
  const auto exp = jwt_expiry(jwt_with_exp(1'900'000'000));
  ASSERT_TRUE(exp);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(exp->time_since_epoch()).count(),
            1'900'000'000);
  EXPECT_EQ(jwt_expiry("bearer " + jwt_with_exp(1'900'000'000).substr(7)), exp);
}

TEST(AuthCache, MethodsAndRoutesAreDecidedApart) {
  AuthDecisionCache cache({100, 1000ms});
  const auto get = cache.key("tim_k1", "GET", "invoices");
  EXPECT_NE(get, cache.key("tim_k1", "POST", "invoices"));
  EXPECT_NE(get, cache.key("tim_k1", "GET", "events"));
  EXPECT_NE(get, cache.key("tim_k2", "GET", "invoices"));
  EXPECT_EQ(get, cache.key("tim_k1", "GET", "invoices"));
  // The separators keep the parts apart: ("GE", "Tinvoices") is not ("GET", "invoices").
  EXPECT_NE(get, cache.key("tim_k1", "GE", "Tinvoices"));
}

TEST(AuthCache, KeysDifferBetweenProcessesSoTheyCannotBeLookedUpFromOutside) {
  AuthDecisionCache a({100, 1000ms}), b({100, 1000ms});
  EXPECT_NE(a.key("tim_k1", "GET", "invoices"), b.key("tim_k1", "GET", "invoices"));
}

TEST(AuthCache, TheLeastRecentlyUsedEntryGoesFirstWhenFull) {
  FakeTime t;
  AuthDecisionCache cache({2, 1000ms}, t.clock());
  const auto k1 = cache.key("k1", "GET", "m"), k2 = cache.key("k2", "GET", "m"),
             k3 = cache.key("k3", "GET", "m");
  cache.store(k1, "k1", granted("1"), t.steady);
  cache.store(k2, "k2", granted("2"), t.steady);
  Headers h;
  ASSERT_TRUE(cache.apply(k1, h));  // k1 used: k2 is now the oldest
  cache.store(k3, "k3", granted("3"), t.steady);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.apply(k1, h));
  EXPECT_FALSE(cache.apply(k2, h));
  EXPECT_TRUE(cache.apply(k3, h));
}

TEST(AuthCache, ZeroEntriesTurnsItOff) {
  AuthDecisionCache cache({0, 1000ms});
  EXPECT_FALSE(cache.enabled());
  const auto key = cache.key("k1", "GET", "m");
  cache.store(key, "k1", granted("1"), std::chrono::steady_clock::now());
  Headers h;
  EXPECT_FALSE(cache.apply(key, h));
  EXPECT_EQ(cache.size(), 0u);
}

// The cache holds hashes, never the credential: neither its keys nor anything else it stores
// for an entry contains the credential's bytes (nor a 8-byte piece of them).
TEST(AuthCache, NoCredentialIsInTheCachesMemory) {
  AuthDecisionCache cache({100, 60'000ms});
  const std::string api_key = "tim_live_Zq8fV3xN0pL7sK2mW9rT4yB6";
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  const std::string jwt = jwt_with_exp(now_s + 3600);
  for (const auto& credential : {api_key, jwt}) {
    for (const char* method : {"GET", "POST"})
      cache.store(cache.key(credential, method, "invoices"), credential, granted("subject-1"),
                  std::chrono::steady_clock::now());
  }
  ASSERT_EQ(cache.size(), 4u);
  const auto contents = cache.contents();
  ASSERT_FALSE(contents.empty());
  for (const auto& credential : {api_key, jwt.substr(7)})
    for (const auto& bytes : contents)
      for (std::size_t at = 0; at + 8 <= credential.size(); ++at)
        EXPECT_EQ(bytes.find(credential.substr(at, 8)), std::string::npos)
            << "a piece of the credential is in the cache: " << credential.substr(at, 8);
}

#include "credentials/authorize.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "test_signer.hpp"

namespace tim::auth {
namespace {

using namespace std::chrono_literals;
using Outcome = Decision::Outcome;
using testing::TestSigner;

constexpr long long kNow = 1'800'000'000;
const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(kNow));
constexpr std::string_view kToken = "letmeinpleasekthxbye";

const TestSigner& signer() {
  static const TestSigner s = TestSigner::ec("ec-1");
  return s;
}

std::string jwt(std::string_view scope, long long exp = kNow + 300) {
  return signer().token(R"({"alg":"ES256","kid":"ec-1"})",
                        R"({"iss":"https://idp.example","aud":"tim","sub":"alice@idp","scope":")" +
                            std::string(scope) + "\",\"exp\":" + std::to_string(exp) + "}");
}

class AuthorizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    read_key_ = generate_api_key();
    write_key_ = generate_api_key();
    hooks_key_ = generate_api_key();
    const auto created = std::chrono::floor<std::chrono::seconds>(now);
    auto keys = KeySet::from_records(
        {{"reader", Scopes::read(), created, sha256(read_key_)},
         {"writer", Scopes::read() | Scopes::write(), created, sha256(write_key_)},
         {"hooks", Scopes::webhooks(), created, sha256(hooks_key_)}});
    ASSERT_TRUE(keys);
    creds_.token.emplace(kToken);
    creds_.keys = std::make_shared<const KeySet>(std::move(keys).value());
    auto jwks = parse_jwks(testing::jwks_of({signer().jwk()}));
    ASSERT_TRUE(jwks);
    creds_.jwks = std::make_shared<const Jwks>(std::move(jwks).value());
    creds_.jwt.issuer = "https://idp.example";
    creds_.jwt.audience = "tim";
  }

  Decision run(std::string_view method, std::vector<std::string_view> auth,
               std::string_view client = "203.0.113.9") {
    return authorize(creds_, limiter_, method, auth, client, now);
  }
  Decision run(std::string_view method, std::string_view auth) {
    return run(method, std::vector<std::string_view>{auth});
  }

  Credentials creds_;
  FailureLimiter limiter_{LimiterConfig{.burst = 5, .refill_interval = 60s, .max_addresses = 100}};
  std::string read_key_, write_key_, hooks_key_;
};

TEST_F(AuthorizeTest, TutorialHeaderIsOneKeyWithEveryScope) {
  for (std::string_view method : {"GET", "POST", "DELETE"}) {
    const Decision d = run(method, kToken);
    EXPECT_TRUE(d.allowed()) << method;
    EXPECT_EQ(d.status, 200);
    EXPECT_EQ(d.credential, CredentialKind::token);
    EXPECT_EQ(d.subject, "token");
    EXPECT_EQ(d.scopes, Scopes::all());
    EXPECT_EQ(d.error, "");
  }
  EXPECT_TRUE(run("GET", "Bearer letmeinpleasekthxbye").allowed());
  EXPECT_TRUE(run("GET", "bearer   letmeinpleasekthxbye").allowed());
  EXPECT_TRUE(run("GET", " letmeinpleasekthxbye ").allowed());  // OWS is not part of the value
}

TEST_F(AuthorizeTest, WrongTokensAreUnauthenticated) {
  for (std::string_view bad :
       {"letmeinpleasekthxby", "letmeinpleasekthxbyee", "LETMEINPLEASEKTHXBYE",
        "Basic letmeinpleasekthxbye", "Bearer", "Bearerletmeinpleasekthxbye"}) {
    const Decision d = run("GET", std::vector<std::string_view>{bad}, bad);  // one address each
    EXPECT_EQ(d.outcome, Outcome::unauthenticated) << bad;
    EXPECT_EQ(d.status, 401);
    EXPECT_EQ(d.error, "invalid_credentials");
    EXPECT_EQ(d.www_authenticate, R"(Bearer realm="tim", error="invalid_token")");
    EXPECT_EQ(log_subject(d), "unknown");
  }
}

TEST_F(AuthorizeTest, MissingCredentials) {
  for (auto auth : {std::vector<std::string_view>{}, std::vector<std::string_view>{""},
                    std::vector<std::string_view>{"  "}}) {
    const Decision d = run("GET", auth);
    EXPECT_EQ(d.status, 401);
    EXPECT_EQ(d.error, "missing_credentials");
    EXPECT_EQ(d.www_authenticate, R"(Bearer realm="tim")");
  }
  // Not a guess, so never rate limited.
  for (int i = 0; i < 50; ++i) run("GET", std::vector<std::string_view>{});
  EXPECT_EQ(run("GET", kToken).status, 200);
}

TEST_F(AuthorizeTest, DuplicateAuthorizationHeadersAreRefusedEvenIfValid) {
  const Decision both = run("GET", {kToken, kToken});
  EXPECT_EQ(both.status, 401);
  EXPECT_EQ(both.error, "invalid_credentials");
  EXPECT_EQ(run("GET", {"nope", kToken}).status, 401);
  EXPECT_EQ(run("GET", {kToken, ""}).status, 401);
  // A folded (comma-joined) pair is not a valid credential either.
  EXPECT_EQ(run("GET", "letmeinpleasekthxbye, letmeinpleasekthxbye").status, 401);
}

TEST_F(AuthorizeTest, ScopesByMethod) {
  EXPECT_EQ(required_scopes("GET"), Scopes::read());
  EXPECT_EQ(required_scopes("HEAD"), Scopes::read());
  EXPECT_EQ(required_scopes("OPTIONS"), Scopes::read());
  for (std::string_view m : {"POST", "PUT", "PATCH", "DELETE", "TRACE", "CONNECT", "get", "FOO"})
    EXPECT_EQ(required_scopes(m), Scopes::write()) << m;
}

TEST_F(AuthorizeTest, WebhooksNeedTheirOwnScopeWhateverTheMethod) {
  for (std::string_view target :
       {"/webhooks/", "/webhooks", "/webhooks/3?x=1", "/WebHooks/", "/%77ebhooks/", "//webhooks/"})
    for (std::string_view m : {"GET", "POST", "DELETE"}) {
      EXPECT_EQ(required_scopes(m, target), Scopes::webhooks()) << m << " " << target;
      const Decision writer =
          authorize(creds_, limiter_, m, std::vector<std::string_view>{write_key_}, "203.0.113.9",
                    now, target);
      EXPECT_EQ(writer.status, 403) << m << " " << target;
      EXPECT_EQ(writer.www_authenticate,
                R"(Bearer realm="tim", error="insufficient_scope", scope="webhooks:manage")");
      EXPECT_TRUE(authorize(creds_, limiter_, m, std::vector<std::string_view>{hooks_key_},
                            "203.0.113.9", now, target)
                      .allowed());
      // The tutorial's TOKEN has every scope.
      EXPECT_TRUE(authorize(creds_, limiter_, m, std::vector<std::string_view>{kToken},
                            "203.0.113.9", now, target)
                      .allowed());
    }
  for (std::string_view target : {"/invoices/1", "/webhooksx/", "/events/?type=webhooks"})
    EXPECT_EQ(required_scopes("GET", target), Scopes::read()) << target;
  // A webhooks key alone reads no invoices.
  EXPECT_EQ(authorize(creds_, limiter_, "GET", std::vector<std::string_view>{hooks_key_},
                      "203.0.113.9", now, "/invoices/1")
                .status,
            403);
  EXPECT_EQ(Scopes::from_name("webhooks:manage"), Scopes::webhooks());
  EXPECT_EQ(Scopes::all().to_string(','), "invoices:read,invoices:write,webhooks:manage");
}

TEST_F(AuthorizeTest, ApiKeysWithScopes) {
  for (std::string_view m : {"GET", "HEAD", "OPTIONS"}) {
    const Decision d = run(m, read_key_);
    EXPECT_TRUE(d.allowed()) << m;
    EXPECT_EQ(d.credential, CredentialKind::api_key);
    EXPECT_EQ(d.subject, "reader");
    EXPECT_EQ(d.scopes, Scopes::read());
  }
  for (std::string_view m : {"POST", "PUT", "PATCH", "DELETE", "TRACE"}) {
    const Decision d = run(m, read_key_);
    EXPECT_EQ(d.outcome, Outcome::forbidden) << m;
    EXPECT_EQ(d.status, 403);
    EXPECT_EQ(d.error, "insufficient_scope");
    EXPECT_EQ(d.subject, "reader");
    EXPECT_EQ(d.www_authenticate,
              R"(Bearer realm="tim", error="insufficient_scope", scope="invoices:write")");
  }
  const std::string bearer = "Bearer " + write_key_;
  const Decision w = run("POST", bearer);
  EXPECT_TRUE(w.allowed());
  EXPECT_EQ(w.subject, "writer");
  EXPECT_EQ(w.scopes.to_string(), "invoices:read invoices:write");
}

TEST_F(AuthorizeTest, UnknownApiKey) {
  const std::string unknown = generate_api_key();
  const Decision d = run("GET", unknown);
  EXPECT_EQ(d.status, 401);
  EXPECT_EQ(log_subject(d), "unknown");
  EXPECT_EQ(d.detail.find(unknown), std::string::npos);
  creds_.keys = nullptr;  // no key file
  EXPECT_EQ(run("GET", read_key_).status, 401);
}

TEST_F(AuthorizeTest, Jwts) {
  const std::string read = "Bearer " + jwt("openid invoices:read");
  const Decision d = run("GET", read);
  EXPECT_TRUE(d.allowed()) << d.detail;
  EXPECT_EQ(d.credential, CredentialKind::jwt);
  EXPECT_EQ(d.subject, "alice@idp");
  EXPECT_EQ(run("POST", read).status, 403);
  EXPECT_EQ(run("POST", "Bearer " + jwt("invoices:read invoices:write")).status, 200);
  EXPECT_EQ(run("GET", "Bearer " + jwt("openid")).status, 403);  // valid, but no scope of ours

  const std::string expired = "Bearer " + jwt("invoices:read", kNow - 3600);
  const Decision e = run("GET", expired);
  EXPECT_EQ(e.status, 401);
  EXPECT_NE(e.detail.find("expired"), std::string::npos);
  EXPECT_EQ(e.detail.find(expired.substr(7)), std::string::npos);

  creds_.jwks = nullptr;  // JWT not configured: refused, not crashed
  EXPECT_EQ(run("GET", read).status, 401);
}

TEST_F(AuthorizeTest, NoCredentialsConfiguredMeansNobodyGetsIn) {
  Credentials none;
  FailureLimiter l;
  EXPECT_EQ(authorize(none, l, "GET", std::vector<std::string_view>{kToken}, "a", now).status, 401);
  EXPECT_EQ(authorize(none, l, "GET", std::vector<std::string_view>{""}, "a", now).status, 401);
}

TEST_F(AuthorizeTest, RepeatedFailuresFromOneAddressAreRateLimited) {
  const std::string_view attacker = "198.51.100.7";
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(run("GET", {"guess" + std::to_string(i)}, attacker).status, 401) << i;
  const Decision d = run("GET", {"guess"}, attacker);
  EXPECT_EQ(d.outcome, Outcome::rate_limited);
  EXPECT_EQ(d.status, 429);
  EXPECT_EQ(d.error, "rate_limited");
  EXPECT_EQ(d.retry_after, 60s);
  // Wrong guesses, no credential and duplicate headers stay slowed down while it lasts.
  EXPECT_EQ(run("GET", {"guess-again"}, attacker).status, 429);
  EXPECT_EQ(run("GET", std::vector<std::string_view>{}, attacker).status, 429);
  EXPECT_EQ(run("GET", {kToken, kToken}, attacker).status, 429);
  // Other clients are not affected.
  EXPECT_EQ(run("GET", {kToken}, "203.0.113.50").status, 200);
  // Duplicate headers count as failures too.
  for (int i = 0; i < 5; ++i) run("GET", {kToken, kToken}, "192.0.2.1");
  EXPECT_EQ(run("GET", {"guess"}, "192.0.2.1").status, 429);
}

TEST_F(AuthorizeTest, ValidCredentialsFromALimitedAddressAreStillAdmitted) {
  // Everyone behind one NAT shares an address: another client's failures must not lock out a
  // valid credential, nor turn its missing scope into a 429.
  const std::string_view nat = "198.51.100.8";
  for (int i = 0; i < 6; ++i) run("GET", {"guess" + std::to_string(i)}, nat);
  ASSERT_EQ(run("GET", {"guess"}, nat).status, 429);
  EXPECT_EQ(run("GET", {kToken}, nat).status, 200);
  EXPECT_EQ(run("GET", {read_key_}, nat).status, 200);
  EXPECT_EQ(run("POST", {read_key_}, nat).status, 403);
  // ... and admitting them does not reset the limit for the guesser.
  EXPECT_EQ(run("GET", {"guess"}, nat).status, 429);
}

TEST_F(AuthorizeTest, ForbiddenIsNotCountedAsAFailure) {
  for (int i = 0; i < 20; ++i) EXPECT_EQ(run("POST", {read_key_}, "192.0.2.2").status, 403);
  EXPECT_EQ(run("GET", {read_key_}, "192.0.2.2").status, 200);
}

TEST_F(AuthorizeTest, LogSubjectNeverRevealsTheCredential) {
  EXPECT_EQ(log_subject(run("GET", read_key_)), "reader");
  EXPECT_EQ(log_subject(run("GET", kToken)), "token");
  EXPECT_EQ(log_subject(run("POST", read_key_)), "reader");
  for (const std::string& secret :
       {std::string(kToken) + "x", generate_api_key(), jwt("invoices:read", kNow - 3600)}) {
    const Decision d = run("GET", std::vector<std::string_view>{secret}, "192.0.2.3");
    EXPECT_EQ(log_subject(d), "unknown");
    EXPECT_EQ(d.detail.find(secret), std::string::npos);
    EXPECT_EQ(d.subject.find(secret), std::string::npos);
  }
  EXPECT_EQ(to_string(CredentialKind::api_key), "api_key");
  EXPECT_EQ(to_string(CredentialKind::none), "none");
}

}  // namespace
}  // namespace tim::auth

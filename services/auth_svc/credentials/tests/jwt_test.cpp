#include "credentials/jwt.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "credentials/crypto.hpp"
#include "test_signer.hpp"

namespace tim::auth {
namespace {

using testing::hs256_token;
using testing::jwks_of;
using testing::TestSigner;

constexpr long long kNow = 1'800'000'000;
const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(kNow));

// Keys are slow to make (RSA): once for the whole suite.
struct Keys {
  TestSigner rsa = TestSigner::rsa("rsa-1");
  TestSigner ec = TestSigner::ec("ec-1");
  TestSigner other_rsa = TestSigner::rsa("rsa-1");  // same kid, different key
};
const Keys& keys() {
  static const Keys k;
  return k;
}

std::string claims(const std::string& extra = "", long long exp = kNow + 300) {
  std::string c =
      R"({"iss":"https://idp.example","aud":"tim","sub":"user-42","scope":"openid invoices:read")";
  if (exp != 0) c += ",\"exp\":" + std::to_string(exp);
  return c + extra + "}";
}

std::string header(const TestSigner& s, const std::string& alg = "") {
  return "{\"alg\":\"" + (alg.empty() ? s.alg() : alg) + "\",\"typ\":\"JWT\",\"kid\":\"" + s.kid() +
         "\"}";
}

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto j = parse_jwks(jwks_of({keys().rsa.jwk(), keys().ec.jwk()}));
    ASSERT_TRUE(j) << j.error();
    jwks_ = std::move(j).value();
    config_.issuer = "https://idp.example";
    config_.audience = "tim";
  }
  Result<JwtIdentity> verify(const std::string& token) const {
    return verify_jwt(token, jwks_, config_, now);
  }
  void expect_refused(const std::string& token, const std::string& reason) const {
    auto r = verify(token);
    ASSERT_FALSE(r) << "accepted: " << reason;
    EXPECT_NE(r.error().find(reason), std::string::npos) << r.error();
    if (!token.empty()) {
      EXPECT_EQ(r.error().find(token), std::string::npos);  // never the token in a reason
    }
  }
  Jwks jwks_;
  JwtConfig config_;
};

TEST_F(JwtTest, AcceptsRs256AndEs256) {
  for (const TestSigner* s : {&keys().rsa, &keys().ec}) {
    auto r = verify(s->token(header(*s), claims()));
    ASSERT_TRUE(r) << s->alg() << ": " << r.error();
    EXPECT_EQ(r.value().subject, "user-42");
    EXPECT_EQ(r.value().scopes, Scopes::read());
  }
}

TEST_F(JwtTest, ScopeClaimMapsToOurScopes) {
  const auto& s = keys().ec;
  auto all = verify(s.token(header(s), claims(R"(,"scope":"invoices:write invoices:read")")));
  // A duplicated member: Boost.JSON keeps the lexically last one, as RFC 7515 section 4 allows.
  ASSERT_TRUE(all) << all.error();
  EXPECT_EQ(all.value().scopes, Scopes::read() | Scopes::write());
  std::string c = R"({"iss":"https://idp.example","aud":"tim","sub":"u","exp":)" +
                  std::to_string(kNow + 60) + "}";
  auto none = verify(s.token(header(s), c));
  ASSERT_TRUE(none) << none.error();
  EXPECT_EQ(none.value().scopes, Scopes::none());
  std::string bad =
      R"({"iss":"https://idp.example","aud":"tim","sub":"u","scope":["invoices:read"],"exp":)" +
      std::to_string(kNow + 60) + "}";
  expect_refused(s.token(header(s), bad), "scope");
}

TEST_F(JwtTest, AudienceMayBeAnArray) {
  const auto& s = keys().rsa;
  std::string c = R"({"iss":"https://idp.example","aud":["other","tim"],"sub":"u","exp":)" +
                  std::to_string(kNow + 60) + "}";
  EXPECT_TRUE(verify(s.token(header(s), c)));
  std::string wrong = R"({"iss":"https://idp.example","aud":["other"],"sub":"u","exp":)" +
                      std::to_string(kNow + 60) + "}";
  expect_refused(s.token(header(s), wrong), "audience");
  std::string single = R"({"iss":"https://idp.example","aud":"timx","sub":"u","exp":)" +
                       std::to_string(kNow + 60) + "}";
  expect_refused(s.token(header(s), single), "audience");
  std::string missing =
      R"({"iss":"https://idp.example","sub":"u","exp":)" + std::to_string(kNow + 60) + "}";
  expect_refused(s.token(header(s), missing), "audience");
}

TEST_F(JwtTest, IssuerMustMatch) {
  const auto& s = keys().rsa;
  std::string c = R"({"iss":"https://evil.example","aud":"tim","sub":"u","exp":)" +
                  std::to_string(kNow + 60) + "}";
  expect_refused(s.token(header(s), c), "issuer");
}

TEST_F(JwtTest, ExpiryWithClockSkew) {
  const auto& s = keys().ec;
  EXPECT_TRUE(verify(s.token(header(s), claims("", kNow - 30))));  // within 60 s skew
  expect_refused(s.token(header(s), claims("", kNow - 60)), "expired");
  expect_refused(s.token(header(s), claims("", kNow - 86400)), "expired");
  expect_refused(s.token(header(s), claims("", 0)), "exp");  // exp is required
  expect_refused(s.token(header(s), claims(R"(,"exp":"soon")", 0)), "exp");
  EXPECT_TRUE(verify(s.token(header(s), claims(R"(,"exp":1800000100.5)", 0))));
  config_.leeway = std::chrono::seconds(0);
  expect_refused(s.token(header(s), claims("", kNow - 1)), "expired");
}

TEST_F(JwtTest, NotBeforeWithClockSkew) {
  const auto& s = keys().rsa;
  EXPECT_TRUE(verify(s.token(header(s), claims(",\"nbf\":" + std::to_string(kNow + 30)))));
  expect_refused(s.token(header(s), claims(",\"nbf\":" + std::to_string(kNow + 120))), "nbf");
  expect_refused(s.token(header(s), claims(R"(,"nbf":null)")), "nbf");
}

TEST_F(JwtTest, SubjectMustBeUsableInAHeader) {
  const auto& s = keys().rsa;
  auto with_sub = [&](const std::string& sub) {
    return s.token(header(s), R"({"iss":"https://idp.example","aud":"tim","exp":)" +
                                  std::to_string(kNow + 60) + ",\"sub\":" + sub + "}");
  };
  expect_refused(with_sub("\"a b\""), "sub");
  expect_refused(with_sub("\"a\\r\\nx-auth-subject: admin\""), "sub");
  expect_refused(with_sub("\"\""), "sub");
  expect_refused(with_sub("42"), "sub");
  expect_refused(s.token(header(s), R"({"iss":"https://idp.example","aud":"tim","exp":)" +
                                        std::to_string(kNow + 60) + "}"),
                 "sub");
}

TEST_F(JwtTest, RefusesAlgNone) {
  const std::string payload = base64url_encode(claims());
  const std::string none_header = base64url_encode(R"({"alg":"none","kid":"rsa-1"})");
  expect_refused(none_header + "." + payload + ".", "unsigned");
  expect_refused(none_header + "." + payload + ".AAAA", "none");
  expect_refused(base64url_encode(R"({"alg":"None","kid":"rsa-1"})") + "." + payload + ".AAAA",
                 "not allowed");
}

TEST_F(JwtTest, RefusesHsRsConfusion) {
  // The attacker signs HS256 with the server's *public* key as the HMAC secret.
  const auto& s = keys().rsa;
  for (const std::string& secret : {s.public_pem(), s.jwk()})
    expect_refused(hs256_token(secret, header(s, "HS256"), claims()), "HMAC");
  expect_refused(hs256_token(s.public_pem(), header(s, "HS512"), claims()), "HMAC");
  // oct keys in the JWKS are never loaded, so no key could verify an HMAC anyway.
  auto j = parse_jwks(jwks_of({R"({"kty":"oct","kid":"h","k":"c2VjcmV0"})", keys().ec.jwk()}));
  ASSERT_TRUE(j);
  EXPECT_EQ(j.value().keys().size(), 1u);
  EXPECT_EQ(j.value().skipped().size(), 1u);
}

TEST_F(JwtTest, RefusesAlgKeyTypeMismatch) {
  // RS256 header pointing at the EC key, ES256 at the RSA key.
  const auto& rsa = keys().rsa;
  const auto& ec = keys().ec;
  expect_refused(rsa.token(R"({"alg":"RS256","kid":"ec-1"})", claims()), "key type");
  expect_refused(ec.token(R"({"alg":"ES256","kid":"rsa-1"})", claims()), "key type");
  expect_refused(rsa.token(R"({"alg":"PS256","kid":"rsa-1"})", claims()), "not allowed");
  expect_refused(ec.token(R"({"alg":"ES384","kid":"ec-1"})", claims()), "not allowed");
}

TEST_F(JwtTest, RefusesBadSignatures) {
  const auto& s = keys().rsa;
  const std::string good = s.token(header(s), claims());
  // Payload swapped for one granting more, signature kept.
  const auto dot1 = good.find('.'), dot2 = good.rfind('.');
  const std::string forged = good.substr(0, dot1 + 1) +
                             base64url_encode(claims(R"(,"scope":"invoices:write")")) +
                             good.substr(dot2);
  expect_refused(forged, "bad signature");
  // Same kid, another key.
  expect_refused(keys().other_rsa.token(header(s), claims()), "bad signature");
  // ES256 signature in DER instead of r||s, and a truncated one.
  const auto& e = keys().ec;
  const std::string et = e.token(header(e), claims());
  expect_refused(et.substr(0, et.rfind('.') + 1) + base64url_encode(std::string(70, '\x30')),
                 "ES256 signature length");
  expect_refused(et.substr(0, et.size() - 4), "");
  // Flipped last signature bit.
  std::string sig = *base64url_decode(et.substr(et.rfind('.') + 1));
  sig.back() ^= 1;
  expect_refused(et.substr(0, et.rfind('.') + 1) + base64url_encode(sig), "bad signature");
}

TEST_F(JwtTest, KidSelection) {
  const auto& s = keys().rsa;
  expect_refused(s.token(R"({"alg":"RS256","kid":"nope"})", claims()), "unknown kid");
  expect_refused(s.token(R"({"alg":"RS256"})", claims()), "no kid");
  expect_refused(s.token(R"({"alg":"RS256","kid":7})", claims()), "kid");
  // One key without a kid in the JWKS: a token without kid uses it.
  auto single = parse_jwks(jwks_of({s.jwk(false)}));
  ASSERT_TRUE(single) << single.error();
  EXPECT_TRUE(verify_jwt(s.token(R"({"alg":"RS256"})", claims()), single.value(), config_, now));
}

TEST_F(JwtTest, RefusesMalformedTokens) {
  const auto& s = keys().ec;
  const std::string good = s.token(header(s), claims());
  expect_refused("", "three parts");
  expect_refused("a.b", "three parts");
  expect_refused(good + ".x", "three parts");
  expect_refused("." + good.substr(good.find('.') + 1), "empty");
  expect_refused("e30+." + good.substr(good.find('.') + 1), "base64url");  // '+' not url-safe
  expect_refused(base64url_encode(header(s)) + "=." + good.substr(good.find('.') + 1), "base64url");
  expect_refused(s.token("not json", claims()), "header");
  expect_refused(s.token("[1,2]", claims()), "header");
  expect_refused(s.token(R"({"typ":"JWT"})", claims()), "alg");
  expect_refused(s.token(R"({"alg":"ES256","kid":"ec-1","crit":["exp"]})", claims()), "critical");
  expect_refused(s.token(header(s), "not json"), "payload");
  // Signed but absurdly nested: refused by the parser's depth limit, no stack exhaustion.
  expect_refused(s.token(header(s), std::string(2000, '[') + std::string(2000, ']')), "payload");
}

TEST_F(JwtTest, RefusesHugeTokens) {
  const auto& s = keys().rsa;
  const std::string big = s.token(header(s), claims(",\"pad\":\"" + std::string(9000, 'x') + "\""));
  expect_refused(big, "too large");
  config_.max_token_bytes = 64 * 1024;
  EXPECT_TRUE(verify(big));
}

TEST_F(JwtTest, NeedsIssuerAndAudienceConfigured) {
  const auto& s = keys().rsa;
  config_.audience.clear();
  expect_refused(s.token(header(s), claims()), "not configured");
}

TEST(Jwks, Errors) {
  EXPECT_FALSE(parse_jwks("nope"));
  EXPECT_FALSE(parse_jwks("{}"));
  EXPECT_FALSE(parse_jwks(R"({"keys":[]})"));
  EXPECT_FALSE(parse_jwks(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})"));  // no usable key
  const auto& k = keys();
  EXPECT_FALSE(parse_jwks(jwks_of({k.rsa.jwk(), k.other_rsa.jwk()})));  // duplicate kid
  EXPECT_FALSE(parse_jwks(jwks_of({k.rsa.jwk(false), k.ec.jwk()})));    // several, one without kid
  auto weak = parse_jwks(jwks_of({TestSigner::rsa("weak", 1024).jwk()}));
  ASSERT_FALSE(weak);
  EXPECT_NE(weak.error().find("2048"), std::string::npos);
  // A point that is not on P-256.
  std::string off_curve = k.ec.jwk();
  const auto y = off_curve.find("\"y\":\"") + 5;
  off_curve[y] = off_curve[y] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(parse_jwks(jwks_of({off_curve})));
  EXPECT_FALSE(parse_jwks(R"({"keys":[{"kty":"RSA","kid":"r","n":"!!","e":"AQAB"}]})"));
  EXPECT_FALSE(parse_jwks(R"({"keys":[{"kty":"EC","crv":"P-256","kid":"e","x":"AQ","y":"AQ"}]})"));
}

TEST(Jwks, SkipsKeysNotForRs256OrEs256Signing) {
  const auto& k = keys();
  std::string enc = k.ec.jwk();
  enc.replace(enc.find("\"use\":\"sig\""), 11, "\"use\":\"enc\"");
  auto j = parse_jwks(
      jwks_of({enc, k.rsa.jwk(), R"({"kty":"EC","crv":"P-384","kid":"p384","x":"AA","y":"AA"})",
               R"({"kty":"OKP","crv":"Ed25519","kid":"ed","x":"AA"})"}));
  ASSERT_TRUE(j) << j.error();
  EXPECT_EQ(j.value().keys().size(), 1u);
  EXPECT_EQ(j.value().skipped().size(), 3u);
}

TEST(Jwks, LoadFile) {
  const auto path =
      std::filesystem::temp_directory_path() / ("tim_jwks_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << jwks_of({keys().ec.jwk()});
  auto j = load_jwks_file(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(j) << j.error();
  EXPECT_EQ(j.value().keys().front().kid, "ec-1");
  auto missing = load_jwks_file(path.string());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find(path.string()), std::string::npos);
}

}  // namespace
}  // namespace tim::auth

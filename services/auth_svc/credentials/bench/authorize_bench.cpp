// CPU time of one authorize() call, as auth_svc makes it for every request through the gateway
// (a key check costs under 20 µs of CPU). Plain logic only: no HTTP, no logging.
//   build/release/services/auth_svc/credentials/bench/authorize_bench
// Keys are real (generate_api_key, SHA-256 in a KeySet); JWTs are signed with real RSA-2048 and
// P-256 keys (the unit tests' TestSigner) and checked against a JWKS holding both.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "credentials/authorize.hpp"
#include "test_signer.hpp"

namespace {

using namespace tim::auth;
using namespace std::chrono_literals;
using tim::auth::testing::TestSigner;

constexpr long long kNow = 1'800'000'000;
const auto kNowPoint = std::chrono::system_clock::time_point(std::chrono::seconds(kNow));
constexpr std::string_view kToken = "letmeinpleasekthxbye";
constexpr std::string_view kClient = "203.0.113.9";

const TestSigner& rsa_signer() {
  static const TestSigner s = TestSigner::rsa("rsa-1");
  return s;
}
const TestSigner& ec_signer() {
  static const TestSigner s = TestSigner::ec("ec-1");
  return s;
}

std::string jwt(const TestSigner& signer) {
  return "Bearer " + signer.token(R"({"alg":")" + signer.alg() + R"(","typ":"JWT","kid":")" +
                                      signer.kid() + R"("})",
                                  R"({"iss":"https://idp.example","aud":"tim","sub":"alice@idp",)"
                                  R"("scope":"invoices:read invoices:write","exp":)" +
                                      std::to_string(kNow + 300) + "}");
}

// TOKEN, `key_count` API keys and a JWKS with one RSA and one EC key; `present` is one of the
// keys (the middle one), as a client would send it.
struct Setup {
  Credentials credentials;
  std::string present;
};

Setup make_setup(std::size_t key_count) {
  Setup s;
  s.credentials.token.emplace(kToken);
  const auto created = std::chrono::floor<std::chrono::seconds>(kNowPoint);
  std::vector<KeyRecord> records;
  records.reserve(key_count);
  for (std::size_t i = 0; i < key_count; ++i) {
    std::string key = generate_api_key();
    if (i == key_count / 2) s.present = key;
    records.push_back({"key-" + std::to_string(i), Scopes::all(), created, sha256(key)});
  }
  auto keys = KeySet::from_records(std::move(records));
  if (!keys) throw std::runtime_error("key set: " + keys.error());
  s.credentials.keys = std::make_shared<const KeySet>(std::move(keys).value());
  auto jwks = parse_jwks(tim::auth::testing::jwks_of({rsa_signer().jwk(), ec_signer().jwk()}));
  if (!jwks) throw std::runtime_error("jwks: " + jwks.error());
  s.credentials.jwks = std::make_shared<const Jwks>(std::move(jwks).value());
  s.credentials.jwt.issuer = "https://idp.example";
  s.credentials.jwt.audience = "tim";
  return s;
}

const Setup& setup(std::size_t key_count) {
  static const Setup one = make_setup(1), thousand = make_setup(1000),
                     ten_thousand = make_setup(10000);
  switch (key_count) {
    case 1:
      return one;
    case 1000:
      return thousand;
    default:
      return ten_thousand;
  }
}

// Failures never block in these runs (except BM_RateLimited): the limiter is measured, not hit.
LimiterConfig never_blocks() {
  return {
      .burst = std::numeric_limits<double>::max(), .refill_interval = 1h, .max_addresses = 10000};
}

void run(benchmark::State& state, const Credentials& credentials, FailureLimiter& limiter,
         std::string_view authorization, int expected_status) {
  const std::string_view values[] = {authorization};
  for (auto _ : state) {
    Decision d = authorize(credentials, limiter, "GET", values, kClient, kNowPoint);
    benchmark::DoNotOptimize(d);
    if (d.status != expected_status) {
      state.SkipWithError(("unexpected status " + std::to_string(d.status)).c_str());
      break;
    }
  }
}

void BM_Token(benchmark::State& state) {
  FailureLimiter limiter(never_blocks());
  run(state, setup(1000).credentials, limiter, kToken, 200);
}
BENCHMARK(BM_Token);

// Arg: API keys loaded.
void BM_ApiKey(benchmark::State& state) {
  const Setup& s = setup(static_cast<std::size_t>(state.range(0)));
  FailureLimiter limiter(never_blocks());
  run(state, s.credentials, limiter, s.present, 200);
}
BENCHMARK(BM_ApiKey)->Arg(1)->Arg(1000)->Arg(10000);

void BM_JwtRs256(benchmark::State& state) {
  const std::string token = jwt(rsa_signer());
  FailureLimiter limiter(never_blocks());
  run(state, setup(1000).credentials, limiter, token, 200);
}
BENCHMARK(BM_JwtRs256);

void BM_JwtEs256(benchmark::State& state) {
  const std::string token = jwt(ec_signer());
  FailureLimiter limiter(never_blocks());
  run(state, setup(1000).credentials, limiter, token, 200);
}
BENCHMARK(BM_JwtEs256);

// A well-formed key that is not in the set (10000 loaded): 401, counted by the limiter.
void BM_UnknownApiKey(benchmark::State& state) {
  const std::string wrong = generate_api_key();
  FailureLimiter limiter(never_blocks());
  run(state, setup(10000).credentials, limiter, wrong, 401);
}
BENCHMARK(BM_UnknownApiKey);

// An ES256 JWT whose signature does not verify (one signature byte changed): 401.
void BM_BadJwtSignature(benchmark::State& state) {
  std::string token = jwt(ec_signer());
  char& c = token[token.size() - 10];
  c = c == 'A' ? 'B' : 'A';
  FailureLimiter limiter(never_blocks());
  run(state, setup(1000).credentials, limiter, token, 401);
}
BENCHMARK(BM_BadJwtSignature);

// An address over its failure budget: 429 before any credential is looked at.
void BM_RateLimited(benchmark::State& state) {
  FailureLimiter limiter(LimiterConfig{.burst = 1, .refill_interval = 1h, .max_addresses = 10000});
  limiter.record_failure(kClient, kNowPoint);
  limiter.record_failure(kClient, kNowPoint);
  run(state, setup(1000).credentials, limiter, kToken, 429);
}
BENCHMARK(BM_RateLimited);

}  // namespace

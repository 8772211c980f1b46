// auth_svc's JWT reading. The first byte picks:
//  0: the input is a token, verified against a fixed JWKS (the parts, base64url, header JSON);
//  1: the input is "header JSON \n claims JSON", signed here with the JWKS's key, so that the
//     claims reader (read only once the signature holds) is reached too;
//  2: the input is a JWKS document.
// Refusals are failed Results; an exception escaping or a crash is a finding.
#include "credentials/jwt.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "credentials/tests/test_signer.hpp"

namespace {

using tim::auth::testing::TestSigner;

struct Keys {
  TestSigner signer = TestSigner::ec("fuzz-key");
  tim::auth::Jwks jwks = tim::auth::parse_jwks(tim::auth::testing::jwks_of({signer.jwk()})).value();
  tim::auth::JwtConfig config{"https://issuer.example", "tim", std::chrono::seconds{60}, 8192};
};

const Keys& keys() {
  static const Keys k;
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto& k = keys();
  const auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1'800'000'000}};
  switch (data[0] % 3) {
    case 0:
      (void)tim::auth::verify_jwt(text, k.jwks, k.config, now);
      break;
    case 1: {
      const auto split = text.find('\n');
      if (split == std::string_view::npos) break;
      const auto token = k.signer.token(text.substr(0, split), text.substr(split + 1));
      (void)tim::auth::verify_jwt(token, k.jwks, k.config, now);
      break;
    }
    default:
      (void)tim::auth::parse_jwks(text);
      break;
  }
  return 0;
}

// JWT access tokens from an identity provider: RS256 or ES256, keys from a JWKS file.
//
// Only the asymmetric algorithms are accepted and each key is bound to one algorithm by its
// type (RSA -> RS256, EC P-256 -> ES256), so "alg":"none", HS256 signed with the public key
// (HS/RS confusion) and an RS256 header pointing at an EC key are all refused. Symmetric ("oct")
// keys in the JWKS are never loaded.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "credentials/result.hpp"
#include "credentials/scopes.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace tim::auth {

struct JwtConfig {
  std::string issuer;               // `iss` must equal this; required
  std::string audience;             // `aud` (string or array) must contain this; required
  std::chrono::seconds leeway{60};  // clock skew allowed on exp and nbf
  std::size_t max_token_bytes = 8192;
};

// An immutable set of verification keys, by kid.
class Jwks {
 public:
  enum class KeyType { rsa, ec_p256 };
  struct Key {
    std::string kid;  // may be empty when the JWKS has a single key without one
    KeyType type;
    std::shared_ptr<evp_pkey_st> pkey;
  };

  const std::vector<Key>& keys() const noexcept { return keys_; }
  // Keys the JWKS listed that we do not use (other types, "use":"enc", …), for a log line.
  const std::vector<std::string>& skipped() const noexcept { return skipped_; }

 private:
  friend Result<Jwks> parse_jwks(std::string_view json);
  std::vector<Key> keys_;
  std::vector<std::string> skipped_;
};

// {"keys":[{"kty":"RSA","kid":"…","n":"…","e":"…"}, {"kty":"EC","crv":"P-256","x":"…","y":"…"}]}
// Keys of other types or with "use" other than "sig" are skipped; a malformed usable key, a
// duplicate kid, an RSA key under 2048 bits or no usable key at all is an error.
Result<Jwks> parse_jwks(std::string_view json);
Result<Jwks> load_jwks_file(const std::string& path);

struct JwtIdentity {
  std::string subject;  // `sub`: printable ASCII, no spaces, at most 256 characters
  Scopes scopes;        // from the space-separated `scope` claim; unknown names ignored
};

// Verifies signature first, then claims: exp (required), nbf (optional), iss, aud, sub.
// The error is a short reason for logs ("expired", "bad signature", …); it never contains the
// token.
Result<JwtIdentity> verify_jwt(std::string_view token, const Jwks& jwks, const JwtConfig& config,
                               std::chrono::system_clock::time_point now);

}  // namespace tim::auth

// Test helper (not product code): real RSA and EC P-256 keys made with OpenSSL, their public
// JWKs, and JWS compact tokens signed with them.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

struct evp_pkey_st;

namespace tim::auth::testing {

class TestSigner {
 public:
  static TestSigner rsa(std::string kid, int bits = 2048);
  static TestSigner ec(std::string kid);

  const std::string& kid() const { return kid_; }
  std::string alg() const { return is_ec_ ? "ES256" : "RS256"; }
  // The public key as a JWK object (JSON text); with_kid=false leaves "kid" out.
  std::string jwk(bool with_kid = true) const;
  // The public key in PEM, what an HS/RS confusion attacker would use as the HMAC secret.
  std::string public_pem() const;
  // JWS signature bytes (RS256: PKCS#1 v1.5; ES256: raw r||s) over the signing input.
  std::string signature(std::string_view signing_input) const;
  // base64url(header) "." base64url(payload) "." base64url(signature).
  std::string token(std::string_view header_json, std::string_view payload_json) const;

 private:
  std::string kid_;
  bool is_ec_ = false;
  std::shared_ptr<evp_pkey_st> key_;
};

// {"keys":[jwk, …]}
std::string jwks_of(std::initializer_list<std::string> jwks);

// An HS256 token with the given secret, for the confusion attack.
std::string hs256_token(std::string_view secret, std::string_view header_json,
                        std::string_view payload_json);

}  // namespace tim::auth::testing

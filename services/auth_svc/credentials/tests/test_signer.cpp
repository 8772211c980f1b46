#include "test_signer.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>

#include "credentials/crypto.hpp"

namespace tim::auth::testing {

namespace {
void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL failed: ") + what);
}

std::string bn_param(EVP_PKEY* key, const char* name, int pad) {
  BIGNUM* bn = nullptr;
  check(EVP_PKEY_get_bn_param(key, name, &bn) == 1, name);
  std::string out(static_cast<std::size_t>(pad > 0 ? pad : BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}
}  // namespace

TestSigner TestSigner::rsa(std::string kid, int bits) {
  TestSigner s;
  s.kid_ = std::move(kid);
  s.key_.reset(EVP_RSA_gen(static_cast<unsigned>(bits)), &EVP_PKEY_free);
  check(s.key_ != nullptr, "RSA keygen");
  return s;
}

TestSigner TestSigner::ec(std::string kid) {
  TestSigner s;
  s.kid_ = std::move(kid);
  s.is_ec_ = true;
  s.key_.reset(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  check(s.key_ != nullptr, "EC keygen");
  return s;
}

std::string TestSigner::jwk(bool with_kid) const {
  std::string out = "{";
  if (with_kid) out += "\"kid\":\"" + kid_ + "\",";
  if (is_ec_) {
    out += "\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"sig\",\"x\":\"" +
           base64url_encode(bn_param(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32)) + "\",\"y\":\"" +
           base64url_encode(bn_param(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32)) + "\"}";
  } else {
    out += "\"kty\":\"RSA\",\"alg\":\"RS256\",\"n\":\"" +
           base64url_encode(bn_param(key_.get(), OSSL_PKEY_PARAM_RSA_N, 0)) + "\",\"e\":\"" +
           base64url_encode(bn_param(key_.get(), OSSL_PKEY_PARAM_RSA_E, 0)) + "\"}";
  }
  return out;
}

std::string TestSigner::public_pem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  check(PEM_write_bio_PUBKEY(bio.get(), key_.get()) == 1, "PEM");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string TestSigner::signature(std::string_view input) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  check(EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key_.get()) == 1, "sign init");
  std::size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  check(EVP_DigestSign(md.get(), nullptr, &len, data, input.size()) == 1, "sign size");
  std::string sig(len, '\0');
  check(EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                       input.size()) == 1,
        "sign");
  sig.resize(len);
  if (!is_ec_) return sig;
  // DER ECDSA-Sig-Value -> JWS r||s
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  check(es != nullptr, "d2i_ECDSA_SIG");
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(es);
  return raw;
}

std::string TestSigner::token(std::string_view header_json, std::string_view payload_json) const {
  const std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  return input + "." + base64url_encode(signature(input));
}

std::string jwks_of(std::initializer_list<std::string> jwks) {
  std::string out = "{\"keys\":[";
  bool first = true;
  for (const auto& k : jwks) {
    if (!first) out += ",";
    out += k;
    first = false;
  }
  return out + "]}";
}

std::string hs256_token(std::string_view secret, std::string_view header_json,
                        std::string_view payload_json) {
  const std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  check(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
             &len) != nullptr,
        "HMAC");
  return input + "." + base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

}  // namespace tim::auth::testing

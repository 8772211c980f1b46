#include "credentials/jwt.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json.hpp>
#include <cmath>

#include "credentials/crypto.hpp"
#include "credentials/file_io.hpp"

namespace tim::auth {

namespace json = boost::json;

namespace {

using Pkey = std::shared_ptr<EVP_PKEY>;
constexpr std::size_t kMaxJwksBytes = 1024 * 1024;

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

Bn bn_from(std::string_view bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()), nullptr));
}

// Builds a public key from OSSL_PARAMs and runs OpenSSL's public-key check on it
// (point on the curve, sane RSA exponent).
Pkey pkey_from_params(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld),
                                                                 &OSSL_PARAM_free);
  if (!params) return nullptr;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return nullptr;
  Pkey key(raw, &EVP_PKEY_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr), &EVP_PKEY_CTX_free);
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

struct BldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};

Result<Pkey> rsa_key(std::string_view n_b64, std::string_view e_b64) {
  const auto n = base64url_decode(n_b64);
  const auto e = base64url_decode(e_b64);
  if (!n || !e || n->empty() || e->empty() || e->size() > 8)
    return Result<Pkey>::failure("bad \"n\" or \"e\"");
  Bn bn_n = bn_from(*n), bn_e = bn_from(*e);
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()))
    return Result<Pkey>::failure("out of memory");
  Pkey key = pkey_from_params("RSA", bld.get());
  if (!key) return Result<Pkey>::failure("not a valid RSA public key");
  if (EVP_PKEY_get_bits(key.get()) < 2048)
    return Result<Pkey>::failure("RSA key shorter than 2048 bits");
  return key;
}

Result<Pkey> ec_key(std::string_view x_b64, std::string_view y_b64) {
  const auto x = base64url_decode(x_b64);
  const auto y = base64url_decode(y_b64);
  if (!x || !y || x->size() != 32 || y->size() != 32)
    return Result<Pkey>::failure("\"x\" and \"y\" must be 32 bytes each");
  const std::string point = std::string(1, '\x04') + *x + *y;  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size()))
    return Result<Pkey>::failure("out of memory");
  Pkey key = pkey_from_params("EC", bld.get());
  if (!key) return Result<Pkey>::failure("not a valid P-256 public key");
  return key;
}

std::string_view str_field(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (!v || !v->is_string()) return {};
  return v->get_string();
}

json::parse_options strict_options() {
  json::parse_options opt;
  opt.max_depth = 16;  // JWTs and JWKS are shallow; deep nesting is an attack, not data
  return opt;
}

std::optional<json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, strict_options());
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

// A JSON NumericDate as seconds since the epoch; nullopt when not a finite number.
std::optional<double> numeric_date(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double() && std::isfinite(v.get_double())) return v.get_double();
  return std::nullopt;
}

bool safe_subject(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (char c : s)
    if (c < 0x21 || c > 0x7e) return false;  // no controls, spaces or non-ASCII in a header
  return true;
}

// JWS ES256 signatures are r||s (32 bytes each); OpenSSL verifies DER.
std::optional<std::string> ecdsa_raw_to_der(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (!sig) return std::nullopt;
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  if (!r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool verify_sha256(EVP_PKEY* key, std::string_view data, std::string_view sig) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key) != 1) return false;
  return EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

}  // namespace

Result<Jwks> parse_jwks(std::string_view text) {
  const auto doc = parse_object(text);
  if (!doc) return Result<Jwks>::failure("not a JSON object");
  const auto* keys = doc->if_contains("keys");
  if (!keys || !keys->is_array()) return Result<Jwks>::failure("\"keys\" must be an array");
  Jwks out;
  std::size_t index = 0;
  for (const auto& kv : keys->get_array()) {
    ++index;
    const auto* k = kv.if_object();
    if (!k) return Result<Jwks>::failure("key " + std::to_string(index) + " is not an object");
    const std::string kid(str_field(*k, "kid"));
    const std::string where =
        "key " + std::to_string(index) + (kid.empty() ? "" : " (" + kid + ")");
    const auto kty = str_field(*k, "kty");
    const auto use = str_field(*k, "use");
    const auto alg = str_field(*k, "alg");
    const bool rsa = kty == "RSA" && (alg.empty() || alg == "RS256");
    const bool ec =
        kty == "EC" && str_field(*k, "crv") == "P-256" && (alg.empty() || alg == "ES256");
    if ((!rsa && !ec) || (k->contains("use") && use != "sig")) {
      out.skipped_.push_back(where);  // encryption keys, oct keys, other curves or algorithms
      continue;
    }
    auto key = rsa ? rsa_key(str_field(*k, "n"), str_field(*k, "e"))
                   : ec_key(str_field(*k, "x"), str_field(*k, "y"));
    if (!key) return Result<Jwks>::failure(where + ": " + key.error());
    for (const auto& existing : out.keys_)
      if (existing.kid == kid) return Result<Jwks>::failure(where + ": duplicate kid");
    out.keys_.push_back(
        {kid, rsa ? Jwks::KeyType::rsa : Jwks::KeyType::ec_p256, std::move(key).value()});
  }
  if (out.keys_.empty()) return Result<Jwks>::failure("no RS256 or ES256 signing key");
  if (out.keys_.size() > 1)
    for (const auto& key : out.keys_)
      if (key.kid.empty()) return Result<Jwks>::failure("several keys: every key needs a \"kid\"");
  return out;
}

Result<Jwks> load_jwks_file(const std::string& path) {
  auto text = read_small_file(path, kMaxJwksBytes);
  if (!text) return Result<Jwks>::failure(text.error());
  auto jwks = parse_jwks(text.value());
  if (!jwks) return Result<Jwks>::failure(path + ": " + jwks.error());
  return jwks;
}

Result<JwtIdentity> verify_jwt(std::string_view token, const Jwks& jwks, const JwtConfig& config,
                               std::chrono::system_clock::time_point now) {
  using R = Result<JwtIdentity>;
  if (config.issuer.empty() || config.audience.empty())
    return R::failure("JWT not configured (issuer and audience required)");
  if (token.size() > config.max_token_bytes) return R::failure("token too large");
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return R::failure("not a compact JWS (three parts)");
  const auto header_b64 = token.substr(0, dot1);
  const auto payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const auto sig_b64 = token.substr(dot2 + 1);
  if (header_b64.empty() || payload_b64.empty() || sig_b64.empty())
    return R::failure("empty JWS part (unsigned token)");

  const auto header_text = base64url_decode(header_b64);
  if (!header_text) return R::failure("header is not base64url");
  const auto header = parse_object(*header_text);
  if (!header) return R::failure("header is not a JSON object");
  const auto* alg_v = header->if_contains("alg");
  if (!alg_v || !alg_v->is_string()) return R::failure("header has no alg");
  const std::string_view alg = alg_v->get_string();
  Jwks::KeyType want;
  if (alg == "RS256")
    want = Jwks::KeyType::rsa;
  else if (alg == "ES256")
    want = Jwks::KeyType::ec_p256;
  else if (alg == "none")
    return R::failure("alg none refused");
  else if (alg.starts_with("HS"))
    return R::failure("HMAC algorithm refused");
  else
    return R::failure("algorithm not allowed");
  if (header->contains("crit")) return R::failure("critical header extensions not supported");
  const auto* kid_v = header->if_contains("kid");
  if (kid_v && !kid_v->is_string()) return R::failure("kid is not a string");

  const Jwks::Key* key = nullptr;
  if (kid_v) {
    for (const auto& k : jwks.keys())
      if (k.kid == kid_v->get_string()) key = &k;
    if (!key) return R::failure("unknown kid");
  } else if (jwks.keys().size() == 1) {
    key = &jwks.keys().front();  // a single key needs no kid
  } else {
    return R::failure("no kid and several keys");
  }
  if (key->type != want) return R::failure("alg does not match the key type");

  const auto sig = base64url_decode(sig_b64);
  if (!sig) return R::failure("signature is not base64url");
  std::string der;
  if (want == Jwks::KeyType::ec_p256) {
    auto d = ecdsa_raw_to_der(*sig);
    if (!d) return R::failure("bad ES256 signature length");
    der = std::move(*d);
  }
  const std::string_view signing_input = token.substr(0, dot2);
  if (!verify_sha256(key->pkey.get(), signing_input, der.empty() ? *sig : der))
    return R::failure("bad signature");

  // Claims are read only once the signature holds.
  const auto payload_text = base64url_decode(payload_b64);
  if (!payload_text) return R::failure("payload is not base64url");
  const auto claims = parse_object(*payload_text);
  if (!claims) return R::failure("payload is not a JSON object");

  const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  const double leeway = static_cast<double>(config.leeway.count());
  const auto* exp_v = claims->if_contains("exp");
  const auto exp = exp_v ? numeric_date(*exp_v) : std::nullopt;
  if (!exp) return R::failure("no valid exp");
  if (now_s >= *exp + leeway) return R::failure("expired");
  if (const auto* nbf_v = claims->if_contains("nbf")) {
    const auto nbf = numeric_date(*nbf_v);
    if (!nbf) return R::failure("nbf is not a number");
    if (now_s + leeway < *nbf) return R::failure("not yet valid (nbf)");
  }
  if (str_field(*claims, "iss") != config.issuer) return R::failure("wrong issuer");
  const auto* aud_v = claims->if_contains("aud");
  bool aud_ok = false;
  if (aud_v && aud_v->is_string()) {
    aud_ok = aud_v->get_string() == config.audience;
  } else if (aud_v && aud_v->is_array()) {
    for (const auto& a : aud_v->get_array())
      if (a.is_string() && a.get_string() == config.audience) aud_ok = true;
  }
  if (!aud_ok) return R::failure("wrong audience");
  const auto* sub_v = claims->if_contains("sub");
  if (!sub_v || !sub_v->is_string() || !safe_subject(sub_v->get_string()))
    return R::failure("missing or unusable sub");
  JwtIdentity id;
  id.subject = std::string(sub_v->get_string());
  if (const auto* scope_v = claims->if_contains("scope")) {
    if (!scope_v->is_string()) return R::failure("scope is not a string");
    id.scopes = Scopes::from_oauth_claim(scope_v->get_string());
  }
  return id;
}

}  // namespace tim::auth

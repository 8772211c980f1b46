#include "credentials/settings.hpp"

#include "tim/config.hpp"

namespace tim::auth {

AuthSettings settings_from_env() {
  namespace cfg = tim::config;
  AuthSettings s;
  s.token = cfg::get_optional("TOKEN");
  s.keys_file = cfg::get_optional("KEYS_FILE");
  s.jwks_file = cfg::get_optional("JWKS_FILE");
  s.jwt.issuer = cfg::get_string("JWT_ISSUER", "");
  s.jwt.audience = cfg::get_string("JWT_AUDIENCE", "");
  if (s.jwks_file && (s.jwt.issuer.empty() || s.jwt.audience.empty()))
    throw cfg::ConfigError("JWKS_FILE is set: JWT_ISSUER and JWT_AUDIENCE are required too");
  s.jwt.leeway = std::chrono::seconds(cfg::get_int("JWT_LEEWAY_SECONDS", 60, 0, 300));
  s.jwt.max_token_bytes = static_cast<std::size_t>(cfg::get_int("JWT_MAX_BYTES", 8192, 512, 65536));
  s.limiter.burst = static_cast<double>(cfg::get_int("AUTH_FAILURE_BURST", 10, 1, 10000));
  s.limiter.refill_interval =
      std::chrono::milliseconds(cfg::get_int("AUTH_FAILURE_REFILL_MS", 6000, 1, 3600000));
  s.limiter.max_addresses =
      static_cast<std::size_t>(cfg::get_int("AUTH_LIMITER_MAX_ADDRESSES", 10000, 1, 10000000));
  return s;
}

Result<Credentials> load_credentials(const AuthSettings& settings) {
  Credentials c;
  if (settings.token) c.token.emplace(*settings.token);
  if (settings.keys_file) {
    auto keys = load_key_file(*settings.keys_file);
    if (!keys) return Result<Credentials>::failure("KEYS_FILE: " + keys.error());
    c.keys = std::make_shared<const KeySet>(std::move(keys).value());
  }
  if (settings.jwks_file) {
    auto jwks = load_jwks_file(*settings.jwks_file);
    if (!jwks) return Result<Credentials>::failure("JWKS_FILE: " + jwks.error());
    c.jwks = std::make_shared<const Jwks>(std::move(jwks).value());
  }
  c.jwt = settings.jwt;
  return c;
}

}  // namespace tim::auth

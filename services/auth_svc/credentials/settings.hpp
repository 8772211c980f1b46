// auth_svc's credential settings from the environment, and loading the files they name.
#pragma once

#include <optional>
#include <string>

#include "credentials/authorize.hpp"
#include "credentials/limiter.hpp"
#include "credentials/result.hpp"

namespace tim::auth {

// TOKEN                       tutorial shared secret (every scope); unset/empty = off
// KEYS_FILE                   API key file; unset = no API keys
// JWKS_FILE                   JWKS for JWT access tokens; unset = JWTs refused
// JWT_ISSUER, JWT_AUDIENCE    required when JWKS_FILE is set
// JWT_LEEWAY_SECONDS          clock skew on exp/nbf, default 60 (0-300)
// JWT_MAX_BYTES               longest accepted JWT, default 8192 (512-65536)
// AUTH_FAILURE_BURST          failures per address before 429, default 10 (1-10000)
// AUTH_FAILURE_REFILL_MS      one more failure allowed per this many ms, default 6000
// AUTH_LIMITER_MAX_ADDRESSES  addresses tracked at most, default 10000 (1-10000000)
struct AuthSettings {
  std::optional<std::string> token;
  std::optional<std::string> keys_file;
  std::optional<std::string> jwks_file;
  JwtConfig jwt;
  LimiterConfig limiter;
};

// Throws tim::config::ConfigError (tim/config.hpp) naming the variable when a value is bad.
AuthSettings settings_from_env();

// Builds the first Credentials: reads KEYS_FILE and JWKS_FILE when set. Any error is returned
// (at startup there is no last good set to fall back to). For reloads call load_key_file /
// load_jwks_file and swap in a copy of the current Credentials with the new set.
Result<Credentials> load_credentials(const AuthSettings& settings);

}  // namespace tim::auth

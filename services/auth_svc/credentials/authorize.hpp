// The auth decision for one request: who is calling (TOKEN, API key or JWT), may they use this
// method, and are they being rate limited for failing too often. Plain logic, no I/O.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "credentials/api_keys.hpp"
#include "credentials/jwt.hpp"
#include "credentials/limiter.hpp"
#include "credentials/scopes.hpp"

namespace tim::auth {

// One immutable snapshot of what authenticates callers. The service keeps it behind a
// shared_ptr and swaps in a new one when a file changes.
struct Credentials {
  std::optional<TutorialToken> token;  // TOKEN; every scope
  std::shared_ptr<const KeySet> keys;  // KEYS_FILE; null = no API keys
  std::shared_ptr<const Jwks> jwks;    // JWKS_FILE; null = JWTs refused
  JwtConfig jwt;
};

enum class CredentialKind { none, token, api_key, jwt };
std::string_view to_string(CredentialKind k) noexcept;  // "none", "token", "api_key", "jwt"

struct Decision {
  enum class Outcome { allow, unauthenticated, forbidden, rate_limited };
  Outcome outcome = Outcome::unauthenticated;
  int status = 401;  // 200, 401, 403 or 429

  CredentialKind credential = CredentialKind::none;
  std::string subject;  // allow/forbidden: key name, JWT sub or "token"; otherwise empty
  Scopes scopes;        // allow/forbidden: the scopes the credential grants
  Scopes required;      // what the method needs

  // For the response body: "" (allow), "missing_credentials", "invalid_credentials",
  // "insufficient_scope" or "rate_limited".
  std::string error;
  // For logs only: why it failed ("expired", "unknown key", …). Never contains the credential.
  std::string detail;
  std::string www_authenticate;         // set on 401 and 403
  std::chrono::seconds retry_after{0};  // set on 429

  bool allowed() const noexcept { return outcome == Outcome::allow; }
};

// GET, HEAD and OPTIONS need invoices:read (safe methods); POST, PUT, PATCH and DELETE need
// invoices:write; any other method (TRACE, CONNECT, extension methods, "get" in lower case)
// also needs invoices:write: an unknown method is treated as one that may change data.
// Any method on /webhooks (the gateway's target, percent-decoded, any case) needs
// webhooks:manage instead: a subscription sends every invoice to a URL of the caller's choice.
Scopes required_scopes(std::string_view method, std::string_view target = {});

// `authorization` holds every Authorization field value of the request, in order: none means
// no credential, more than one is refused (never pick one of them). A value is the credential
// itself or "Bearer <credential>" (scheme case-insensitive). The TOKEN is tried first, then
// API keys ("tim_…"), then JWTs. Presented but invalid credentials count as failures for
// `client_address` in `limiter`; a blocked address gets 429 before any credential is checked.
// `target` is the request's path and query as the gateway passes it (for required_scopes).
Decision authorize(const Credentials& credentials, FailureLimiter& limiter, std::string_view method,
                   std::span<const std::string_view> authorization, std::string_view client_address,
                   std::chrono::system_clock::time_point now, std::string_view target = {});

// What a log line may say about who called: the subject, or "unknown". Never the credential.
std::string_view log_subject(const Decision& d) noexcept;

}  // namespace tim::auth

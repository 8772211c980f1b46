#include "credentials/authorize.hpp"

namespace tim::auth {

namespace {

constexpr std::string_view kRealm = "Bearer realm=\"tim\"";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The credential after a "Bearer" scheme, if the value has one.
std::optional<std::string_view> bearer(std::string_view value) {
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char c = value[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return std::nullopt;
  }
  if (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t') return std::nullopt;
  return trim(value.substr(kScheme.size()));
}

bool looks_like_jwt(std::string_view s) {
  std::size_t dots = 0;
  for (char c : s) dots += c == '.';
  return dots == 2;
}

Decision unauthenticated(std::string error, std::string detail, bool presented) {
  Decision d;
  d.outcome = Decision::Outcome::unauthenticated;
  d.status = 401;
  d.error = std::move(error);
  d.detail = std::move(detail);
  d.www_authenticate = std::string(kRealm);
  if (presented) d.www_authenticate += ", error=\"invalid_token\"";
  return d;
}

struct Identity {
  CredentialKind kind;
  std::string subject;
  Scopes scopes;
};

// Who the credential belongs to, or the reason it is not valid.
Result<Identity> identify(const Credentials& c, std::string_view value,
                          std::chrono::system_clock::time_point now) {
  const auto after_scheme = bearer(value);
  const std::string_view credential = after_scheme.value_or(value);
  if (c.token && (c.token->matches(credential) || (after_scheme && c.token->matches(value))))
    return Identity{CredentialKind::token, std::string(kTokenSubject), Scopes::all()};
  if (credential.starts_with(kApiKeyPrefix)) {
    if (c.keys)
      if (const KeyRecord* k = c.keys->find(credential))
        return Identity{CredentialKind::api_key, k->name, k->scopes};
    return Result<Identity>::failure("unknown API key");
  }
  if (looks_like_jwt(credential)) {
    if (!c.jwks) return Result<Identity>::failure("JWT presented but no JWKS configured");
    auto id = verify_jwt(credential, *c.jwks, c.jwt, now);
    if (!id) return Result<Identity>::failure("JWT: " + id.error());
    return Identity{CredentialKind::jwt, std::move(id.value().subject), id.value().scopes};
  }
  return Result<Identity>::failure("credential matches nothing");
}

}  // namespace

std::string_view to_string(CredentialKind k) noexcept {
  switch (k) {
    case CredentialKind::token:
      return "token";
    case CredentialKind::api_key:
      return "api_key";
    case CredentialKind::jwt:
      return "jwt";
    case CredentialKind::none:
      break;
  }
  return "none";
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The path's first segment is "webhooks", read after percent-decoding and in any case, so no
// spelling of it that a proxy might route there gets by with the invoices scopes.
bool is_webhooks_path(std::string_view target) {
  std::string path;
  for (std::size_t i = 0; i < target.size() && path.size() <= 64; ++i) {
    char c = target[i];
    if (c == '?' || c == '#') break;
    if (c == '%' && i + 2 < target.size() && hex_digit(target[i + 1]) >= 0 &&
        hex_digit(target[i + 2]) >= 0) {
      c = static_cast<char>(hex_digit(target[i + 1]) * 16 + hex_digit(target[i + 2]));
      i += 2;
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    path += c;
  }
  while (path.starts_with("//")) path.erase(0, 1);
  constexpr std::string_view kPrefix = "/webhooks";
  return path.starts_with(kPrefix) &&
         (path.size() == kPrefix.size() || path[kPrefix.size()] == '/');
}

}  // namespace

Scopes required_scopes(std::string_view method, std::string_view target) {
  if (is_webhooks_path(target)) return Scopes::webhooks();
  if (method == "GET" || method == "HEAD" || method == "OPTIONS") return Scopes::read();
  return Scopes::write();
}

Decision authorize(const Credentials& credentials, FailureLimiter& limiter, std::string_view method,
                   std::span<const std::string_view> authorization, std::string_view client_address,
                   std::chrono::system_clock::time_point now, std::string_view target) {
  const Scopes required = required_scopes(method, target);
  // An address over its failure budget is slowed down only in what fails: a valid credential
  // from it (another user behind the same NAT) is still decided as usual, whoever failed there.
  const auto wait = limiter.blocked(client_address, now);
  auto limited = [&] {
    Decision d;
    d.outcome = Decision::Outcome::rate_limited;
    d.status = 429;
    d.required = required;
    d.error = "rate_limited";
    d.detail = "too many failed attempts from this address";
    d.retry_after = *wait;
    return d;
  };

  auto fail = [&](std::string detail) {
    limiter.record_failure(client_address, now);
    if (wait) return limited();
    Decision d = unauthenticated("invalid_credentials", std::move(detail), true);
    d.required = required;
    return d;
  };

  if (authorization.size() > 1) return fail("several Authorization headers");
  const std::string_view value =
      authorization.empty() ? std::string_view{} : trim(authorization[0]);
  if (value.empty()) {
    if (wait) return limited();
    // No credential is not a guess: 401 without counting a failure.
    Decision d = unauthenticated("missing_credentials", "no credentials", false);
    d.required = required;
    return d;
  }

  auto id = identify(credentials, value, now);
  if (!id) return fail(id.error());

  Decision d;
  d.credential = id.value().kind;
  d.subject = std::move(id.value().subject);
  d.scopes = id.value().scopes;
  d.required = required;
  if (d.scopes.contains(required)) {
    d.outcome = Decision::Outcome::allow;
    d.status = 200;
    return d;
  }
  d.outcome = Decision::Outcome::forbidden;
  d.status = 403;
  d.error = "insufficient_scope";
  d.detail = "needs " + required.to_string();
  d.www_authenticate = std::string(kRealm) + ", error=\"insufficient_scope\", scope=\"" +
                       required.to_string() + "\"";
  return d;
}

std::string_view log_subject(const Decision& d) noexcept {
  if (d.credential == CredentialKind::none || d.subject.empty()) return "unknown";
  return d.subject;
}

}  // namespace tim::auth

#include "auth_handler.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tim::auth {

namespace {
std::vector<std::string_view> values_of(const http::Headers& headers, std::string_view name) {
  std::vector<std::string_view> out;
  for (const auto& f : headers)
    if (http::iequals(f.name, name)) out.emplace_back(f.value);
  return out;
}
}  // namespace

Decision decide(const Credentials& credentials, FailureLimiter& limiter,
                const http::Request& request, std::chrono::system_clock::time_point now) {
  const auto authorization = values_of(request.headers, "authorization");
  const auto forwarded_for = values_of(request.headers, "x-forwarded-for");
  const auto address = client_address(forwarded_for, request.remote_address);
  return authorize(credentials, limiter, request.method, authorization, address, now,
                   request.target);
}

http::Response decision_response(const Decision& d) {
  using Outcome = Decision::Outcome;
  switch (d.outcome) {
    case Outcome::allow: {
      http::Response r{200, {}, R"({"ok":true})"};
      r.headers.add("x-auth-subject", d.subject);
      r.headers.add("x-auth-scopes", d.scopes.to_string(','));
      return r;
    }
    case Outcome::forbidden: {
      auto r = http::json_response(403, R"({"ok":false,"error":"insufficient_scope"})");
      r.headers.add("www-authenticate", d.www_authenticate);
      return r;
    }
    case Outcome::rate_limited: {
      auto r = http::json_response(429, R"({"ok":false,"error":"rate_limited"})");
      r.headers.add("retry-after", std::to_string(d.retry_after.count()));
      return r;
    }
    case Outcome::unauthenticated:
      break;
  }
  auto r = http::json_response(401, R"({"ok":false})");
  r.headers.add("www-authenticate", d.www_authenticate);
  return r;
}

}  // namespace tim::auth

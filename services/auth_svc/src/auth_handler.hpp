// HTTP adapter of the auth service: any method, any path. The decision is authorize()'s
// (credentials library); this file only reads the request and writes the answer.
#pragma once

#include <chrono>

#include "credentials/authorize.hpp"
#include "tim/message.hpp"

namespace tim::auth {

// Every Authorization value and the client address (rightmost x-forwarded-for, else the peer)
// of the gateway's auth call, handed to authorize().
Decision decide(const Credentials& credentials, FailureLimiter& limiter,
                const http::Request& request, std::chrono::system_clock::time_point now);

// The answer for the gateway:
//   200 {"ok":true}, x-auth-subject, x-auth-scopes ("invoices:read,invoices:write"), and no
//       Content-Type (the gateway copies listed auth headers upstream on 200);
//   401 {"ok":false} + WWW-Authenticate: the tutorial's exact body; why it failed is in
//       WWW-Authenticate's error="invalid_token" (RFC 6750) and the log, not the body;
//   403 {"ok":false,"error":"insufficient_scope"} + WWW-Authenticate;
//   429 {"ok":false,"error":"rate_limited"} + Retry-After.
http::Response decision_response(const Decision& decision);

}  // namespace tim::auth

// HTTP adapter of the auth service: any method, any path; the decision is SharedToken's.
#pragma once

#include "tim/message.hpp"
#include "token_check.hpp"

namespace tim::auth {

// 200 {"ok":true} without Content-Type (the gateway may copy auth headers upstream on allow),
// or 401 {"ok":false} with WWW-Authenticate. More than one authorization header is refused.
http::Response check_request(const SharedToken& token, const http::Request& request);

}  // namespace tim::auth

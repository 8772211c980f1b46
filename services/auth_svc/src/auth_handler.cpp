#include "auth_handler.hpp"

namespace tim::auth {

http::Response check_request(const SharedToken& token, const http::Request& request) {
  const auto header = request.headers.get("authorization");
  if (header && request.headers.count("authorization") == 1 && token.accepts(*header))
    return http::Response{200, {}, R"({"ok":true})"};
  auto denied = http::json_response(401, R"({"ok":false})");
  denied.headers.add("www-authenticate", R"(Bearer realm="tim")");
  return denied;
}

}  // namespace tim::auth

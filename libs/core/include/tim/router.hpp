// Method + path routing with ":name" parameters, as plain data (RouteTable) and with handlers
// (Router).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tim/message.hpp"
#include "tim/task.hpp"

namespace tim::http {

// Values of a route's ":name" segments, in pattern order.
using PathParams = std::vector<std::string>;

struct RouteMatch {
  enum class Kind { found, not_found, method_not_allowed };
  Kind kind = Kind::not_found;
  std::size_t route = 0;  // index given by RouteTable::add, when found
  PathParams params;
  std::string allow;  // "GET, HEAD" when method_not_allowed
};

// Patterns are split on '/'; a segment ":name" matches any one segment, even an empty one, so
// that "/api/invoices/" reaches the handler, which answers 400 "id is empty" rather than 404.
// Routes are tried in the order they were added.
// HEAD falls back to GET, as HTTP requires of servers that support GET.
class RouteTable {
 public:
  std::size_t add(std::string method, std::string_view pattern);
  RouteMatch match(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
  };
  bool path_matches(const Route& r, std::string_view path, PathParams* params) const;
  std::vector<Route> routes_;
};

using Handler = std::function<Task<Response>(Request&, const PathParams&)>;

class Router {
 public:
  Router& add(std::string method, std::string_view pattern, Handler handler);
  Router& get(std::string_view pattern, Handler h) { return add("GET", pattern, std::move(h)); }
  Router& post(std::string_view pattern, Handler h) { return add("POST", pattern, std::move(h)); }

  // 404 / 405 (+ Allow) as JSON errors when no route takes the request.
  Task<Response> operator()(Request& request) const;

 private:
  RouteTable table_;
  std::vector<Handler> handlers_;
  std::vector<std::string> patterns_;  // parallel to handlers_
};

}  // namespace tim::http

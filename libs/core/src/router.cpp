#include "tim/router.hpp"

namespace tim::http {

namespace {
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = path.starts_with('/') ? 1 : 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}
}  // namespace

std::size_t RouteTable::add(std::string method, std::string_view pattern) {
  Route r{std::move(method), {}};
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
  return routes_.size() - 1;
}

// Walks the path's segments (split as split_path does) against the route's without building
// a vector of them: a request tries every route, and those vectors were most of routing's cost.
bool RouteTable::path_matches(const Route& r, std::string_view path, PathParams* params) const {
  std::size_t start = path.starts_with('/') ? 1 : 0;
  std::size_t i = 0;
  PathParams found;
  for (;;) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (i == r.segments.size()) return false;
    const auto part = path.substr(start, slash - start);
    const auto& seg = r.segments[i++];
    if (seg.starts_with(':')) {
      if (params) found.emplace_back(part);  // may be empty: the handler says why that is wrong
    } else if (seg != part) {
      return false;
    }
    if (slash == path.size()) break;
    start = slash + 1;
  }
  if (i != r.segments.size()) return false;
  if (params) *params = std::move(found);
  return true;
}

RouteMatch RouteTable::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  std::vector<std::string_view> allowed;
  std::optional<std::size_t> get_route;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& r = routes_[i];
    if (r.method == method) {
      if (!path_matches(r, path, &result.params)) continue;
      result.kind = RouteMatch::Kind::found;
      result.route = i;
      return result;
    }
    if (!path_matches(r, path, nullptr)) continue;
    if (r.method == "GET" && !get_route) get_route = i;
    allowed.push_back(r.method);
  }
  if (method == "HEAD" && get_route) {
    result.kind = RouteMatch::Kind::found;
    result.route = *get_route;
    path_matches(routes_[*get_route], path, &result.params);
    return result;
  }
  if (allowed.empty()) return result;
  result.kind = RouteMatch::Kind::method_not_allowed;
  if (get_route) allowed.push_back("HEAD");
  for (auto m : allowed) {
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += m;
  }
  return result;
}

Router& Router::add(std::string method, std::string_view pattern, Handler handler) {
  table_.add(std::move(method), pattern);
  patterns_.emplace_back(pattern);
  handlers_.push_back(std::move(handler));
  return *this;
}

Task<Response> Router::operator()(Request& request) const {
  auto m = table_.match(request.method, request.path());
  switch (m.kind) {
    case RouteMatch::Kind::found:
      request.route = patterns_[m.route];
      co_return co_await handlers_[m.route](request, m.params);
    case RouteMatch::Kind::method_not_allowed: {
      auto r =
          error_response(405, "method_not_allowed",
                         "method " + request.method + " is not allowed here; allowed: " + m.allow);
      r.headers.add("allow", m.allow);
      co_return r;
    }
    case RouteMatch::Kind::not_found:
      break;
  }
  co_return error_response(404, "not_found", "no such resource");
}

}  // namespace tim::http

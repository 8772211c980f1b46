#include "routing.hpp"

#include <algorithm>
#include <optional>
#include <variant>

#include "tim/message.hpp"

namespace tim::gateway {

Routes::Routes(std::vector<Mapping> mappings) : mappings_(std::move(mappings)) {
  std::stable_sort(mappings_.begin(), mappings_.end(), [](const Mapping& a, const Mapping& b) {
    if (a.precedence != b.precedence) return a.precedence > b.precedence;
    return a.prefix.size() > b.prefix.size();
  });
}

std::optional<std::string> client_location(const Mapping& mapping, std::string_view location) {
  const std::string_view rewrite = mapping.rewrite;
  // "//host/…" is a network-path reference, not a path.
  if (rewrite.empty() || !location.starts_with('/') || location.starts_with("//") ||
      !location.starts_with(rewrite))
    return std::nullopt;
  std::string out = mapping.prefix;
  out.append(location.substr(rewrite.size()));
  return out;
}

bool hostname_matches(std::string_view glob, std::string_view host) {
  if (auto colon = host.rfind(':');
      colon != std::string_view::npos && host.find(']') == std::string_view::npos)
    host = host.substr(0, colon);
  if (glob == "*") return true;
  if (glob.starts_with('*')) {
    auto suffix = glob.substr(1);
    return host.size() >= suffix.size() &&
           http::iequals(host.substr(host.size() - suffix.size()), suffix);
  }
  if (glob.ends_with('*')) {
    auto prefix = glob.substr(0, glob.size() - 1);
    return host.size() >= prefix.size() && http::iequals(host.substr(0, prefix.size()), prefix);
  }
  return http::iequals(glob, host);
}

const Mapping* Routes::match(std::string_view path, std::string_view host) const {
  for (const auto& m : mappings_) {
    if (path.size() < m.prefix.size()) continue;
    const auto head = path.substr(0, m.prefix.size());
    const bool prefix_ok = m.case_sensitive ? head == m.prefix : http::iequals(head, m.prefix);
    if (prefix_ok && hostname_matches(m.hostname, host)) return &m;
  }
  return nullptr;
}

std::string rewrite_target(const Mapping& mapping, std::string_view target) {
  if (mapping.rewrite.empty()) return std::string(target);
  std::string out = mapping.rewrite;
  out.append(target.substr(std::min(mapping.prefix.size(), target.size())));
  return out;
}

namespace {

// One path segment, with %2E/%2e read as '.', is "." or "..".
int dot_segment(std::string_view seg) {
  std::string plain;
  for (std::size_t i = 0; i < seg.size();) {
    if (seg[i] == '%' && i + 2 < seg.size() && seg[i + 1] == '2' &&
        (seg[i + 2] == 'e' || seg[i + 2] == 'E')) {
      plain += '.';
      i += 3;
    } else {
      plain += seg[i++];
    }
    if (plain.size() > 2) return 0;
  }
  if (plain == ".") return 1;
  if (plain == "..") return 2;
  return 0;
}

// A path the gateway and every upstream must read the same way: no backslash (some servers
// read it as '/'), no encoded '/', '\' or NUL (a decoding upstream would split or cut the
// segment the gateway matched), no malformed '%'. Envoy's REJECT_REQUEST for escaped slashes.
std::optional<TargetError> ambiguous_path(std::string_view path) {
  auto hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\\') return TargetError{"request path contains a backslash"};
    if (path[i] != '%') continue;
    if (i + 2 >= path.size() || !hex(path[i + 1]) || !hex(path[i + 2]))
      return TargetError{"request path has a malformed percent-encoding"};
    const char a = path[i + 1], b = static_cast<char>(path[i + 2] | 0x20);
    if ((a == '2' && b == 'f') || (a == '5' && b == 'c') || (a == '0' && b == '0'))
      return TargetError{"request path contains an encoded slash, backslash or NUL"};
  }
  return std::nullopt;
}

}  // namespace

std::variant<std::string, TargetError> normalize_target(std::string_view target) {
  for (char c : target)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == '#')
      return TargetError{
          "request target contains a control character, space, non-ASCII byte or fragment"};
  // Absolute-form (RFC 9112 §3.2.2): keep the path and query.
  if (!target.starts_with('/')) {
    const auto scheme_end = target.find("://");
    const auto scheme = target.substr(0, scheme_end == std::string_view::npos ? 0 : scheme_end);
    if (!http::iequals(scheme, "http") && !http::iequals(scheme, "https"))
      return TargetError{"request target must be a path"};
    // The authority ends at the first '/' or '?': a '/' inside the query is not the path.
    const auto path_start = target.find_first_of("/?", scheme_end + 3);
    if (path_start == std::string_view::npos) return std::string("/");
    if (target[path_start] == '?') return "/" + std::string(target.substr(path_start));
    target = target.substr(path_start);
  }
  const auto q = target.find('?');
  const auto path = target.substr(0, q);
  const auto query = q == std::string_view::npos ? std::string_view{} : target.substr(q);
  if (auto bad = ambiguous_path(path)) return *bad;

  std::vector<std::string_view> out;
  std::size_t start = 1;
  bool trailing_slash = false;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    const bool last = slash == std::string_view::npos;
    if (last) slash = path.size();
    const auto seg = path.substr(start, slash - start);
    switch (dot_segment(seg)) {
      case 1:
        trailing_slash = last;
        break;
      case 2:
        if (!out.empty()) out.pop_back();
        trailing_slash = last;
        break;
      default:
        out.push_back(seg);
        trailing_slash = false;
    }
    start = slash + 1;
  }
  std::string result;
  result.reserve(path.size() + query.size());
  for (const auto& seg : out) {
    result += '/';
    result.append(seg);
  }
  if (trailing_slash || result.empty()) result += '/';
  result.append(query);
  return result;
}

}  // namespace tim::gateway

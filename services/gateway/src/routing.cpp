#include "routing.hpp"

#include <algorithm>
#include <variant>

#include "tim/message.hpp"

namespace tim::gateway {

Routes::Routes(std::vector<Mapping> mappings) : mappings_(std::move(mappings)) {
  std::stable_sort(mappings_.begin(), mappings_.end(), [](const Mapping& a, const Mapping& b) {
    if (a.precedence != b.precedence) return a.precedence > b.precedence;
    return a.prefix.size() > b.prefix.size();
  });
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

}  // namespace

std::variant<std::string, TargetError> normalize_target(std::string_view target) {
  for (char c : target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '#')
      return TargetError{"request target contains a control character, space or fragment"};
  // Absolute-form (RFC 9112 §3.2.2): keep the path and query.
  if (!target.starts_with('/')) {
    const auto scheme_end = target.find("://");
    const auto scheme = target.substr(0, scheme_end == std::string_view::npos ? 0 : scheme_end);
    if (!http::iequals(scheme, "http") && !http::iequals(scheme, "https"))
      return TargetError{"request target must be a path"};
    const auto path_start = target.find('/', scheme_end + 3);
    target =
        path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
    if (!target.starts_with('/')) return TargetError{"request target must be a path"};
  }
  const auto q = target.find('?');
  const auto path = target.substr(0, q);
  const auto query = q == std::string_view::npos ? std::string_view{} : target.substr(q);

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

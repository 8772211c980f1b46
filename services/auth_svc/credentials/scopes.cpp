#include "credentials/scopes.hpp"

namespace tim::auth {

namespace {
constexpr std::string_view kReadName = "invoices:read";
constexpr std::string_view kWriteName = "invoices:write";
constexpr std::string_view kWebhooksName = "webhooks:manage";

template <class F>
void split(std::string_view s, char sep, F&& f) {
  std::size_t start = 0;
  while (true) {
    const auto end = s.find(sep, start);
    f(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return;
    start = end + 1;
  }
}
}  // namespace

std::optional<Scopes> Scopes::from_name(std::string_view name) {
  if (name == kReadName) return read();
  if (name == kWriteName) return write();
  if (name == kWebhooksName) return webhooks();
  return std::nullopt;
}

std::optional<Scopes> Scopes::parse_list(std::string_view list, char sep, std::string* bad) {
  Scopes out;
  bool ok = true;
  split(list, sep, [&](std::string_view name) {
    if (!ok) return;
    auto s = from_name(name);
    if (!s) {
      ok = false;
      if (bad) *bad = std::string(name);
      return;
    }
    out = out | *s;
  });
  if (!ok) return std::nullopt;
  return out;
}

Scopes Scopes::from_oauth_claim(std::string_view claim) {
  Scopes out;
  split(claim, ' ', [&](std::string_view name) {
    if (auto s = from_name(name)) out = out | *s;
  });
  return out;
}

std::string Scopes::to_string(char sep) const {
  std::string out;
  if (contains(read())) out += kReadName;
  if (contains(write())) {
    if (!out.empty()) out += sep;
    out += kWriteName;
  }
  if (contains(webhooks())) {
    if (!out.empty()) out += sep;
    out += kWebhooksName;
  }
  return out;
}

}  // namespace tim::auth

#include "tim/endpoint.hpp"

#include <charconv>

namespace tim::http {

std::string Endpoint::authority() const {
  return host + ":" + std::to_string(port);
}

std::optional<Endpoint> parse_authority(std::string_view text, std::uint16_t default_port) {
  if (text.empty()) return std::nullopt;
  Endpoint e{std::string(text), default_port};
  auto colon = text.rfind(':');
  if (colon != std::string_view::npos && text.find(']') == std::string_view::npos) {
    auto port_text = text.substr(colon + 1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535)
      return std::nullopt;
    e.host = std::string(text.substr(0, colon));
    e.port = static_cast<std::uint16_t>(port);
  }
  if (e.host.empty()) return std::nullopt;
  return e;
}

std::optional<ParsedUri> parse_http_uri(std::string_view uri) {
  constexpr std::string_view scheme = "http://";
  if (!uri.starts_with(scheme)) return std::nullopt;
  uri.remove_prefix(scheme.size());
  auto slash = uri.find('/');
  auto endpoint = parse_authority(uri.substr(0, slash), 80);
  if (!endpoint) return std::nullopt;
  ParsedUri out{*endpoint, slash == std::string_view::npos ? "" : std::string(uri.substr(slash))};
  while (out.base_path.ends_with('/')) out.base_path.pop_back();
  return out;
}

}  // namespace tim::http

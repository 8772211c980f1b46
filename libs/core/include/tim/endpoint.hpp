// Where a service lives: host and port, parsed from configuration.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tim::http {

struct Endpoint {
  std::string host;
  std::uint16_t port = 80;
  std::string authority() const;  // "host:port"
  bool operator==(const Endpoint&) const = default;
};

// "http://host[:port][/base]" -> endpoint and base path ("" when none); nullopt if not http.
struct ParsedUri {
  Endpoint endpoint;
  std::string base_path;
};
std::optional<ParsedUri> parse_http_uri(std::string_view uri);
// "host[:port]" with a default port; nullopt when malformed.
std::optional<Endpoint> parse_authority(std::string_view text, std::uint16_t default_port);

}  // namespace tim::http

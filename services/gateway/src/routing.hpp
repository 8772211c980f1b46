// Which Mapping takes a request, and the path it is sent upstream with — Emissary's rules
// (reference/gateway-protocol.md §1.2–1.3): literal string prefix, case-sensitive by default,
// highest precedence then longest prefix first, rewrite of exactly the matched characters.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "route_config.hpp"

namespace tim::gateway {

class Routes {
 public:
  explicit Routes(std::vector<Mapping> mappings);
  // The Mapping for a normalized path (no query) and Host, or nullptr: 404 without auth.
  const Mapping* match(std::string_view path, std::string_view host) const;
  const std::vector<Mapping>& mappings() const { return mappings_; }

 private:
  std::vector<Mapping> mappings_;  // in match order
};

// Replaces the matched prefix of `target` (path and query) by the Mapping's rewrite.
std::string rewrite_target(const Mapping& mapping, std::string_view target);

// A Location (or Content-Location) the upstream answered, as the client must see it: a path
// under the Mapping's rewrite gets the Mapping's prefix back, as nginx's default
// proxy_redirect does. nullopt when it is left as it is (no rewrite, another path, an absolute
// URL).
std::optional<std::string> client_location(const Mapping& mapping, std::string_view location);

// Host glob as Emissary's `hostname`: "*" any, "*.suffix", "prefix.*", or exact (no port).
bool hostname_matches(std::string_view glob, std::string_view host);

struct TargetError {
  std::string message;
};

// The request-target as routing sees it: origin-form ("/path?query"), with dot segments
// removed (RFC 3986 §5.2.4, %2E counted as '.'), as Envoy's normalize_path does before
// matching. Absolute-form targets keep their path; '*', fragments, NUL and other
// non-origin forms are errors (400). Encoded slashes (%2F) stay encoded: they never split
// segments, so they cannot climb out of a prefix.
std::variant<std::string, TargetError> normalize_target(std::string_view target);

}  // namespace tim::gateway

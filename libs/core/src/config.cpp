#include "tim/config.hpp"

#include <charconv>
#include <cstdlib>

#include "tim/message.hpp"

namespace tim::config {

std::optional<std::string> get_optional(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

std::string get_string(const char* name, std::string fallback) {
  return get_optional(name).value_or(std::move(fallback));
}

std::int64_t get_int(const char* name, std::int64_t fallback, std::int64_t min, std::int64_t max) {
  auto v = get_optional(name);
  if (!v) return fallback;
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc{} || end != v->data() + v->size() || out < min || out > max)
    throw ConfigError(std::string(name) + " must be an integer from " + std::to_string(min) +
                      " to " + std::to_string(max) + ", got '" + *v + "'");
  return out;
}

std::chrono::milliseconds get_millis(const char* name, std::chrono::milliseconds fallback) {
  return std::chrono::milliseconds(get_int(name, fallback.count(), 0, 24LL * 3600 * 1000));
}

bool get_bool(const char* name, bool fallback) {
  auto v = get_optional(name);
  if (!v) return fallback;
  for (auto t : {"1", "true", "yes", "on"})
    if (http::iequals(*v, t)) return true;
  for (auto f : {"0", "false", "no", "off"})
    if (http::iequals(*v, f)) return false;
  throw ConfigError(std::string(name) + " must be true or false, got '" + *v + "'");
}

}  // namespace tim::config

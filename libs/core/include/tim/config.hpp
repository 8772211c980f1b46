// Configuration from environment variables (12-factor), each read with a documented default.
// A malformed value is an error that names the variable, never a silent fallback.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace tim::config {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::optional<std::string> get_optional(const char* name);
std::string get_string(const char* name, std::string fallback);
// Integer in [min, max]; throws ConfigError otherwise.
std::int64_t get_int(const char* name, std::int64_t fallback, std::int64_t min, std::int64_t max);
// Milliseconds as a plain integer ("2500").
std::chrono::milliseconds get_millis(const char* name, std::chrono::milliseconds fallback);
// true/false, 1/0, yes/no, on/off.
bool get_bool(const char* name, bool fallback);

}  // namespace tim::config

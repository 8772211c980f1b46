// Structured logs: one JSON object per line on stdout, written by a background thread
// so that I/O threads never wait on the terminal or pipe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace tim::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

std::optional<Level> parse_level(std::string_view text);
std::string_view level_name(Level level) noexcept;

using Value = std::variant<std::string_view, std::int64_t, double, bool>;
struct Field {
  std::string_view key;
  Value value;
};

// Sets the service name and the level (LOG_LEVEL: debug, info, warn, error, off; default info).
void init(std::string_view service, Level level);
bool enabled(Level level) noexcept;
void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});
// Waits until every line written so far is on stdout (before exit).
void flush();

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::info, m, f);
}
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::warn, m, f);
}
inline void error(std::string_view m, std::initializer_list<Field> f = {}) {
  write(Level::error, m, f);
}

// The JSON line itself (no trailing newline); pure, for tests.
std::string format_line(std::string_view time, Level level, std::string_view service,
                        std::string_view message, std::initializer_list<Field> fields);

}  // namespace tim::log

// Calendar dates (no time of day, no zone) and instants at millisecond precision.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tim::invoices {

class Date {
 public:
  constexpr Date() = default;
  static constexpr Date from_days(std::int32_t days_since_epoch) { return Date(days_since_epoch); }
  // Strict ISO 8601 "YYYY-MM-DD", real calendar days only (no 2026-02-30), within the range
  // the API accepts (tim::kEarliestDate..kLatestDate, 1900-01-01..2199-12-31).
  static std::optional<Date> parse(std::string_view text);
  // From year, month, day; nullopt when that day does not exist or is out of the API's range.
  static std::optional<Date> from_ymd(int year, unsigned month, unsigned day);
  // As parse, for dates read back from the store: years 1000..9999, as builds before the range
  // accepted, so that such rows stay readable.
  static std::optional<Date> parse_stored(std::string_view text);

  constexpr std::int32_t days_since_epoch() const { return days_; }
  std::string to_string() const;
  auto operator<=>(const Date&) const = default;

 private:
  constexpr explicit Date(std::int32_t days) : days_(days) {}
  std::int32_t days_ = 0;  // 1970-01-01 is 0
};

// What a refused date is told: "must be a real calendar date as YYYY-MM-DD between …".
std::string date_rule(std::string_view format = "YYYY-MM-DD");

// Instants are stored and compared at millisecond precision, so that they survive the store.
using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

inline Instant to_instant(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::milliseconds>(t);
}
// "2026-11-20T10:00:00.000Z"
std::string format_instant(Instant t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff]Z" (what format_instant writes).
std::optional<Instant> parse_instant(std::string_view text);

}  // namespace tim::invoices

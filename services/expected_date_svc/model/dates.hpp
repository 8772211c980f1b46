// Calendar dates as text: the CSV's M/D/YYYY (parsed here) and ISO 8601 YYYY-MM-DD (tim/time.hpp,
// shared with the other services). g++ 12 has no std::chrono::parse.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tim::expected_date {

using Date = std::chrono::sys_days;

// "1/2/2013" -> 2013-01-02; nullopt unless it is a real calendar date.
std::optional<Date> parse_us_date(std::string_view text);
// "2013-07-12" -> 2013-07-12; nullopt unless it is a real calendar date.
std::optional<Date> parse_iso_date(std::string_view text);
std::string format_iso_date(Date d);

// Whole days from a to b (b - a).
inline int days_between(Date a, Date b) {
  return static_cast<int>((b - a).count());
}

}  // namespace tim::expected_date

// Instants and dates as ISO 8601 text.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tim {

// "2018-01-01T11:54:30.769Z": UTC with milliseconds, the tutorial's expectedDate format.
std::string format_iso8601_utc(std::chrono::system_clock::time_point t);

// "2018-01-01": a calendar date.
std::string format_iso_date(std::chrono::year_month_day date);
// "2018-01-01" -> that date; nullopt unless the text is exactly YYYY-MM-DD (digits only) and a
// real calendar date. g++ 12 has no std::chrono::parse, hence by hand.
std::optional<std::chrono::year_month_day> parse_iso_date(std::string_view text);

}  // namespace tim

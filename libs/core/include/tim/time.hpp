// Instants and dates as ISO 8601 text.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tim {

// The calendar dates the APIs accept (invoices_svc and expected_date_svc): beyond them a date is
// a typo or an attack, and arithmetic on far dates overflows the clock's nanoseconds (±292
// years around 1970).
inline constexpr std::chrono::year_month_day kEarliestDate{
    std::chrono::year{1900}, std::chrono::month{1}, std::chrono::day{1}};
inline constexpr std::chrono::year_month_day kLatestDate{
    std::chrono::year{2199}, std::chrono::month{12}, std::chrono::day{31}};
inline constexpr std::string_view kDateRangeText = "between 1900-01-01 and 2199-12-31";
constexpr bool in_date_range(std::chrono::year_month_day date) {
  return date.ok() && date >= kEarliestDate && date <= kLatestDate;
}

// "2018-01-01T11:54:30.769Z": UTC with milliseconds, the tutorial's expectedDate format.
std::string format_iso8601_utc(std::chrono::system_clock::time_point t);

// "2018-01-01": a calendar date.
std::string format_iso_date(std::chrono::year_month_day date);
// "2018-01-01" -> that date; nullopt unless the text is exactly YYYY-MM-DD (digits only) and a
// real calendar date. g++ 12 has no std::chrono::parse, hence by hand.
std::optional<std::chrono::year_month_day> parse_iso_date(std::string_view text);

}  // namespace tim

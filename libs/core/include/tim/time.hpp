// Instants and dates as ISO 8601 text.
#pragma once

#include <chrono>
#include <string>

namespace tim {

// "2018-01-01T11:54:30.769Z": UTC with milliseconds, the tutorial's expectedDate format.
std::string format_iso8601_utc(std::chrono::system_clock::time_point t);

// "2018-01-01": a calendar date.
std::string format_iso_date(std::chrono::year_month_day date);

}  // namespace tim

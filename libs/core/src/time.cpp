#include "tim/time.hpp"

#include <cstdio>

namespace tim {

namespace {

// Writes `value` as `width` zero-padded digits at `out`. By hand: snprintf's format parsing was
// most of the cost of these functions, which run for every log line and every invoice's dates.
void put_digits(char* out, int width, int value) {
  for (int i = width - 1; i >= 0; --i, value /= 10) out[i] = char('0' + value % 10);
}

// Writes "YYYY-MM-DD" (10 characters) at `out`, for a year in 0..9999.
void put_date(char* out, std::chrono::year_month_day date) {
  put_digits(out, 4, int(date.year()));
  put_digits(out + 5, 2, int(unsigned(date.month())));
  put_digits(out + 8, 2, int(unsigned(date.day())));
}

}  // namespace

std::string format_iso_date(std::chrono::year_month_day date) {
  const int y = int(date.year());
  if (y >= 0 && y <= 9999) {
    char out[] = "0000-00-00";
    put_date(out, date);
    return std::string(out, sizeof out - 1);
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, unsigned(date.month()), unsigned(date.day()));
  return buf;
}

std::optional<std::chrono::year_month_day> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](std::size_t pos, std::size_t count) -> std::optional<int> {
    int value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  auto y = number(0, 4), m = number(5, 2), d = number(8, 2);
  if (!y || !m || !d) return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year{*y}, std::chrono::month{unsigned(*m)},
                                   std::chrono::day{unsigned(*d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string format_iso8601_utc(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  const int y = int(ymd.year());
  if (y >= 0 && y <= 9999) {
    char out[] = "0000-00-00T00:00:00.000Z";
    put_date(out, ymd);
    put_digits(out + 11, 2, int(hms.hours().count()));
    put_digits(out + 14, 2, int(hms.minutes().count()));
    put_digits(out + 17, 2, int(hms.seconds().count()));
    put_digits(out + 20, 3, int(hms.subseconds().count()));
    return std::string(out, sizeof out - 1);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()),
                int(hms.subseconds().count()));
  return buf;
}

}  // namespace tim

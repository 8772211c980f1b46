#include "tim/invoices/date.hpp"

#include "tim/time.hpp"

namespace tim::invoices {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The number written by text[pos, pos+count) when it is all digits.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t count) {
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!is_digit(text[i])) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::optional<Date> Date::from_ymd(int year, unsigned month, unsigned day) {
  if (year < 0 || year > 9999) return std::nullopt;  // std::chrono::year is a short
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                        std::chrono::day{day}};
  if (!in_date_range(ymd)) return std::nullopt;
  return Date(static_cast<std::int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count()));
}

std::optional<Date> Date::parse(std::string_view text) {
  const auto ymd = parse_iso_date(text);
  if (!ymd) return std::nullopt;
  return from_ymd(int(ymd->year()), unsigned(ymd->month()), unsigned(ymd->day()));
}

std::optional<Date> Date::parse_stored(std::string_view text) {
  const auto ymd = parse_iso_date(text);
  if (!ymd || int(ymd->year()) < 1000) return std::nullopt;
  return Date(static_cast<std::int32_t>(std::chrono::sys_days{*ymd}.time_since_epoch().count()));
}

std::string date_rule(std::string_view format) {
  return "must be a real calendar date as " + std::string(format) + " " +
         std::string(kDateRangeText);
}

std::string Date::to_string() const {
  return format_iso_date(
      std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days_}}});
}

std::string format_instant(Instant t) {
  return format_iso8601_utc(t);
}

std::optional<Instant> parse_instant(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS then optional .f{1,3}, then Z
  if (text.size() < 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text.back() != 'Z')
    return std::nullopt;
  const auto date = Date::parse_stored(text.substr(0, 10));  // instants are ours, not input
  const auto hh = digits(text, 11, 2);
  const auto mm = digits(text, 14, 2);
  const auto ss = digits(text, 17, 2);
  if (!date || !hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 59) return std::nullopt;
  int millis = 0;
  const std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 4) return std::nullopt;
    const auto fraction = digits(rest, 1, rest.size() - 1);
    if (!fraction) return std::nullopt;
    millis = *fraction;
    for (std::size_t i = rest.size() - 1; i < 3; ++i) millis *= 10;
  }
  using namespace std::chrono;
  return Instant{sys_days{days{date->days_since_epoch()}}} + hours{*hh} + minutes{*mm} +
         seconds{*ss} + milliseconds{millis};
}

}  // namespace tim::invoices

#include "model/dates.hpp"

#include <charconv>

#include "tim/time.hpp"

namespace tim::expected_date {
namespace {

std::optional<int> parse_uint(std::string_view s, std::size_t min_len, std::size_t max_len) {
  if (s.size() < min_len || s.size() > max_len) return std::nullopt;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::optional<Date> make_date(std::optional<int> y, std::optional<int> m, std::optional<int> d) {
  if (!y || !m || !d) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{*y},
                                  std::chrono::month{static_cast<unsigned>(*m)},
                                  std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return Date{ymd};
}

}  // namespace

std::optional<Date> parse_us_date(std::string_view text) {
  auto s1 = text.find('/');
  if (s1 == std::string_view::npos) return std::nullopt;
  auto s2 = text.find('/', s1 + 1);
  if (s2 == std::string_view::npos) return std::nullopt;
  return make_date(parse_uint(text.substr(s2 + 1), 4, 4), parse_uint(text.substr(0, s1), 1, 2),
                   parse_uint(text.substr(s1 + 1, s2 - s1 - 1), 1, 2));
}

std::optional<Date> parse_iso_date(std::string_view text) {
  auto date = tim::parse_iso_date(text);
  return date ? std::optional<Date>(Date{*date}) : std::nullopt;
}

std::string format_iso_date(Date d) {
  return tim::format_iso_date(std::chrono::year_month_day{d});
}

}  // namespace tim::expected_date

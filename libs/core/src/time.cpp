#include "tim/time.hpp"

#include <cstdio>

namespace tim {

std::string format_iso8601_utc(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  const int y = int(ymd.year());
  if (y >= 0 && y <= 9999) {
    // By hand: snprintf's format parsing was most of this function's cost, and it runs for
    // every log line.
    char out[] = "0000-00-00T00:00:00.000Z";
    auto put = [&out](int at, int width, int value) {
      for (int i = at + width - 1; i >= at; --i, value /= 10) out[i] = char('0' + value % 10);
    };
    put(0, 4, y);
    put(5, 2, int(unsigned(ymd.month())));
    put(8, 2, int(unsigned(ymd.day())));
    put(11, 2, int(hms.hours().count()));
    put(14, 2, int(hms.minutes().count()));
    put(17, 2, int(hms.seconds().count()));
    put(20, 3, int(hms.subseconds().count()));
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

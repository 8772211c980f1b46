// Progress of long work on a terminal (an import, a training run): rows done, rows per second,
// share of the input and time left, redrawn at most a few times a second. Pure: the caller
// passes the clock's readings and writes the line where it wants (stderr when it is a terminal).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace tim {

class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;

  // total: the input's size in the unit `done` counts (bytes of a file), 0 when unknown (then
  // no share and no time left are shown).
  ProgressLine(std::uint64_t total, Clock::time_point start,
               std::chrono::milliseconds min_interval = std::chrono::milliseconds{250});

  // The line to draw at `now` ("\r…", padded over the previous one), or nullopt when one was
  // drawn less than min_interval ago.
  std::optional<std::string> update(std::uint64_t done, std::uint64_t rows, Clock::time_point now);
  // What erases the last line drawn ("" when none was): the final report then starts clean.
  std::string clear() const;

  // "1,234,567 rows, 45,678 rows/s, 62%, about 9 s left"; share and time left when known.
  static std::string format(std::uint64_t rows, double rows_per_second, std::optional<double> share,
                            std::optional<double> seconds_left);

 private:
  std::uint64_t total_;
  Clock::time_point start_;
  std::chrono::milliseconds min_interval_;
  std::optional<Clock::time_point> last_drawn_;
  std::size_t last_width_ = 0;
};

// 1234567 -> "1,234,567"
std::string with_thousands(std::uint64_t n);
// 9 -> "9 s", 125 -> "2 min 5 s", 7300 -> "2 h 1 min"
std::string duration_text(double seconds);

}  // namespace tim

#include "tim/progress.hpp"

#include <algorithm>
#include <cmath>

namespace tim {

std::string with_thousands(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string duration_text(double seconds) {
  const auto s = static_cast<std::uint64_t>(std::llround(std::max(0.0, seconds)));
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
  return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
}

ProgressLine::ProgressLine(std::uint64_t total, Clock::time_point start,
                           std::chrono::milliseconds min_interval)
    : total_(total), start_(start), min_interval_(min_interval) {}

std::string ProgressLine::format(std::uint64_t rows, double rows_per_second,
                                 std::optional<double> share, std::optional<double> seconds_left) {
  std::string line = with_thousands(rows) + " rows, " +
                     with_thousands(static_cast<std::uint64_t>(std::llround(rows_per_second))) +
                     " rows/s";
  if (share)
    line += ", " + std::to_string(static_cast<int>(std::clamp(*share, 0.0, 1.0) * 100)) + "%";
  if (seconds_left) line += ", about " + duration_text(*seconds_left) + " left";
  return line;
}

std::optional<std::string> ProgressLine::update(std::uint64_t done, std::uint64_t rows,
                                                Clock::time_point now) {
  if (last_drawn_ && now - *last_drawn_ < min_interval_) return std::nullopt;
  last_drawn_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(rows) / elapsed : 0;
  std::optional<double> share, left;
  if (total_ > 0) {
    share = static_cast<double>(std::min(done, total_)) / static_cast<double>(total_);
    // From the share done so far at the pace so far; unknown until something is done.
    if (done > 0 && elapsed > 0)
      left = elapsed * static_cast<double>(total_ - std::min(done, total_)) /
             static_cast<double>(done);
  }
  std::string text = format(rows, rate, share, left);
  if (text.size() < last_width_) text.append(last_width_ - text.size(), ' ');  // cover it
  last_width_ = text.size();
  return "\r" + text;
}

std::string ProgressLine::clear() const {
  if (!last_drawn_) return "";
  return "\r" + std::string(last_width_, ' ') + "\r";
}

}  // namespace tim

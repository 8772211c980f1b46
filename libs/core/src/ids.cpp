#include "tim/ids.hpp"

#include <algorithm>
#include <charconv>

namespace tim {

std::variant<std::int64_t, IdError> parse_id(std::string_view text) {
  if (text.empty()) return IdError{"id is empty"};
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return IdError{"id must be a non-negative decimal integer"};
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > kMaxId)
    return IdError{"id is too large (at most " + std::to_string(kMaxId) + ")"};
  return value;
}

}  // namespace tim

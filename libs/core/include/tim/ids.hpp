// Identifiers in URL paths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace tim {

// Largest id we accept: 2^53 - 1, so that every id is exact as a JSON number in any client.
inline constexpr std::int64_t kMaxId = 9007199254740991;

struct IdError {
  std::string message;
};

// A decimal id from 0 to kMaxId: digits only, no sign, no spaces.
std::variant<std::int64_t, IdError> parse_id(std::string_view text);

}  // namespace tim

// Money as integers in minor units of an ISO 4217 currency; never floating point.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tim::invoices {

struct Currency {
  std::string_view code;  // "GBP"
  int minor_digits;       // 2 for GBP, 0 for JPY, 3 for KWD
};

// Active ISO 4217 currencies, upper case only ("gbp" is not a code).
std::optional<Currency> find_currency(std::string_view code) noexcept;

// Largest amount we accept: 2^53 - 1, so every amount is exact as a JSON number in any client.
inline constexpr std::int64_t kMaxAmount = 9007199254740991;

// nullopt on overflow of int64.
std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b) noexcept;
std::optional<std::int64_t> checked_sub(std::int64_t a, std::int64_t b) noexcept;

// A decimal major-unit amount as found in CSV files ("55.94", "1,024.5", "7") to minor units,
// exactly: at most minor_digits decimals, no sign, no exponent. nullopt when malformed or
// above kMaxAmount.
std::optional<std::int64_t> parse_decimal_amount(std::string_view text, int minor_digits) noexcept;

}  // namespace tim::invoices

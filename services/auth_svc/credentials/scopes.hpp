// The scopes TIM knows, as a small bit set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tim::auth {

class Scopes {
 public:
  static constexpr std::uint8_t kRead = 1;      // invoices:read
  static constexpr std::uint8_t kWrite = 2;     // invoices:write
  static constexpr std::uint8_t kWebhooks = 4;  // webhooks:manage

  constexpr Scopes() = default;
  static constexpr Scopes none() { return Scopes(0); }
  static constexpr Scopes all() { return Scopes(kRead | kWrite | kWebhooks); }
  static constexpr Scopes read() { return Scopes(kRead); }
  static constexpr Scopes write() { return Scopes(kWrite); }
  static constexpr Scopes webhooks() { return Scopes(kWebhooks); }

  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool contains(Scopes s) const { return (bits_ & s.bits_) == s.bits_; }
  constexpr Scopes operator|(Scopes o) const { return Scopes(bits_ | o.bits_); }
  constexpr bool operator==(const Scopes&) const = default;

  // One scope by its name ("invoices:read"); nullopt when unknown.
  static std::optional<Scopes> from_name(std::string_view name);
  // "invoices:read,invoices:write" (the CLI's list): every name must be known, none empty.
  // Returns the first bad name in *bad when given.
  static std::optional<Scopes> parse_list(std::string_view list, char sep,
                                          std::string* bad = nullptr);
  // An OAuth `scope` claim ("openid invoices:read profile"): names we do not know are
  // ignored, since identity providers put their own scopes in the same claim.
  static Scopes from_oauth_claim(std::string_view claim);

  // Names joined by sep in a fixed order ("invoices:read invoices:write webhooks:manage").
  std::string to_string(char sep = ' ') const;

 private:
  constexpr explicit Scopes(unsigned bits) : bits_(static_cast<std::uint8_t>(bits)) {}
  std::uint8_t bits_ = 0;
};

}  // namespace tim::auth

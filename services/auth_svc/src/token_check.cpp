#include "token_check.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace tim::auth {

namespace {
std::array<unsigned char, 32> sha256(std::string_view text) {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

bool starts_with_bearer(std::string_view v) {
  constexpr std::string_view scheme = "bearer ";
  if (v.size() < scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if ((v[i] | 0x20) != scheme[i]) return false;
  return true;
}
}  // namespace

SharedToken::SharedToken(std::string_view token) : digest_(sha256(token)) {}

bool SharedToken::accepts(std::string_view authorization) const {
  if (starts_with_bearer(authorization)) authorization.remove_prefix(7);
  const auto candidate = sha256(authorization);
  return CRYPTO_memcmp(candidate.data(), digest_.data(), digest_.size()) == 0;
}

}  // namespace tim::auth

// Small wrappers over OpenSSL used by the credential checks.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "tim/base64url.hpp"

namespace tim::auth {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view data) noexcept;

// Constant-time equality of two digests (CRYPTO_memcmp): equal lengths, so neither the position
// of the first difference nor the secret's length shows in the timing.
bool digest_equal(const Digest& a, const Digest& b) noexcept;

// Cryptographically secure random bytes (RAND_bytes); throws std::runtime_error if the
// generator fails, which must never be papered over.
std::string random_bytes(std::size_t n);

std::string to_hex(std::string_view bytes);
std::string to_hex(const Digest& d);
std::optional<Digest> digest_from_hex(std::string_view hex);

// The shared RFC 4648 base64url (libs/core), where the credential code calls it.
using tim::base64url_decode;
using tim::base64url_encode;

}  // namespace tim::auth

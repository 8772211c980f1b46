// Small wrappers over OpenSSL used by the credential checks.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

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

// RFC 4648 base64url without padding.
std::string base64url_encode(std::string_view bytes);
// Strict: only the url alphabet, no padding, no whitespace, and unused trailing bits must be
// zero, so each byte string has exactly one encoding (no malleable tokens).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace tim::auth

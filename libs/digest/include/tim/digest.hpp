#pragma once
// SHA-256 and HMAC-SHA256 (RFC 6234, RFC 2104) over byte strings, and random bytes from the
// kernel. No I/O besides getrandom(2).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tim::digest {

using Sha256Digest = std::array<std::uint8_t, 32>;

// An incremental SHA-256: feed it the parts, then take the digest once. No allocation.
class Sha256 {
 public:
  Sha256();
  Sha256& update(std::string_view bytes);
  Sha256& update(std::span<const std::uint8_t> bytes);
  Sha256Digest finish();

 private:
  alignas(8) std::array<std::byte, 112> state_;  // nettle's sha256_ctx, kept out of the header
};

Sha256Digest sha256(std::string_view bytes);
Sha256Digest hmac_sha256(std::string_view key, std::string_view message);

// Lower-case hexadecimal of bytes.
std::string hex(std::span<const std::uint8_t> bytes);

// Fills out from getrandom(2); throws std::runtime_error if the kernel cannot.
void random_bytes(std::span<std::uint8_t> out);

}  // namespace tim::digest

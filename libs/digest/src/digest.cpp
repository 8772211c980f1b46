#include "tim/digest.hpp"

#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include <sys/random.h>

#include <cerrno>
#include <new>
#include <stdexcept>

namespace tim::digest {

namespace {

static_assert(sizeof(sha256_ctx) <= 112 && alignof(sha256_ctx) <= 8,
              "Sha256::state_ must hold nettle's sha256_ctx");

sha256_ctx* context(std::array<std::byte, 112>& state) {
  return std::launder(reinterpret_cast<sha256_ctx*>(state.data()));
}

const std::uint8_t* bytes_of(std::string_view s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

}  // namespace

Sha256::Sha256() : state_{} {
  sha256_init(new (state_.data()) sha256_ctx);
}

Sha256& Sha256::update(std::string_view bytes) {
  if (!bytes.empty()) sha256_update(context(state_), bytes.size(), bytes_of(bytes));
  return *this;
}

Sha256& Sha256::update(std::span<const std::uint8_t> bytes) {
  if (!bytes.empty()) sha256_update(context(state_), bytes.size(), bytes.data());
  return *this;
}

Sha256Digest Sha256::finish() {
  Sha256Digest out;
  sha256_digest(context(state_), out.size(), out.data());
  return out;
}

Sha256Digest sha256(std::string_view bytes) {
  return Sha256().update(bytes).finish();
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view message) {
  hmac_sha256_ctx ctx;
  hmac_sha256_set_key(&ctx, key.size(), bytes_of(key));
  if (!message.empty()) hmac_sha256_update(&ctx, message.size(), bytes_of(message));
  Sha256Digest out;
  hmac_sha256_digest(&ctx, out.size(), out.data());
  return out;
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 0xf];
  }
  return out;
}

void random_bytes(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const auto n = ::getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("getrandom failed: no random bytes from the kernel");
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace tim::digest

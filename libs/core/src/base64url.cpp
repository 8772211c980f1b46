#include "tim/base64url.hpp"

#include <cstddef>

namespace tim {

int base64url_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto at = [&](std::size_t k) {
    return static_cast<unsigned>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    out.push_back(kBase64UrlAlphabet[v >> 18 & 63]);
    out.push_back(kBase64UrlAlphabet[v >> 12 & 63]);
    out.push_back(kBase64UrlAlphabet[v >> 6 & 63]);
    out.push_back(kBase64UrlAlphabet[v & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const unsigned v = at(i) << 16;
    out.push_back(kBase64UrlAlphabet[v >> 18 & 63]);
    out.push_back(kBase64UrlAlphabet[v >> 12 & 63]);
  } else if (rest == 2) {
    const unsigned v = at(i) << 16 | at(i + 1) << 8;
    out.push_back(kBase64UrlAlphabet[v >> 18 & 63]);
    out.push_back(kBase64UrlAlphabet[v >> 12 & 63]);
    out.push_back(kBase64UrlAlphabet[v >> 6 & 63]);
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = base64url_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6 | static_cast<unsigned>(v)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>(acc >> bits & 0xff));
    }
  }
  // Leftover bits (2 or 4) must be zero for the encoding to be canonical.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace tim

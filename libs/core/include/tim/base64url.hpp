#pragma once
// RFC 4648 base64url without padding: auth_svc's API keys and JWTs, and the gateway's reading
// of a JWT's exp.
#include <optional>
#include <string>
#include <string_view>

namespace tim {

inline constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The value of one base64url character, -1 for anything else ('=' included).
int base64url_value(char c) noexcept;

std::string base64url_encode(std::string_view bytes);
// Strict: only the url alphabet, no padding, no whitespace, and unused trailing bits must be
// zero, so each byte string has exactly one encoding (no malleable tokens).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace tim

// API keys and the tutorial TOKEN.
//
// An API key is "tim_" followed by 256 random bits in base64url (47 characters). Only its
// SHA-256 digest is stored. A fast hash is enough here, unlike for passwords: a slow KDF
// (bcrypt, scrypt, Argon2) exists to make guessing low-entropy secrets from a stolen hash
// expensive, but a 256-bit random key cannot be guessed at any hashing speed. A fast hash also
// keeps a key check in the microseconds the auth hop can afford on every request.
//
// Key file: one JSON document (see serialize_key_file). One document rather than JSON lines
// because a file cut short (a half-written copy, a truncated Secret) then fails to parse as a
// whole and the service keeps its last good set; with one record per line a cut at a line
// boundary would silently drop keys.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "credentials/crypto.hpp"
#include "credentials/result.hpp"
#include "credentials/scopes.hpp"

namespace tim::auth {

inline constexpr std::string_view kApiKeyPrefix = "tim_";
inline constexpr std::size_t kApiKeyRandomBytes = 32;
inline constexpr std::size_t kApiKeyLength = 47;  // prefix + 43 base64url characters
// The subject the TOKEN credential authenticates as; no key may take this name.
inline constexpr std::string_view kTokenSubject = "token";
inline constexpr std::size_t kMaxKeyFileBytes = 4 * 1024 * 1024;

struct KeyRecord {
  std::string name;  // the subject; see valid_key_name
  Scopes scopes;
  std::chrono::sys_seconds created;
  Digest sha256;  // of the whole key text, prefix included
};

// 1..64 characters from [A-Za-z0-9._@-], not "token": safe in headers and log lines as is.
bool valid_key_name(std::string_view name);

// A fresh key (RAND_bytes). Throws std::runtime_error if randomness is unavailable.
std::string generate_api_key();

// "2026-05-01T12:00:00Z" and back (strict; nullopt on anything else).
std::string format_created(std::chrono::sys_seconds t);
std::optional<std::chrono::sys_seconds> parse_created(std::string_view text);

// An immutable, validated set of keys: unique names, unique digests, known scopes.
class KeySet {
 public:
  KeySet() = default;
  static Result<KeySet> from_records(std::vector<KeyRecord> records);

  // The key whose digest matches, or nullptr. The map lookup is keyed by SHA-256 of the
  // presented key, so its timing depends only on that digest, which tells an attacker nothing
  // about any stored key (preimage resistance); the final check is CRYPTO_memcmp.
  const KeyRecord* find(std::string_view presented_key) const;
  const KeyRecord* find_by_name(std::string_view name) const;

  const std::vector<KeyRecord>& records() const noexcept { return records_; }
  std::size_t size() const noexcept { return records_.size(); }

 private:
  std::vector<KeyRecord> records_;
  std::unordered_map<std::string, std::size_t> by_digest_;  // raw 32-byte digest -> index
};

// The key file format:
//   {"format":"tim-api-keys","version":1,"keys":[
//     {"name":"ci","scopes":["invoices:read"],"created":"2026-05-01T12:00:00Z",
//      "sha256":"<64 lower-case hex digits>"}]}
std::string serialize_key_file(const std::vector<KeyRecord>& records);
// Strict: unknown fields, unknown scopes, empty scope lists, bad names, duplicate names or
// digests are errors, so a typo is reported rather than silently weakening a key.
Result<KeySet> parse_key_file(std::string_view text);

// Reads and parses the key file; an error says what is wrong (the service then keeps its
// last good set and logs the message).
Result<KeySet> load_key_file(const std::string& path);
// Atomic rewrite with mode 0600; empty string on success, otherwise the error.
std::string save_key_file(const std::string& path, const std::vector<KeyRecord>& records);

// The tutorial's shared TOKEN: one key with every scope. Only its digest is kept, so the
// comparison runs on equal-length values and the token's length does not show in timing.
class TutorialToken {
 public:
  explicit TutorialToken(std::string_view token) : digest_(sha256(token)) {}
  bool matches(std::string_view presented) const noexcept {
    return digest_equal(digest_, sha256(presented));
  }

 private:
  Digest digest_;
};

}  // namespace tim::auth

// Auth decisions worth keeping: auth_svc's 200 for one credential, method and route, for a
// short time, so that a client's next requests skip the auth hop. Pure logic, thread-safe.
//
// Keys are a keyed SHA-256 (a random key per process) of the credential and what the
// decision depended on: never the credential itself, so neither a heap dump nor /metrics can
// give one back. Only admissions are kept: a denial always goes to auth_svc (its failure
// limiter must see every attempt).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tim/message.hpp"

namespace tim::gateway {

struct AuthCacheOptions {
  // AUTH_CACHE_ENTRIES; 0 (the default) turns the cache off: with it on, a credential admitted
  // in the last TTL still passes during an auth outage, and a revocation takes up to
  // TTL + auth_svc's reload interval. Deployments that want the hop saved turn it on.
  std::size_t entries = 0;
  std::chrono::milliseconds ttl{1000};  // AUTH_CACHE_TTL_MS (auth_svc's RELOAD_INTERVAL_MS)
  // Reads the variables above; throws config::ConfigError on a malformed value.
  static AuthCacheOptions from_env();
};

// The clocks an entry's life is measured with; tests inject their own.
struct AuthCacheClock {
  std::function<std::chrono::steady_clock::time_point()> steady = [] {
    return std::chrono::steady_clock::now();
  };
  std::function<std::chrono::system_clock::time_point()> wall = [] {
    return std::chrono::system_clock::now();
  };
};

// A JWT's `exp` (RFC 7519 §4.1.4), read without checking the signature (auth_svc did): for
// "Bearer <a>.<b>.<c>". nullopt: not a JWT. A JWT whose exp cannot be read gives the epoch,
// so that it is never kept.
std::optional<std::chrono::system_clock::time_point> jwt_expiry(std::string_view authorization);

class AuthDecisionCache {
 public:
  using Key = std::array<unsigned char, 32>;

  explicit AuthDecisionCache(AuthCacheOptions options, AuthCacheClock clock = {});
  bool enabled() const { return options_.entries > 0; }

  // The key of one decision: the credential, the method (which decides the scope auth_svc
  // asks for) and the Mapping (a route may need other scopes).
  Key key(std::string_view authorization, std::string_view method, std::string_view route) const;

  // A live entry's headers (what the fresh 200 put on the request) set on `upstream`; false
  // when there is none (expired entries are dropped here).
  bool apply(const Key& key, http::Headers& upstream);

  // Keeps an admission decided at `asked_at`: for the TTL from then, and not past a JWT's exp.
  void store(const Key& key, std::string_view authorization, http::Headers granted,
             std::chrono::steady_clock::time_point asked_at);

  void clear();
  std::size_t size() const;
  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

  // Every byte the cache holds for its entries (keys, then headers), for the test that no
  // credential is in there.
  std::vector<std::string> contents() const;

 private:
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  struct Entry {
    Key key;
    http::Headers granted;
    std::chrono::steady_clock::time_point expires;
  };
  AuthCacheOptions options_;
  AuthCacheClock clock_;
  std::array<unsigned char, 32> secret_{};
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0};
};

}  // namespace tim::gateway

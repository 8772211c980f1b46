// Slows down credential guessing: a token bucket of failures per client address.
//
// Each address may fail `burst` times in a row; the bucket then refills at one failure per
// `refill_interval`. While it is empty, what would fail from that address gets 429 with
// Retry-After; a valid credential is still admitted (authorize.cpp), so that one client's
// failures never lock out the others behind the same NAT. A guesser thus still learns a right
// guess; what makes guessing hopeless is the credentials themselves (README "Decisions").
// Memory is bounded: at most `max_addresses` buckets, the least recently used one is dropped to
// make room. Dropping only forgets a past failure count, it never blocks anyone, so spraying
// addresses cannot grow memory and can at worst give an address a fresh bucket. IPv6 addresses
// count per /64, the unit one subscriber usually holds, so one host cannot rotate through its
// own /64 to get fresh buckets. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tim::auth {

struct LimiterConfig {
  double burst = 10;                                // failures allowed in a row
  std::chrono::milliseconds refill_interval{6000};  // one more failure allowed per interval
  std::size_t max_addresses = 10000;                // buckets kept at most
};

class FailureLimiter {
 public:
  using Clock = std::chrono::system_clock;
  explicit FailureLimiter(LimiterConfig config = {});

  // nullopt when this address may try; otherwise how long to wait (Retry-After, >= 1 s).
  std::optional<std::chrono::seconds> blocked(std::string_view address, Clock::time_point now);
  // Counts one failed attempt.
  void record_failure(std::string_view address, Clock::time_point now);

  std::size_t tracked() const;  // buckets in memory, for tests and metrics

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
    std::list<std::string>::iterator lru;
  };
  void refill(Bucket& b, Clock::time_point now) const;

  LimiterConfig config_;
  mutable std::mutex mutex_;
  std::list<std::string> lru_;  // front = most recently used
  std::unordered_map<std::string, Bucket> buckets_;
};

// The bucket key of an address: IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 as its /64,
// anything unparsable as its first 64 bytes.
std::string limiter_key(std::string_view address);

// The client address from X-Forwarded-For as the gateway reports it: the last (rightmost)
// entry, the one our gateway appended; entries to its left are client-supplied and not
// trusted. Several header fields count as one comma-joined list. Falls back to the peer
// address when there is none or the last entry is empty.
std::string client_address(std::span<const std::string_view> x_forwarded_for,
                           std::string_view peer_address);

}  // namespace tim::auth

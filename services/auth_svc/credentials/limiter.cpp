#include "credentials/limiter.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tim::auth {

FailureLimiter::FailureLimiter(LimiterConfig config) : config_(config) {
  config_.burst = std::max(config_.burst, 1.0);
  config_.refill_interval = std::max(config_.refill_interval, std::chrono::milliseconds(1));
  config_.max_addresses = std::max<std::size_t>(config_.max_addresses, 1);
}

void FailureLimiter::refill(Bucket& b, Clock::time_point now) const {
  // A wall clock stepping backwards refills nothing rather than draining the bucket.
  if (now <= b.updated) return;
  const double gained = std::chrono::duration<double, std::milli>(now - b.updated).count() /
                        static_cast<double>(config_.refill_interval.count());
  b.tokens = std::min(config_.burst, b.tokens + gained);
  b.updated = now;
}

std::optional<std::chrono::seconds> FailureLimiter::blocked(std::string_view address,
                                                            Clock::time_point now) {
  const std::string key = limiter_key(address);
  std::lock_guard lock(mutex_);
  const auto it = buckets_.find(key);
  if (it == buckets_.end()) return std::nullopt;
  Bucket& b = it->second;
  refill(b, now);
  if (b.tokens >= 1.0) return std::nullopt;
  const double wait_ms = (1.0 - b.tokens) * static_cast<double>(config_.refill_interval.count());
  const auto secs = static_cast<long long>(std::ceil(wait_ms / 1000.0));
  return std::chrono::seconds(std::max(1LL, secs));
}

void FailureLimiter::record_failure(std::string_view address, Clock::time_point now) {
  std::string key = limiter_key(address);
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= config_.max_addresses) {
      buckets_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(key);
    it = buckets_.emplace(std::move(key), Bucket{config_.burst, now, lru_.begin()}).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Bucket& b = it->second;
  refill(b, now);
  b.tokens = std::max(0.0, b.tokens - 1.0);
}

std::size_t FailureLimiter::tracked() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

std::string limiter_key(std::string_view address) {
  char buf[INET6_ADDRSTRLEN + 1] = {};
  if (address.size() >= sizeof buf) return std::string(address.substr(0, 64));
  std::memcpy(buf, address.data(), address.size());
  unsigned char v4[4];
  if (inet_pton(AF_INET, buf, v4) == 1) {
    char out[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, v4, out, sizeof out);
    return out;
  }
  unsigned char v6[16];
  if (inet_pton(AF_INET6, buf, v6) == 1) {
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char out[INET6_ADDRSTRLEN];
    if (std::memcmp(v6, kMapped, 12) == 0) {
      inet_ntop(AF_INET, v6 + 12, out, sizeof out);
      return out;
    }
    std::memset(v6 + 8, 0, 8);
    inet_ntop(AF_INET6, v6, out, sizeof out);
    return std::string(out) + "/64";
  }
  return std::string(address.substr(0, 64));
}

std::string client_address(std::span<const std::string_view> x_forwarded_for,
                           std::string_view peer_address) {
  if (x_forwarded_for.empty()) return std::string(peer_address);
  std::string_view last = x_forwarded_for.back();
  if (const auto comma = last.rfind(','); comma != std::string_view::npos)
    last = last.substr(comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  // An empty last entry is not ours: fall back to the peer rather than trust an entry further
  // left, which the client wrote.
  return std::string(last.empty() ? peer_address : last);
}

}  // namespace tim::auth

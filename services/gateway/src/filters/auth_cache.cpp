#include "filters/auth_cache.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstring>
#include <stdexcept>

#include "tim/base64url.hpp"
#include "tim/config.hpp"
#include "tim/digest.hpp"

namespace tim::gateway {

AuthCacheOptions AuthCacheOptions::from_env() {
  AuthCacheOptions o;
  o.entries = static_cast<std::size_t>(
      config::get_int("AUTH_CACHE_ENTRIES", static_cast<std::int64_t>(o.entries), 0, 10'000'000));
  o.ttl = std::chrono::milliseconds(
      config::get_int("AUTH_CACHE_TTL_MS", o.ttl.count(), 0, 24 * 3600 * 1000));
  return o;
}

namespace {

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  return true;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> jwt_expiry(std::string_view authorization) {
  if (!iequals_prefix(authorization, "bearer ")) return std::nullopt;
  auto token = authorization.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  const auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  for (char c : token)
    if (c != '.' && base64url_value(c) < 0) return std::nullopt;  // not base64url: not a JWT
  const std::chrono::system_clock::time_point never{};
  const auto payload = base64url_decode(token.substr(first + 1, second - first - 1));
  if (!payload) return never;
  boost::system::error_code ec;
  const auto json = boost::json::parse(*payload, ec);
  if (ec || !json.is_object()) return never;
  const auto* exp = json.as_object().if_contains("exp");
  if (!exp) return never;
  double seconds = 0;
  if (exp->is_int64())
    seconds = static_cast<double>(exp->as_int64());
  else if (exp->is_uint64())
    seconds = static_cast<double>(exp->as_uint64());
  else if (exp->is_double())
    seconds = exp->as_double();
  else
    return never;
  if (seconds <= 0 || seconds > 1e11) return never;
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(seconds)));
}

std::size_t AuthDecisionCache::KeyHash::operator()(const Key& k) const noexcept {
  std::size_t h;
  std::memcpy(&h, k.data(), sizeof h);  // the key is already a keyed hash: any 8 bytes do
  return h;
}

AuthDecisionCache::AuthDecisionCache(AuthCacheOptions options, AuthCacheClock clock)
    : options_(options), clock_(std::move(clock)) {
  digest::random_bytes(secret_);
  if (enabled()) index_.reserve(options_.entries);
}

AuthDecisionCache::Key AuthDecisionCache::key(std::string_view authorization,
                                              std::string_view method,
                                              std::string_view route) const {
  constexpr std::string_view separator("\0", 1);
  return digest::Sha256()
      .update(secret_)
      .update(method)
      .update(separator)
      .update(route)
      .update(separator)
      .update(authorization)
      .finish();
}

bool AuthDecisionCache::apply(const Key& key, http::Headers& upstream) {
  if (!enabled()) return false;
  const auto now = clock_.steady();
  std::lock_guard lock(mutex_);
  const auto found = index_.find(key);
  if (found == index_.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  const auto entry = found->second;
  if (entry->expires <= now) {
    index_.erase(found);
    lru_.erase(entry);
    misses_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  lru_.splice(lru_.begin(), lru_, entry);
  for (const auto& f : entry->granted) upstream.set(f.name, f.value);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void AuthDecisionCache::store(const Key& key, std::string_view authorization, http::Headers granted,
                              std::chrono::steady_clock::time_point asked_at) {
  if (!enabled() || options_.ttl.count() == 0) return;
  auto expires = asked_at + options_.ttl;
  if (const auto exp = jwt_expiry(authorization)) {
    const auto left = *exp - clock_.wall();
    if (left <= std::chrono::system_clock::duration::zero()) return;
    expires = std::min(
        expires, asked_at + std::chrono::duration_cast<std::chrono::steady_clock::duration>(left));
  }
  if (expires <= clock_.steady()) return;
  std::lock_guard lock(mutex_);
  if (const auto found = index_.find(key); found != index_.end()) {
    found->second->granted = std::move(granted);
    found->second->expires = expires;
    lru_.splice(lru_.begin(), lru_, found->second);
    return;
  }
  if (index_.size() >= options_.entries) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front(Entry{key, std::move(granted), expires});
  index_.emplace(key, lru_.begin());
}

void AuthDecisionCache::clear() {
  std::lock_guard lock(mutex_);
  index_.clear();
  lru_.clear();
}

std::size_t AuthDecisionCache::size() const {
  std::lock_guard lock(mutex_);
  return index_.size();
}

std::vector<std::string> AuthDecisionCache::contents() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [key, entry] : index_) {
    out.emplace_back(reinterpret_cast<const char*>(key.data()), key.size());
    out.emplace_back(reinterpret_cast<const char*>(entry->key.data()), entry->key.size());
    for (const auto& f : entry->granted) {
      out.push_back(f.name);
      out.push_back(f.value);
    }
  }
  return out;
}

}  // namespace tim::gateway

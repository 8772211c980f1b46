#include "credential_store.hpp"

#include <sys/stat.h>

#include "credentials/crypto.hpp"
#include "credentials/file_io.hpp"

namespace tim::auth {

namespace {
constexpr std::size_t kMaxJwksFileBytes = 1024 * 1024;

std::int64_t nanos(const timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

// Enough of the content's digest to tell two versions of a file apart in /readyz.
std::string fingerprint(const std::string& text) {
  return to_hex(sha256(text)).substr(0, 12);
}
}  // namespace

FileStamp stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {true,
          static_cast<std::uint64_t>(st.st_dev),
          static_cast<std::uint64_t>(st.st_ino),
          static_cast<std::uint64_t>(st.st_size),
          nanos(st.st_mtim),
          nanos(st.st_ctim)};
}

std::optional<std::string> CredentialStore::load(Source& source, Credentials& next) {
  // Stamp first: a write racing with the read changes the stamp again, so the next poll
  // re-reads instead of keeping a half-seen version.
  source.stamp = stamp_of(source.path);
  const bool keys = source.variable == "KEYS_FILE";
  auto text = read_small_file(source.path, keys ? kMaxKeyFileBytes : kMaxJwksFileBytes);
  if (!text) return text.error();
  std::size_t count = 0;
  if (keys) {
    auto set = parse_key_file(text.value());
    if (!set) return set.error();
    count = set.value().size();
    next.keys = std::make_shared<const KeySet>(std::move(set).value());
  } else {
    auto set = parse_jwks(text.value());
    if (!set) return set.error();
    count = set.value().keys().size();
    next.jwks = std::make_shared<const Jwks>(std::move(set).value());
  }
  source.loaded = source.variable + "=" + source.path + ": " + std::to_string(count) +
                  (keys ? " keys" : " signing keys") + ", sha256 " + fingerprint(text.value());
  return std::nullopt;
}

Result<std::unique_ptr<CredentialStore>> CredentialStore::open(const AuthSettings& settings) {
  using R = Result<std::unique_ptr<CredentialStore>>;
  std::unique_ptr<CredentialStore> store(new CredentialStore());
  Credentials first;
  if (settings.token && !settings.token->empty()) first.token.emplace(*settings.token);
  first.jwt = settings.jwt;
  if (settings.keys_file) store->keys_ = Source{"KEYS_FILE", *settings.keys_file, {}, {}, {}};
  if (settings.jwks_file) store->jwks_ = Source{"JWKS_FILE", *settings.jwks_file, {}, {}, {}};
  for (auto* source : {&store->keys_, &store->jwks_})
    if (*source)
      if (auto error = store->load(**source, first))
        return R::failure((*source)->variable + ": " + *error);
  store->current_ = std::make_shared<const Credentials>(std::move(first));
  return R(std::move(store));
}

std::shared_ptr<const Credentials> CredentialStore::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::vector<ReloadEvent> CredentialStore::poll() {
  std::vector<ReloadEvent> events;
  for (auto* source : {&keys_, &jwks_}) {
    if (!*source) continue;
    Source& s = **source;  // only this thread writes it, always under the mutex
    if (stamp_of(s.path) == s.stamp) continue;
    Credentials next = *current();
    Source read = s;
    const auto error = load(read, next);
    std::lock_guard lock(mutex_);
    if (error) {
      s.stamp = read.stamp;
      s.last_error = *error;
      events.push_back({s.variable, false, *error + "; keeping the last good set"});
      continue;
    }
    s = std::move(read);
    s.last_error.clear();
    current_ = std::make_shared<const Credentials>(std::move(next));
    events.push_back({s.variable, true, s.loaded});
  }
  return events;
}

std::string CredentialStore::describe() const {
  std::lock_guard lock(mutex_);
  std::string out = current_->token ? "TOKEN set" : "TOKEN unset";
  for (const auto* source : {&keys_, &jwks_}) {
    if (!*source) continue;
    out += "; " + (*source)->loaded;
    if (!(*source)->last_error.empty())
      out += " (last reload refused: " + (*source)->last_error + ")";
  }
  return out;
}

}  // namespace tim::auth

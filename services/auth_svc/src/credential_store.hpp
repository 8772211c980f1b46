// The Credentials snapshot auth_svc answers with, and its reload when KEYS_FILE or JWKS_FILE
// change on disk (a Kubernetes Secret update) without a restart.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "credentials/authorize.hpp"
#include "credentials/result.hpp"
#include "credentials/settings.hpp"

namespace tim::auth {

// What stat() says about the file a path leads to. stat() follows symlinks, so a Secret update
// (kubelet swaps the `..data` symlink to a new directory) changes the inode seen here even
// though the path and the link are the same; an in-place rewrite changes mtime or size.
struct FileStamp {
  bool exists = false;
  std::uint64_t device = 0, inode = 0, size = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
FileStamp stamp_of(const std::string& path);

// One thing a poll did, for a log line. `ok` false: the file was refused and the last good
// set stays in use; `message` says why (never contains a key, only the parser's reason).
struct ReloadEvent {
  std::string variable;  // "KEYS_FILE" or "JWKS_FILE"
  bool ok = true;
  std::string message;
};

// Thread-safe: current() on I/O threads, poll() from one reload thread.
class CredentialStore {
 public:
  // The first load: any error is returned (there is no last good set to fall back to).
  static Result<std::unique_ptr<CredentialStore>> open(const AuthSettings& settings);

  std::shared_ptr<const Credentials> current() const;

  // Re-reads each file whose stamp changed since it was last read, swaps in a new snapshot
  // when it parses, keeps the old one otherwise. A broken file is reported once, not on every
  // poll; it is tried again when it changes.
  std::vector<ReloadEvent> poll();

  // For /readyz: which key set and JWKS are loaded ("KEYS_FILE=/k: 3 keys, sha256 1a2b…")
  // and the last refused reload, if any.
  std::string describe() const;

 private:
  struct Source {
    std::string variable, path;
    FileStamp stamp;         // of the last read, good or not
    std::string loaded;      // description of the set in use
    std::string last_error;  // of the last refused read; empty when the last read was good
  };
  CredentialStore() = default;
  // Reads one source; on success updates `next` and the source's description.
  std::optional<std::string> load(Source& source, Credentials& next);

  mutable std::mutex mutex_;
  std::shared_ptr<const Credentials> current_;
  std::optional<Source> keys_, jwks_;
};

}  // namespace tim::auth

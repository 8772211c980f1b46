// The app's files, read once at start into memory and served from there: a request can only
// ever name a file that was loaded, so no request path reaches the filesystem.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tim/message.hpp"

namespace tim::webapp {

struct Asset {
  std::string body;
  std::string content_type;
  std::string etag;  // strong, quoted: "\"…\""
};

struct AssetLoadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Headers on every answer of the app, errors included (CSP with no inline script).
inline constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// Content-Type by file extension; unknown extensions are application/octet-stream.
std::string content_type_for(std::string_view file_name);

// A strong ETag of the bytes (FNV-1a 64, hex, quoted).
std::string etag_of(std::string_view bytes);

// The request path (before '?') as a key of the table: percent-decoded, "/" -> "/index.html".
// nullopt when the path is malformed or tries to leave the folder (a "." or ".." segment, a
// backslash, a NUL or an empty segment, also when percent-encoded).
std::optional<std::string> asset_key(std::string_view request_path);

class AssetTable {
 public:
  // Every regular file under `folder` (subfolders too), keyed "/name", "/sub/name". Symbolic
  // links and hidden files are skipped. Throws AssetLoadError when the folder cannot be read or
  // has no index.html.
  static AssetTable load(const std::filesystem::path& folder);

  void add(std::string key, std::string body);
  const Asset* find(std::string_view key) const;
  std::size_t size() const noexcept { return assets_.size(); }
  std::size_t total_bytes() const noexcept;

 private:
  std::map<std::string, Asset, std::less<>> assets_;
};

// The answer to one request: GET/HEAD of a loaded file (304 when If-None-Match matches), 404
// JSON for anything else under GET/HEAD, 405 for other methods. Security headers on all.
http::Response serve(const AssetTable& table, const http::Request& request);

}  // namespace tim::webapp

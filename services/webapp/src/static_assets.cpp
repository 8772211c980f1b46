#include "static_assets.hpp"

#include <array>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <utility>

namespace tim::webapp {

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 12> content_types{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".csv", "text/csv; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
    {".woff2", "font/woff2"},
}};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

void add_common_headers(http::Response& r) {
  r.headers.add("content-security-policy", std::string(content_security_policy));
  r.headers.add("x-content-type-options", "nosniff");
  r.headers.add("referrer-policy", "no-referrer");
  r.headers.add("x-frame-options", "DENY");
  r.headers.add("cross-origin-opener-policy", "same-origin");
}

// Does the If-None-Match list name this ETag (or "*")? Weak forms (W/"…") match too, as
// RFC 9110's weak comparison for If-None-Match says.
bool none_match_hits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    auto item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
  }
  return false;
}

}  // namespace

std::string content_type_for(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  if (dot != std::string_view::npos) {
    const auto ext = file_name.substr(dot);
    for (const auto& [known, type] : content_types)
      if (http::iequals(known, ext)) return std::string(type);
  }
  return "application/octet-stream";
}

std::string etag_of(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string tag = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) tag.push_back(digits[(hash >> shift) & 0xf]);
  tag.push_back('"');
  return tag;
}

std::optional<std::string> asset_key(std::string_view request_path) {
  if (request_path.empty() || request_path.front() != '/') return std::nullopt;
  auto decoded = percent_decode(request_path);
  if (!decoded) return std::nullopt;
  if (*decoded == "/") return std::string("/index.html");
  // Every segment after the leading '/' must be a plain name.
  std::string_view rest = std::string_view(*decoded).substr(1);
  while (true) {
    const auto slash = rest.find('/');
    const auto segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") return std::nullopt;
    for (const char c : segment)
      if (c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 0x20) return std::nullopt;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return decoded;
}

void AssetTable::add(std::string key, std::string body) {
  Asset asset;
  asset.content_type = content_type_for(key);
  asset.etag = etag_of(body);
  asset.body = std::move(body);
  assets_.insert_or_assign(std::move(key), std::move(asset));
}

const Asset* AssetTable::find(std::string_view key) const {
  const auto it = assets_.find(key);
  return it == assets_.end() ? nullptr : &it->second;
}

std::size_t AssetTable::total_bytes() const noexcept {
  std::size_t total = 0;
  for (const auto& [key, asset] : assets_) total += asset.body.size();
  return total;
}

AssetTable AssetTable::load(const std::filesystem::path& folder) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    throw AssetLoadError("STATIC_DIR '" + folder.string() + "' is not a readable folder");
  AssetTable table;
  fs::recursive_directory_iterator it(folder, ec), end;
  if (ec) throw AssetLoadError("cannot read '" + folder.string() + "': " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw AssetLoadError("cannot read '" + folder.string() + "': " + ec.message());
    const auto name = it->path().filename().string();
    if (name.starts_with(".")) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink() || !it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in) throw AssetLoadError("cannot read '" + it->path().string() + "'");
    table.add("/" + fs::relative(it->path(), folder).generic_string(), std::move(bytes).str());
  }
  if (!table.find("/index.html"))
    throw AssetLoadError("STATIC_DIR '" + folder.string() + "' has no index.html");
  return table;
}

http::Response serve(const AssetTable& table, const http::Request& request) {
  http::Response r;
  if (request.method != "GET" && request.method != "HEAD") {
    r = http::error_response(405, "method_not_allowed", "the app's files are read with GET");
    r.headers.add("allow", "GET, HEAD");
  } else {
    const auto key = asset_key(request.path());
    const Asset* asset = key ? table.find(*key) : nullptr;
    if (!asset) {
      r = http::error_response(404, "not_found", "no such file in the app");
    } else {
      const auto if_none_match = request.headers.get("if-none-match");
      r.status = if_none_match && none_match_hits(*if_none_match, asset->etag) ? 304 : 200;
      if (r.status == 200) {
        r.body = asset->body;
        r.headers.add("content-type", asset->content_type);
      }
      r.headers.add("etag", asset->etag);
      // Revalidate every time: file names carry no content hash, and a 304 is cheap.
      r.headers.add("cache-control", "no-cache");
    }
  }
  add_common_headers(r);
  return r;
}

}  // namespace tim::webapp

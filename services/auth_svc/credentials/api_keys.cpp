#include "credentials/api_keys.hpp"

#include <boost/json.hpp>
#include <cstdio>

#include "credentials/file_io.hpp"

namespace tim::auth {

namespace json = boost::json;

bool valid_key_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name == kTokenSubject) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string generate_api_key() {
  return std::string(kApiKeyPrefix) + base64url_encode(random_bytes(kApiKeyRandomBytes));
}

std::string format_created(std::chrono::sys_seconds t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()));
  return buf;
}

std::optional<std::chrono::sys_seconds> parse_created(std::string_view s) {
  using namespace std::chrono;
  // YYYY-MM-DDTHH:MM:SSZ
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z')
    return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) -> int {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  const int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
            se = num(17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59)
    return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{se};
}

Result<KeySet> KeySet::from_records(std::vector<KeyRecord> records) {
  KeySet set;
  std::unordered_map<std::string_view, std::size_t> names;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (!valid_key_name(r.name))
      return Result<KeySet>::failure("key " + std::to_string(i + 1) + ": invalid name");
    if (r.scopes.empty()) return Result<KeySet>::failure("key '" + r.name + "': no scopes");
    if (!names.emplace(r.name, i).second)
      return Result<KeySet>::failure("duplicate key name '" + r.name + "'");
    std::string raw(reinterpret_cast<const char*>(r.sha256.data()), r.sha256.size());
    if (!set.by_digest_.emplace(std::move(raw), i).second)
      return Result<KeySet>::failure("key '" + r.name + "' has the same digest as another key");
  }
  set.records_ = std::move(records);
  return set;
}

const KeyRecord* KeySet::find(std::string_view presented_key) const {
  // The format check looks only at public structure (prefix, length), never the secret part.
  if (presented_key.size() != kApiKeyLength || !presented_key.starts_with(kApiKeyPrefix))
    return nullptr;
  const Digest d = sha256(presented_key);
  const auto it = by_digest_.find(std::string(reinterpret_cast<const char*>(d.data()), d.size()));
  if (it == by_digest_.end()) return nullptr;
  const KeyRecord& r = records_[it->second];
  return digest_equal(r.sha256, d) ? &r : nullptr;
}

const KeyRecord* KeySet::find_by_name(std::string_view name) const {
  for (const auto& r : records_)
    if (r.name == name) return &r;
  return nullptr;
}

std::string serialize_key_file(const std::vector<KeyRecord>& records) {
  // Written by hand, one key per line, so that a diff of the file is readable.
  std::string out = "{\"format\":\"tim-api-keys\",\"version\":1,\"keys\":[\n";
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    json::array scopes;
    if (r.scopes.contains(Scopes::read())) scopes.emplace_back("invoices:read");
    if (r.scopes.contains(Scopes::write())) scopes.emplace_back("invoices:write");
    if (r.scopes.contains(Scopes::webhooks())) scopes.emplace_back("webhooks:manage");
    json::object o;
    o["name"] = r.name;
    o["scopes"] = std::move(scopes);
    o["created"] = format_created(r.created);
    o["sha256"] = to_hex(r.sha256);
    out += "  ";
    out += json::serialize(o);
    out += i + 1 < records.size() ? ",\n" : "\n";
  }
  out += "]}\n";
  return out;
}

namespace {
Result<KeyRecord> parse_record(const json::value& v, std::size_t index) {
  const std::string where = "key " + std::to_string(index + 1);
  auto fail = [&](const std::string& why) {
    return Result<KeyRecord>::failure(where + ": " + why);
  };
  const auto* o = v.if_object();
  if (!o) return fail("not an object");
  KeyRecord r;
  bool have_name = false, have_scopes = false, have_created = false, have_hash = false;
  for (const auto& [k, val] : *o) {
    if (k == "name") {
      const auto* s = val.if_string();
      if (!s || !valid_key_name(*s))
        return fail("\"name\" must be 1-64 characters of [A-Za-z0-9._@-]");
      r.name = std::string(*s);
      have_name = true;
    } else if (k == "scopes") {
      const auto* a = val.if_array();
      if (!a || a->empty()) return fail("\"scopes\" must be a non-empty array");
      for (const auto& sv : *a) {
        const auto* s = sv.if_string();
        const auto scope = s ? Scopes::from_name(*s) : std::nullopt;
        if (!scope) return fail("unknown scope " + json::serialize(sv));
        r.scopes = r.scopes | *scope;
      }
      have_scopes = true;
    } else if (k == "created") {
      const auto* s = val.if_string();
      const auto t = s ? parse_created(*s) : std::nullopt;
      if (!t) return fail("\"created\" must be like 2026-05-01T12:00:00Z");
      r.created = *t;
      have_created = true;
    } else if (k == "sha256") {
      const auto* s = val.if_string();
      const auto d = s ? digest_from_hex(*s) : std::nullopt;
      if (!d) return fail("\"sha256\" must be 64 lower-case hex digits");
      r.sha256 = *d;
      have_hash = true;
    } else {
      return fail("unknown field \"" + std::string(k) + "\"");
    }
  }
  if (!have_name || !have_scopes || !have_created || !have_hash)
    return fail("needs \"name\", \"scopes\", \"created\" and \"sha256\"");
  return r;
}
}  // namespace

Result<KeySet> parse_key_file(std::string_view text) {
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec) return Result<KeySet>::failure("not valid JSON: " + ec.message());
  const auto* o = doc.if_object();
  if (!o) return Result<KeySet>::failure("not a JSON object");
  const auto* format = o->if_contains("format");
  if (!format || !format->is_string() || format->get_string() != "tim-api-keys")
    return Result<KeySet>::failure("\"format\" must be \"tim-api-keys\"");
  const auto* version = o->if_contains("version");
  if (!version || !version->is_int64() || version->get_int64() != 1)
    return Result<KeySet>::failure("unsupported \"version\" (this build reads version 1)");
  const auto* keys = o->if_contains("keys");
  if (!keys || !keys->is_array()) return Result<KeySet>::failure("\"keys\" must be an array");
  for (const auto& [k, v] : *o) {
    (void)v;
    if (k != "format" && k != "version" && k != "keys")
      return Result<KeySet>::failure("unknown field \"" + std::string(k) + "\"");
  }
  std::vector<KeyRecord> records;
  records.reserve(keys->get_array().size());
  for (std::size_t i = 0; i < keys->get_array().size(); ++i) {
    auto r = parse_record(keys->get_array()[i], i);
    if (!r) return Result<KeySet>::failure(r.error());
    records.push_back(std::move(r).value());
  }
  return KeySet::from_records(std::move(records));
}

Result<KeySet> load_key_file(const std::string& path) {
  auto text = read_small_file(path, kMaxKeyFileBytes);
  if (!text) return Result<KeySet>::failure(text.error());
  auto set = parse_key_file(text.value());
  if (!set) return Result<KeySet>::failure(path + ": " + set.error());
  return set;
}

std::string save_key_file(const std::string& path, const std::vector<KeyRecord>& records) {
  return replace_file_atomically(path, serialize_key_file(records));
}

}  // namespace tim::auth

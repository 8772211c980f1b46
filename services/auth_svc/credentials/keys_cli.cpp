#include "credentials/keys_cli.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "credentials/api_keys.hpp"

namespace tim::auth {

namespace {

constexpr std::string_view kUsage =
    "usage:\n"
    "  keys create --file KEYFILE --name NAME --scopes invoices:read,invoices:write\n"
    "  keys list --file KEYFILE\n"
    "  keys revoke --file KEYFILE NAME\n";

struct Parsed {
  std::map<std::string, std::string, std::less<>> options;
  std::vector<std::string_view> positional;
};

// Parses "--name value" and "--name=value" for the allowed option names.
std::optional<Parsed> parse(std::span<const std::string_view> args,
                            std::initializer_list<std::string_view> allowed, std::ostream& err) {
  Parsed p;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (!a.starts_with("--")) {
      p.positional.push_back(a);
      continue;
    }
    std::string_view name = a.substr(2);
    std::optional<std::string_view> value;
    if (const auto eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    bool known = false;
    for (auto n : allowed) known = known || n == name;
    if (!known) {
      err << "keys: unknown option --" << name << "\n" << kUsage;
      return std::nullopt;
    }
    if (!value) {
      if (i + 1 >= args.size()) {
        err << "keys: --" << name << " needs a value\n" << kUsage;
        return std::nullopt;
      }
      value = args[++i];
    }
    if (!p.options.emplace(std::string(name), std::string(*value)).second) {
      err << "keys: --" << name << " given twice\n" << kUsage;
      return std::nullopt;
    }
  }
  return p;
}

bool require(const Parsed& p, std::initializer_list<std::string_view> names, std::ostream& err) {
  for (auto n : names)
    if (p.options.find(n) == p.options.end() || p.options.find(n)->second.empty()) {
      err << "keys: --" << n << " is required\n" << kUsage;
      return false;
    }
  return true;
}

// The current records; a missing file is an empty set only when allowed (create).
std::optional<std::vector<KeyRecord>> read_records(const std::string& path, bool missing_ok,
                                                   std::ostream& err) {
  std::error_code ec;
  if (missing_ok && !std::filesystem::exists(path, ec) && !ec) return std::vector<KeyRecord>{};
  auto set = load_key_file(path);
  if (!set) {
    err << "keys: " << set.error() << "\n";
    return std::nullopt;
  }
  return set.value().records();
}

int create(const Parsed& p, std::ostream& out, std::ostream& err) {
  if (!require(p, {"file", "name", "scopes"}, err)) return 2;
  if (!p.positional.empty()) {
    err << "keys create: unexpected argument '" << p.positional.front() << "'\n" << kUsage;
    return 2;
  }
  const std::string& file = p.options.at("file");
  const std::string& name = p.options.at("name");
  if (!valid_key_name(name)) {
    err << "keys create: invalid name '" << name
        << "': use 1-64 characters of A-Z a-z 0-9 . _ @ - (and not \"token\")\n";
    return 1;
  }
  std::string bad;
  const auto scopes = Scopes::parse_list(p.options.at("scopes"), ',', &bad);
  if (!scopes) {
    err << "keys create: unknown scope '" << bad << "' (known: invoices:read, invoices:write)\n";
    return 1;
  }
  auto records = read_records(file, true, err);
  if (!records) return 1;
  for (const auto& r : *records)
    if (r.name == name) {
      err << "keys create: a key named '" << name << "' already exists in " << file << "\n";
      return 1;
    }
  const std::string key = generate_api_key();
  records->push_back(KeyRecord{
      name, *scopes, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()),
      sha256(key)});
  if (auto error = save_key_file(file, *records); !error.empty()) {
    err << "keys create: " << error << "\n";
    return 1;
  }
  out << "Created key '" << name << "' with scopes " << scopes->to_string(',') << " in " << file
      << ".\nThis is the only time the key is shown; store it now:\n"
      << key << "\n";
  return 0;
}

int list(const Parsed& p, std::ostream& out, std::ostream& err) {
  if (!require(p, {"file"}, err)) return 2;
  if (!p.positional.empty()) {
    err << "keys list: unexpected argument '" << p.positional.front() << "'\n" << kUsage;
    return 2;
  }
  const auto records = read_records(p.options.at("file"), false, err);
  if (!records) return 1;
  std::size_t name_w = 4, scopes_w = 6;
  for (const auto& r : *records) {
    name_w = std::max(name_w, r.name.size());
    scopes_w = std::max(scopes_w, r.scopes.to_string(',').size());
  }
  auto row = [&](std::string_view a, std::string_view b, std::string_view c) {
    out << a << std::string(name_w - a.size() + 2, ' ') << b
        << std::string(scopes_w - b.size() + 2, ' ') << c << "\n";
  };
  row("NAME", "SCOPES", "CREATED");
  for (const auto& r : *records) row(r.name, r.scopes.to_string(','), format_created(r.created));
  return 0;
}

int revoke(const Parsed& p, std::ostream& out, std::ostream& err) {
  if (!require(p, {"file"}, err)) return 2;
  if (p.positional.size() != 1) {
    err << "keys revoke: give exactly one key NAME\n" << kUsage;
    return 2;
  }
  const std::string& file = p.options.at("file");
  const std::string_view name = p.positional.front();
  auto records = read_records(file, false, err);
  if (!records) return 1;
  const auto before = records->size();
  std::erase_if(*records, [&](const KeyRecord& r) { return r.name == name; });
  if (records->size() == before) {
    err << "keys revoke: no key named '" << name << "' in " << file << "\n";
    return 1;
  }
  if (auto error = save_key_file(file, *records); !error.empty()) {
    err << "keys revoke: " << error << "\n";
    return 1;
  }
  out << "Revoked key '" << name << "' in " << file << ".\n";
  return 0;
}

}  // namespace

int keys_main(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] != "keys") {
    err << "keys: arguments must start with \"keys\"\n" << kUsage;
    return 2;
  }
  if (args.size() < 2) {
    err << kUsage;
    return 2;
  }
  const std::string_view command = args[1];
  const auto rest = args.subspan(2);
  if (command == "help" || command == "--help" || command == "-h") {
    out << kUsage;
    return 0;
  }
  try {
    if (command == "create") {
      auto p = parse(rest, {"file", "name", "scopes"}, err);
      return p ? create(*p, out, err) : 2;
    }
    if (command == "list") {
      auto p = parse(rest, {"file"}, err);
      return p ? list(*p, out, err) : 2;
    }
    if (command == "revoke") {
      auto p = parse(rest, {"file"}, err);
      return p ? revoke(*p, out, err) : 2;
    }
  } catch (const std::exception& e) {  // e.g. no randomness: say so, never write a weak key
    err << "keys " << command << ": " << e.what() << "\n";
    return 1;
  }
  err << "keys: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

}  // namespace tim::auth

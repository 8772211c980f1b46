#include "credentials/keys_cli.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "credentials/api_keys.hpp"

namespace tim::auth {

namespace {

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

struct KeysArgs {
  std::string file, name, scopes;
};

int create(const KeysArgs& a, std::ostream& out, std::ostream& err) {
  const std::string& file = a.file;
  const std::string& name = a.name;
  if (!valid_key_name(name)) {
    err << "keys create: invalid name '" << name
        << "': use 1-64 characters of A-Z a-z 0-9 . _ @ - (and not \"token\")\n";
    return 1;
  }
  std::string bad;
  const auto scopes = Scopes::parse_list(a.scopes, ',', &bad);
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

int list(const KeysArgs& args, std::ostream& out, std::ostream& err) {
  const auto records = read_records(args.file, false, err);
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

int revoke(const KeysArgs& a, std::ostream& out, std::ostream& err) {
  const std::string& file = a.file;
  const std::string_view name = a.name;
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

void add_keys_commands(cli::Program& program, std::ostream& out, std::ostream& err) {
  auto& keys = program.group("keys", "Create, list and revoke API keys in a key file (KEYS_FILE)");
  auto args = std::make_shared<KeysArgs>();
  // Refusals exit 1 with the reason; e.g. no randomness: say so, never write a weak key.
  auto guarded = [args, &out, &err](const char* command, auto action) {
    return [args, &out, &err, command, action]() -> int {
      try {
        return action(*args, out, err);
      } catch (const std::exception& e) {
        err << "keys " << command << ": " << e.what() << "\n";
        return 1;
      }
    };
  };
  auto& c = program.command("create", "Add a key; prints it once, as the last line",
                            guarded("create", create), &keys);
  c.add_option("--file", args->file, "key file (created when missing)")->required();
  c.add_option("--name", args->name, "1-64 characters of A-Z a-z 0-9 . _ @ -")->required();
  c.add_option("--scopes", args->scopes, "comma-separated, e.g. invoices:read,invoices:write")
      ->required();
  auto& l = program.command("list", "Show names, scopes and creation times (never the keys)",
                            guarded("list", list), &keys);
  l.add_option("--file", args->file, "key file")->required();
  auto& r = program.command("revoke", "Remove the key NAME", guarded("revoke", revoke), &keys);
  r.add_option("--file", args->file, "key file")->required();
  r.add_option("name", args->name, "the key's name")->required();
}

int keys_main(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  cli::Program program("auth_svc", "auth_svc's key file commands");
  program.app().require_subcommand(1);
  add_keys_commands(program, out, err);
  return program.run(std::vector<std::string>(args.begin(), args.end()), out, err);
}

}  // namespace tim::auth

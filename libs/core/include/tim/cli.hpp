// The command line every binary shares (CLI11): --help that lists the subcommands and the
// environment variables with their defaults, --version, usage errors that exit 2.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace tim::cli {

// One environment variable a binary reads: the name, its default as text, what it does.
struct EnvVar {
  std::string name;
  std::string fallback;
  std::string help;
};

// "0.1.0 (v0.1.0-12-gabcdef)": the CMake project version and `git describe` at configure time.
std::string version();

// The "Environment" section of --help.
std::string environment_help(const std::vector<EnvVar>& env);

// A program: subcommands with actions, one of them the default when none is named.
//   Program program("gateway", "what it is", env_table);
//   program.default_command("serve", "…", serve);   // also what runs with no subcommand
//   auto& import = program.command("import", "…", [&] { return import_command(args); });
//   import.add_option("file", args.file, "…")->required();
//   return program.run(argc, argv);
class Program {
 public:
  Program(std::string name, std::string description, std::vector<EnvVar> env = {});

  CLI::App& app() { return app_; }
  // Adds a subcommand of `parent` (the program when null) that runs `action` when chosen;
  // `action` returns the exit status. Options are added to the returned App.
  CLI::App& command(const std::string& name, const std::string& description,
                    std::function<int()> action, CLI::App* parent = nullptr);
  // The command run when none is named (serve); its --help shows the environment table too.
  CLI::App& default_command(const std::string& name, const std::string& description,
                            std::function<int()> action);
  // Adds a subcommand that only groups others (`keys create`): one of them is required.
  CLI::App& group(const std::string& name, const std::string& description);
  // What runs when no command is named, without a `serve` subcommand (tests).
  void set_default(std::function<int()> action) { default_ = std::move(action); }

  // Parses args (program name excluded) and runs the chosen command. --help and --version
  // print to `out` and return 0; a usage error prints the message and the usage to `err` and
  // returns 2. Nothing else happens before the parse succeeded.
  int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
  int run(int argc, char** argv);

 private:
  CLI::App app_;
  std::vector<std::pair<CLI::App*, std::function<int()>>> actions_;
  std::function<int()> default_;
};

}  // namespace tim::cli

#include "tim/cli.hpp"

#include <algorithm>
#include <iostream>

namespace tim::cli {

std::string environment_help(const std::vector<EnvVar>& env) {
  if (env.empty()) return {};
  auto shown = [](const EnvVar& v) { return v.fallback.empty() ? std::string("-") : v.fallback; };
  std::size_t name_w = 0, fallback_w = 0;
  for (const auto& v : env) {
    name_w = std::max(name_w, v.name.size());
    fallback_w = std::max(fallback_w, shown(v).size());
  }
  std::string text =
      "Environment variables (name, default, meaning; '-': none; an empty value counts as "
      "unset):\n";
  for (const auto& v : env) {
    const auto fallback = shown(v);
    text += "  " + v.name + std::string(name_w - v.name.size() + 2, ' ') + fallback +
            std::string(fallback_w - fallback.size() + 2, ' ') + v.help + "\n";
  }
  return text;
}

Program::Program(std::string name, std::string description, std::vector<EnvVar> env)
    : app_(std::move(description), std::move(name)) {
  app_.set_version_flag("--version", app_.get_name() + " " + version(),
                        "Print the version and exit");
  // The usage follows every error, so a mistake shows the way out.
  app_.failure_message([](const CLI::App* app, const CLI::Error& e) {
    return app->get_name() + ": " + e.what() + "\n\n" + app->help();
  });
  app_.require_subcommand(0, 1);
  app_.footer(environment_help(env));
}

CLI::App& Program::command(const std::string& name, const std::string& description,
                           std::function<int()> action, CLI::App* parent) {
  CLI::App* sub = (parent ? parent : &app_)->add_subcommand(name, description);
  sub->footer("");  // the environment table is the server's
  actions_.emplace_back(sub, std::move(action));
  return *sub;
}

CLI::App& Program::default_command(const std::string& name, const std::string& description,
                                   std::function<int()> action) {
  CLI::App* sub = app_.add_subcommand(name, description);
  actions_.emplace_back(sub, action);
  default_ = std::move(action);
  return *sub;
}

CLI::App& Program::group(const std::string& name, const std::string& description) {
  CLI::App* sub = app_.add_subcommand(name, description);
  sub->require_subcommand(1);
  sub->footer("");
  return *sub;
}

int Program::run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  try {
    app_.parse(reversed);
  } catch (const CLI::ParseError& e) {
    const int code = app_.exit(e, out, err);
    return code == 0 ? 0 : 2;
  }
  // The deepest chosen command: actions_ holds parents before their children.
  for (auto it = actions_.rbegin(); it != actions_.rend(); ++it)
    if (it->first->parsed()) return it->second();
  if (default_) return default_();
  err << app_.help();
  return 2;
}

int Program::run(int argc, char** argv) {
  std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  return run(args, std::cout, std::cerr);
}

}  // namespace tim::cli

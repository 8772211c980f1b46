#include "tim/cli.hpp"

#include <gtest/gtest.h>

#include <sstream>

using tim::cli::Program;

namespace {

struct Outcome {
  int status;
  std::string out, err;
  std::string ran;
};

// A program shaped like the services': serve (the default), import FILE, keys create/list.
Outcome run(std::vector<std::string> args) {
  Outcome o{};
  Program program(
      "demo", "A demo service.",
      {{"PORT", "8080", "port to listen on"}, {"DATA_DIR", "./data", "where data goes"}});
  program.set_default([&] {
    o.ran = "serve";
    return 0;
  });
  program.command("serve", "Serve the API (the default)", [&] {
    o.ran = "serve";
    return 0;
  });
  std::string file;
  bool quiet = false;
  auto& import = program.command("import", "Load a file", [&] {
    o.ran = "import " + file + (quiet ? " quiet" : "");
    return 1;
  });
  import.add_option("file", file, "CSV file")->required();
  import.add_flag("--quiet", quiet, "no progress");
  auto& keys = program.group("keys", "Manage keys");
  std::string key_file;
  program
      .command(
          "list", "List keys",
          [&] {
            o.ran = "keys list " + key_file;
            return 0;
          },
          &keys)
      .add_option("--file", key_file)
      ->required();
  std::ostringstream out, err;
  o.status = program.run(args, out, err);
  o.out = out.str();
  o.err = err.str();
  return o;
}

TEST(Cli, NoArgumentsRunsTheDefault) {
  auto o = run({});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.ran, "serve");
  EXPECT_EQ(run({"serve"}).ran, "serve");
}

TEST(Cli, SubcommandsRunWithTheirOptionsAndReturnTheirStatus) {
  auto o = run({"import", "a.csv", "--quiet"});
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(o.ran, "import a.csv quiet");
  o = run({"keys", "list", "--file=k.json"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.ran, "keys list k.json");
}

TEST(Cli, HelpListsSubcommandsAndEnvironmentAndRunsNothing) {
  auto o = run({"--help"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.ran, "");
  for (auto* word : {"serve", "import", "keys", "PORT", "8080", "DATA_DIR", "./data", "--version"})
    EXPECT_NE(o.out.find(word), std::string::npos) << word << " in\n" << o.out;
  o = run({"import", "--help"});
  EXPECT_EQ(o.status, 0);
  EXPECT_NE(o.out.find("--quiet"), std::string::npos) << o.out;
  EXPECT_EQ(o.ran, "");
}

TEST(Cli, VersionPrintsTheProjectVersion) {
  auto o = run({"--version"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.ran, "");
  EXPECT_TRUE(o.out.starts_with("demo " + tim::cli::version())) << o.out;
  EXPECT_TRUE(tim::cli::version().starts_with("0.")) << tim::cli::version();
}

TEST(Cli, UsageErrorsExitTwoWithAMessageAndRunNothing) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--bogus"},
                                             {"frobnicate"},
                                             {"import"},
                                             {"import", "a.csv", "b.csv"},
                                             {"import", "a.csv", "--loud"},
                                             {"keys"},
                                             {"keys", "list"},
                                             {"keys", "list", "--file", "a", "--file", "b"}}) {
    auto o = run(args);
    EXPECT_EQ(o.status, 2) << args.front();
    EXPECT_EQ(o.ran, "") << args.front();
    EXPECT_NE(o.err.find("Usage:"), std::string::npos) << o.err;
    EXPECT_EQ(o.out, "");
  }
  EXPECT_NE(run({"--bogus"}).err.find("--bogus"), std::string::npos);
}

}  // namespace

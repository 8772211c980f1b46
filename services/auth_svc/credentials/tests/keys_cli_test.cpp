#include "credentials/keys_cli.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "credentials/api_keys.hpp"
#include "credentials/authorize.hpp"

namespace tim::auth {
namespace {

struct CliRun {
  int status;
  std::string out, err;
};

CliRun keys(std::vector<std::string> args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::ostringstream out, err;
  const int status = keys_main(views, out, err);
  return {status, out.str(), err.str()};
}

std::string last_line(const std::string& s) {
  std::string t = s;
  if (!t.empty() && t.back() == '\n') t.pop_back();
  return t.substr(t.rfind('\n') + 1);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class KeysCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tim_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    file_ = (dir_ / "keys.json").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  int status_of(const std::string& key, std::string_view method) {
    auto set = load_key_file(file_);
    EXPECT_TRUE(set) << set.error();
    Credentials c;
    c.keys = std::make_shared<const KeySet>(std::move(set).value());
    FailureLimiter limiter;
    std::vector<std::string_view> auth = {key};
    return authorize(c, limiter, method, auth, "192.0.2.1", std::chrono::system_clock::now())
        .status;
  }

  std::filesystem::path dir_;
  std::string file_;
};

TEST_F(KeysCliTest, CreateListRevoke) {
  const CliRun created = keys({"keys", "create", "--file", file_, "--name", "ci", "--scopes",
                               "invoices:read,invoices:write"});
  ASSERT_EQ(created.status, 0) << created.err;
  const std::string key = last_line(created.out);
  EXPECT_TRUE(key.starts_with("tim_"));
  EXPECT_EQ(key.size(), kApiKeyLength);
  EXPECT_EQ(slurp(file_).find(key), std::string::npos);  // only the hash is stored
  struct stat st {};
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const CliRun reader =
      keys({"keys", "create", "--file=" + file_, "--name=dash", "--scopes=invoices:read"});
  ASSERT_EQ(reader.status, 0) << reader.err;
  const std::string read_key = last_line(reader.out);

  // The created keys authenticate, with their scopes.
  EXPECT_EQ(status_of(key, "POST"), 200);
  EXPECT_EQ(status_of(read_key, "GET"), 200);
  EXPECT_EQ(status_of(read_key, "POST"), 403);

  const CliRun listed = keys({"keys", "list", "--file", file_});
  ASSERT_EQ(listed.status, 0) << listed.err;
  EXPECT_NE(listed.out.find("NAME"), std::string::npos);
  EXPECT_NE(listed.out.find("ci"), std::string::npos);
  EXPECT_NE(listed.out.find("invoices:read,invoices:write"), std::string::npos);
  EXPECT_NE(listed.out.find("dash"), std::string::npos);
  EXPECT_NE(listed.out.find("Z\n"), std::string::npos);  // created time
  EXPECT_EQ(listed.out.find(key), std::string::npos);
  EXPECT_EQ(listed.out.find(read_key), std::string::npos);
  EXPECT_EQ(listed.out.find(to_hex(sha256(key))), std::string::npos);

  const CliRun revoked = keys({"keys", "revoke", "--file", file_, "ci"});
  ASSERT_EQ(revoked.status, 0) << revoked.err;
  EXPECT_EQ(status_of(key, "GET"), 401);
  EXPECT_EQ(status_of(read_key, "GET"), 200);
  EXPECT_EQ(keys({"keys", "list", "--file", file_}).out.find("ci "), std::string::npos);
  // No temporary files left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1);
}

TEST_F(KeysCliTest, RefusalsExitOne) {
  ASSERT_EQ(
      keys({"keys", "create", "--file", file_, "--name", "ci", "--scopes", "invoices:read"}).status,
      0);
  const std::string before = slurp(file_);

  const CliRun dup =
      keys({"keys", "create", "--file", file_, "--name", "ci", "--scopes", "invoices:read"});
  EXPECT_EQ(dup.status, 1);
  EXPECT_NE(dup.err.find("already exists"), std::string::npos);
  EXPECT_EQ(dup.out, "");  // no key printed for a refused create

  const CliRun scope =
      keys({"keys", "create", "--file", file_, "--name", "x", "--scopes", "invoices:read,admin"});
  EXPECT_EQ(scope.status, 1);
  EXPECT_NE(scope.err.find("unknown scope 'admin'"), std::string::npos);

  EXPECT_EQ(
      keys({"keys", "create", "--file", file_, "--name", "bad name", "--scopes", "invoices:read"})
          .status,
      1);
  EXPECT_EQ(
      keys({"keys", "create", "--file", file_, "--name", "token", "--scopes", "invoices:read"})
          .status,
      1);

  const CliRun unknown = keys({"keys", "revoke", "--file", file_, "nobody"});
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.err.find("no key named 'nobody'"), std::string::npos);

  EXPECT_EQ(slurp(file_), before);  // nothing was written

  const std::string missing = (dir_ / "missing.json").string();
  EXPECT_EQ(keys({"keys", "list", "--file", missing}).status, 1);
  EXPECT_EQ(keys({"keys", "revoke", "--file", missing, "ci"}).status, 1);
}

TEST_F(KeysCliTest, BrokenKeyFileIsNeverOverwritten) {
  std::ofstream(file_) << "{\"format\":\"tim-api-keys\",\"version\":1,\"keys\":[";
  const std::string before = slurp(file_);
  const CliRun r =
      keys({"keys", "create", "--file", file_, "--name", "ci", "--scopes", "invoices:read"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find(file_), std::string::npos);
  EXPECT_EQ(slurp(file_), before);
  EXPECT_EQ(keys({"keys", "list", "--file", file_}).status, 1);
}

TEST_F(KeysCliTest, BadUsageExitsTwo) {
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"keys"},
      {"create", "--file", file_},
      {"keys", "frobnicate"},
      {"keys", "create", "--file", file_, "--name", "ci"},
      {"keys", "create", "--name", "ci", "--scopes", "invoices:read"},
      {"keys", "create", "--file", file_, "--name", "ci", "--scopes", "invoices:read", "extra"},
      {"keys", "create", "--file", file_, "--name", "ci", "--scopes", "invoices:read", "--name",
       "x"},
      {"keys", "create", "--file", file_, "--name", "ci", "--scopes"},
      {"keys", "list"},
      {"keys", "list", "--file", file_, "--verbose"},
      {"keys", "revoke", "--file", file_},
      {"keys", "revoke", "--file", file_, "a", "b"},
      {"keys", "revoke", "ci"},
  };
  for (const auto& args : bad) {
    const CliRun r = keys(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.status, 2) << joined;
    EXPECT_NE(r.err.find("Usage:"), std::string::npos) << joined;
  }
  EXPECT_FALSE(std::filesystem::exists(file_));
  const CliRun help = keys({"keys", "--help"});
  EXPECT_EQ(help.status, 0);
  for (auto* command : {"create", "list", "revoke"})
    EXPECT_NE(help.out.find(command), std::string::npos) << help.out;
  const CliRun create_help = keys({"keys", "create", "--help"});
  EXPECT_EQ(create_help.status, 0);
  EXPECT_NE(create_help.out.find("--scopes"), std::string::npos) << create_help.out;
}

}  // namespace
}  // namespace tim::auth

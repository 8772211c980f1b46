#include "credential_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "credentials/api_keys.hpp"

namespace tim::auth {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tim-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A key file with one key per name; returns the keys.
  static std::vector<std::string> write_keys(const fs::path& path,
                                             const std::vector<std::string>& names) {
    std::vector<KeyRecord> records;
    std::vector<std::string> keys;
    for (const auto& n : names) {
      keys.push_back(generate_api_key());
      records.push_back({n, Scopes::read(), std::chrono::sys_seconds{}, sha256(keys.back())});
    }
    EXPECT_EQ(save_key_file(path.string(), records), "");
    return keys;
  }
  static void write_text(const fs::path& path, std::string_view text) {
    std::ofstream(path) << text;
  }

  fs::path dir_;
};

TEST_F(StoreTest, ReloadsAChangedFileAndKeepsTheLastGoodSetOnABrokenOne) {
  const auto file = dir_ / "keys.json";
  const auto first = write_keys(file, {"a"});
  AuthSettings settings;
  settings.keys_file = file.string();
  auto opened = CredentialStore::open(settings);
  ASSERT_TRUE(opened) << opened.error();
  auto& store = *opened.value();
  EXPECT_NE(store.current()->keys->find(first[0]), nullptr);
  EXPECT_TRUE(store.poll().empty());

  const auto second = write_keys(file, {"b", "c"});
  auto events = store.poll();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].ok);
  EXPECT_EQ(store.current()->keys->find(first[0]), nullptr);
  EXPECT_NE(store.current()->keys->find(second[1]), nullptr);
  EXPECT_NE(store.describe().find("2 keys"), std::string::npos);

  write_text(file, R"({"format":"tim-api-keys","version":1,"keys":[)");  // cut short
  events = store.poll();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0].ok);
  EXPECT_NE(store.current()->keys->find(second[0]), nullptr);
  EXPECT_NE(store.describe().find("last reload refused"), std::string::npos);
  EXPECT_TRUE(store.poll().empty()) << "a broken file is reported once";
}

TEST_F(StoreTest, FollowsASymlinkSwapLikeAKubernetesSecretUpdate) {
  fs::create_directories(dir_ / "v1");
  fs::create_directories(dir_ / "v2");
  const auto k1 = write_keys(dir_ / "v1" / "keys.json", {"old"});
  const auto k2 = write_keys(dir_ / "v2" / "keys.json", {"new"});
  fs::create_directory_symlink(dir_ / "v1", dir_ / "..data");
  fs::create_symlink(dir_ / "..data" / "keys.json", dir_ / "keys.json");
  AuthSettings settings;
  settings.keys_file = (dir_ / "keys.json").string();
  auto opened = CredentialStore::open(settings);
  ASSERT_TRUE(opened) << opened.error();
  auto& store = *opened.value();
  EXPECT_NE(store.current()->keys->find(k1[0]), nullptr);

  fs::create_directory_symlink(dir_ / "v2", dir_ / "..data_tmp");
  fs::rename(dir_ / "..data_tmp", dir_ / "..data");
  ASSERT_EQ(store.poll().size(), 1u);
  EXPECT_NE(store.current()->keys->find(k2[0]), nullptr);
  EXPECT_EQ(store.current()->keys->find(k1[0]), nullptr);
}

TEST_F(StoreTest, AStartupErrorNamesTheVariable) {
  write_text(dir_ / "keys.json", "not json");
  AuthSettings settings;
  settings.keys_file = (dir_ / "keys.json").string();
  auto opened = CredentialStore::open(settings);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().rfind("KEYS_FILE: ", 0), 0u);
}

}  // namespace
}  // namespace tim::auth

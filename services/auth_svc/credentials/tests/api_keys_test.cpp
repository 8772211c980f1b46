#include "credentials/api_keys.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace tim::auth {
namespace {

using namespace std::chrono;

KeyRecord record(std::string name, Scopes scopes, const std::string& key) {
  return KeyRecord{std::move(name), scopes, sys_days{2026y / 5 / 1} + 12h, sha256(key)};
}

TEST(ApiKeys, GeneratedKeysHaveThePrefixAnd256RandomBits) {
  const auto a = generate_api_key(), b = generate_api_key();
  EXPECT_EQ(a.size(), kApiKeyLength);
  EXPECT_TRUE(a.starts_with("tim_"));
  EXPECT_NE(a, b);
  EXPECT_EQ(base64url_decode(std::string_view(a).substr(4))->size(), 32u);
}

TEST(ApiKeys, KeyNames) {
  EXPECT_TRUE(valid_key_name("ci-deploy_1.prod@acme"));
  EXPECT_FALSE(valid_key_name(""));
  EXPECT_FALSE(valid_key_name("token"));  // the TOKEN's subject
  EXPECT_FALSE(valid_key_name("a b"));
  EXPECT_FALSE(valid_key_name("a\nb"));
  EXPECT_FALSE(valid_key_name(std::string(65, 'a')));
}

TEST(ApiKeys, CreatedTimes) {
  const sys_seconds t = sys_days{2026y / 2 / 28} + 23h + 59min + 58s;
  EXPECT_EQ(format_created(t), "2026-02-28T23:59:58Z");
  EXPECT_EQ(parse_created("2026-02-28T23:59:58Z"), t);
  EXPECT_FALSE(parse_created("2026-02-30T00:00:00Z").has_value());
  EXPECT_FALSE(parse_created("2026-02-28 23:59:58Z").has_value());
  EXPECT_FALSE(parse_created("2026-02-28T24:00:00Z").has_value());
  EXPECT_FALSE(parse_created("2026-02-28T23:59:58.000Z").has_value());
}

TEST(ApiKeys, FindByKey) {
  const auto k1 = generate_api_key(), k2 = generate_api_key();
  auto set =
      KeySet::from_records({record("a", Scopes::read(), k1), record("b", Scopes::all(), k2)});
  ASSERT_TRUE(set) << set.error();
  ASSERT_NE(set.value().find(k1), nullptr);
  EXPECT_EQ(set.value().find(k1)->name, "a");
  EXPECT_EQ(set.value().find(k2)->name, "b");
  EXPECT_EQ(set.value().find(generate_api_key()), nullptr);
  EXPECT_EQ(set.value().find(k1.substr(0, 46)), nullptr);
  EXPECT_EQ(set.value().find(k1 + "x"), nullptr);
  EXPECT_EQ(set.value().find(""), nullptr);
  EXPECT_EQ(set.value().find_by_name("b")->scopes, Scopes::all());
}

TEST(ApiKeys, SetRefusesDuplicates) {
  const auto k = generate_api_key();
  EXPECT_FALSE(KeySet::from_records(
      {record("a", Scopes::read(), k), record("a", Scopes::read(), generate_api_key())}));
  EXPECT_FALSE(
      KeySet::from_records({record("a", Scopes::read(), k), record("b", Scopes::read(), k)}));
  EXPECT_FALSE(KeySet::from_records({record("a", Scopes::none(), k)}));
}

TEST(ApiKeys, FileRoundTrip) {
  const auto k1 = generate_api_key(), k2 = generate_api_key();
  const std::vector<KeyRecord> records = {record("a", Scopes::read(), k1),
                                          record("b", Scopes::all(), k2)};
  const std::string text = serialize_key_file(records);
  EXPECT_EQ(text.find(k1), std::string::npos);  // only digests are stored
  auto set = parse_key_file(text);
  ASSERT_TRUE(set) << set.error();
  ASSERT_EQ(set.value().size(), 2u);
  EXPECT_EQ(set.value().find(k2)->name, "b");
  EXPECT_EQ(set.value().records()[0].created, records[0].created);
  EXPECT_EQ(serialize_key_file(set.value().records()), text);
  EXPECT_TRUE(parse_key_file(serialize_key_file({})));
}

TEST(ApiKeys, BrokenFilesAreErrors) {
  const std::string good = serialize_key_file({record("a", Scopes::read(), generate_api_key()),
                                               record("b", Scopes::all(), generate_api_key())});
  // Cut after the first key's line: one JSON document, so this fails rather than losing "b".
  EXPECT_FALSE(parse_key_file(good.substr(0, good.find('\n', good.find('\n') + 1) + 1)));
  EXPECT_FALSE(parse_key_file(""));
  EXPECT_FALSE(parse_key_file("[]"));
  const std::string hash(64, 'a');
  auto doc = [&](const std::string& key) {
    return "{\"format\":\"tim-api-keys\",\"version\":1,\"keys\":[" + key + "]}";
  };
  const std::string ok =
      R"({"name":"a","scopes":["invoices:read"],"created":"2026-05-01T12:00:00Z","sha256":")" +
      hash + "\"}";
  EXPECT_TRUE(parse_key_file(doc(ok)));
  EXPECT_FALSE(parse_key_file(R"({"format":"tim-api-keys","version":2,"keys":[]})"));
  EXPECT_FALSE(parse_key_file(R"({"format":"other","version":1,"keys":[]})"));
  EXPECT_FALSE(parse_key_file(R"({"format":"tim-api-keys","version":1,"keys":[],"x":1})"));
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = ok;
    s.replace(s.find(from), from.size(), to);
    return doc(s);
  };
  EXPECT_FALSE(parse_key_file(with("invoices:read", "invoices:admin")));
  EXPECT_FALSE(parse_key_file(with("[\"invoices:read\"]", "[]")));
  EXPECT_FALSE(parse_key_file(with("\"scopes\"", "\"scope\"")));
  EXPECT_FALSE(parse_key_file(with("\"a\"", "\"token\"")));
  EXPECT_FALSE(parse_key_file(with("2026-05-01T12:00:00Z", "yesterday")));
  EXPECT_FALSE(parse_key_file(with(hash, std::string(64, 'A'))));
  EXPECT_FALSE(parse_key_file(with(hash, std::string(63, 'a'))));
  EXPECT_FALSE(parse_key_file(with(",\"sha256\":\"" + hash + "\"", "")));
  EXPECT_FALSE(parse_key_file(doc(ok + "," + ok)));  // duplicate name
}

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tim_keys_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(KeyFileTest, SaveIsAtomicAndPrivate) {
  const std::string path = (dir_ / "keys.json").string();
  const auto key = generate_api_key();
  ASSERT_EQ(save_key_file(path, {record("a", Scopes::read(), key)}), "");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto set = load_key_file(path);
  ASSERT_TRUE(set) << set.error();
  EXPECT_NE(set.value().find(key), nullptr);
  // Rewriting replaces the file and leaves no temporary files behind.
  ASSERT_EQ(save_key_file(path, {}), "");
  EXPECT_EQ(load_key_file(path).value().size(), 0u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1);
}

TEST_F(KeyFileTest, LoadErrorsNameTheFile) {
  const std::string path = (dir_ / "missing.json").string();
  auto r = load_key_file(path);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find(path), std::string::npos);
  std::ofstream(dir_ / "broken.json") << "{\"format\":";
  auto b = load_key_file((dir_ / "broken.json").string());
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().find("broken.json"), std::string::npos);
  EXPECT_NE(save_key_file((dir_ / "no" / "such" / "dir.json").string(), {}), "");
}

}  // namespace
}  // namespace tim::auth

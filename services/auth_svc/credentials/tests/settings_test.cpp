#include "credentials/settings.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "test_signer.hpp"
#include "tim/config.hpp"

namespace tim::auth {
namespace {

constexpr const char* kVars[] = {"TOKEN",
                                 "KEYS_FILE",
                                 "JWKS_FILE",
                                 "JWT_ISSUER",
                                 "JWT_AUDIENCE",
                                 "JWT_LEEWAY_SECONDS",
                                 "JWT_MAX_BYTES",
                                 "AUTH_FAILURE_BURST",
                                 "AUTH_FAILURE_REFILL_MS",
                                 "AUTH_LIMITER_MAX_ADDRESSES"};

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto v : kVars) ::unsetenv(v);
    dir_ = std::filesystem::temp_directory_path() / ("tim_settings_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    for (auto v : kVars) ::unsetenv(v);
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

TEST_F(SettingsTest, Defaults) {
  const AuthSettings s = settings_from_env();
  EXPECT_FALSE(s.token);
  EXPECT_FALSE(s.keys_file);
  EXPECT_FALSE(s.jwks_file);
  EXPECT_EQ(s.jwt.leeway, std::chrono::seconds(60));
  EXPECT_EQ(s.jwt.max_token_bytes, 8192u);
  EXPECT_EQ(s.limiter.burst, 10);
  EXPECT_EQ(s.limiter.refill_interval, std::chrono::milliseconds(6000));
  auto c = load_credentials(s);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c.value().token);
  EXPECT_FALSE(c.value().keys);
  EXPECT_FALSE(c.value().jwks);
}

TEST_F(SettingsTest, JwksNeedsIssuerAndAudience) {
  ::setenv("JWKS_FILE", "/nonexistent", 1);
  EXPECT_THROW(settings_from_env(), config::ConfigError);
  ::setenv("JWT_ISSUER", "https://idp.example", 1);
  EXPECT_THROW(settings_from_env(), config::ConfigError);
  ::setenv("JWT_AUDIENCE", "tim", 1);
  EXPECT_NO_THROW(settings_from_env());
  ::setenv("JWT_LEEWAY_SECONDS", "lots", 1);
  EXPECT_THROW(settings_from_env(), config::ConfigError);
}

TEST_F(SettingsTest, LoadsTheNamedFiles) {
  const auto keys = (dir_ / "keys.json").string();
  const auto jwks = (dir_ / "jwks.json").string();
  const std::string key = generate_api_key();
  ASSERT_EQ(save_key_file(keys, {{"ci", Scopes::read(), {}, sha256(key)}}), "");
  std::ofstream(jwks) << testing::jwks_of({testing::TestSigner::ec("e").jwk()});
  ::setenv("TOKEN", "letmeinpleasekthxbye", 1);
  ::setenv("KEYS_FILE", keys.c_str(), 1);
  ::setenv("JWKS_FILE", jwks.c_str(), 1);
  ::setenv("JWT_ISSUER", "https://idp.example", 1);
  ::setenv("JWT_AUDIENCE", "tim", 1);
  auto c = load_credentials(settings_from_env());
  ASSERT_TRUE(c) << c.error();
  EXPECT_TRUE(c.value().token->matches("letmeinpleasekthxbye"));
  EXPECT_NE(c.value().keys->find(key), nullptr);
  EXPECT_EQ(c.value().jwks->keys().size(), 1u);
  EXPECT_EQ(c.value().jwt.audience, "tim");

  std::ofstream(keys) << "garbage";
  auto broken = load_credentials(settings_from_env());
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().find("KEYS_FILE"), std::string::npos);
}

}  // namespace
}  // namespace tim::auth

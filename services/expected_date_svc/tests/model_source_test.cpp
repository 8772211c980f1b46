#include "model_source.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace tim::expected_date;
namespace fs = std::filesystem;

namespace {
fs::path temp_model_path() {
  auto dir =
      fs::temp_directory_path() / ("tim-model-" + std::to_string(::getpid()) + "-" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(dir);
  return dir / "model.json";
}
void write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}
std::string demo_model() {
  std::ifstream in(TIM_DEMO_MODEL);
  return {std::istreambuf_iterator<char>(in), {}};
}
}  // namespace

TEST(ModelSource, NoFileMeansFallbackRule) {
  ModelSource s{""};
  EXPECT_EQ(s.current(), nullptr);
  EXPECT_NE(s.status().find("fallback rule"), std::string::npos);
}

TEST(ModelSource, LoadsTheDemoModel) {
  ModelSource s{TIM_DEMO_MODEL};
  ASSERT_NE(s.current(), nullptr);
  EXPECT_NE(s.status().find("trained until"), std::string::npos);
}

TEST(ModelSource, BrokenFileFallsBackAndSaysWhy) {
  auto path = temp_model_path();
  write(path, "{ not a model");
  ModelSource s{path};
  EXPECT_EQ(s.current(), nullptr);
  EXPECT_NE(s.status().find("broken"), std::string::npos);
}

TEST(ModelSource, ReloadsOnChangeAndKeepsTheLastGoodModel) {
  auto path = temp_model_path();
  write(path, demo_model());
  ModelSource s{path, std::chrono::milliseconds{0}};
  auto first = s.current();
  ASSERT_NE(first, nullptr);
  write(path, "{ broken now ");
  auto after_break = s.current();
  EXPECT_EQ(after_break, first);  // the last good model stays
  EXPECT_NE(s.status().find("broken"), std::string::npos);
  write(path, demo_model() + "\n");  // a changed, valid file is loaded again
  auto reloaded = s.current();
  ASSERT_NE(reloaded, nullptr);
  EXPECT_NE(reloaded, first);
}

TEST(ModelSource, VersionNamesTheFileContent) {
  auto path = temp_model_path();
  write(path, demo_model());
  ModelSource s{path, std::chrono::milliseconds{0}};
  const auto first = s.current_versioned();
  ASSERT_NE(first.model, nullptr);
  EXPECT_EQ(first.version.size(), 16u);
  ModelSource again{path};
  EXPECT_EQ(again.current_versioned().version, first.version);  // every replica agrees
  auto changed = demo_model();
  changed += "\n";  // other bytes, the same model: still a new version
  write(path, changed);
  fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds{2});
  const auto second = s.current_versioned();
  ASSERT_NE(second.model, nullptr);
  EXPECT_NE(second.version, first.version);
  EXPECT_EQ(ModelSource{""}.current_versioned().version, "fallback");
}

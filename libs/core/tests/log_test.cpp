#include "tim/log.hpp"

#include <gtest/gtest.h>

using namespace tim::log;

TEST(Log, LineIsOneJsonObjectWithEscapedValues) {
  auto line =
      format_line("2026-01-01T00:00:00.000Z", Level::warn, "gateway", "a \"quoted\"\nline",
                  {{"status", std::int64_t{503}}, {"path", std::string_view("/x")}, {"ok", false}});
  EXPECT_EQ(line, R"({"time":"2026-01-01T00:00:00.000Z","level":"warn","service":"gateway",)"
                  R"("msg":"a \"quoted\"\nline","status":503,"path":"/x","ok":false})");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(Log, ParsesLevels) {
  EXPECT_EQ(parse_level("DEBUG"), Level::debug);
  EXPECT_EQ(parse_level("warning"), Level::warn);
  EXPECT_FALSE(parse_level("loud"));
}

#include "tim/log.hpp"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

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

TEST(Log, EscapesEveryControlCharacterAsJsonDoes) {
  std::string odd = "tab\there, bell\a, nul";
  odd.push_back('\0');
  odd += ", \x1f, back\\slash, \b\f\r, \x7f and caf\xc3\xa9";
  auto line = format_line("t", Level::info, "svc", odd, {{"k", std::string_view(odd)}});
  EXPECT_EQ(line, R"({"time":"t","level":"info","service":"svc","msg":)"
                  R"("tab\there, bell\u0007, nul\u0000, \u001f, back\\slash, \b\f\r, )"
                  "\x7f and caf\xc3\xa9\","
                  R"("k":"tab\there, bell\u0007, nul\u0000, \u001f, back\\slash, \b\f\r, )"
                  "\x7f and caf\xc3\xa9\"}");
}

TEST(Log, NumbersAndRepeatedKeys) {
  EXPECT_EQ(format_line("t", Level::error, "s", "m",
                        {{"n", std::int64_t{-9223372036854775807 - 1}}, {"x", 0.25}, {"t", true}}),
            R"({"time":"t","level":"error","service":"s","msg":"m",)"
            R"("n":-9223372036854775808,"x":2.5E-1,"t":true})");
  // A field named like an earlier one replaces it where it stood (one JSON key, one value).
  EXPECT_EQ(format_line("t", Level::info, "s", "m", {{"msg", std::string_view("other")}}),
            R"({"time":"t","level":"info","service":"s","msg":"other"})");
}

TEST(Log, EscapesLikeBoostJsonAtEveryPositionAndLength) {
  // The escape scan goes eight bytes at a time: every special byte at every offset of strings
  // around those boundaries, and bytes next to the specials' values, against boost::json.
  const std::string specials = {'"', '\\', '\0', '\x1f', '\n',   ' ',    '!',
                                '#', '[',  ']',  '\x7f', '\x80', '\xdc', '\xff'};
  for (std::size_t length = 1; length <= 25; ++length)
    for (std::size_t at = 0; at < length; ++at)
      for (char c : specials) {
        std::string value(length, 'a');
        value[at] = c;
        const auto line = format_line("t", Level::info, "s", "m", {{"k", std::string_view(value)}});
        boost::json::object expected{
            {"time", "t"}, {"level", "info"}, {"service", "s"}, {"msg", "m"}, {"k", value}};
        ASSERT_EQ(line, boost::json::serialize(expected)) << length << " " << at << " " << int(c);
      }
}

TEST(Log, LinesAtTheirLongestAreWrittenWhole) {
  // Every byte escaped to six, the widest numbers: the room made for a line is enough.
  const std::string controls(300, '\x01');
  const std::string key = "\"k\\";
  const auto line = format_line(controls, Level::debug, controls, controls,
                                {{key, std::string_view(controls)},
                                 {"n", std::int64_t{-9223372036854775807 - 1}},
                                 {"d", -1.7976931348623157e308},
                                 {"b", false}});
  boost::json::object expected{
      {"time", controls}, {"level", "debug"}, {"service", controls},          {"msg", controls},
      {key, controls},    {"n", INT64_MIN},   {"d", -1.7976931348623157e308}, {"b", false}};
  EXPECT_EQ(line, boost::json::serialize(expected));
}

// A default-constructed string_view has no data pointer at all: it is written as "" (UBSan in
// the sanitizer build fails this test if the writer copies from that null pointer).
TEST(Log, AnEmptyViewWithoutDataIsAnEmptyString) {
  auto line = format_line("2026-01-01T00:00:00.000Z", Level::info, "gateway", std::string_view{},
                          {{"detail", std::string_view{}}});
  EXPECT_EQ(line, R"({"time":"2026-01-01T00:00:00.000Z","level":"info","service":"gateway",)"
                  R"("msg":"","detail":""})");
}

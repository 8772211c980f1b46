#include "tim/ids.hpp"

#include <gtest/gtest.h>

namespace {
bool is_error(std::string_view s) {
  return std::holds_alternative<tim::IdError>(tim::parse_id(s));
}
}  // namespace

TEST(ParseId, AcceptsDecimalIds) {
  EXPECT_EQ(std::get<std::int64_t>(tim::parse_id("42")), 42);
  EXPECT_EQ(std::get<std::int64_t>(tim::parse_id("0")), 0);
  EXPECT_EQ(std::get<std::int64_t>(tim::parse_id("9007199254740991")), tim::kMaxId);
}

TEST(ParseId, RejectsEverythingElse) {
  for (auto bad : {"", "-1", "+1", "abc", "4x", " 4", "4 ", "1.5", "0x10", "9007199254740992",
                   "99999999999999999999"})
    EXPECT_TRUE(is_error(bad)) << bad;
}

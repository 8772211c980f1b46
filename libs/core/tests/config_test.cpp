#include "tim/config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

using namespace tim::config;

TEST(Config, DefaultsWhenUnsetOrEmpty) {
  unsetenv("TIM_TEST_X");
  EXPECT_EQ(get_int("TIM_TEST_X", 8080, 1, 65535), 8080);
  setenv("TIM_TEST_X", "", 1);
  EXPECT_EQ(get_string("TIM_TEST_X", "d"), "d");
}

TEST(Config, ParsesAndRejectsWithTheVariableNamed) {
  setenv("TIM_TEST_X", "3007", 1);
  EXPECT_EQ(get_int("TIM_TEST_X", 8080, 1, 65535), 3007);
  setenv("TIM_TEST_X", "80x", 1);
  try {
    get_int("TIM_TEST_X", 8080, 1, 65535);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("TIM_TEST_X"), std::string::npos);
  }
  setenv("TIM_TEST_X", "70000", 1);
  EXPECT_THROW(get_int("TIM_TEST_X", 8080, 1, 65535), ConfigError);
}

TEST(Config, Booleans) {
  setenv("TIM_TEST_B", "off", 1);
  EXPECT_FALSE(get_bool("TIM_TEST_B", true));
  setenv("TIM_TEST_B", "Yes", 1);
  EXPECT_TRUE(get_bool("TIM_TEST_B", false));
  setenv("TIM_TEST_B", "maybe", 1);
  EXPECT_THROW(get_bool("TIM_TEST_B", false), ConfigError);
}

#include "tim/base64url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tim {
namespace {

TEST(Base64Url, RoundTripsEveryLength) {
  std::string data;
  for (int n = 0; n < 70; ++n) {
    EXPECT_EQ(base64url_decode(base64url_encode(data)), data) << n;
    data.push_back(static_cast<char>(n * 37 + 250));
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Base64Url, DecodeIsStrict) {
  EXPECT_EQ(base64url_decode("AQ"), std::string("\x01"));
  EXPECT_FALSE(base64url_decode("AR").has_value());    // non-zero unused bits
  EXPECT_FALSE(base64url_decode("AQ==").has_value());  // padding
  EXPECT_FALSE(base64url_decode("A").has_value());     // impossible length
  EXPECT_FALSE(base64url_decode("ab+/").has_value());  // standard alphabet
  EXPECT_FALSE(base64url_decode("ab c").has_value());
  EXPECT_FALSE(base64url_decode(std::string_view("ab\0c", 4)).has_value());
  EXPECT_EQ(base64url_decode(""), std::string());
}

TEST(Base64Url, ValueIsTheAlphabetsIndexAndMinusOneOutsideIt) {
  for (std::size_t i = 0; i < kBase64UrlAlphabet.size(); ++i)
    EXPECT_EQ(base64url_value(kBase64UrlAlphabet[i]), static_cast<int>(i));
  for (char c : std::string("=+/ .\0", 7)) EXPECT_EQ(base64url_value(c), -1) << int(c);
}

}  // namespace
}  // namespace tim

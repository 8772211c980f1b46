#include "tim/digest.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace {

using tim::digest::hex;

// FIPS 180-2's examples.
TEST(Sha256, MatchesTheStandardsExamples) {
  EXPECT_EQ(hex(tim::digest::sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(tim::digest::sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(tim::digest::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, PartsGiveTheDigestOfTheWhole) {
  const std::string whole(1000, 'x');
  tim::digest::Sha256 parts;
  parts.update(std::string_view(whole).substr(0, 1))
      .update("")
      .update(std::string_view(whole).substr(1, 63));
  parts.update(std::string_view(whole).substr(64));
  EXPECT_EQ(parts.finish(), tim::digest::sha256(whole));
}

// RFC 4231's test cases 1 and 2.
TEST(HmacSha256, MatchesRfc4231) {
  EXPECT_EQ(hex(tim::digest::hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex(tim::digest::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, AKeyLongerThanABlockIsHashedFirst) {  // RFC 4231 test case 6
  EXPECT_EQ(hex(tim::digest::hmac_sha256(std::string(131, '\xaa'),
                                         "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(RandomBytes, FillsTheWholeBufferDifferentlyEachTime) {
  std::array<std::uint8_t, 64> a{}, b{};
  tim::digest::random_bytes(a);
  tim::digest::random_bytes(b);
  EXPECT_NE(a, b);
  EXPECT_TRUE(std::any_of(a.begin() + 48, a.end(), [](auto x) { return x != 0; }));
}

}  // namespace

#include "credentials/crypto.hpp"

#include <gtest/gtest.h>

#include "credentials/api_keys.hpp"

namespace tim::auth {
namespace {

TEST(Crypto, Sha256KnownVector) {
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, DigestEqualSeesADifferenceAnywhere) {
  const Digest a = sha256("secret");
  EXPECT_TRUE(digest_equal(a, sha256("secret")));
  for (std::size_t i = 0; i < a.size(); ++i) {
    Digest b = a;
    b[i] ^= 1;
    EXPECT_FALSE(digest_equal(a, b)) << i;
  }
}

TEST(Crypto, TutorialTokenKeepsOnlyADigest) {
  // The token is compared as fixed-length digests (CRYPTO_memcmp), never as the raw text:
  // the object holds nothing else, so its length cannot leak through the comparison.
  static_assert(sizeof(TutorialToken) == sizeof(Digest));
  const TutorialToken t("letmeinpleasekthxbye");
  EXPECT_TRUE(t.matches("letmeinpleasekthxbye"));
  EXPECT_FALSE(t.matches("letmeinpleasekthxby"));
  EXPECT_FALSE(t.matches("letmeinpleasekthxbyee"));
  EXPECT_FALSE(t.matches(""));
  EXPECT_FALSE(t.matches("LETMEINPLEASEKTHXBYE"));
}

TEST(Crypto, RandomBytes) {
  const auto a = random_bytes(32), b = random_bytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}

TEST(Crypto, HexRoundTripIsStrict) {
  const Digest d = sha256("x");
  EXPECT_EQ(digest_from_hex(to_hex(d)), d);
  std::string upper = to_hex(d);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(digest_from_hex(upper).has_value());
  EXPECT_FALSE(digest_from_hex(to_hex(d).substr(1)).has_value());
  EXPECT_FALSE(digest_from_hex(std::string(64, 'g')).has_value());
}

}  // namespace
}  // namespace tim::auth

#include "credentials/limiter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tim::auth {
namespace {

using namespace std::chrono_literals;
const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

TEST(FailureLimiter, BlocksAfterABurstAndRefills) {
  FailureLimiter l({.burst = 3, .refill_interval = 10s, .max_addresses = 100});
  EXPECT_FALSE(l.blocked("10.0.0.1", t0));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(l.blocked("10.0.0.1", t0)) << i;
    l.record_failure("10.0.0.1", t0);
  }
  ASSERT_TRUE(l.blocked("10.0.0.1", t0));
  EXPECT_EQ(*l.blocked("10.0.0.1", t0), 10s);
  EXPECT_EQ(*l.blocked("10.0.0.1", t0 + 2500ms), 8s);  // rounded up
  EXPECT_FALSE(l.blocked("10.0.0.2", t0));             // others unaffected
  // One more attempt per refill interval.
  EXPECT_FALSE(l.blocked("10.0.0.1", t0 + 10s));
  l.record_failure("10.0.0.1", t0 + 10s);
  EXPECT_TRUE(l.blocked("10.0.0.1", t0 + 10s));
  // After a long quiet time the whole burst is back, not more.
  const auto later = t0 + 1h;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(l.blocked("10.0.0.1", later));
    l.record_failure("10.0.0.1", later);
  }
  EXPECT_TRUE(l.blocked("10.0.0.1", later));
}

TEST(FailureLimiter, RetryAfterIsAtLeastOneSecond) {
  FailureLimiter l({.burst = 1, .refill_interval = 200ms, .max_addresses = 10});
  l.record_failure("a", t0);
  ASSERT_TRUE(l.blocked("a", t0));
  EXPECT_EQ(*l.blocked("a", t0), 1s);
  EXPECT_FALSE(l.blocked("a", t0 + 200ms));
}

TEST(FailureLimiter, ClockGoingBackwardsDoesNotUnblockOrBreak) {
  FailureLimiter l({.burst = 2, .refill_interval = 10s, .max_addresses = 10});
  l.record_failure("a", t0);
  l.record_failure("a", t0);
  EXPECT_TRUE(l.blocked("a", t0 - 1h));
  EXPECT_TRUE(l.blocked("a", t0 + 5s));
}

TEST(FailureLimiter, MemoryStaysBoundedUnderAnAddressSpray) {
  FailureLimiter l({.burst = 2, .refill_interval = 60s, .max_addresses = 100});
  l.record_failure("192.0.2.1", t0);
  l.record_failure("192.0.2.1", t0);
  for (int i = 0; i < 20000; ++i)
    l.record_failure("10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
                         std::to_string(i % 256),
                     t0);
  EXPECT_LE(l.tracked(), 100u);
}

TEST(FailureLimiter, RecentlySeenAddressesStayTracked) {
  FailureLimiter l({.burst = 1, .refill_interval = 60s, .max_addresses = 3});
  l.record_failure("attacker", t0);
  for (int i = 0; i < 10; ++i) {
    l.record_failure("x" + std::to_string(i), t0);
    l.record_failure("attacker", t0);  // its own failures keep it at the front
  }
  EXPECT_TRUE(l.blocked("attacker", t0));
}

TEST(FailureLimiter, Ipv6CountsPerSlash64) {
  FailureLimiter l({.burst = 2, .refill_interval = 60s, .max_addresses = 10});
  l.record_failure("2001:db8:1:2::1", t0);
  l.record_failure("2001:db8:1:2:ffff::7", t0);
  EXPECT_TRUE(l.blocked("2001:db8:1:2::99", t0));
  EXPECT_FALSE(l.blocked("2001:db8:1:3::1", t0));
}

TEST(LimiterKey, NormalisesAddresses) {
  EXPECT_EQ(limiter_key("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(limiter_key("::ffff:192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(limiter_key("2001:DB8:0:0:1::1"), "2001:db8::/64");
  EXPECT_EQ(limiter_key("2001:db8:aa:bb:cc:dd:ee:ff"), "2001:db8:aa:bb::/64");
  EXPECT_EQ(limiter_key("not-an-ip"), "not-an-ip");
  EXPECT_EQ(limiter_key(std::string(1000, 'z')).size(), 64u);
}

TEST(ClientAddress, TakesTheEntryTheGatewayAppended) {
  std::vector<std::string_view> one = {"203.0.113.9"};
  EXPECT_EQ(client_address(one, "127.0.0.1"), "203.0.113.9");
  std::vector<std::string_view> spoofed = {"1.2.3.4, 5.6.7.8,203.0.113.9 "};
  EXPECT_EQ(client_address(spoofed, "127.0.0.1"), "203.0.113.9");
  std::vector<std::string_view> two_fields = {"1.2.3.4", "203.0.113.9"};
  EXPECT_EQ(client_address(two_fields, "127.0.0.1"), "203.0.113.9");
  std::vector<std::string_view> empty_last = {"1.2.3.4, "};
  EXPECT_EQ(client_address(empty_last, "127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(client_address({}, "127.0.0.1"), "127.0.0.1");
}

}  // namespace
}  // namespace tim::auth

#include "upstreams.hpp"

#include <gtest/gtest.h>

using namespace tim::gateway;
using tim::http::Endpoint;

TEST(Upstreams, OverridesByExactServiceString) {
  auto u = Upstreams::parse(
      "invoices-svc=127.0.0.1:3001|127.0.0.1:3011, auth-svc:3000=http://127.0.0.1:3002");
  const auto& inv = u.resolve("invoices-svc");
  ASSERT_EQ(inv.instances().size(), 2u);
  EXPECT_EQ(inv.instances()[1], (Endpoint{"127.0.0.1", 3011}));
  EXPECT_EQ(u.resolve("auth-svc:3000").instances().at(0), (Endpoint{"127.0.0.1", 3002}));
}

TEST(Upstreams, WithoutOverrideTheServiceIsTheAddress) {
  auto u = Upstreams::parse("");
  EXPECT_EQ(u.resolve("invoices-svc").instances().at(0), (Endpoint{"invoices-svc", 80}));
  EXPECT_EQ(u.resolve("auth-svc.default:3000").instances().at(0),
            (Endpoint{"auth-svc.default", 3000}));
}

TEST(Upstreams, RoundRobin) {
  auto u = Upstreams::parse("s=a:1|b:2|c:3");
  const auto& s = u.resolve("s");
  EXPECT_EQ(s.next(), 0u);
  EXPECT_EQ(s.next(), 1u);
  EXPECT_EQ(s.next(), 2u);
  EXPECT_EQ(s.next(), 0u);
}

TEST(Upstreams, MalformedOverridesAreErrors) {
  EXPECT_THROW(Upstreams::parse("novalue"), UpstreamsError);
  EXPECT_THROW(Upstreams::parse("s=host:notaport"), UpstreamsError);
  EXPECT_THROW(Upstreams::parse("=a:1"), UpstreamsError);
}

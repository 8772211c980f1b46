#include "tim/endpoint.hpp"

#include <gtest/gtest.h>

using namespace tim::http;

TEST(ParseHttpUri, TutorialForms) {
  auto u = parse_http_uri("http://expected-date-svc.default.svc.cluster.local");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->endpoint, (Endpoint{"expected-date-svc.default.svc.cluster.local", 80}));
  EXPECT_EQ(u->base_path, "");
  u = parse_http_uri("http://127.0.0.1:3008/base/");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->endpoint, (Endpoint{"127.0.0.1", 3008}));
  EXPECT_EQ(u->base_path, "/base");
}

TEST(ParseHttpUri, RejectsOtherSchemesAndBadPorts) {
  EXPECT_FALSE(parse_http_uri("https://x"));
  EXPECT_FALSE(parse_http_uri("x:80"));
  EXPECT_FALSE(parse_http_uri("http://x:0"));
  EXPECT_FALSE(parse_http_uri("http://x:99999"));
  EXPECT_FALSE(parse_http_uri("http://:80"));
}

TEST(ParseAuthority, DefaultPort) {
  EXPECT_EQ(parse_authority("auth-svc:3000", 80), (Endpoint{"auth-svc", 3000}));
  EXPECT_EQ(parse_authority("invoices-svc", 80), (Endpoint{"invoices-svc", 80}));
  EXPECT_FALSE(parse_authority("a:b", 80));
}

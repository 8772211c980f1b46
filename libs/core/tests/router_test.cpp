#include "tim/router.hpp"

#include <gtest/gtest.h>

using tim::http::RouteMatch;
using tim::http::RouteTable;

TEST(RouteTable, MatchesParamsAndLiterals) {
  RouteTable t;
  auto get = t.add("GET", "/api/invoices/:id");
  auto pay = t.add("POST", "/api/invoices/:id/payments");
  auto m = t.match("GET", "/api/invoices/42");
  ASSERT_EQ(m.kind, RouteMatch::Kind::found);
  EXPECT_EQ(m.route, get);
  EXPECT_EQ(m.params, std::vector<std::string>{"42"});
  m = t.match("POST", "/api/invoices/7/payments");
  ASSERT_EQ(m.kind, RouteMatch::Kind::found);
  EXPECT_EQ(m.route, pay);
  EXPECT_EQ(m.params, std::vector<std::string>{"7"});
}

TEST(RouteTable, EmptyParamMatchesButExtraSegmentsDoNot) {
  RouteTable t;
  t.add("GET", "/api/invoices/:id");
  auto empty = t.match("GET", "/api/invoices/");
  ASSERT_EQ(empty.kind, RouteMatch::Kind::found);
  EXPECT_EQ(empty.params, std::vector<std::string>{""});
  EXPECT_EQ(t.match("GET", "/api/invoices/1/2").kind, RouteMatch::Kind::not_found);
  EXPECT_EQ(t.match("GET", "/api/invoices").kind, RouteMatch::Kind::not_found);
  EXPECT_EQ(t.match("GET", "/API/invoices/1").kind, RouteMatch::Kind::not_found);
}

TEST(RouteTable, WrongMethodListsAllowedOnes) {
  RouteTable t;
  t.add("GET", "/api/invoices/:id");
  t.add("DELETE", "/api/invoices/:id");
  auto m = t.match("PUT", "/api/invoices/1");
  ASSERT_EQ(m.kind, RouteMatch::Kind::method_not_allowed);
  EXPECT_EQ(m.allow, "GET, DELETE, HEAD");
}

TEST(RouteTable, EarlierLiteralRouteWinsOverParam) {
  RouteTable t;
  auto list = t.add("GET", "/api/invoices/");
  t.add("GET", "/api/invoices/:id");
  EXPECT_EQ(t.match("GET", "/api/invoices/").route, list);
}

TEST(RouteTable, HeadFallsBackToGet) {
  RouteTable t;
  auto get = t.add("GET", "/healthz");
  auto m = t.match("HEAD", "/healthz");
  ASSERT_EQ(m.kind, RouteMatch::Kind::found);
  EXPECT_EQ(m.route, get);
}

#include "tim/message.hpp"

#include <gtest/gtest.h>

using tim::http::Headers;

TEST(Headers, LookupIgnoresCaseAndKeepsOrder) {
  Headers h;
  h.add("Content-Type", "text/plain");
  h.add("X-A", "1");
  h.add("x-a", "2");
  EXPECT_EQ(h.get("content-type"), "text/plain");
  EXPECT_EQ(h.get("X-a"), "1");
  EXPECT_EQ(h.count("X-A"), 2u);
  EXPECT_FALSE(h.get("missing"));
}

TEST(Headers, SetReplacesAllAndRemoveCounts) {
  Headers h;
  h.add("a", "1");
  h.add("A", "2");
  h.set("a", "3");
  EXPECT_EQ(h.count("a"), 1u);
  EXPECT_EQ(h.get("a"), "3");
  EXPECT_EQ(h.remove("A"), 1u);
  EXPECT_TRUE(h.empty());
}

TEST(Request, SplitsPathAndQuery) {
  tim::http::Request r;
  r.target = "/invoices/42?x=1&y=2";
  EXPECT_EQ(r.path(), "/invoices/42");
  EXPECT_EQ(r.query(), "x=1&y=2");
  r.target = "/plain";
  EXPECT_EQ(r.path(), "/plain");
  EXPECT_EQ(r.query(), "");
}

TEST(ErrorResponse, HasTheContractShape) {
  auto r = tim::http::error_response(400, "bad_id", "id \"x\" is not a number");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers.get("content-type"), "application/json");
  EXPECT_EQ(r.body, R"({"error":{"code":"bad_id","message":"id \"x\" is not a number"}})");
}

TEST(Message, IequalsFoldsAsciiLettersOnlyForEveryBytePair) {
  const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
  for (int i = 0; i < 256; ++i)
    for (int j = 0; j < 256; ++j) {
      const char a[] = {'x', static_cast<char>(i)}, b[] = {'X', static_cast<char>(j)};
      ASSERT_EQ(tim::http::iequals({a, 2}, {b, 2}), lower(a[1]) == lower(b[1])) << i << " " << j;
    }
  EXPECT_FALSE(tim::http::iequals("host", "hos"));
  EXPECT_TRUE(tim::http::iequals("", ""));
}

#include "routing.hpp"

#include <gtest/gtest.h>

using namespace tim::gateway;

namespace {
Mapping mapping(std::string prefix, std::string rewrite, std::string service = "svc") {
  Mapping m;
  m.name = prefix;
  m.prefix = std::move(prefix);
  m.rewrite = std::move(rewrite);
  m.service = std::move(service);
  return m;
}
std::string normalized(std::string_view t) {
  return std::get<std::string>(normalize_target(t));
}
bool rejected(std::string_view t) {
  return std::holds_alternative<TargetError>(normalize_target(t));
}
}  // namespace

// The worked examples of reference/gateway-protocol.md §1.3.
TEST(Rewrite, TutorialMapping) {
  auto m = mapping("/invoices/", "/api/invoices/");
  EXPECT_EQ(rewrite_target(m, "/invoices/42?x=1"), "/api/invoices/42?x=1");
  EXPECT_EQ(rewrite_target(m, "/invoices/"), "/api/invoices/");
  EXPECT_EQ(rewrite_target(mapping("/invoices/", "/"), "/invoices/42"), "/42");
  EXPECT_EQ(rewrite_target(mapping("/invoices/", ""), "/invoices/42"), "/invoices/42");
  EXPECT_EQ(rewrite_target(mapping("/invoices", "/api/invoices"), "/invoicesXYZ"),
            "/api/invoicesXYZ");
}

TEST(Routes, LiteralPrefixCaseSensitiveNoSegmentBoundary) {
  Routes r({mapping("/invoices/", "/api/invoices/")});
  EXPECT_NE(r.match("/invoices/42", "x"), nullptr);
  EXPECT_NE(r.match("/invoices/", "x"), nullptr);
  EXPECT_EQ(r.match("/invoices", "x"), nullptr);
  EXPECT_EQ(r.match("/INVOICES/1", "x"), nullptr);
  EXPECT_EQ(r.match("//invoices/1", "x"), nullptr);
  EXPECT_EQ(r.match("/api/expected-date/1", "x"), nullptr);
}

TEST(Routes, LongestPrefixThenPrecedence) {
  auto shorter = mapping("/a/", "/short/");
  auto longer = mapping("/a/b/", "/long/");
  Routes r({shorter, longer});
  EXPECT_EQ(r.match("/a/b/c", "h")->rewrite, "/long/");
  EXPECT_EQ(r.match("/a/c", "h")->rewrite, "/short/");
  shorter.precedence = 1;
  Routes p({longer, shorter});
  EXPECT_EQ(p.match("/a/b/c", "h")->rewrite, "/short/");
}

TEST(Routes, CaseInsensitiveWhenAskedAndHostGlobs) {
  auto m = mapping("/Invoices/", "/");
  m.case_sensitive = false;
  m.hostname = "*.example.com";
  Routes r({m});
  EXPECT_NE(r.match("/invoices/1", "api.example.com:8080"), nullptr);
  EXPECT_EQ(r.match("/invoices/1", "example.org"), nullptr);
  EXPECT_TRUE(hostname_matches("api.*", "API.local"));
  EXPECT_TRUE(hostname_matches("exact.host", "exact.host:80"));
  EXPECT_FALSE(hostname_matches("exact.host", "other.host"));
}

TEST(NormalizeTarget, RemovesDotSegmentsIncludingEncodedOnes) {
  EXPECT_EQ(normalized("/invoices/42"), "/invoices/42");
  EXPECT_EQ(normalized("/invoices/../api/expected-date/1"), "/api/expected-date/1");
  EXPECT_EQ(normalized("/invoices/%2e%2e/api/expected-date/1"), "/api/expected-date/1");
  EXPECT_EQ(normalized("/invoices/%2E%2E/%2E%2E/x"), "/x");
  EXPECT_EQ(normalized("/invoices/./42"), "/invoices/42");
  EXPECT_EQ(normalized("/../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(normalized("/a/b/.."), "/a/");
  EXPECT_EQ(normalized("/"), "/");
  EXPECT_EQ(normalized("/invoices/42?next=/../x"), "/invoices/42?next=/../x");
}

TEST(NormalizeTarget, KeepsDoubleSlashesAndOtherEscapes) {
  EXPECT_EQ(normalized("//invoices/1"), "//invoices/1");
  EXPECT_EQ(normalized("/invoices/a%20b?q=%2F"), "/invoices/a%20b?q=%2F");
}

TEST(NormalizeTarget, RejectsPathsAnUpstreamCouldReadDifferently) {
  EXPECT_TRUE(rejected("/invoices%2F..%2Fapi"));
  EXPECT_TRUE(rejected("/invoices/1%2f..%2f..%2fapi"));
  EXPECT_TRUE(rejected("/invoices/1%5C..%5Capi"));
  EXPECT_TRUE(rejected("/invoices\\..\\api"));
  EXPECT_TRUE(rejected("/invoices/1%00"));
  EXPECT_TRUE(rejected("/invoices/1%"));
  EXPECT_TRUE(rejected("/invoices/1%zz"));
  EXPECT_TRUE(rejected("/invoices/\xc3\xa9"));
}

TEST(NormalizeTarget, AbsoluteFormKeepsPath) {
  EXPECT_EQ(normalized("http://evil.example/invoices/42?x"), "/invoices/42?x");
  EXPECT_EQ(normalized("http://evil.example"), "/");
  EXPECT_EQ(normalized("http://evil.example?a=/invoices/1"), "/?a=/invoices/1");
  EXPECT_EQ(normalized("HTTP://evil.example/invoices/../api/x"), "/api/x");
}

TEST(NormalizeTarget, RejectsNonOriginForms) {
  EXPECT_TRUE(rejected("*"));
  EXPECT_TRUE(rejected("invoices/1"));
  EXPECT_TRUE(rejected("/invoices/1#frag"));
  EXPECT_TRUE(rejected(std::string_view("/invoices/\0", 11)));
  EXPECT_TRUE(rejected("ftp://x/invoices/1"));
}

TEST(ClientLocation, UndoesTheRewriteLikeProxyRedirect) {
  const auto m = mapping("/invoices/", "/api/invoices/");
  EXPECT_EQ(client_location(m, "/api/invoices/42"), "/invoices/42");
  EXPECT_EQ(client_location(m, "/api/invoices/42?x=1"), "/invoices/42?x=1");
  EXPECT_EQ(client_location(mapping("/invoices/", "/"), "/42"), "/invoices/42");
  // Outside the rewrite, no rewrite at all, network-path and absolute URLs: left alone.
  EXPECT_EQ(client_location(m, "/api/other/1"), std::nullopt);
  EXPECT_EQ(client_location(mapping("/invoices/", ""), "/invoices/42"), std::nullopt);
  EXPECT_EQ(client_location(mapping("/x/", "/"), "//evil.example/x"), std::nullopt);
  EXPECT_EQ(client_location(m, "https://elsewhere.example/api/invoices/1"), std::nullopt);
}

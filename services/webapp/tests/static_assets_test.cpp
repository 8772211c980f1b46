#include "static_assets.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace tim;
using webapp::asset_key;
using webapp::AssetTable;

namespace {

http::Request get(std::string target, std::string method = "GET") {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

AssetTable small_table() {
  AssetTable t;
  t.add("/index.html", "<!doctype html><title>TIM</title>");
  t.add("/app.js", "export const x = 1;");
  t.add("/css/app.css", "body{}");
  return t;
}

}  // namespace

TEST(AssetKey, RootIsTheIndexAndNamesMapToThemselves) {
  EXPECT_EQ(asset_key("/"), "/index.html");
  EXPECT_EQ(asset_key("/app.js"), "/app.js");
  EXPECT_EQ(asset_key("/css/app.css"), "/css/app.css");
  EXPECT_EQ(asset_key("/app%2Ejs"), "/app.js");
}

TEST(AssetKey, TraversalPlainAndEncodedIsRefused) {
  for (const char* path :
       {"/../etc/passwd", "/css/../../etc/passwd", "/%2e%2e/etc/passwd", "/%2E%2E/etc/passwd",
        "/.%2e/etc/passwd", "/css%2f..%2f..%2fetc%2fpasswd", "/css/%2e%2e%2fapp.js", "/./app.js",
        "/..\\etc\\passwd", "/%5c..%5cetc", "//etc/passwd", "/app.js%00.html", "/%", "/%zz",
        "/app.js%2", "", "app.js", "/css/", "/%252e%252e/x"}) {
    const auto key = asset_key(path);
    // "%252e" decodes once to the literal name "%2e%2e", which is harmless: not a dot segment.
    if (std::string_view(path) == "/%252e%252e/x") {
      EXPECT_EQ(key, "/%2e%2e/x");
      continue;
    }
    EXPECT_FALSE(key.has_value()) << path << " -> " << key.value_or("");
  }
}

TEST(Serve, AFileWithItsTypeEtagAndSecurityHeaders) {
  const auto table = small_table();
  const auto r = webapp::serve(table, get("/app.js?v=2"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "export const x = 1;");
  EXPECT_EQ(r.headers.get("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(r.headers.get("etag"), webapp::etag_of("export const x = 1;"));
  EXPECT_EQ(r.headers.get("cache-control"), "no-cache");
  EXPECT_EQ(r.headers.get("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.headers.get("referrer-policy"), "no-referrer");
  const auto csp = std::string(r.headers.get("content-security-policy").value_or(""));
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
}

TEST(Serve, RootServesTheIndexAsHtml) {
  const auto r = webapp::serve(small_table(), get("/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("content-type"), "text/html; charset=utf-8");
}

TEST(Serve, MatchingIfNoneMatchGives304WithoutBody) {
  const auto table = small_table();
  auto request = get("/css/app.css");
  request.headers.add("if-none-match", "\"nope\", W/" + webapp::etag_of("body{}"));
  const auto r = webapp::serve(table, request);
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.headers.get("etag"), webapp::etag_of("body{}"));
  request.headers.set("if-none-match", "\"other\"");
  EXPECT_EQ(webapp::serve(table, request).status, 200);
}

TEST(Serve, MissingAndTraversalAre404JsonWithTheSameHeaders) {
  const auto table = small_table();
  for (const char* path : {"/missing.js", "/../index.html", "/%2e%2e/index.html", "/css/"}) {
    const auto r = webapp::serve(table, get(path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.headers.get("content-type"), "application/json") << path;
    EXPECT_NE(r.body.find("\"code\":\"not_found\""), std::string::npos) << path;
    EXPECT_TRUE(r.headers.contains("content-security-policy")) << path;
  }
}

TEST(Serve, OtherMethodsAre405) {
  const auto r = webapp::serve(small_table(), get("/app.js", "POST"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.get("allow"), "GET, HEAD");
}

TEST(ContentType, ByExtension) {
  EXPECT_EQ(webapp::content_type_for("/a.SVG"), "image/svg+xml");
  EXPECT_EQ(webapp::content_type_for("/a.png"), "image/png");
  EXPECT_EQ(webapp::content_type_for("/LICENSE"), "application/octet-stream");
}

TEST(AssetTableLoad, ReadsFilesSkipsLinksAndHiddenAndNeedsAnIndex) {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("tim-webapp-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  fs::create_directories(dir / ".git");
  std::ofstream(dir / "sub" / "a.js") << "a";
  std::ofstream(dir / ".git" / "config") << "secret";
  std::ofstream(dir / ".env") << "secret";
  fs::create_symlink("/etc/hostname", dir / "link.txt");
  EXPECT_THROW(AssetTable::load(dir), webapp::AssetLoadError);  // no index.html yet
  std::ofstream(dir / "index.html") << "<p>";
  const auto table = AssetTable::load(dir);
  EXPECT_EQ(table.size(), 2u);
  ASSERT_NE(table.find("/sub/a.js"), nullptr);
  EXPECT_EQ(table.find("/sub/a.js")->body, "a");
  EXPECT_EQ(table.find("/link.txt"), nullptr);
  EXPECT_EQ(table.find("/.env"), nullptr);
  EXPECT_EQ(table.find("/.git/config"), nullptr);
  fs::remove_all(dir);
  EXPECT_THROW(AssetTable::load(dir), webapp::AssetLoadError);
}

TEST(AssetTableLoad, TheRepositorysAppLoads) {
  const auto table = AssetTable::load(TIM_WEBAPP_STATIC);
  ASSERT_NE(table.find("/index.html"), nullptr);
  ASSERT_NE(table.find("/app.js"), nullptr);
}

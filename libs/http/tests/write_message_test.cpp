#include "../src/write_message.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/string_body.hpp>
#include <sstream>

namespace bhttp = boost::beast::http;
using tim::http::detail::wire_bytes;

namespace {
// What Beast's own serializer writes for the message.
template <bool isRequest>
std::string beast_bytes(const bhttp::message<isRequest, bhttp::string_body>& m) {
  std::ostringstream out;
  out << m;
  return out.str();
}
}  // namespace

TEST(WriteMessage, RequestsAreWrittenAsBeastWritesThem) {
  bhttp::request<bhttp::string_body> get{bhttp::verb::get, "/api/invoices/42?x=1", 11};
  get.set(bhttp::field::host, "127.0.0.1:3000");
  get.insert("x-request-id", "abc");
  get.insert("X-Custom", "a, b");
  get.keep_alive(true);
  EXPECT_EQ(wire_bytes(get), beast_bytes(get));

  bhttp::request<bhttp::string_body> post;
  post.method_string("PURGE");  // not a verb Beast knows
  post.target("/");
  post.version(10);
  post.body() = R"({"invoice":{"amount":1}})";
  post.prepare_payload();
  EXPECT_EQ(wire_bytes(post), beast_bytes(post));
}

TEST(WriteMessage, ResponsesAreWrittenAsBeastWritesThem) {
  bhttp::response<bhttp::string_body> ok{bhttp::status::ok, 11};
  ok.set(bhttp::field::content_type, "application/json");
  ok.set(bhttp::field::server, "envoy");
  ok.body() = R"({"id":42})";
  ok.prepare_payload();
  EXPECT_EQ(wire_bytes(ok), beast_bytes(ok));

  bhttp::response<bhttp::string_body> odd{static_cast<bhttp::status>(599), 10};
  odd.keep_alive(false);
  EXPECT_EQ(wire_bytes(odd), beast_bytes(odd));

  bhttp::response<bhttp::string_body> reason{bhttp::status::not_found, 11};
  reason.reason("Nowhere");
  reason.content_length(0);
  EXPECT_EQ(wire_bytes(reason), beast_bytes(reason));
}

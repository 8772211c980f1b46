#include "../src/response_bytes.hpp"

#include <gtest/gtest.h>

#include <sstream>

using tim::http::Response;
using tim::http::detail::beast_response;
using tim::http::detail::Framing;
using tim::http::detail::response_bytes;

namespace {

std::string beast_bytes(const Response& response, const Framing& framing) {
  std::ostringstream out;
  out << beast_response(response, framing);
  return out.str();
}

Response make(int status, std::initializer_list<std::pair<const char*, const char*>> headers,
              std::string body = {}) {
  Response r{status, {}, std::move(body)};
  for (const auto& [name, value] : headers) r.headers.add(name, value);
  return r;
}

}  // namespace

TEST(ResponseBytes, SameBytesAsTheBeastMessage) {
  const Response answers[] = {
      make(200, {{"content-type", "application/json"}}, R"({"id":42})"),
      make(200, {{"content-type", "text/plain"}, {"x-envoy-upstream-service-time", "3"}}),
      make(404, {{"Content-Type", "application/json"}, {"content-length", "99"}}, "{}"),
      make(503, {{"retry-after", "1"}, {"Date", "yesterday"}, {"server", "upstream"}}, "x"),
      make(204, {{"x-a", " padded\t"}}),
      make(304, {{"content-length", "10"}, {"etag", "\"v1\""}}),
      make(101, {{"upgrade", "websocket"}}),
      make(599, {}, "odd"),
      make(301, {{"location", "/elsewhere"}, {"set-cookie", "a=1"}, {"set-cookie", "b=2"}}),
      // Framing headers Beast rewrites: the same bytes, through Beast.
      make(200, {{"connection", "close"}}, "bye"),
      make(200, {{"Connection", "keep-alive, x-hop"}, {"x-hop", "1"}}, "a"),
      make(200, {{"transfer-encoding", "chunked"}}, "chunk"),
      make(204, {{"transfer-encoding", "chunked"}}),
  };
  for (const auto& r : answers)
    for (unsigned version : {10u, 11u})
      for (bool keep_alive : {true, false})
        for (bool head : {false, true})
          for (std::string_view server : {"", "envoy"}) {
            const Framing framing{version, keep_alive, head, "Fri, 27 Nov 2026 03:00:00 GMT",
                                  server};
            EXPECT_EQ(response_bytes(r, framing), beast_bytes(r, framing))
                << r.status << " version " << version << " keep-alive " << keep_alive << " head "
                << head << " server '" << server << "'";
          }
}

TEST(ResponseBytes, AHeadAnswerKeepsTheHandlersLengthAndHasNoBody) {
  const auto r = make(200, {{"content-length", "1234"}});
  EXPECT_EQ(response_bytes(r, {11, true, true, "d", ""}),
            "HTTP/1.1 200 OK\r\ncontent-length: 1234\r\nDate: d\r\n\r\n");
}

TEST(StreamedResponseHead, ChunkedUnlessTheHandlerGaveALength) {
  using tim::http::detail::streamed_response_head;
  auto r = make(200, {{"content-type", "text/csv"},
                      {"transfer-encoding", "gzip"},
                      {"connection", "x"},
                      {"content-length", "5"}});
  EXPECT_EQ(streamed_response_head(r, {11, true, false, "D", "envoy"}, true),
            "HTTP/1.1 200 OK\r\ncontent-type: text/csv\r\nDate: D\r\nServer: envoy\r\n"
            "Transfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(streamed_response_head(r, {11, false, false, "D", ""}, false),
            "HTTP/1.1 200 OK\r\ncontent-type: text/csv\r\ncontent-length: 5\r\nDate: D\r\n"
            "Connection: close\r\n\r\n");
}

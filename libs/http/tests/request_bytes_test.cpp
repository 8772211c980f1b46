#include "../src/request_bytes.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

using tim::http::ClientRequest;
using tim::http::detail::beast_request;
using tim::http::detail::request_bytes;

namespace {

std::string beast_bytes(const ClientRequest& request, std::string_view authority) {
  std::ostringstream out;
  out << beast_request(request, authority);
  return out.str();
}

ClientRequest make(std::string method, std::string target,
                   std::initializer_list<std::pair<const char*, const char*>> headers,
                   std::string body = {}) {
  ClientRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  for (const auto& [name, value] : headers) r.headers.add(name, value);
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST(RequestBytes, SameBytesAsTheBeastMessage) {
  const ClientRequest cases[] = {
      make("GET", "/api/invoices/42?x=1", {{"x-request-id", "abc"}, {"X-Custom", "a, b"}}),
      make("GET", "/", {{"HOST", "example.com"}, {"accept", "*/*"}}),
      make("HEAD", "/api/invoices/42", {}),
      // The auth check: a GET with its own content-length: 0, kept as it is.
      make("GET", "/extauth/invoices/1", {{"authorization", "t"}, {"content-length", "0"}}),
      make("POST", "/api/expected-date/7",
           {{"content-type", "application/json"}, {"traceparent", "00-1-2-01"}}, R"({"a":1})"),
      make("POST", "/empty", {{"content-length", "12"}}),
      make("PUT", "/empty", {{"Content-Length", "3"}, {"content-length", "4"}}),
      make("PATCH", "/empty", {{"content-length", "5"}}),
      make("PATCH", "/p", {}, "xy"),
      make("OPTIONS", "/o", {}),
      make("OPTIONS", "/o", {}, "b"),
      make("DELETE", "/d", {{"content-length", "2"}}, "zz"),
      make("PURGE", "/cache", {{"x-a", " padded\t"}, {"x-b", "\t "}}),
      // Framing headers Beast rewrites: the same bytes, through Beast.
      make("GET", "/c", {{"connection", "close, x-foo"}, {"x-foo", "1"}}),
      make("GET", "/c", {{"Connection", "keep-alive"}}),
      make("POST", "/te", {{"transfer-encoding", "chunked"}}, "abc"),
      make("GET", "/te", {{"transfer-encoding", "gzip, chunked"}}),
      make("TRACE", "/t", {}),
  };
  for (const auto& r : cases)
    EXPECT_EQ(request_bytes(r, "127.0.0.1:3000"), beast_bytes(r, "127.0.0.1:3000"))
        << r.method << " " << r.target;
}

TEST(RequestBytes, TraceWithABodyIsRefusedAsBeastRefusesIt) {
  EXPECT_THROW(request_bytes(make("TRACE", "/t", {}, "body"), "h:1"), std::invalid_argument);
}

#include "../src/parse_into.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <string>

using tim::http::Headers;

namespace {

class TestRequestParser final : public tim::http::detail::ParseInto<true> {
 public:
  TestRequestParser(Headers& h, std::string& b) : ParseInto(h, b) {}

 private:
  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int, string_view, int, error_code&) override {}
};

struct Parsed {
  boost::beast::error_code error;
  Headers headers;
  std::string body;
  bool done = false;
};

Parsed parse(std::string_view wire) {
  Parsed p;
  TestRequestParser parser(p.headers, p.body);
  parser.eager(true);
  boost::beast::error_code ec;
  std::size_t used = 0;
  while (!parser.is_done() && used < wire.size()) {
    used += parser.put(boost::asio::buffer(wire.data() + used, wire.size() - used), ec);
    if (ec) break;
  }
  p.error = ec;
  p.done = parser.is_done();
  return p;
}

}  // namespace

TEST(ParseInto, ChunkedTrailerFieldsNeverJoinTheHeaders) {
  auto p = parse(
      "POST /invoices/1/payments HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\nAuthorization: Bearer stolen\r\nHost: evil\r\n\r\n");
  ASSERT_FALSE(p.error) << p.error.message();
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.body, "abc");
  EXPECT_FALSE(p.headers.contains("authorization"));
  EXPECT_EQ(p.headers.count("host"), 1u);
  EXPECT_EQ(p.headers.get("host").value_or(""), "a");
}

TEST(ParseInto, TransferEncodingOtherThanChunkedIsAnError) {
  for (const char* coding :
       {"gzip", "chunked, gzip", "gzip, chunked", "identity", "chunked, chunked", "", "deflate"}) {
    auto p = parse(std::string("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ") + coding +
                   "\r\n\r\n0\r\n\r\n");
    EXPECT_EQ(p.error, boost::beast::http::error::bad_transfer_encoding) << "'" << coding << "'";
  }
}

TEST(ParseInto, TwoTransferEncodingFieldsCountAsOneList) {
  auto p = parse(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\n");
  EXPECT_EQ(p.error, boost::beast::http::error::bad_transfer_encoding);
}

TEST(ParseInto, PlainChunkedAndContentLengthBodiesStillParse) {
  auto chunked =
      parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n");
  ASSERT_FALSE(chunked.error) << chunked.error.message();
  EXPECT_EQ(chunked.body, "hi");
  auto sized = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi");
  ASSERT_FALSE(sized.error) << sized.error.message();
  EXPECT_EQ(sized.body, "hi");
}

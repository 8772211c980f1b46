// The server's request parser (libs/http server.cpp's RequestParser: Beast's basic_parser and
// our ParseInto callbacks), with the server's default limits.
#include <boost/beast/http/rfc7230.hpp>
#include <cstddef>
#include <cstdint>

#include "../../libs/http/src/parse_into.hpp"
#include "http_parser.hpp"
#include "tim/message.hpp"

namespace {

namespace bhttp = boost::beast::http;

// As server.cpp's RequestParser: the start line into the request.
class RequestParser final : public tim::http::detail::ParseInto<true> {
 public:
  explicit RequestParser(tim::http::Request& into)
      : ParseInto(into.headers, into.body), into_(into) {}
  unsigned version() const noexcept { return version_; }

 private:
  void on_request_impl(bhttp::verb, string_view method, string_view target, int version,
                       error_code&) override {
    into_.method.assign(method.data(), method.size());
    into_.target.assign(target.data(), target.size());
    version_ = static_cast<unsigned>(version);
  }
  void on_response_impl(int, string_view, int, error_code&) override {}

  tim::http::Request& into_;
  unsigned version_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tim::http::Request request;
  RequestParser parser(request);
  parser.header_limit(60 * 1024);  // ServerOptions' defaults
  parser.body_limit(1024 * 1024);
  if (!tim::fuzz::feed(parser, data, size) || !parser.is_done()) return 0;
  // What the server reads next off a parsed request.
  (void)request.headers.count("host");
  if (auto connection = request.headers.get("connection"))
    (void)bhttp::token_list{*connection}.exists("close");
  (void)request.path();
  (void)request.query();
  return 0;
}

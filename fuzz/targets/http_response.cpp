// The client's answer parser (libs/http client.cpp's AnswerParser: Beast's basic_parser and our
// ParseInto callbacks), with the client's default limits.
#include <cstddef>
#include <cstdint>

#include "../../libs/http/src/parse_into.hpp"
#include "http_parser.hpp"
#include "tim/message.hpp"

namespace {

namespace bhttp = boost::beast::http;

struct Answer {
  int status = 0;
  tim::http::Headers headers;
  std::string body;
};

// As client.cpp's AnswerParser: the status into the answer.
class AnswerParser final : public tim::http::detail::ParseInto<false> {
 public:
  explicit AnswerParser(Answer& into) : ParseInto(into.headers, into.body), into_(into) {}

 private:
  void on_request_impl(bhttp::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { into_.status = code; }

  Answer& into_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Answer answer;
  AnswerParser parser(answer);
  parser.header_limit(60 * 1024);  // ClientOptions' defaults
  parser.body_limit(8 * 1024 * 1024);
  // The client parses the answer to a HEAD without a body; the input's last bit picks it.
  parser.skip(size > 0 && (data[size - 1] & 1));
  if (!tim::fuzz::feed(parser, data, size) || !parser.is_done()) return 0;
  (void)parser.keep_alive();
  (void)answer.headers.get("content-type");
  return 0;
}

// A Beast parser that writes a message's fields and body straight into our own Headers and
// string. Beast's request_parser/response_parser keep the fields in a list of their own (an
// allocation each) that we would then copy again. The start line is the derived class's.
// Framing is strict (RFC 9112 §6.1, §7.1.2): chunked trailer fields are dropped, never merged
// into the header fields (RFC 9110 §6.5.1: an `Authorization` or `Host` there must not count),
// and a Transfer-Encoding other than exactly `chunked` is an error (bad_transfer_encoding), where
// Beast would take `gzip` as "no body" and parse the body as the next message.
// Internal to tim_http.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <cstdint>
#include <string>

#include "tim/message.hpp"

namespace tim::http::detail {

template <bool isRequest>
class ParseInto : public boost::beast::http::basic_parser<isRequest> {
 public:
  // Off: the body string is not sized to the Content-Length up front (a streamed body is taken
  // out piece by piece and never held whole).
  void set_reserve_body(bool on) noexcept { reserve_body_ = on; }

 protected:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  ParseInto(Headers& headers, std::string& body) : headers_(headers), body_(body) {}

 private:
  void on_field_impl(boost::beast::http::field, string_view name, string_view value,
                     error_code&) final {
    if (header_done_) return;  // a trailer field
    headers_.add(std::string(name), std::string(value));
  }
  void on_header_impl(error_code& ec) final {
    header_done_ = true;
    // Every Transfer-Encoding field, as one list, must be exactly `chunked`: a coding we do not
    // decode (gzip, chunked) or one that leaves the length unknown (gzip) is refused.
    bool any = false;
    for (const auto& f : headers_) {
      if (!iequals(f.name, "transfer-encoding")) continue;
      for (auto coding : boost::beast::http::token_list{f.value}) {
        if (any || !boost::beast::iequals(coding, "chunked")) {
          ec = boost::beast::http::error::bad_transfer_encoding;
          return;
        }
        any = true;
      }
      if (!any) {  // an empty Transfer-Encoding field
        ec = boost::beast::http::error::bad_transfer_encoding;
        return;
      }
    }
  }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) final {
    if (!length || !reserve_body_) return;
    if (*length > body_.max_size()) {
      ec = boost::beast::http::error::buffer_overflow;
      return;
    }
    body_.reserve(static_cast<std::size_t>(*length));  // the parser's body limit bounds it
  }
  std::size_t on_body_impl(string_view body, error_code&) final {
    body_.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) final {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) final {
    body_.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) final {}

  Headers& headers_;
  std::string& body_;
  bool header_done_ = false;
  bool reserve_body_ = true;
};

}  // namespace tim::http::detail

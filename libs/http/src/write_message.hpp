// Writes a Beast string-body message as one buffer: the same bytes as bhttp::async_write, at a
// fraction of the instructions. Beast's serializer walks a concatenated buffer sequence of
// start line, every field and the body through several layers of buffer adaptors, which cost
// ~20k instructions per message (callgrind), as much as the rest of a small request.
// Internal to tim_http.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <string>
#include <tuple>

#include "tim/task.hpp"

namespace tim::http::detail {

namespace bhttp = boost::beast::http;

// The message as Beast's serializer writes it, when its body goes out as it is (not chunked).
template <bool isRequest>
std::string wire_bytes(const bhttp::message<isRequest, bhttp::string_body>& m) {
  std::size_t size = 32 + m.body().size();
  for (const auto& f : m) size += f.name_string().size() + f.value().size() + 4;
  std::string out;
  const unsigned version = m.version();
  const char v[] = {
      'H', 'T', 'T', 'P', '/', char('0' + version / 10), '.', char('0' + version % 10)};
  if constexpr (isRequest) {
    out.reserve(size + m.method_string().size() + m.target().size());
    out.append(m.method_string()).push_back(' ');
    out.append(m.target()).push_back(' ');
    out.append(v, sizeof v).append("\r\n");
  } else {
    const auto reason = m.reason().empty() ? bhttp::obsolete_reason(m.result()) : m.reason();
    out.reserve(size + reason.size());
    const unsigned code = m.result_int();
    out.append(v, sizeof v).push_back(' ');
    out.push_back(char('0' + code / 100));
    out.push_back(char('0' + (code / 10) % 10));
    out.push_back(char('0' + code % 10));
    out.push_back(' ');
    out.append(reason).append("\r\n");
  }
  for (const auto& f : m) out.append(f.name_string()).append(": ").append(f.value()).append("\r\n");
  out.append("\r\n").append(m.body());
  return out;
}

template <class Stream, bool isRequest>
Task<std::tuple<boost::system::error_code, std::size_t>> write_message(
    Stream& stream, const bhttp::message<isRequest, bhttp::string_body>& m) {
  namespace asio = boost::asio;
  if (m.chunked())
    co_return co_await bhttp::async_write(stream, m, asio::as_tuple(asio::use_awaitable));
  const std::string wire = wire_bytes(m);
  co_return co_await asio::async_write(stream, asio::buffer(wire),
                                       asio::as_tuple(asio::use_awaitable));
}

}  // namespace tim::http::detail

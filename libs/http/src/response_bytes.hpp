// A handler's Response as the server writes it, straight to its wire bytes: the same bytes as
// copying it into a Beast message, framing that, and serializing it, without the message (an
// allocation and a field-name lookup per header field, walked again to write). Internal to
// tim_http.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>
#include <string>
#include <string_view>

#include "tim/message.hpp"
#include "write_message.hpp"

namespace tim::http::detail {

namespace bhttp = boost::beast::http;

// What the server adds to a handler's answer.
struct Framing {
  unsigned version = 11;    // the request's: 10 or 11
  bool keep_alive = true;   // false: the connection closes after this answer
  bool head = false;        // the answer to a HEAD: a Content-Length, no body
  std::string_view date;    // the Date header
  std::string_view server;  // the Server header; empty: none
};

// No body whatever the handler says: 1xx, 204, 304.
inline bool bodiless_status(int status) {
  return status == 204 || status == 304 || (status >= 100 && status < 200);
}

// The answer as a Beast message: the handler's fields, Date and Server set, keep-alive framed,
// and a Content-Length for the body (for a HEAD, the handler's or the body's size).
inline bhttp::response<bhttp::string_body> beast_response(const Response& response,
                                                          const Framing& framing) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status),
                                          framing.version};
  for (const auto& f : response.headers) res.insert(f.name, f.value);
  res.set(bhttp::field::date, framing.date);
  if (!framing.server.empty()) res.set(bhttp::field::server, framing.server);
  res.keep_alive(framing.keep_alive);
  if (framing.head) {
    if (!res.has_content_length()) res.content_length(response.body.size());
  } else if (!bodiless_status(response.status)) {
    res.body() = response.body;
    res.prepare_payload();
  }
  return res;
}

// The bytes of beast_response(response, framing) as Beast's serializer writes them.
inline std::string response_bytes(const Response& response, const Framing& framing) {
  const bool set_length = !framing.head && !bodiless_status(response.status);
  bool has_length = false;
  // Beast rewrites Connection and Transfer-Encoding: answers carrying them go through it.
  bool through_beast = false;
  const auto code = static_cast<unsigned>(response.status);
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(code));
  // Status line, Date, Server, Connection, Content-Length and the blank line take at most 100
  // bytes besides.
  std::size_t room =
      100 + reason.size() + framing.date.size() + framing.server.size() + response.body.size();
  for (const auto& f : response.headers) {
    if (iequals(f.name, "connection") || iequals(f.name, "transfer-encoding"))
      through_beast = true;
    else if (iequals(f.name, "content-length"))
      has_length = true;
    room += f.name.size() + f.value.size() + 4;
  }
  if (through_beast) {
    const auto res = beast_response(response, framing);
    if (!res.chunked()) return wire_bytes(res);
    std::ostringstream out;
    out << res;
    return std::move(out).str();
  }

  WireWriter out(room);
  out.put("HTTP/").put(char('0' + framing.version / 10)).put('.');
  out.put(char('0' + framing.version % 10)).put(' ');
  out.put(char('0' + code / 100 % 10)).put(char('0' + code / 10 % 10)).put(char('0' + code % 10));
  out.put(' ').put(std::string_view(reason.data(), reason.size())).put("\r\n");
  for (const auto& f : response.headers) {
    if (iequals(f.name, "date") || (!framing.server.empty() && iequals(f.name, "server")) ||
        (set_length && iequals(f.name, "content-length")))
      continue;
    out.put(f.name).put(": ").put(trimmed(f.value)).put("\r\n");
  }
  out.put("Date: ").put(framing.date).put("\r\n");
  if (!framing.server.empty()) out.put("Server: ").put(framing.server).put("\r\n");
  if (framing.version >= 11 && !framing.keep_alive) out.put("Connection: close\r\n");
  if (framing.version < 11 && framing.keep_alive) out.put("Connection: keep-alive\r\n");
  if (set_length || (framing.head && !has_length))
    out.put("Content-Length: ").put_number(response.body.size()).put("\r\n");
  out.put("\r\n");
  if (set_length) out.put(response.body);
  return std::move(out).finish();
}

// The status line and header block of an answer whose body follows piece by piece: chunked,
// or raw after the handler's Content-Length, or (HTTP/1.0 without one) until the close.
inline std::string streamed_response_head(const Response& response, const Framing& framing,
                                          bool chunked) {
  const auto code = static_cast<unsigned>(response.status);
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(code));
  std::size_t room = 140 + reason.size() + framing.date.size() + framing.server.size();
  for (const auto& f : response.headers) room += f.name.size() + f.value.size() + 4;
  WireWriter out(room);
  out.put("HTTP/").put(char('0' + framing.version / 10)).put('.');
  out.put(char('0' + framing.version % 10)).put(' ');
  out.put(char('0' + code / 100 % 10)).put(char('0' + code / 10 % 10)).put(char('0' + code % 10));
  out.put(' ').put(std::string_view(reason.data(), reason.size())).put("\r\n");
  for (const auto& f : response.headers) {
    if (iequals(f.name, "date") || (!framing.server.empty() && iequals(f.name, "server")) ||
        iequals(f.name, "connection") || iequals(f.name, "transfer-encoding") ||
        (chunked && iequals(f.name, "content-length")))
      continue;
    out.put(f.name).put(": ").put(trimmed(f.value)).put("\r\n");
  }
  out.put("Date: ").put(framing.date).put("\r\n");
  if (!framing.server.empty()) out.put("Server: ").put(framing.server).put("\r\n");
  if (framing.version >= 11 && !framing.keep_alive) out.put("Connection: close\r\n");
  if (framing.version < 11 && framing.keep_alive) out.put("Connection: keep-alive\r\n");
  if (chunked) out.put("Transfer-Encoding: chunked\r\n");
  out.put("\r\n");
  return std::move(out).finish();
}

}  // namespace tim::http::detail

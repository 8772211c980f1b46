// A client request as it goes on the wire, written straight from the ClientRequest: the same
// bytes as building a Beast message and serializing it, without the message. Building it cost
// ~5k instructions per request in the gateway (callgrind), an allocation per field and a
// field-name lookup each, to be walked again when writing. Internal to tim_http.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>
#include <string>
#include <string_view>

#include "tim/http/client.hpp"
#include "write_message.hpp"

namespace tim::http::detail {

namespace bhttp = boost::beast::http;

// The request as Beast would carry it: keep-alive, `host` when absent, a body (and so a
// Content-Length) when there is one or the method expects one.
inline bhttp::request<bhttp::string_body> beast_request(const ClientRequest& request,
                                                        std::string_view authority) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(request.method);
  req.target(request.target);
  req.version(11);
  for (const auto& f : request.headers) req.insert(f.name, f.value);
  if (req.find(bhttp::field::host) == req.end()) req.set(bhttp::field::host, authority);
  req.keep_alive(true);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    req.body() = request.body;
    req.prepare_payload();
  }
  return req;
}

// The bytes of beast_request(request, authority) as Beast's serializer writes them.
inline std::string request_bytes(const ClientRequest& request, std::string_view authority) {
  const std::string_view method = request.method;
  const bool payload =
      !request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  // prepare_payload() drops any given Content-Length and sets one unless it is a PATCH without
  // a body.
  const bool set_length = payload && (!request.body.empty() || method == "OPTIONS" ||
                                      method == "PUT" || method == "POST");
  // Beast rewrites Connection and Transfer-Encoding and refuses TRACE with a body: those rare
  // requests keep going through it.
  bool through_beast = payload && method == "TRACE";
  bool has_host = false;
  // Request line, Host, Content-Length and the blank line take at most 64 bytes besides.
  std::size_t room =
      method.size() + request.target.size() + authority.size() + 64 + request.body.size();
  for (const auto& f : request.headers) {
    if (iequals(f.name, "connection") || iequals(f.name, "transfer-encoding"))
      through_beast = true;
    else if (iequals(f.name, "host"))
      has_host = true;
    room += f.name.size() + f.value.size() + 4;
  }
  if (through_beast) {
    std::ostringstream out;
    out << beast_request(request, authority);
    return std::move(out).str();
  }

  WireWriter out(room);
  out.put(method).put(' ').put(request.target).put(" HTTP/1.1\r\n");
  for (const auto& f : request.headers) {
    if (payload && iequals(f.name, "content-length")) continue;
    out.put(f.name).put(": ").put(trimmed(f.value)).put("\r\n");
  }
  if (!has_host) out.put("Host: ").put(authority).put("\r\n");
  if (set_length) out.put("Content-Length: ").put_number(request.body.size()).put("\r\n");
  out.put("\r\n").put(request.body);
  return std::move(out).finish();
}

}  // namespace tim::http::detail

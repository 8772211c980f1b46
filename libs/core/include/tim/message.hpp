// HTTP messages as plain values: what handlers and domain code see.
// No Beast here, so that code using these types compiles fast and stays testable.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tim/task.hpp"
#include "tim/trace_context.hpp"

namespace tim::http {

// ASCII case-insensitive equality, as HTTP field names compare. Inline: header filters call it
// dozens of times per request, mostly to find lengths differ.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i], y = b[i];
    if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z')) return false;
  }
  return true;
}

// An ordered list of header fields; names compare case-insensitively and keep their case.
class Headers {
 public:
  struct Field {
    std::string name;
    std::string value;
  };

  // The first field with this name, if any.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  std::size_t count(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return count(name) > 0; }

  void add(std::string name, std::string value);
  // Replaces every field with this name by one field.
  void set(std::string_view name, std::string value);
  // Removes every field with this name; returns how many were removed.
  std::size_t remove(std::string_view name);

  bool empty() const noexcept { return fields_.empty(); }
  std::size_t size() const noexcept { return fields_.size(); }
  auto begin() const noexcept { return fields_.begin(); }
  auto end() const noexcept { return fields_.end(); }
  void reserve(std::size_t n) { fields_.reserve(n); }

 private:
  std::vector<Field> fields_;
};

// A body produced piece by piece: a large export, an answer streamed through the gateway.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // The next piece (possibly empty), or nullopt at the end. Throws when the body cannot be
  // completed: the server then cuts the connection, so the client sees a truncated answer,
  // never one that looks whole.
  virtual Task<std::optional<std::string>> next() = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // When set, the body comes from here instead of `body`: chunked, or raw with the
  // Content-Length the handler put in `headers`.
  std::shared_ptr<BodySource> stream = nullptr;
};

struct Request {
  std::string method;
  std::string target;  // the request-target exactly as received
  Headers headers;
  std::string body;
  std::string remote_address;  // the peer's IP address
  std::string request_id;      // x-request-id of this request, for logs
  std::string route;           // what handled it ("/api/invoices/:id"), for metrics; set by routing
  TraceContext trace;  // the incoming traceparent's trace (or a new one) and this hop's span
  // Set when the server left the body unread for the handler to decide first (the gateway asks
  // auth on the headers): reads it into `body`, or gives the error answer to send (too large,
  // too slow, over the memory budget). Unset: `body` is already complete.
  std::function<Task<std::optional<Response>>()> read_body = nullptr;

  std::string_view path() const noexcept;   // target up to '?'
  std::string_view query() const noexcept;  // after '?', empty when none
};

// A response with a JSON body (already serialized).
Response json_response(int status, std::string body);

// The error shape every service answers with: {"error":{"code":"…","message":"…"}}.
Response error_response(int status, std::string_view code, std::string_view message);

// The standard reason phrase of a status code ("Not Found"), or "Unknown".
std::string_view reason_phrase(int status) noexcept;

}  // namespace tim::http

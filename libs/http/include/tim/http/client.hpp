// Pooled keep-alive HTTP/1.1 client with connect and request deadlines.
// Call it from a coroutine running on a Server's I/O thread: each event loop keeps its own
// pool of idle connections per endpoint, so no connection is shared across threads, and the
// pool goes away with its event loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tim/endpoint.hpp"
#include "tim/message.hpp"
#include "tim/task.hpp"

namespace tim::http {

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";
  Headers headers;  // `host` is added when absent
  std::string body;
};

enum class FetchError {
  none,
  resolve_failed,   // name did not resolve
  connect_refused,  // nothing listens there
  connect_timeout,  // no connection within the connect timeout
  timeout,          // connected, but no complete answer before the deadline
  closed,           // the peer closed or reset the connection before a full answer
  bad_response,     // not valid HTTP, or over the size limits
};
std::string_view to_string(FetchError e) noexcept;

struct FetchResult {
  FetchError error = FetchError::none;
  std::string message;  // what went wrong, for logs
  int status = 0;
  Headers headers;
  std::string body;
  bool ok() const noexcept { return error == FetchError::none; }
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds idle_timeout{30'000};  // pooled connections older than this are dropped
  std::size_t max_idle_per_endpoint = 256;
  std::size_t max_response_header_bytes = 60 * 1024;
  std::size_t max_response_body_bytes = 8 * 1024 * 1024;
};

class HttpClient {
 public:
  explicit HttpClient(ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads the answer, all within `timeout` (connect included).
  // A pooled connection the peer had closed is retried once on a fresh one when that is safe.
  Task<FetchResult> fetch(const Endpoint& endpoint, ClientRequest request,
                          std::chrono::milliseconds timeout);

 private:
  Task<FetchResult> exchange_with_pool(const Endpoint& endpoint, ClientRequest request,
                                       std::chrono::milliseconds timeout);
  ClientOptions options_;
};

}  // namespace tim::http

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

#include "tim/circuit_breaker.hpp"
#include "tim/endpoint.hpp"
#include "tim/message.hpp"
#include "tim/task.hpp"

namespace tim::http {

struct ClientRequest {
  std::string method = "GET";
  std::string target = "/";
  Headers headers;  // `host` is added when absent
  std::string body;
  // Answers whose body is chunked, unsized or over this many bytes come back as
  // FetchResult::stream, read as the caller pulls it, with no size limit (0: always whole,
  // within max_response_body_bytes).
  std::size_t stream_answers_over = 0;
};

enum class FetchError {
  none,
  resolve_failed,   // name did not resolve
  connect_refused,  // nothing listens there
  connect_timeout,  // no connection within the connect timeout
  timeout,          // connected, but no complete answer before the deadline
  closed,           // the peer closed or reset the connection before a full answer
  bad_response,     // not valid HTTP, or its headers over the size limit
  too_large,        // a body over max_response_body_bytes (not the peer's failure)
  circuit_open,     // not sent: the instance's circuit breaker is open
};
std::string_view to_string(FetchError e) noexcept;

struct FetchResult {
  FetchError error = FetchError::none;
  std::string message;  // what went wrong, for logs
  int status = 0;
  Headers headers;
  std::string body;
  // The body, when it is streamed (ClientRequest::stream_answers_over): pieces are read from
  // the connection as they are pulled; each read waits at most the request's timeout. The
  // connection goes back to the pool once the body has been read to its end.
  std::shared_ptr<BodySource> stream;
  // closed/timeout/bad_response: part of an answer had arrived (the peer acted on the request).
  bool response_started = false;
  bool ok() const noexcept { return error == FetchError::none; }
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds idle_timeout{30'000};  // pooled connections older than this are dropped
  std::size_t max_idle_per_endpoint = 256;
  std::size_t max_response_header_bytes = 60 * 1024;
  std::size_t max_response_body_bytes = 8 * 1024 * 1024;
  CircuitBreaker::Options breaker;  // BREAKER_FAILURES, BREAKER_OPEN_MS

  // Reads BREAKER_FAILURES and BREAKER_OPEN_MS; throws config::ConfigError on a malformed value.
  static ClientOptions from_env();
};

// What counts against an instance's breaker: no usable answer, or 502/503/504. An answer too
// large for us is our limit, not the instance's failure: it never counts.
bool breaker_failure(const FetchResult& result) noexcept;

class HttpClient {
 public:
  explicit HttpClient(ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads the answer, all within `timeout` (connect included).
  // A pooled connection the peer had closed is retried once on a fresh one when that is safe.
  // With a breaker (from breaker()), an open one fails the call at once with circuit_open, and
  // the result is reported to it.
  Task<FetchResult> fetch(const Endpoint& endpoint, ClientRequest request,
                          std::chrono::milliseconds timeout, CircuitBreaker* breaker = nullptr);
  // The same, leaving `request` as it was, for a caller that may send it again elsewhere.
  Task<FetchResult> fetch_copy(const Endpoint& endpoint, const ClientRequest& request,
                               std::chrono::milliseconds timeout, CircuitBreaker* breaker);

  // The breaker of this instance (host:port), shared by every thread; made on first use, so
  // ask at start-up and keep the reference (the lookup takes a lock).
  CircuitBreaker& breaker(const Endpoint& endpoint);

 private:
  ClientOptions options_;
  struct Breakers;
  std::unique_ptr<Breakers> breakers_;
};

}  // namespace tim::http

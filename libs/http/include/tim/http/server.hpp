// The HTTP/1.1 server every service runs: keep-alive, size limits, read/idle timeouts,
// /healthz and /readyz, one JSON log line per request, graceful shutdown on SIGTERM/SIGINT.
// Beast and Asio stay inside server.cpp; services only see plain Request/Response values.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tim/message.hpp"
#include "tim/task.hpp"

namespace tim::http {

struct ServerOptions {
  std::string service_name;
  std::string host = "0.0.0.0";  // HOST
  std::uint16_t port = 8080;     // PORT (0: any free port)
  int io_threads = 1;  // IO_THREADS: one event loop per thread, connections spread over them
  std::size_t max_header_bytes = 60 * 1024;        // MAX_HEADER_BYTES: over it -> 431
  std::size_t max_body_bytes = 1024 * 1024;        // MAX_BODY_BYTES: over it -> 413
  std::chrono::milliseconds idle_timeout{60'000};  // IDLE_TIMEOUT_MS: keep-alive wait for a request
  std::chrono::milliseconds header_timeout{
      10'000};  // HEADER_TIMEOUT_MS: first byte to end of headers
  std::chrono::milliseconds body_timeout{
      30'000};                           // BODY_TIMEOUT_MS: reading the body, writing the answer
  std::size_t max_connections = 10'000;  // MAX_CONNECTIONS: more are closed at once
  // MAX_IN_FLIGHT: requests handled at once; more get 503 + Retry-After at once (probes and
  // /metrics exempt)
  std::size_t max_in_flight = 512;
  std::chrono::milliseconds drain_delay{0};  // DRAIN_DELAY_MS: not-ready time (answers carry
                                             // Connection: close) before closing the listener
  std::chrono::milliseconds shutdown_timeout{
      10'000};             // SHUTDOWN_TIMEOUT_MS: wait for in-flight requests
  bool access_log = true;  // ACCESS_LOG: one line per request
  // Keep a client's x-request-id (internal services); the edge replaces it with a fresh one.
  bool trust_request_id = true;
  std::string server_header;  // sent as `server` when not empty
  // The edge: the handler runs on the request headers and reads the body itself
  // (Request::read_body), so that a request refused on its headers never has its body read.
  bool defer_body = false;
  // Bytes of request bodies held in memory at once, over all connections (0: no budget). A body
  // reserves its Content-Length, a chunked one MAX_BODY_BYTES, before it is read; over the
  // budget it gets 503 + Retry-After and the connection closes.
  std::size_t body_memory_budget = 0;
  // When set, /healthz, /readyz and /metrics are served on this port only (0: any free port),
  // and the main listener answers 404 there (Emissary's admin port, 8877).
  std::optional<std::uint16_t> admin_port;

  // Reads every variable named above; throws config::ConfigError on a malformed value.
  static ServerOptions from_env(std::string service_name);
};

struct Readiness {
  bool ready = true;
  std::string detail;
};

using RequestHandler = std::function<Task<Response>(Request&)>;

class Server {
 public:
  Server(ServerOptions options, RequestHandler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Extra readiness condition for /readyz (dependencies); called on an I/O thread, must be quick.
  void set_readiness_check(std::function<Readiness()> check);
  // Binds, serves until SIGTERM or SIGINT, drains and returns the process exit code.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sets up logging from LOG_LEVEL and runs a service: the common main() of every service.
// Prints a clear message and returns 2 when the configuration is malformed.
int run_service(const std::string& service_name,
                const std::function<int(ServerOptions&)>& configure_and_run);

}  // namespace tim::http

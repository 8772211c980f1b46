#include "tim/http/env_vars.hpp"

#include "tim/http/client.hpp"
#include "tim/http/server.hpp"

namespace tim::http {

namespace {
std::string millis(std::chrono::milliseconds ms) {
  return std::to_string(ms.count());
}
}  // namespace

std::vector<cli::EnvVar> server_env_vars() {
  const ServerOptions o;
  return {
      {"LOG_LEVEL", "info", "debug, info, warn, error or off (JSON lines on stdout)"},
      {"HOST", o.host, "address to listen on"},
      {"PORT", std::to_string(o.port), "port to listen on (0: any free port)"},
      {"IO_THREADS", std::to_string(o.io_threads), "event loop threads"},
      {"MAX_HEADER_BYTES", std::to_string(o.max_header_bytes), "larger request headers get 431"},
      {"MAX_BODY_BYTES", std::to_string(o.max_body_bytes), "larger request bodies get 413"},
      {"IDLE_TIMEOUT_MS", millis(o.idle_timeout), "keep-alive wait for the next request"},
      {"HEADER_TIMEOUT_MS", millis(o.header_timeout), "first byte to end of request headers"},
      {"BODY_TIMEOUT_MS", millis(o.body_timeout), "reading a body, writing an answer"},
      {"MAX_CONNECTIONS", std::to_string(o.max_connections), "more are closed at once"},
      {"MAX_IN_FLIGHT", std::to_string(o.max_in_flight),
       "requests handled at once; more get 503 + Retry-After"},
      {"DRAIN_DELAY_MS", millis(o.drain_delay),
       "after SIGTERM: time not-ready before the listener closes"},
      {"SHUTDOWN_TIMEOUT_MS", millis(o.shutdown_timeout), "after SIGTERM: wait for requests"},
      {"ACCESS_LOG", o.access_log ? "true" : "false", "one log line per request"},
  };
}

std::vector<cli::EnvVar> client_env_vars() {
  const ClientOptions o;
  return {
      {"BREAKER_FAILURES", std::to_string(o.breaker.failure_threshold),
       "failures in a row that open an upstream instance's circuit breaker"},
      {"BREAKER_OPEN_MS", millis(o.breaker.open_duration),
       "how long an open breaker refuses before a trial request"},
  };
}

}  // namespace tim::http

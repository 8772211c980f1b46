// Prometheus metrics of a service (prometheus-cpp's registry and text format): what the HTTP
// server and client record for every request, and what a service adds of its own.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace tim::metrics {

// The process's registry, for metrics a service defines itself.
prometheus::Registry& registry();

// Everything registered, in the Prometheus text exposition format (GET /metrics).
std::string exposition();

// build_info{service, version} 1
void set_build_info(std::string_view service, std::string_view version);

// One answered request: http_requests_total and http_request_duration_seconds, by route
// (the matched pattern, never the raw path: ids would make labels unbounded), method (a
// standard one, else "other"), status.
void observe_request(std::string_view route, std::string_view method, int status, double seconds);

// http_requests_in_flight, up while the object lives.
class InFlight {
 public:
  InFlight();
  ~InFlight();
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
};

// One outbound call: upstream_requests_total and upstream_request_duration_seconds by upstream
// (host:port) and outcome (ok, 5xx, timeout, refused, connect_timeout, closed, bad_response,
// resolve_failed).
void observe_upstream(std::string_view upstream, std::string_view outcome, double seconds);
// An outbound call that never went out (outcome "circuit_open"): counted, not timed.
void count_upstream(std::string_view upstream, std::string_view outcome);
// upstream_circuit_open{upstream}: 1 while the instance's breaker is open or half-open.
void set_circuit_open(std::string_view upstream, bool open);
// upstream_retries_total{upstream, result="attempted|budget_exhausted"}.
void count_retry(std::string_view upstream, std::string_view result);

// http_requests_rejected_total{reason}: refused by the server itself: "overloaded" (MAX_IN_FLIGHT),
// "connection_limit" (MAX_CONNECTIONS), or the error code of a request it could not read
// ("request_timeout", "headers_too_large", ...).
void count_rejected(std::string_view reason);

// auth_decisions_total{decision="allow|deny", reason} (auth_svc).
void count_auth_decision(std::string_view decision, std::string_view reason);
// store_operation_duration_seconds{operation} (invoices_svc).
void observe_store_operation(std::string_view operation, double seconds);

}  // namespace tim::metrics

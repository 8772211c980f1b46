// The gateway's configuration: Emissary `Mapping` and `AuthService` documents
// (getambassador.io/v3alpha1), with Emissary's defaults.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tim::gateway {

// One entry of add_request_headers / add_response_headers: `name: value` or
// `name: {value, append}`. append (Emissary's default true) adds another field; false replaces.
struct HeaderToAdd {
  std::string name;  // lower-case
  std::string value;
  bool append = true;
  bool has_variables = false;  // %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%, %PROTOCOL%, %%
};

// A Mapping's retry_policy (Emissary passes it 1:1 to Envoy's route retry_policy).
struct RetryOn {
  enum Kind {
    five_xx,
    gateway_error,
    connect_failure,
    retriable_4xx,
    refused_stream,
    retriable_status_codes
  };
};
struct MappingRetryPolicy {
  RetryOn::Kind retry_on = RetryOn::five_xx;
  int num_retries = 1;                           // Envoy's default
  std::chrono::milliseconds per_try_timeout{0};  // 0: the whole route timeout
};

struct Mapping {
  std::string name;
  std::string prefix;
  std::string rewrite = "/";                // Emissary's default; "" keeps the path as it is
  std::string service;                      // as written: "invoices-svc", "auth-svc:3000"
  std::chrono::milliseconds timeout{3000};  // timeout_ms; 0 = none
  bool bypass_auth = false;
  int precedence = 0;
  bool case_sensitive = true;
  std::string hostname = "*";  // DNS glob on Host: "*", "*.example.com", "api.*", or exact
  std::optional<MappingRetryPolicy> retry_policy;  // unset: the gateway's RETRY_MAX rules
  std::vector<HeaderToAdd> add_request_headers, add_response_headers;
  std::vector<std::string> remove_request_headers, remove_response_headers;  // lower-case
};

struct AuthService {
  std::string name;
  std::string auth_service;  // [http://]host[:port]
  std::string path_prefix;
  std::chrono::milliseconds timeout{5000};
  std::vector<std::string> allowed_request_headers;        // lower-case
  std::vector<std::string> allowed_authorization_headers;  // lower-case
  std::vector<std::pair<std::string, std::string>> add_auth_headers;
  int status_on_error = 403;
  bool failure_mode_allow = false;
};

struct GatewayConfig {
  std::vector<Mapping> mappings;
  std::vector<AuthService> auth_services;  // Emissary allows one logical auth service
};

struct RouteFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads every Mapping and AuthService of a multi-document YAML text; other kinds (Listener,
// Host, …) are skipped. Fields that would change behaviour and are not implemented here
// (prefix_regex, regex_rewrite, host_redirect, include_body, proto: grpc, …) are errors, so that
// the local gateway never silently differs from Emissary.
GatewayConfig parse_route_documents(std::string_view yaml_text);

// A header value of add_*_headers with its Envoy variables replaced (validated at parse time).
std::string expand_header_value(std::string_view value, std::string_view remote_address);
GatewayConfig load_route_file(const std::string& path);

}  // namespace tim::gateway

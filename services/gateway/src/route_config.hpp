// The gateway's configuration: Emissary `Mapping` and `AuthService` documents
// (getambassador.io/v3alpha1), with Emissary's defaults.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tim::gateway {

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
GatewayConfig load_route_file(const std::string& path);

}  // namespace tim::gateway

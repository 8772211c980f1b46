#include "route_config.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace tim::gateway {

namespace {

// yaml-cpp 0.7 (Debian 12) loops for ever in LoadAll, allocating as it goes, on some malformed
// texts (",\n---"): its parser hands back an empty document without consuming a token (yaml-cpp
// issue 1040, fixed upstream after 0.8). Found by fuzzing. This first pass reads the documents
// without building nodes and gives up once there are more than the text has room for: every
// document after the first begins with a "---" or follows a "...".
void refuse_endless_documents(const std::string& text) {
  struct Ignore final : YAML::EventHandler {
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
  } ignore;
  std::size_t room = 1;
  for (std::string_view marker : {"---", "..."})
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1))
      ++room;
  std::istringstream in(text);
  YAML::Parser parser(in);
  for (std::size_t documents = 0; parser.HandleNextDocument(ignore);)
    if (++documents > room)
      throw YAML::Exception(YAML::Mark::null_mark(), "a document that never ends");
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw RouteFileError(where + ": " + what);
}

void check_fields(const YAML::Node& spec, const std::string& where,
                  const std::set<std::string>& known, const std::set<std::string>& ignored) {
  for (const auto& kv : spec) {
    const auto key = kv.first.as<std::string>();
    if (known.contains(key) || ignored.contains(key)) continue;
    fail(where, "field '" + key + "' is not supported by the local gateway");
  }
}

std::chrono::milliseconds millis(const YAML::Node& n, const std::string& where, const char* field) {
  try {
    const auto v = n.as<long long>();
    if (v < 0) fail(where, std::string(field) + " must not be negative");
    return std::chrono::milliseconds(v);
  } catch (const YAML::Exception&) {
    fail(where, std::string(field) + " must be an integer number of milliseconds");
  }
}

std::vector<std::string> lower_list(const YAML::Node& n, const std::string& where,
                                    const char* field) {
  if (!n.IsSequence()) fail(where, std::string(field) + " must be a list");
  std::vector<std::string> out;
  for (const auto& item : n) out.push_back(lower(item.as<std::string>()));
  return out;
}

// Envoy's header variables the local gateway fills in; others are refused at load.
constexpr std::string_view kRemoteAddress = "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT";
constexpr std::string_view kProtocol = "PROTOCOL";

// Walks a value's %VARIABLE% and %% parts: calls literal(text) and variable(name) in order;
// false when a '%' is unpaired.
template <class Literal, class Variable>
bool walk_value(std::string_view value, Literal&& literal, Variable&& variable) {
  for (;;) {
    const auto open = value.find('%');
    if (open == std::string_view::npos) {
      literal(value);
      return true;
    }
    literal(value.substr(0, open));
    const auto close = value.find('%', open + 1);
    if (close == std::string_view::npos) return false;
    const auto name = value.substr(open + 1, close - open - 1);
    if (name.empty())
      literal("%");
    else
      variable(name);
    value.remove_prefix(close + 1);
  }
}

std::vector<HeaderToAdd> headers_to_add(const YAML::Node& n, const std::string& where,
                                        const char* field) {
  if (!n.IsMap()) fail(where, std::string(field) + " must be a map of header: value");
  std::vector<HeaderToAdd> out;
  for (const auto& kv : n) {
    HeaderToAdd h;
    h.name = lower(kv.first.as<std::string>());
    if (h.name.empty() || h.name.find_first_of(" \t\r\n:") != std::string::npos)
      fail(where, std::string(field) + ": '" + h.name + "' is not a header name");
    if (kv.second.IsMap()) {
      for (const auto& inner : kv.second) {
        const auto key = inner.first.as<std::string>();
        if (key != "value" && key != "append")
          fail(where, std::string(field) + "." + h.name + ": field '" + key + "' is not supported");
      }
      if (!kv.second["value"]) fail(where, std::string(field) + "." + h.name + " needs a value");
      h.value = kv.second["value"].as<std::string>();
      if (kv.second["append"]) h.append = kv.second["append"].as<bool>();
    } else {
      h.value = kv.second.as<std::string>();
    }
    if (h.value.find_first_of("\r\n") != std::string::npos)
      fail(where, std::string(field) + "." + h.name + ": a value cannot hold a line break");
    std::string unknown;
    const bool paired = walk_value(
        h.value, [](std::string_view) {},
        [&](std::string_view var) {
          if (var != kRemoteAddress && var != kProtocol && unknown.empty()) unknown = var;
        });
    if (!paired)
      fail(where, std::string(field) + "." + h.name + ": an unpaired '%' (write %% for one)");
    if (!unknown.empty())
      fail(where, std::string(field) + "." + h.name + ": variable %" + unknown +
                      "% is not supported by the local gateway");
    h.has_variables = h.value.find('%') != std::string::npos;
    out.push_back(std::move(h));
  }
  return out;
}

// A Go/Envoy duration as Emissary writes per_try_timeout: "1s", "1.5s", "250ms", "2m".
std::chrono::milliseconds duration(const YAML::Node& n, const std::string& where,
                                   const char* field) {
  const auto text = n.as<std::string>();
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  const auto number = text.substr(0, i);
  const auto unit = text.substr(i);
  double scale = 0;
  if (unit == "ms")
    scale = 1;
  else if (unit == "s")
    scale = 1000;
  else if (unit == "m")
    scale = 60'000;
  if (number.empty() || scale == 0 || std::count(number.begin(), number.end(), '.') > 1)
    fail(where, std::string(field) + " must be a duration such as \"1s\" or \"250ms\"");
  const double ms = std::stod(number) * scale;
  if (ms > 24.0 * 3600 * 1000) fail(where, std::string(field) + " is longer than a day");
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

MappingRetryPolicy retry_policy(const YAML::Node& n, const std::string& where) {
  if (!n.IsMap()) fail(where, "retry_policy must be a map");
  check_fields(n, where + " retry_policy", {"retry_on", "num_retries", "per_try_timeout"}, {});
  MappingRetryPolicy p;
  if (n["retry_on"]) {
    static const std::pair<std::string_view, RetryOn::Kind> kinds[] = {
        {"5xx", RetryOn::five_xx},
        {"gateway-error", RetryOn::gateway_error},
        {"connect-failure", RetryOn::connect_failure},
        {"retriable-4xx", RetryOn::retriable_4xx},
        {"refused-stream", RetryOn::refused_stream},
        {"retriable-status-codes", RetryOn::retriable_status_codes}};
    const auto value = n["retry_on"].as<std::string>();
    const auto* kind = std::find_if(std::begin(kinds), std::end(kinds),
                                    [&](const auto& k) { return k.first == value; });
    if (kind == std::end(kinds))
      fail(where, "retry_policy.retry_on '" + value +
                      "' is not one of 5xx, gateway-error, connect-failure, retriable-4xx, "
                      "refused-stream, retriable-status-codes");
    p.retry_on = kind->second;
  }
  if (n["num_retries"]) {
    try {
      p.num_retries = n["num_retries"].as<int>();
    } catch (const YAML::Exception&) {
      fail(where, "retry_policy.num_retries must be an integer");
    }
    if (p.num_retries < 0 || p.num_retries > 10)
      fail(where, "retry_policy.num_retries must be between 0 and 10");
  }
  if (n["per_try_timeout"])
    p.per_try_timeout = duration(n["per_try_timeout"], where, "retry_policy.per_try_timeout");
  return p;
}

std::vector<std::string> header_names(const YAML::Node& n, const std::string& where,
                                      const char* field) {
  if (n.IsScalar()) return {lower(n.as<std::string>())};  // Emissary takes one name as well
  return lower_list(n, where, field);
}

Mapping parse_mapping(const YAML::Node& spec, const std::string& name) {
  const std::string where = "Mapping " + name;
  check_fields(spec, where,
               {"prefix", "rewrite", "service", "timeout_ms", "bypass_auth", "precedence",
                "case_sensitive", "hostname", "host", "retry_policy", "add_request_headers",
                "remove_request_headers", "add_response_headers", "remove_response_headers"},
               {"ambassador_id", "stats_name", "docs", "labels", "cluster_idle_timeout_ms"});
  Mapping m;
  m.name = name;
  if (!spec["prefix"] || !spec["service"]) fail(where, "prefix and service are required");
  m.prefix = spec["prefix"].as<std::string>();
  if (!m.prefix.starts_with('/')) fail(where, "prefix must start with '/'");
  m.service = spec["service"].as<std::string>();
  if (spec["rewrite"])
    m.rewrite = spec["rewrite"].IsNull() ? "" : spec["rewrite"].as<std::string>();
  if (spec["timeout_ms"]) m.timeout = millis(spec["timeout_ms"], where, "timeout_ms");
  if (spec["bypass_auth"]) m.bypass_auth = spec["bypass_auth"].as<bool>();
  if (spec["precedence"]) m.precedence = spec["precedence"].as<int>();
  if (spec["case_sensitive"]) m.case_sensitive = spec["case_sensitive"].as<bool>();
  if (spec["host"]) m.hostname = spec["host"].as<std::string>();
  if (spec["hostname"]) m.hostname = spec["hostname"].as<std::string>();  // wins over host
  if (spec["retry_policy"]) m.retry_policy = retry_policy(spec["retry_policy"], where);
  if (spec["add_request_headers"])
    m.add_request_headers =
        headers_to_add(spec["add_request_headers"], where, "add_request_headers");
  if (spec["add_response_headers"])
    m.add_response_headers =
        headers_to_add(spec["add_response_headers"], where, "add_response_headers");
  if (spec["remove_request_headers"])
    m.remove_request_headers =
        header_names(spec["remove_request_headers"], where, "remove_request_headers");
  if (spec["remove_response_headers"])
    m.remove_response_headers =
        header_names(spec["remove_response_headers"], where, "remove_response_headers");
  return m;
}

AuthService parse_auth_service(const YAML::Node& spec, const std::string& name) {
  const std::string where = "AuthService " + name;
  check_fields(spec, where,
               {"auth_service", "path_prefix", "timeout_ms", "allowed_request_headers",
                "allowed_authorization_headers", "add_auth_headers", "status_on_error",
                "failure_mode_allow", "proto"},
               {"ambassador_id", "stats_name", "circuit_breakers"});
  AuthService a;
  a.name = name;
  if (!spec["auth_service"]) fail(where, "auth_service is required");
  a.auth_service = spec["auth_service"].as<std::string>();
  if (spec["proto"] && spec["proto"].as<std::string>() != "http")
    fail(where, "only proto: http is supported");
  if (spec["path_prefix"]) a.path_prefix = spec["path_prefix"].as<std::string>();
  if (!a.path_prefix.empty() && !a.path_prefix.starts_with('/'))
    fail(where, "path_prefix must start with '/'");
  if (spec["timeout_ms"]) a.timeout = millis(spec["timeout_ms"], where, "timeout_ms");
  if (spec["allowed_request_headers"])
    a.allowed_request_headers =
        lower_list(spec["allowed_request_headers"], where, "allowed_request_headers");
  if (spec["allowed_authorization_headers"])
    a.allowed_authorization_headers =
        lower_list(spec["allowed_authorization_headers"], where, "allowed_authorization_headers");
  if (const auto& add = spec["add_auth_headers"]) {
    if (!add.IsMap()) fail(where, "add_auth_headers must be a map");
    for (const auto& kv : add)
      a.add_auth_headers.emplace_back(lower(kv.first.as<std::string>()),
                                      kv.second.as<std::string>());
  }
  if (const auto& s = spec["status_on_error"]) {
    if (!s.IsMap() || !s["code"]) fail(where, "status_on_error must be {code: N}");
    a.status_on_error = s["code"].as<int>();
    if (a.status_on_error < 100 || a.status_on_error > 599)
      fail(where, "status_on_error.code must be an HTTP status");
  }
  if (spec["failure_mode_allow"]) a.failure_mode_allow = spec["failure_mode_allow"].as<bool>();
  return a;
}

}  // namespace

GatewayConfig parse_route_documents(std::string_view yaml_text) {
  GatewayConfig config;
  std::vector<YAML::Node> documents;
  try {
    const std::string text(yaml_text);
    refuse_endless_documents(text);
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw RouteFileError(std::string("not valid YAML: ") + e.what());
  }
  try {
    for (const auto& doc : documents) {
      if (!doc || doc.IsNull()) continue;
      if (!doc.IsMap() || !doc["kind"]) throw RouteFileError("a document without kind");
      const auto kind = doc["kind"].as<std::string>();
      if (kind != "Mapping" && kind != "AuthService") continue;
      const auto api = doc["apiVersion"] ? doc["apiVersion"].as<std::string>() : "";
      if (api != "getambassador.io/v3alpha1")
        throw RouteFileError(kind + ": apiVersion must be getambassador.io/v3alpha1, got '" + api +
                             "'");
      const auto name = doc["metadata"] && doc["metadata"]["name"]
                            ? doc["metadata"]["name"].as<std::string>()
                            : std::string("(unnamed)");
      if (!doc["spec"] || !doc["spec"].IsMap())
        throw RouteFileError(kind + " " + name + ": no spec");
      if (kind == "Mapping")
        config.mappings.push_back(parse_mapping(doc["spec"], name));
      else
        config.auth_services.push_back(parse_auth_service(doc["spec"], name));
    }
  } catch (const YAML::Exception& e) {
    throw RouteFileError(std::string("unexpected value: ") + e.what());
  }
  return config;
}

std::string expand_header_value(std::string_view value, std::string_view remote_address) {
  std::string out;
  walk_value(
      value, [&](std::string_view text) { out.append(text); },
      [&](std::string_view var) {
        if (var == kRemoteAddress)
          out.append(remote_address);
        else if (var == kProtocol)
          out.append("HTTP/1.1");
      });
  return out;
}

GatewayConfig load_route_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw RouteFileError("cannot read route file " + path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return parse_route_documents(text.str());
  } catch (const RouteFileError& e) {
    throw RouteFileError(path + ": " + e.what());
  }
}

}  // namespace tim::gateway

#include "route_config.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
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

Mapping parse_mapping(const YAML::Node& spec, const std::string& name) {
  const std::string where = "Mapping " + name;
  check_fields(spec, where,
               {"prefix", "rewrite", "service", "timeout_ms", "bypass_auth", "precedence",
                "case_sensitive", "hostname", "host"},
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

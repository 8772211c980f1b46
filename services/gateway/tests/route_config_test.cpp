#include "route_config.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace tim::gateway;

TEST(RouteFile, ReadsMappingAndAuthServiceWithEmissaryDefaults) {
  auto c = parse_route_documents(R"(
---
apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: http}
spec: {port: 8080}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: invoices}
spec:
  prefix: /invoices/
  service: invoices-svc
---
apiVersion: getambassador.io/v3alpha1
kind: AuthService
metadata: {name: auth}
spec:
  auth_service: auth-svc:3000
  allowed_request_headers: [X-Request-Id]
  add_auth_headers: {X-Gateway: local}
)");
  ASSERT_EQ(c.mappings.size(), 1u);
  const auto& m = c.mappings[0];
  EXPECT_EQ(m.rewrite, "/");
  EXPECT_EQ(m.timeout.count(), 3000);
  EXPECT_FALSE(m.bypass_auth);
  EXPECT_EQ(m.hostname, "*");
  ASSERT_EQ(c.auth_services.size(), 1u);
  const auto& a = c.auth_services[0];
  EXPECT_EQ(a.timeout.count(), 5000);
  EXPECT_EQ(a.status_on_error, 403);
  EXPECT_FALSE(a.failure_mode_allow);
  EXPECT_EQ(a.allowed_request_headers, std::vector<std::string>{"x-request-id"});
  ASSERT_EQ(a.add_auth_headers.size(), 1u);
  EXPECT_EQ(a.add_auth_headers[0].first, "x-gateway");
}

TEST(RouteFile, EmptyRewriteMeansNone) {
  auto c = parse_route_documents(R"(
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: m}
spec: {prefix: /x/, service: s, rewrite: ""}
)");
  EXPECT_EQ(c.mappings.at(0).rewrite, "");
}

TEST(RouteFile, RefusesWhatItCannotHonour) {
  const char* cases[] = {
      "kind: Mapping\napiVersion: getambassador.io/v3alpha1\nmetadata: {name: m}\nspec: {prefix: "
      "/x/, service: s, prefix_regex: true}",
      "kind: Mapping\napiVersion: getambassador.io/v2\nmetadata: {name: m}\nspec: {prefix: /x/, "
      "service: s}",
      "kind: Mapping\napiVersion: getambassador.io/v3alpha1\nmetadata: {name: m}\nspec: {service: "
      "s}",
      "kind: Mapping\napiVersion: getambassador.io/v3alpha1\nmetadata: {name: m}\nspec: {prefix: "
      "x/, service: s}",
      "kind: Mapping\napiVersion: getambassador.io/v3alpha1\nmetadata: {name: m}\nspec: {prefix: "
      "/x/, service: s, timeout_ms: soon}",
      "kind: AuthService\napiVersion: getambassador.io/v3alpha1\nmetadata: {name: a}\nspec: "
      "{auth_service: a, proto: grpc}",
      "kind: AuthService\napiVersion: getambassador.io/v3alpha1\nmetadata: {name: a}\nspec: "
      "{auth_service: a, include_body: {max_bytes: 10, allow_partial: true}}",
      "kind: [unclosed",
  };
  for (auto text : cases) EXPECT_THROW(parse_route_documents(text), RouteFileError) << text;
}

TEST(RouteFile, TheRepositoryRouteFileLoads) {
  struct Expected {
    std::string prefix, rewrite, service;
    bool bypass_auth;
  };
  // Every Mapping the deployments route, in file order. Only the web app's files (services/webapp)
  // bypass the AuthService.
  const std::vector<Expected> expected = {
      {"/invoices/", "/api/invoices/", "invoices-svc", false},
      {"/events/", "/api/events/", "invoices-svc", false},
      {"/forecast/", "/api/forecast/", "invoices-svc", false},
      {"/webhooks/", "/api/webhooks/", "invoices-svc", false},
      {"/app/", "/", "webapp", true},
  };
  auto c = load_route_file(TIM_ROUTES_FILE);
  ASSERT_EQ(c.mappings.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& m = c.mappings[i];
    EXPECT_EQ(m.prefix, expected[i].prefix);
    EXPECT_EQ(m.rewrite, expected[i].rewrite) << m.prefix;
    EXPECT_EQ(m.service, expected[i].service) << m.prefix;
    EXPECT_EQ(m.bypass_auth, expected[i].bypass_auth) << m.prefix;
  }
  ASSERT_EQ(c.auth_services.size(), 1u);
  EXPECT_EQ(c.auth_services[0].auth_service, "auth-svc:3000");
}

// Found by fuzzing: yaml-cpp 0.7's LoadAll never returns on these (an endless run of empty
// documents, allocating), so a bad route file hung the gateway at start.
TEST(RouteFile, AMalformedTextThatYamlCppLoopsOnIsRefused) {
  for (auto text : {",\n", ",---\n", "a: 1\n---\n,\n"})
    EXPECT_THROW(parse_route_documents(text), RouteFileError) << text;
  // Files with several documents, "---" and "..." still load.
  const std::string mapping =
      "kind: Mapping\napiVersion: getambassador.io/v3alpha1\nmetadata: {name: m}\nspec: {prefix: "
      "/x/, service: s}\n";
  EXPECT_EQ(
      parse_route_documents("---\n" + mapping + "...\n---\n" + mapping + "---\n").mappings.size(),
      2u);
}

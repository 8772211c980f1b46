// Each filter alone, and the chain in the gateway's order, over a fake UpstreamCaller: no
// sockets, the fake answers what each test scripts.
#include "filters/filters.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <deque>
#include <map>

#include "edge_rules.hpp"

using namespace tim;
using namespace tim::gateway;
using namespace std::chrono_literals;

namespace {

constexpr ServiceId kAuth = 0, kInvoices = 1;

struct Sent {
  ServiceId service;
  http::ClientRequest request;
  std::chrono::milliseconds timeout;
};

class FakeUpstream final : public UpstreamCaller {
 public:
  std::map<ServiceId, std::deque<http::FetchResult>> script;  // answered in order, then 200s
  std::vector<Sent> sent;
  int budget = 1000;
  std::vector<std::chrono::milliseconds> pauses;

  static http::FetchResult answer(int status,
                                  std::vector<std::pair<std::string, std::string>> h = {},
                                  std::string body = "") {
    http::FetchResult r;
    r.status = status;
    for (auto& [n, v] : h) r.headers.add(n, v);
    r.body = std::move(body);
    return r;
  }
  static http::FetchResult failure(http::FetchError e) {
    http::FetchResult r;
    r.error = e;
    return r;
  }
  int calls(ServiceId s) const {
    int n = 0;
    for (const auto& x : sent) n += x.service == s;
    return n;
  }

  std::size_t first_turn(ServiceId) override { return 0; }
  std::size_t instance_count(ServiceId) const override { return 1; }
  std::string_view instance_name(ServiceId, std::size_t) const override { return "fake:1"; }
  Task<http::FetchResult> fetch(ServiceId service, std::size_t, const http::ClientRequest& request,
                                std::chrono::milliseconds timeout) override {
    sent.push_back({service, request, timeout});
    auto& queue = script[service];
    if (queue.empty()) co_return answer(200, {{"x-auth-subject", "ci"}});
    auto r = std::move(queue.front());
    queue.pop_front();
    co_return r;
  }
  void deposit_request(ServiceId) override {}
  bool withdraw_retry(ServiceId) override { return budget-- > 0; }
  Task<void> pause(std::chrono::milliseconds d) override {
    pauses.push_back(d);
    co_return;
  }
  std::string_view name(ServiceId s) const override { return s == kAuth ? "auth" : "invoices"; }
};

template <class T>
T run(Task<T> task) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.run();
  return future.get();
}

const char* kAuthService = R"(
apiVersion: getambassador.io/v3alpha1
kind: AuthService
metadata: {name: authentication}
spec:
  auth_service: auth-svc:3000
  allowed_authorization_headers: [x-auth-subject, x-auth-scopes]
  status_on_error: {code: 503}
)";

std::shared_ptr<const RouteTable> table(const std::string& mapping_spec, bool with_auth = true) {
  const std::string text =
      "apiVersion: getambassador.io/v3alpha1\nkind: Mapping\nmetadata: {name: invoices}\nspec:\n" +
      mapping_spec + (with_auth ? std::string("\n---\n") + kAuthService : "");
  auto config = parse_route_documents(text);
  auto t = std::make_shared<RouteTable>();
  t->routes = Routes(std::move(config.mappings));
  if (!config.auth_services.empty()) t->auth = config.auth_services.front();
  t->auth_service = kAuth;
  t->services.assign(t->routes.mappings().size(), kInvoices);
  return t;
}

const std::string kInvoicesMapping =
    "  prefix: /invoices/\n  rewrite: /api/invoices/\n  service: invoices-svc\n";

http::Request request(std::string method, std::string target,
                      std::vector<std::pair<std::string, std::string>> headers = {
                          {"authorization", "tim_key_one"}}) {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers.add("host", "example.com");
  for (auto& [n, v] : headers) r.headers.add(n, v);
  r.remote_address = "10.0.0.7";
  r.request_id = "rid-1";
  return r;
}

// The gateway's chain (the filters it runs, in its order) over the fake.
struct Rig {
  FakeUpstream upstream;
  AuthDecisionCache cache{AuthCacheOptions{100, 1000ms}};
  RetryOptions retry;
  Chain chain{gateway_filters(upstream, retry, cache)};
  std::shared_ptr<const RouteTable> routes = table(kInvoicesMapping);

  http::Response send(http::Request r) { return run(chain.run(r, routes)); }
  const http::ClientRequest& last(ServiceId s) const {
    for (auto it = upstream.sent.rbegin(); it != upstream.sent.rend(); ++it)
      if (it->service == s) return it->request;
    throw std::runtime_error("nothing sent there");
  }
};

std::vector<std::string> values(const http::Headers& h, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& f : h)
    if (http::iequals(f.name, name)) out.push_back(f.value);
  return out;
}

// A filter that only records: the chain's order, both ways.
struct Probe final : Filter {
  std::string label;
  std::vector<std::string>* log;
  bool answer = false;
  Probe(std::string l, std::vector<std::string>* g, bool a = false)
      : label(std::move(l)), log(g), answer(a) {}
  std::string_view name() const override { return label; }
  Step on_request(Exchange& ex) override {
    log->push_back(">" + label);
    if (!answer) return Step::next;
    ex.reply = http::Response{299, {}, label};
    return Step::answered;
  }
  void on_response(Exchange&, http::Response&) override { log->push_back("<" + label); }
};

}  // namespace

TEST(Chain, RunsFiltersInOrderAndTheAnswerBackThroughThoseThatRan) {
  std::vector<std::string> log;
  std::vector<std::unique_ptr<Filter>> f;
  f.push_back(std::make_unique<Probe>("a", &log));
  f.push_back(std::make_unique<Probe>("b", &log, true));
  f.push_back(std::make_unique<Probe>("c", &log));
  Chain chain(std::move(f));
  auto r = request("GET", "/x");
  const auto answer = run(chain.run(r, table(kInvoicesMapping)));
  EXPECT_EQ(answer.status, 299);
  EXPECT_EQ(answer.body, "b");
  EXPECT_EQ(log, (std::vector<std::string>{">a", ">b", "<b", "<a"}));
}

TEST(EdgeFilter, ABadTargetIs400AndNoRouteIs404WithoutAskingAnyone) {
  Rig rig;
  EXPECT_EQ(rig.send(request("GET", "/invoices/%00")).status, 400);
  EXPECT_EQ(rig.send(request("GET", "/nothing/here")).status, 404);
  EXPECT_TRUE(rig.upstream.sent.empty());
}

TEST(EdgeFilter, ClientIdentityHeadersNeverReachTheUpstream) {
  Rig rig;
  rig.upstream.script[kAuth].push_back(FakeUpstream::answer(200, {{"x-auth-subject", "ci"}}));
  auto r = request(
      "GET", "/invoices/42",
      {{"authorization", "tim_key_one"}, {"x-auth-subject", "admin"}, {"x-envoy-retry-on", "5xx"}});
  EXPECT_EQ(rig.send(std::move(r)).status, 200);
  const auto& up = rig.last(kInvoices);
  EXPECT_EQ(values(up.headers, "x-auth-subject"), std::vector<std::string>{"ci"});
  EXPECT_FALSE(up.headers.contains("x-envoy-retry-on"));
  EXPECT_EQ(up.headers.get("x-forwarded-for").value_or(""), "10.0.0.7");
}

TEST(ExtAuthFilter, ADenialGoesToTheClientAndNothingUpstream) {
  Rig rig;
  rig.upstream.script[kAuth].push_back(
      FakeUpstream::answer(401, {{"www-authenticate", "Bearer"}}, R"({"ok":false})"));
  const auto answer = rig.send(request("GET", "/invoices/42"));
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.body, R"({"ok":false})");
  EXPECT_EQ(rig.upstream.calls(kInvoices), 0);
  EXPECT_EQ(rig.last(kAuth).target, "/invoices/42");
}

TEST(ExtAuthFilter, AnAuthOutageIsStatusOnError) {
  Rig rig;
  for (int i = 0; i < 5; ++i)
    rig.upstream.script[kAuth].push_back(FakeUpstream::failure(http::FetchError::timeout));
  EXPECT_EQ(rig.send(request("GET", "/invoices/42")).status, 503);
  EXPECT_EQ(rig.upstream.calls(kInvoices), 0);
}

TEST(AuthCacheFilter, ASecondRequestWithTheSameCredentialSkipsTheAuthHopWithTheSameHeaders) {
  Rig rig;
  rig.upstream.script[kAuth].push_back(FakeUpstream::answer(
      200, {{"x-auth-subject", "ci"}, {"x-auth-scopes", "invoices:read"}, {"x-other", "no"}}));
  EXPECT_EQ(rig.send(request("GET", "/invoices/1")).status, 200);
  const auto fresh = rig.last(kInvoices).headers;
  EXPECT_EQ(rig.send(request("GET", "/invoices/2")).status, 200);
  EXPECT_EQ(rig.upstream.calls(kAuth), 1);
  const auto cached = rig.last(kInvoices).headers;
  for (const char* name : {"x-auth-subject", "x-auth-scopes", "x-other"})
    EXPECT_EQ(values(cached, name), values(fresh, name)) << name;
  EXPECT_EQ(values(cached, "x-auth-subject"), std::vector<std::string>{"ci"});
  EXPECT_EQ(rig.cache.hits(), 1u);
}

TEST(AuthCacheFilter, AnotherMethodNeedsAnotherScopeSoAuthIsAskedAgain) {
  Rig rig;
  rig.upstream.script[kAuth].push_back(FakeUpstream::answer(200, {{"x-auth-subject", "ci"}}));
  rig.upstream.script[kAuth].push_back(FakeUpstream::answer(403, {}, "insufficient_scope"));
  EXPECT_EQ(rig.send(request("GET", "/invoices/1")).status, 200);
  EXPECT_EQ(rig.send(request("POST", "/invoices/1/payments")).status, 403);
  EXPECT_EQ(rig.upstream.calls(kAuth), 2);
  EXPECT_EQ(rig.last(kAuth).method, "POST");
}

TEST(AuthCacheFilter, DenialsAreNeverKeptSoEveryAttemptReachesAuth) {
  Rig rig;
  for (int i = 0; i < 3; ++i)
    rig.upstream.script[kAuth].push_back(FakeUpstream::answer(401, {}, "{}"));
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(rig.send(request("GET", "/invoices/1", {{"authorization", "wrong"}})).status, 401);
  EXPECT_EQ(rig.upstream.calls(kAuth), 3);
  EXPECT_EQ(rig.cache.size(), 0u);
}

TEST(AuthCacheFilter, AnotherCredentialIsAskedAbout) {
  Rig rig;
  rig.send(request("GET", "/invoices/1", {{"authorization", "tim_key_one"}}));
  rig.send(request("GET", "/invoices/1", {{"authorization", "tim_key_two"}}));
  rig.send(request("GET", "/invoices/1", {}));  // none: not cached, asked
  EXPECT_EQ(rig.upstream.calls(kAuth), 3);
}

TEST(AuthCacheFilter, FailOpenAdmissionsAreNotKept) {
  Rig rig;
  rig.routes = table(kInvoicesMapping + "", true);
  auto t = std::make_shared<RouteTable>(*rig.routes);
  t->auth->failure_mode_allow = true;
  rig.routes = t;
  for (int i = 0; i < 6; ++i)
    rig.upstream.script[kAuth].push_back(FakeUpstream::failure(http::FetchError::connect_refused));
  EXPECT_EQ(rig.send(request("GET", "/invoices/1")).status, 200);
  EXPECT_EQ(rig.cache.size(), 0u);
}

TEST(RewriteFilter, ThePrefixIsRewrittenAndLocationGetsItBack) {
  Rig rig;
  rig.upstream.script[kInvoices].push_back(
      FakeUpstream::answer(201, {{"location", "/api/invoices/77"}}));
  const auto answer = rig.send(request("POST", "/invoices/?x=1"));
  EXPECT_EQ(answer.status, 201);
  EXPECT_EQ(answer.headers.get("location").value_or(""), "/invoices/77");
  const auto& up = rig.last(kInvoices);
  EXPECT_EQ(up.target, "/api/invoices/?x=1");
  EXPECT_EQ(up.headers.get("x-envoy-original-path").value_or(""), "/invoices/?x=1");
}

TEST(MappingHeadersFilter, AddAppendsByDefaultReplacesWithAppendFalseAndRemovesFirst) {
  Rig rig;
  rig.routes = table(kInvoicesMapping + R"(  add_request_headers:
    x-team: billing
    x-env: {value: prod, append: false}
    x-peer: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% 100%%"
  remove_request_headers: [x-debug, user-agent]
  add_response_headers:
    cache-control: {value: no-store, append: false}
    x-served-by: gateway
  remove_response_headers: x-internal
)");
  rig.upstream.script[kInvoices].push_back(FakeUpstream::answer(
      200, {{"cache-control", "max-age=60"}, {"x-internal", "secret"}, {"x-served-by", "svc"}}));
  const auto answer = rig.send(request("GET", "/invoices/1",
                                       {{"authorization", "tim_key_one"},
                                        {"x-team", "client"},
                                        {"x-env", "dev"},
                                        {"x-env", "test"},
                                        {"x-debug", "1"},
                                        {"user-agent", "curl"}}));
  const auto& up = rig.last(kInvoices).headers;
  EXPECT_EQ(values(up, "x-team"), (std::vector<std::string>{"client", "billing"}));
  EXPECT_EQ(values(up, "x-env"), std::vector<std::string>{"prod"});
  EXPECT_EQ(values(up, "x-peer"), std::vector<std::string>{"10.0.0.7 100%"});
  EXPECT_FALSE(up.contains("x-debug"));
  EXPECT_FALSE(up.contains("user-agent"));
  // The auth service never sees a Mapping's headers (they are added after auth, emissary#3189).
  EXPECT_FALSE(rig.last(kAuth).headers.contains("x-env") &&
               rig.last(kAuth).headers.get("x-env") == "prod");
  EXPECT_EQ(values(answer.headers, "cache-control"), std::vector<std::string>{"no-store"});
  EXPECT_EQ(values(answer.headers, "x-served-by"), (std::vector<std::string>{"svc", "gateway"}));
  EXPECT_FALSE(answer.headers.contains("x-internal"));
}

TEST(TimeoutFilter, TheMappingsTimeoutBoundsTheCallAndIsToldUpstream) {
  Rig rig;
  rig.routes = table(kInvoicesMapping + "  timeout_ms: 1500\n");
  rig.send(request("GET", "/invoices/1"));
  const auto& sent = rig.upstream.sent.back();
  EXPECT_EQ(sent.request.headers.get("x-envoy-expected-rq-timeout-ms").value_or(""), "1500");
  EXPECT_LE(sent.timeout, 1500ms);
  EXPECT_GT(sent.timeout, 1000ms);
  // Emissary's default is 3000; 0 is none.
  rig.routes = table(kInvoicesMapping);
  rig.send(request("GET", "/invoices/1"));
  EXPECT_EQ(
      rig.upstream.sent.back().request.headers.get("x-envoy-expected-rq-timeout-ms").value_or(""),
      "3000");
  rig.routes = table(kInvoicesMapping + "  timeout_ms: 0\n");
  rig.send(request("GET", "/invoices/1"));
  EXPECT_FALSE(rig.upstream.sent.back().request.headers.contains("x-envoy-expected-rq-timeout-ms"));
  EXPECT_GT(rig.upstream.sent.back().timeout, 3600s);
}

TEST(TimeoutFilter, AnUpstreamTimeoutIs504) {
  Rig rig;
  rig.upstream.script[kInvoices].push_back(FakeUpstream::failure(http::FetchError::timeout));
  const auto answer = rig.send(request("GET", "/invoices/1"));
  EXPECT_EQ(answer.status, 504);
  EXPECT_EQ(answer.body, "upstream request timeout");
}

TEST(RetryFilter, WithoutARetryPolicyA5xxAnswerIsPassedOnAsItIs) {
  Rig rig;
  rig.upstream.script[kInvoices].push_back(FakeUpstream::answer(503, {}, "busy"));
  EXPECT_EQ(rig.send(request("GET", "/invoices/1")).status, 503);
  EXPECT_EQ(rig.upstream.calls(kInvoices), 1);
}

TEST(RetryFilter, WithoutARetryPolicyARefusedConnectionGoesAgainUpToRetryMax) {
  Rig rig;
  for (int i = 0; i < 5; ++i)
    rig.upstream.script[kInvoices].push_back(
        FakeUpstream::failure(http::FetchError::connect_refused));
  EXPECT_EQ(rig.send(request("GET", "/invoices/1")).status, 503);
  EXPECT_EQ(rig.upstream.calls(kInvoices), 1 + rig.retry.max_retries);
}

TEST(RetryFilter, RetryOn5xxRetriesAnswersAndResetsUpToNumRetriesWithBackOff) {
  Rig rig;
  rig.routes = table(kInvoicesMapping + "  retry_policy: {retry_on: 5xx, num_retries: 2}\n");
  rig.upstream.script[kInvoices].push_back(FakeUpstream::answer(500));
  rig.upstream.script[kInvoices].push_back(FakeUpstream::failure(http::FetchError::closed));
  rig.upstream.script[kInvoices].push_back(FakeUpstream::answer(200, {}, "ok"));
  const auto answer = rig.send(request("POST", "/invoices/1/payments"));
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "ok");
  EXPECT_EQ(rig.upstream.calls(kInvoices), 3);
  ASSERT_LE(rig.upstream.pauses.size(), 2u);
  for (auto p : rig.upstream.pauses) EXPECT_LE(p, 250ms);
  // The body goes again with every attempt.
}

TEST(RetryFilter, NumRetriesBoundsTheAttemptsAndTheLastAnswerStands) {
  Rig rig;
  rig.routes =
      table(kInvoicesMapping + "  retry_policy: {retry_on: gateway-error, num_retries: 1}\n");
  for (int i = 0; i < 3; ++i)
    rig.upstream.script[kInvoices].push_back(FakeUpstream::answer(502, {}, "bad"));
  EXPECT_EQ(rig.send(request("GET", "/invoices/1")).status, 502);
  EXPECT_EQ(rig.upstream.calls(kInvoices), 2);
}

TEST(RetryFilter, TheRetryBudgetStopsRetries) {
  Rig rig;
  rig.routes = table(kInvoicesMapping + "  retry_policy: {retry_on: 5xx, num_retries: 3}\n");
  rig.upstream.budget = 0;
  for (int i = 0; i < 4; ++i) rig.upstream.script[kInvoices].push_back(FakeUpstream::answer(503));
  EXPECT_EQ(rig.send(request("GET", "/invoices/1")).status, 503);
  EXPECT_EQ(rig.upstream.calls(kInvoices), 1);
}

TEST(RetryFilter, PerTryTimeoutBoundsEachAttempt) {
  Rig rig;
  rig.routes = table(kInvoicesMapping +
                     "  timeout_ms: 3000\n  retry_policy: {retry_on: 5xx, num_retries: 1, "
                     "per_try_timeout: 250ms}\n");
  rig.upstream.script[kInvoices].push_back(FakeUpstream::failure(http::FetchError::timeout));
  EXPECT_EQ(rig.send(request("GET", "/invoices/1")).status, 200);
  ASSERT_EQ(rig.upstream.calls(kInvoices), 2);
  for (const auto& s : rig.upstream.sent)
    if (s.service == kInvoices) {
      EXPECT_LE(s.timeout, 250ms);
    }
}

TEST(RetryOn, EnvoysMeaningOfEachCondition) {
  const auto ok = [](int s) { return FakeUpstream::answer(s); };
  const auto fail = [](http::FetchError e) { return FakeUpstream::failure(e); };
  using E = http::FetchError;
  auto p = [](RetryOn::Kind k) { return MappingRetryPolicy{k, 1, 0ms}; };
  EXPECT_TRUE(policy_retries(p(RetryOn::five_xx), ok(500)));
  EXPECT_TRUE(policy_retries(p(RetryOn::five_xx), fail(E::closed)));
  EXPECT_TRUE(policy_retries(p(RetryOn::five_xx), fail(E::connect_refused)));
  EXPECT_FALSE(policy_retries(p(RetryOn::five_xx), ok(404)));
  EXPECT_FALSE(policy_retries(p(RetryOn::five_xx), fail(E::circuit_open)));
  EXPECT_TRUE(policy_retries(p(RetryOn::gateway_error), ok(504)));
  EXPECT_FALSE(policy_retries(p(RetryOn::gateway_error), ok(500)));
  EXPECT_TRUE(policy_retries(p(RetryOn::gateway_error), fail(E::timeout)));
  EXPECT_TRUE(policy_retries(p(RetryOn::connect_failure), fail(E::connect_timeout)));
  EXPECT_FALSE(policy_retries(p(RetryOn::connect_failure), ok(503)));
  EXPECT_FALSE(policy_retries(p(RetryOn::connect_failure), fail(E::closed)));
  EXPECT_TRUE(policy_retries(p(RetryOn::retriable_4xx), ok(409)));
  EXPECT_FALSE(policy_retries(p(RetryOn::retriable_4xx), ok(400)));
  EXPECT_FALSE(policy_retries(p(RetryOn::refused_stream), fail(E::closed)));
  EXPECT_FALSE(policy_retries(p(RetryOn::retriable_status_codes), ok(503)));
}

TEST(RetryOn, BackOffIsFullyJitteredFrom25msUpTo250ms) {
  EXPECT_EQ(retry_backoff(1, 1.0), 25ms);
  EXPECT_EQ(retry_backoff(2, 1.0), 75ms);
  EXPECT_EQ(retry_backoff(3, 1.0), 175ms);
  EXPECT_EQ(retry_backoff(4, 1.0), 250ms);
  EXPECT_EQ(retry_backoff(9, 1.0), 250ms);
  EXPECT_EQ(retry_backoff(3, 0.0), 0ms);
}

TEST(MappingFields, TheHonouredFieldsLoadAndBadValuesAreRefused) {
  const auto routes = table(kInvoicesMapping + R"(  timeout_ms: 1200
  retry_policy: {retry_on: connect-failure, num_retries: 3, per_try_timeout: 1.5s}
  add_request_headers: {X-A: "1", x-b: {value: "2", append: false}}
  remove_response_headers: [Server-Timing]
)");
  const auto& m = routes->routes.mappings().front();
  EXPECT_EQ(m.timeout, 1200ms);
  ASSERT_TRUE(m.retry_policy);
  EXPECT_EQ(m.retry_policy->retry_on, RetryOn::connect_failure);
  EXPECT_EQ(m.retry_policy->num_retries, 3);
  EXPECT_EQ(m.retry_policy->per_try_timeout, 1500ms);
  ASSERT_EQ(m.add_request_headers.size(), 2u);
  EXPECT_EQ(m.add_request_headers[0].name, "x-a");
  EXPECT_TRUE(m.add_request_headers[0].append);
  EXPECT_FALSE(m.add_request_headers[1].append);
  EXPECT_EQ(m.remove_response_headers, std::vector<std::string>{"server-timing"});
  EXPECT_FALSE(table(kInvoicesMapping + "  retry_policy: {}\n")
                   ->routes.mappings()[0]
                   .retry_policy->num_retries != 1);
  for (const std::string bad :
       {"  retry_policy: {retry_on: sometimes}\n", "  retry_policy: {num_retries: -1}\n",
        "  retry_policy: {per_try_timeout: soon}\n", "  retry_policy: {retry_on: 5xx, max: 2}\n",
        "  add_request_headers: [x-a]\n", "  add_request_headers: {x-a: \"%START_TIME%\"}\n",
        "  add_request_headers: {x-a: \"50%\"}\n", "  add_response_headers: {x-a: {val: 1}}\n"})
    EXPECT_THROW(table(kInvoicesMapping + bad), RouteFileError) << bad;
}

TEST(RetryFilter, AnOpenBreakerOnEveryInstanceIs503Overloaded) {
  Rig rig;
  rig.upstream.script[kInvoices].push_back(FakeUpstream::failure(http::FetchError::circuit_open));
  const auto answer = rig.send(request("GET", "/invoices/1"));
  EXPECT_EQ(answer.status, 503);
  EXPECT_EQ(answer.headers.get("x-envoy-overloaded").value_or(""), "true");
  EXPECT_EQ(answer.body, "upstream circuit open");
}

#include "webhooks.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cmath>

using namespace tim::invoices;
using namespace tim::invoices::webhooks;

namespace {

Settings allowing(std::vector<std::string> hosts) {
  Settings s;
  s.allowed_hosts = std::move(hosts);
  return s;
}

Refusal refusal_of(std::string_view body, const Settings& settings) {
  try {
    parse_subscription(body, settings);
  } catch (const Refusal& r) {
    return r;
  }
  ADD_FAILURE() << "accepted: " << body;
  return Refusal(0, "none", "none");
}

TEST(Webhooks, SignatureIsStripesSchemeOverTimestampAndBody) {
  // Expected value from Python: hmac.new(b"whsec_test", b'1700000000.{"id":1}', sha256).
  EXPECT_EQ(signature_header("whsec_test", 1700000000, R"({"id":1})"),
            "t=1700000000,v1=2f441ba4b3b2d50d28a9ab9d9fd8880376ecd1eb5d0435401553f5d8d0a5dcf8");
  EXPECT_NE(signature_header("whsec_test", 1700000001, R"({"id":1})"),
            signature_header("whsec_test", 1700000000, R"({"id":1})"));
}

TEST(Webhooks, SecretsAreLongRandomAndPrefixed) {
  const auto a = new_secret(), b = new_secret();
  EXPECT_EQ(a.size(), 6u + 64u);
  EXPECT_TRUE(a.starts_with("whsec_"));
  EXPECT_NE(a, b);
}

TEST(Webhooks, SubscribingNeedsTheAllowListAndAnAllowedHttpHost) {
  const auto body = R"({"url":"http://hooks.example:9000/in","events":["invoice.*"]})";
  const auto disabled = refusal_of(body, Settings{});
  EXPECT_EQ(disabled.status, 403);
  EXPECT_EQ(disabled.code, "webhooks_disabled");
  EXPECT_NE(std::string(disabled.what()).find("WEBHOOK_ALLOWED_HOSTS"), std::string::npos);

  EXPECT_EQ(parse_subscription(body, allowing({"hooks.example"})).url,
            "http://hooks.example:9000/in");
  EXPECT_NO_THROW(parse_subscription(body, allowing({"hooks.example:9000"})));
  EXPECT_NO_THROW(parse_subscription(body, allowing({"*"})));
  const auto other_port = refusal_of(body, allowing({"hooks.example:9001"}));
  EXPECT_EQ(other_port.code, "webhook_host_not_allowed");
  EXPECT_EQ(other_port.field, "url");
  EXPECT_EQ(refusal_of(body, allowing({"other.example"})).status, 422);
  // The allow list is about hosts, not a prefix of them.
  EXPECT_EQ(refusal_of(R"({"url":"http://hooks.example.evil/","events":["*"]})",
                       allowing({"hooks.example"}))
                .code,
            "webhook_host_not_allowed");
  for (const char* url : {"ftp://hooks.example/", "https://hooks.example/",
                          "http://user:pw@hooks.example/", "http://hooks.example/#x", "http://"})
    EXPECT_EQ(
        refusal_of(std::string(R"({"url":")") + url + R"(","events":["*"]})", allowing({"*"})).code,
        "invalid_url")
        << url;
}

TEST(Webhooks, EventPatternsAreKnownTypesOrWildcards) {
  const auto s = allowing({"*"});
  const auto ok = parse_subscription(
      R"({"url":"http://h/","events":["invoice.payment_recorded","invoice.*","*","invoice.*"]})",
      s);
  EXPECT_EQ(ok.events, (std::vector<std::string>{"invoice.payment_recorded", "invoice.*", "*"}));
  const auto unknown = refusal_of(R"({"url":"http://h/","events":["invoice.paid"]})", s);
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(unknown.code, "unknown_event_type");
  EXPECT_EQ(unknown.field, "events");
  EXPECT_EQ(refusal_of(R"({"url":"http://h/","events":[]})", s).field, "events");
  EXPECT_EQ(refusal_of(R"({"url":"http://h/"})", s).field, "events");
  EXPECT_EQ(refusal_of(R"({"url":"http://h/","events":["*"],"x":1})", s).field, "x");
  EXPECT_EQ(refusal_of("not json", s).code, "invalid_json");

  EXPECT_TRUE(webhook_pattern_matches("invoice.*", "invoice.voided"));
  EXPECT_TRUE(webhook_pattern_matches("*", "invoice.voided"));
  EXPECT_TRUE(webhook_pattern_matches("invoice.voided", "invoice.voided"));
  EXPECT_FALSE(webhook_pattern_matches("invoice.created", "invoice.voided"));
  EXPECT_FALSE(webhook_pattern_matches("invoice.*", "invoicexvoided"));
}

TEST(Webhooks, TargetKeepsPathAndQuery) {
  const auto t = parse_target("http://Example.COM:8080/hooks/in?token=abc");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->endpoint.host, "example.com");
  EXPECT_EQ(t->endpoint.port, 8080);
  EXPECT_EQ(t->path, "/hooks/in?token=abc");
  EXPECT_EQ(parse_target("http://example.com")->path, "/");
  EXPECT_EQ(parse_target("http://example.com?a=1")->path, "/?a=1");
}

TEST(Webhooks, BodyIsTheEventWithTheInvoiceUnderData) {
  InvoiceEvent event;
  event.id = 42;
  event.type = "invoice.voided";
  event.at = *parse_instant("2026-11-20T10:00:00.000Z");
  event.subject = "key:tutorial";
  event.invoice_id = 7;
  event.invoice_json = R"({"id":7,"status":"void"})";
  const auto body = boost::json::parse(delivery_body(event)).as_object();
  EXPECT_EQ(body.at("id").as_int64(), 42);
  EXPECT_EQ(body.at("type").as_string(), "invoice.voided");
  EXPECT_EQ(body.at("created").as_string(), "2026-11-20T10:00:00.000Z");
  EXPECT_EQ(body.at("subject").as_string(), "key:tutorial");
  EXPECT_EQ(body.at("data").at("invoice").at("status").as_string(), "void");
}

TEST(Webhooks, RetriesBackOffWithFullJitterThenFail) {
  Settings s;
  s.retry_base = std::chrono::milliseconds{1000};
  s.retry_max = std::chrono::milliseconds{60'000};
  s.retry_for = std::chrono::hours{24};
  std::mt19937_64 random{1};
  const Instant queued = *parse_instant("2026-11-20T10:00:00.000Z");
  const Instant now = queued + std::chrono::minutes{5};

  EXPECT_EQ(outcome_of(204, "", 0, queued, now, s, random).status,
            DeliveryOutcome::Status::delivered);
  for (int attempts : {0, 1, 3, 10, 60}) {
    const double cap = std::min(60'000.0, 1000.0 * std::pow(2.0, std::min(attempts, 40)));
    double longest = 0;
    for (int i = 0; i < 200; ++i) {
      const auto o = outcome_of(500, "", attempts, queued, now, s, random);
      ASSERT_EQ(o.status, DeliveryOutcome::Status::retry);
      const auto wait = static_cast<double>((o.next_attempt_at - now).count());
      ASSERT_GE(wait, 0);
      ASSERT_LE(wait, cap);
      longest = std::max(longest, wait);
    }
    EXPECT_GT(longest, cap / 2) << "jitter spans the whole window";
  }
  const auto timeout = outcome_of(0, "timeout: no answer", 2, queued, now, s, random);
  EXPECT_EQ(timeout.status, DeliveryOutcome::Status::retry);
  EXPECT_EQ(timeout.error, "timeout: no answer");
  const auto late = outcome_of(503, "", 30, queued, queued + std::chrono::hours{24}, s, random);
  EXPECT_EQ(late.status, DeliveryOutcome::Status::failed);
  EXPECT_EQ(late.error, "HTTP 503");
  EXPECT_EQ(late.http_status, 503);
}

}  // namespace

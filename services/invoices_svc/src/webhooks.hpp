// Signed webhooks: the rules, with no I/O. Subscriptions are checked here, each
// delivery's body and signature are made here, and the retry schedule is decided here; the
// worker (webhook_worker.hpp) only moves bytes and calls the store.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tim/endpoint.hpp"
#include "tim/invoices/store.hpp"

namespace tim::invoices::webhooks {

struct Settings {
  // WEBHOOK_ALLOWED_HOSTS: "host", "host:port" or "*" entries. Unset or empty: subscribing is
  // refused (webhooks_disabled), so a fresh install cannot be made to call into its network.
  std::vector<std::string> allowed_hosts;
  std::chrono::hours retry_for{24};                // WEBHOOK_RETRY_HOURS
  std::chrono::milliseconds retry_base{1000};      // WEBHOOK_RETRY_BASE_MS: first wait's cap
  std::chrono::milliseconds retry_max{3'600'000};  // WEBHOOK_RETRY_MAX_MS: any wait's cap
  std::chrono::milliseconds timeout{10'000};       // WEBHOOK_TIMEOUT_MS: one attempt
  std::chrono::milliseconds poll{500};             // WEBHOOK_POLL_MS: idle worker's nap
  int batch = 32;                                  // WEBHOOK_BATCH: sent at once

  // Throws config::ConfigError on a malformed value.
  static Settings from_env();
};

// A refusal of the webhooks API with its own status (403, 422 or 400).
struct Refusal : std::runtime_error {
  Refusal(int status_, std::string code_, const std::string& message, std::string field_ = {})
      : std::runtime_error(message),
        status(status_),
        code(std::move(code_)),
        field(std::move(field_)) {}
  int status;
  std::string code;
  std::string field;
};

// Where a delivery goes: the endpoint and the request target ("/" when the URL has no path).
struct Target {
  http::Endpoint endpoint;
  std::string path;
};
// "http://host[:port][/path][?query]"; nullopt otherwise (https, user info, a fragment).
std::optional<Target> parse_target(std::string_view url);

bool host_allowed(const http::Endpoint& endpoint, const std::vector<std::string>& allowed);

// POST /api/webhooks's body checked against the settings, with a new secret. Throws Refusal.
NewWebhook parse_subscription(std::string_view body, const Settings& settings);

// "whsec_" and 64 hex digits of 32 random bytes from OpenSSL's generator.
std::string new_secret();

// The POST body of one event: {"id","type","created","subject","invoiceId","data":{"invoice"}}.
std::string delivery_body(const InvoiceEvent& event);

// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>" (Stripe's scheme; the key is
// the whole secret string, prefix included).
std::string signature_header(std::string_view secret, std::int64_t unix_seconds,
                             std::string_view body);

// What an attempt's answer means: 2xx delivered; else retried with exponential backoff and
// full jitter (a wait drawn from [0, min(retry_max, retry_base * 2^attempts)]) until
// retry_for has passed since the event reached the outbox; then failed.
DeliveryOutcome outcome_of(int http_status, std::string error, int attempts_before,
                           Instant first_queued, Instant now, const Settings& settings,
                           std::mt19937_64& random);

}  // namespace tim::invoices::webhooks

#include "webhooks.hpp"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "tim/config.hpp"
#include "tim/digest.hpp"
#include "tim/invoices/date.hpp"

namespace tim::invoices::webhooks {
namespace {

constexpr std::size_t kMaxUrlLength = 2048;
constexpr std::size_t kMaxPatterns = 32;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool known_pattern(std::string_view pattern) {
  if (pattern == "*" || pattern == "invoice.*") return true;
  return std::find(std::begin(kEventTypes), std::end(kEventTypes), pattern) !=
         std::end(kEventTypes);
}

}  // namespace

Settings Settings::from_env() {
  Settings s;
  const std::string hosts = config::get_string("WEBHOOK_ALLOWED_HOSTS", "");
  std::size_t start = 0;
  while (start <= hosts.size()) {
    const auto comma = std::min(hosts.find(',', start), hosts.size());
    std::string entry = hosts.substr(start, comma - start);
    entry.erase(0, entry.find_first_not_of(" \t"));
    entry.erase(entry.find_last_not_of(" \t") + 1);
    if (!entry.empty()) {
      if (entry != "*" && !http::parse_authority(entry, 80))
        throw config::ConfigError("WEBHOOK_ALLOWED_HOSTS: '" + entry +
                                  "' is not host, host:port or *");
      s.allowed_hosts.push_back(lower(entry));
    }
    start = comma + 1;
  }
  s.retry_for = std::chrono::hours{config::get_int("WEBHOOK_RETRY_HOURS", 24, 0, 24 * 30)};
  s.retry_base =
      std::chrono::milliseconds{config::get_int("WEBHOOK_RETRY_BASE_MS", 1000, 1, 3'600'000)};
  s.retry_max = std::chrono::milliseconds{
      config::get_int("WEBHOOK_RETRY_MAX_MS", 3'600'000, 1, 24 * 3'600'000)};
  s.timeout =
      std::chrono::milliseconds{config::get_int("WEBHOOK_TIMEOUT_MS", 10'000, 100, 600'000)};
  s.poll = std::chrono::milliseconds{config::get_int("WEBHOOK_POLL_MS", 500, 10, 60'000)};
  s.batch = static_cast<int>(config::get_int("WEBHOOK_BATCH", 32, 1, 1000));
  return s;
}

std::optional<Target> parse_target(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (url.size() > kMaxUrlLength || !url.starts_with(scheme)) return std::nullopt;
  url.remove_prefix(scheme.size());
  if (url.find('#') != std::string_view::npos) return std::nullopt;
  if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= 0x20 || c >= 0x7f; }))
    return std::nullopt;
  const auto end = std::min(url.find_first_of("/?"), url.size());
  const auto authority = url.substr(0, end);
  if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no user info
  auto endpoint = http::parse_authority(authority, 80);
  if (!endpoint) return std::nullopt;
  endpoint->host = lower(endpoint->host);
  std::string path(url.substr(end));
  if (path.empty() || path.front() == '?') path.insert(0, "/");
  return Target{std::move(*endpoint), std::move(path)};
}

bool host_allowed(const http::Endpoint& endpoint, const std::vector<std::string>& allowed) {
  for (const auto& entry : allowed) {
    if (entry == "*") return true;
    if (entry.find(':') != std::string::npos && entry.find(']') == std::string::npos) {
      if (entry == endpoint.authority()) return true;  // host and port
    } else if (entry == endpoint.host) {
      return true;  // any port
    }
  }
  return false;
}

NewWebhook parse_subscription(std::string_view body, const Settings& settings) {
  if (settings.allowed_hosts.empty())
    throw Refusal(403, "webhooks_disabled",
                  "webhooks are disabled: set WEBHOOK_ALLOWED_HOSTS (a comma list of hosts a "
                  "webhook may call, * for any) on invoices_svc");
  boost::system::error_code ec;
  const auto value = boost::json::parse(body, ec);
  if (ec || !value.is_object())
    throw Refusal(400, "invalid_json", "the body must be a JSON object {\"url\",\"events\"}");
  const auto& object = value.as_object();
  for (const auto& [name, field] : object)
    if (name != "url" && name != "events")
      throw Refusal(400, "invalid_field", std::string(name) + ": unknown field", std::string(name));
  const auto* url = object.if_contains("url");
  if (!url || !url->is_string())
    throw Refusal(400, "invalid_field", "url: required, a string", "url");
  NewWebhook webhook;
  webhook.url = std::string(url->as_string());
  if (webhook.url.starts_with("https://"))
    throw Refusal(422, "invalid_url",
                  "url: https targets are not supported yet: give an http:// URL (a TLS proxy "
                  "in front of the receiver can add https)",
                  "url");
  const auto target = parse_target(webhook.url);
  if (!target)
    throw Refusal(422, "invalid_url",
                  "url: must be http://host[:port][/path][?query], without user info or fragment",
                  "url");
  if (!host_allowed(target->endpoint, settings.allowed_hosts))
    throw Refusal(
        422, "webhook_host_not_allowed",
        "url: " + target->endpoint.authority() + " is not in WEBHOOK_ALLOWED_HOSTS on invoices_svc",
        "url");
  const auto* events = object.if_contains("events");
  if (!events || !events->is_array() || events->as_array().empty() ||
      events->as_array().size() > kMaxPatterns)
    throw Refusal(400, "invalid_field",
                  "events: required, 1 to 32 event types or patterns (\"invoice.*\")", "events");
  for (const auto& pattern : events->as_array()) {
    if (!pattern.is_string())
      throw Refusal(400, "invalid_field", "events: each entry is a string", "events");
    const std::string text(pattern.as_string());
    if (!known_pattern(text))
      throw Refusal(422, "unknown_event_type",
                    "events: '" + text +
                        "' is no event type; use *, invoice.* or one of invoice.created, "
                        "invoice.updated, invoice.payment_recorded, invoice.payment_reversed, "
                        "invoice.credited, invoice.voided, invoice.imported",
                    "events");
    if (std::find(webhook.events.begin(), webhook.events.end(), text) == webhook.events.end())
      webhook.events.push_back(text);
  }
  webhook.secret = new_secret();
  return webhook;
}

std::string new_secret() {
  std::array<std::uint8_t, 32> bytes;
  digest::random_bytes(bytes);
  return "whsec_" + digest::hex(bytes);
}

std::string delivery_body(const InvoiceEvent& event) {
  boost::json::object data{{"invoice", boost::json::parse(event.invoice_json)}};
  boost::json::object body{{"id", event.id},
                           {"type", event.type},
                           {"created", format_instant(event.at)},
                           {"subject", event.subject},
                           {"invoiceId", event.invoice_id},
                           {"data", std::move(data)}};
  return boost::json::serialize(body);
}

std::string signature_header(std::string_view secret, std::int64_t unix_seconds,
                             std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  std::string message;
  message.reserve(t.size() + 1 + body.size());
  message.append(t).append(".").append(body);
  return "t=" + t + ",v1=" + digest::hex(digest::hmac_sha256(secret, message));
}

DeliveryOutcome outcome_of(int http_status, std::string error, int attempts_before,
                           Instant first_queued, Instant now, const Settings& settings,
                           std::mt19937_64& random) {
  DeliveryOutcome outcome;
  outcome.http_status = http_status;
  if (error.empty() && http_status >= 200 && http_status < 300) return outcome;
  outcome.error = error.empty() ? "HTTP " + std::to_string(http_status) : std::move(error);
  if (now - first_queued >= settings.retry_for) {
    outcome.status = DeliveryOutcome::Status::failed;
    return outcome;
  }
  // base * 2^attempts, capped, without overflowing the shift.
  const int doublings = std::clamp(attempts_before, 0, 40);
  const auto base = static_cast<double>(settings.retry_base.count());
  const double cap = std::min(static_cast<double>(settings.retry_max.count()),
                              base * static_cast<double>(std::int64_t{1} << doublings));
  std::uniform_real_distribution<double> wait(0.0, cap);
  outcome.status = DeliveryOutcome::Status::retry;
  outcome.next_attempt_at =
      now + std::chrono::milliseconds{static_cast<std::int64_t>(wait(random))};
  return outcome;
}

}  // namespace tim::invoices::webhooks

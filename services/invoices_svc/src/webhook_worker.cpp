#include "webhook_worker.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

#include "tim/http/client.hpp"
#include "tim/log.hpp"
#include "tim/metrics.hpp"

namespace tim::invoices {
namespace asio = boost::asio;

namespace {

// How much of the feed one round moves each subscription's cursor over.
constexpr int kFanOutEvents = 500;
// A lease outlives an attempt and the store call that settles it by this much; a worker that
// dies holding one frees it when it ends.
constexpr std::chrono::seconds kLeaseMargin{5};

Instant now() {
  return to_instant(std::chrono::system_clock::now());
}

struct Metrics {
  prometheus::Gauge& backlog;
  prometheus::Family<prometheus::Counter>& deliveries;
  prometheus::Family<prometheus::Counter>& attempt_failures;

  static Metrics& get() {
    static Metrics m{
        prometheus::BuildGauge()
            .Name("webhook_outbox_backlog")
            .Help("Webhook deliveries pending (not yet delivered nor failed), all subscriptions")
            .Register(metrics::registry())
            .Add({}),
        prometheus::BuildCounter()
            .Name("webhook_deliveries_total")
            .Help("Webhook delivery attempts by outcome: delivered, retried, failed (given up)")
            .Register(metrics::registry()),
        prometheus::BuildCounter()
            .Name("webhook_delivery_failures_total")
            .Help("Webhook attempts that got no 2xx, by reason (status class or client error)")
            .Register(metrics::registry())};
    return m;
  }
};

struct Attempt {
  int status = 0;
  std::string error;  // "" when an answer came
};

}  // namespace

struct WebhookWorker::Impl {
  StoreSettings store_settings;
  webhooks::Settings settings;
  http::HttpClient client;
  std::unique_ptr<InvoiceStore> store;  // its own, one connection
  std::mt19937_64 random{std::random_device{}()};
  std::thread thread;
  std::string last_failure;  // of the last round, "" when it went well
  // Last: destroyed first, with the attempts in flight, while what they use still exists.
  asio::io_context io{1};

  Impl(StoreSettings s, webhooks::Settings w)
      : store_settings(std::move(s)), settings(std::move(w)), client(http::ClientOptions{}) {
    Metrics::get();  // the families exist (at 0) from the start
  }

  InvoiceStore& need_store() {
    if (!store) {
      StoreConfig config;
      config.url = store_settings.url;
      config.pool_size = 1;
      config.timeout = store_settings.timeout;
      store = open_store(config);
    }
    return *store;
  }

  Task<Attempt> send(const ClaimedDelivery& delivery) {
    const auto target = webhooks::parse_target(delivery.url);
    // Checked again at each attempt: a host taken off the list is no longer called.
    if (!target || !webhooks::host_allowed(target->endpoint, settings.allowed_hosts))
      co_return Attempt{0, "host not in WEBHOOK_ALLOWED_HOSTS"};
    http::ClientRequest request;
    request.method = "POST";
    request.target = target->path;
    request.body = webhooks::delivery_body(delivery.event);
    const auto unix_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
    request.headers.add("content-type", "application/json");
    request.headers.add("tim-signature",
                        webhooks::signature_header(delivery.secret, unix_seconds, request.body));
    request.headers.add("tim-event-id", std::to_string(delivery.event.id));
    request.headers.add("user-agent", "tim-webhooks/1");
    const auto result =
        co_await client.fetch(target->endpoint, std::move(request), settings.timeout);
    if (!result.ok())
      co_return Attempt{0, std::string(http::to_string(result.error)) + ": " + result.message};
    co_return Attempt{result.status, {}};
  }

  static Task<void> send_and_count(Impl* self, const ClaimedDelivery* delivery, Attempt* out,
                                   std::size_t* remaining, asio::steady_timer* all_done) {
    try {
      *out = co_await self->send(*delivery);
    } catch (const std::exception& e) {
      *out = Attempt{0, e.what()};
    }
    if (--*remaining == 0) all_done->cancel();
  }

  // The attempt's outcome, counted and logged; stored by the caller with the batch's.
  DeliveryOutcome judge(const ClaimedDelivery& delivery, const Attempt& attempt, Instant at) {
    auto& metrics = Metrics::get();
    const auto outcome = webhooks::outcome_of(attempt.status, attempt.error, delivery.attempts,
                                              delivery.created_at, at, settings, random);
    using S = DeliveryOutcome::Status;
    if (outcome.status != S::delivered)
      metrics.attempt_failures
          .Add({{"reason", attempt.error.empty()
                               ? std::to_string(attempt.status / 100) + "xx"
                               : attempt.error.substr(0, attempt.error.find(':'))}})
          .Increment();
    metrics.deliveries
        .Add({{"outcome", outcome.status == S::delivered ? "delivered"
                          : outcome.status == S::retry   ? "retried"
                                                         : "failed"}})
        .Increment();
    // The receiver's host only: a URL's path or query may hold a token.
    const auto target = webhooks::parse_target(delivery.url);
    const std::string host = target ? target->endpoint.authority() : "?";
    if (outcome.status == S::failed)
      log::warn("webhook delivery failed for good",
                {{"subscription", delivery.subscription_id},
                 {"event", delivery.event.id},
                 {"host", std::string_view(host)},
                 {"attempts", std::int64_t{delivery.attempts + 1}},
                 {"error", std::string_view(outcome.error)}});
    else if (outcome.status == S::retry)
      log::info("webhook delivery will be retried",
                {{"subscription", delivery.subscription_id},
                 {"event", delivery.event.id},
                 {"host", std::string_view(host)},
                 {"attempts", std::int64_t{delivery.attempts + 1}},
                 {"error", std::string_view(outcome.error)}});
    return outcome;
  }

  // One round: feed into outbox, then one batch sent at once. True when a full batch was
  // due: more may be waiting, so the next round starts at once.
  Task<bool> round() {
    auto& db = need_store();
    db.fan_out_webhook_events(kFanOutEvents, now());
    const Instant at = now();
    const auto lease_until = at + std::chrono::duration_cast<std::chrono::milliseconds>(
                                      settings.timeout + store_settings.timeout + kLeaseMargin);
    const auto claimed = db.claim_webhook_deliveries(settings.batch, at, lease_until);
    if (!claimed.empty()) {
      std::vector<Attempt> attempts(claimed.size());
      std::size_t remaining = claimed.size();
      auto executor = co_await asio::this_coro::executor;
      asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
      for (std::size_t i = 0; i < claimed.size(); ++i)
        asio::co_spawn(executor,
                       send_and_count(this, &claimed[i], &attempts[i], &remaining, &all_done),
                       asio::detached);
      while (remaining > 0) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
      std::vector<SettledDelivery> settled;
      settled.reserve(claimed.size());
      const Instant settled_at = now();
      for (std::size_t i = 0; i < claimed.size(); ++i)
        settled.push_back({claimed[i].id, judge(claimed[i], attempts[i], settled_at)});
      db.settle_webhook_deliveries(settled, settled_at);
    }
    Metrics::get().backlog.Set(static_cast<double>(db.webhook_backlog()));
    co_return claimed.size() == static_cast<std::size_t>(settings.batch);
  }

  Task<void> loop() {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer nap(executor);
    for (;;) {
      bool more = false;
      try {
        more = co_await round();
        if (!last_failure.empty()) log::info("webhook worker recovered");
        last_failure.clear();
      } catch (const std::exception& e) {
        // A store that went away is opened again next round; deliveries wait in the outbox.
        // Logged once per new reason, not every round.
        if (last_failure != e.what())
          log::warn("webhook worker round failed", {{"reason", std::string_view(e.what())}});
        last_failure = e.what();
        store.reset();
      }
      if (more) continue;
      nap.expires_after(settings.poll);
      co_await nap.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
};

WebhookWorker::WebhookWorker(StoreSettings store, webhooks::Settings settings)
    : impl_(std::make_unique<Impl>(std::move(store), std::move(settings))) {}

WebhookWorker::~WebhookWorker() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void WebhookWorker::start() {
  asio::co_spawn(impl_->io, impl_->loop(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] {
    try {
      impl->io.run();
    } catch (const std::exception& e) {
      log::error("webhook worker stopped", {{"reason", std::string_view(e.what())}});
    }
  });
}

}  // namespace tim::invoices

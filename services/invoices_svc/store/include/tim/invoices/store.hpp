// InvoiceStore: where invoices live. One interface, two implementations with the same
// behaviour (SQLite for one machine, PostgreSQL for a cluster), chosen by URL.
//
// Every call is synchronous and may block on disk or network: run it on the store's own
// thread pool, never on an HTTP I/O thread. An InvoiceStore is safe to call from many
// threads at once; each call takes a connection from a pool for its duration.
//
// Every failure is a tim::invoices::Error (tim/invoices/error.hpp); http_status(e.kind()):
//   400 invalid_field        bad Idempotency-Key, or a refused import record (see import())
//   404 not_found            no invoice with that id
//   409 idempotency_key_reused, idempotency_key_in_progress (write_once), and the payment /
//                            void refusals of tim/invoices/invoice.hpp
//   503 store_unavailable    cannot connect, connection lost, busy beyond the timeout, pool
//                            exhausted. A write that fails this way may or may not have been
//                            committed: retry creates with the same Idempotency-Key.
//   500 store_error, corrupt_invoice   anything else (a bug, or a row that breaks invariants)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tim/invoices/invoice.hpp"
#include "tim/invoices/payment_summary.hpp"
#include "tim/invoices/query.hpp"

namespace tim::invoices {

struct StoreConfig {
  // "sqlite:/var/lib/tim/invoices.db" (or "sqlite://" + absolute path), or
  // "postgres://user:pass@host:port/db" / "postgresql://…" (any libpq URI).
  std::string url;
  // Connections kept open (and so the most calls running at once); 4 matches a small
  // worker pool. SQLite WAL lets readers run beside the one writer.
  std::size_t pool_size = 4;
  // How long a call may wait for a free connection, for SQLite's write lock
  // (busy_timeout) and for a PostgreSQL connection to be made, before store_unavailable.
  std::chrono::milliseconds timeout{5000};
  // For a process that loads data in bulk (the import command): SQLite keeps a 256 MiB page
  // cache per connection (SQLite's default is 2 MiB) and checkpoints its WAL every 64 MiB
  // instead of every 4 MiB, and commits with synchronous=NORMAL (WAL: the store stays intact
  // after a power cut, but the last commits may be lost); refresh_statistics() then syncs
  // everything: call it before reporting a bulk load as done.
  bool bulk_load = false;
  // Tests only: apply migrations up to this version, not the latest.
  std::optional<int> migrate_to;
};

// The URL of the embedded store under a data directory (created on open when missing).
std::string sqlite_url_in(const std::string& data_dir);
// The URL with any password replaced by "***", for logs.
std::string redact_url(std::string_view url);

// The schema version this build migrates to.
int latest_schema_version() noexcept;

struct CreateResult {
  Invoice invoice;
  bool created = true;  // false: a retry with the same Idempotency-Key got the first result
};

// A mutating request that carries an Idempotency-Key.
struct IdempotentRequest {
  std::string scope;  // the caller: x-auth-subject as the gateway passes it, "" without one
  std::string key;    // Idempotency-Key: 1..255 printable ASCII
  std::string method;
  std::string target;  // path and query
  std::string_view body;
  // Records made before this are expired: the key is free again.
  Instant expired_before;
};

// What a write answered, kept with its key and given back to a retry.
struct StoredAnswer {
  int status = 0;
  std::string body = {};
  std::string location = {};  // "" when the answer had no Location
  std::string etag = {};      // "" when the answer had no ETag
};

struct ImportResult {
  std::vector<InvoiceId> ids;           // of the stored records, in record order (ids follow
                                        // each other in an empty store: 1, 2, 3…)
  std::vector<std::size_t> duplicates;  // indices of the records not stored: ref already there
};

struct KeyedAnswer {
  StoredAnswer answer;
  bool replayed = false;  // true: the first request's answer, nothing was run
};

// The change feed: what every change appends in its own transaction.
inline constexpr std::string_view kEventTypes[] = {
    "invoice.created",  "invoice.updated", "invoice.payment_recorded", "invoice.payment_reversed",
    "invoice.credited", "invoice.voided",  "invoice.imported"};

struct InvoiceEvent {
  std::int64_t id = 0;
  std::string type;
  Instant at;
  std::string subject;  // x-auth-subject of the request that made it, "" without one
  InvoiceId invoice_id = 0;
  std::string invoice_json;  // the invoice after the change (invoice_to_json)
  std::string cursor;        // the feed's position just after this event
};

// GET /api/events: events after `after` (a cursor from an earlier page, "" from the start)
// in commit order, at most `limit`, of one type when `type` is set.
struct EventFilter {
  std::string after;
  int limit = 100;
  std::optional<std::string> type;
};

struct EventPage {
  std::vector<InvoiceEvent> events;
  std::string cursor;  // after the last event given, or `after` when none: poll again from it
  bool more = false;   // more events are ready at once after `cursor`
};

inline constexpr int kMaxEventLimit = 1000;

struct OpenInvoiceFilter {
  std::optional<std::string> customer;
  std::optional<std::string> ccy;
  InvoiceId after_id = 0;
  int limit = 1000;
};

// Webhooks: subscriptions follow the change feed; each matching event becomes a
// delivery row (the outbox) that a worker sends and settles.
using WebhookId = std::int64_t;

// "*" (every type), "invoice.*" (every type with that prefix), or one exact type.
inline bool webhook_pattern_matches(std::string_view pattern, std::string_view type) {
  if (pattern == "*") return true;
  if (pattern.ends_with(".*"))
    return type.starts_with(pattern.substr(0, pattern.size() - 1));  // keeps the dot
  return pattern == type;
}

struct NewWebhook {
  std::string url;
  std::vector<std::string> events;  // patterns, checked by the caller
  std::string secret;               // stored: it signs every delivery; never answered again
};

struct WebhookDeliveryCounts {
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
};

struct Webhook {
  WebhookId id = 0;
  std::string url;
  std::vector<std::string> events;
  Instant created_at;
  WebhookDeliveryCounts deliveries;  // filled by get_webhook only
};

// A pending delivery a worker holds until `claimed_until`: what it needs to send it.
struct ClaimedDelivery {
  std::int64_t id = 0;
  WebhookId subscription_id = 0;
  std::string url;
  std::string secret;
  InvoiceEvent event;
  int attempts = 0;    // attempts made before this one
  Instant created_at;  // when the event reached the outbox: retries stop RETRY_HOURS after
};

struct DeliveryOutcome {
  enum class Status { delivered, retry, failed } status = Status::delivered;
  Instant next_attempt_at;  // retry only
  int http_status = 0;      // 0: no answer
  std::string error;        // "" when delivered
};

struct SettledDelivery {
  std::int64_t delivery_id = 0;
  DeliveryOutcome outcome;
};

class InvoiceStore {
 public:
  // The write of a keyed request, given the store as seen inside the request's transaction.
  using KeyedWrite = std::function<StoredAnswer(InvoiceStore& in_transaction)>;

  virtual ~InvoiceStore() = default;

  // Throws not_found.
  virtual Invoice get(InvoiceId id) = 0;

  // Invoices matching the filter, ordered by id, at most filter.limit, after
  // filter.after_id; next_cursor set when more follow.
  virtual InvoicePage list(const ListFilter& filter) = 0;

  // Validates and stores a new invoice. With an idempotency key (the Idempotency-Key
  // header: 1..255 printable ASCII), a retried create with the same key and the same request
  // returns the first invoice (created = false); the same key with a different request throws
  // conflict idempotency_key_reused. Keys are kept for good.
  virtual CreateResult create(const NewInvoice& request,
                              const std::optional<std::string>& idempotency_key, Instant now,
                              std::string_view subject = {}) = 0;

  // Applies the payment rules (tim/invoices/invoice.hpp) under a row lock: concurrent
  // payments on one invoice are serialized and never overdraw it. Throws not_found or the
  // refusal, and then nothing changed.
  virtual Invoice record_payment(InvoiceId id, const PaymentRequest& payment, Instant now,
                                 std::string_view subject = {}) = 0;

  // Voids an open invoice without payments; throws not_found or invoice_not_voidable.
  virtual Invoice void_invoice(InvoiceId id, Instant now, std::string_view subject = {}) = 0;

  // Corrections, each in one transaction under the row's lock, with the customer's
  // paid-delay summary kept right; a refusal (invoice.hpp) changes nothing.
  virtual Invoice reverse_payment(InvoiceId id, std::int64_t payment_id,
                                  const ReversalRequest& request, Instant now,
                                  std::string_view subject = {}) = 0;
  virtual Invoice add_credit_note(InvoiceId id, const CreditNoteRequest& request, Instant now,
                                  std::string_view subject = {}) = 0;
  // Applies the amendment when `if_match` names the invoice's current ETag ("*": any);
  // throws precondition_failed otherwise.
  virtual Invoice amend(InvoiceId id, const Amendment& amendment, std::string_view if_match,
                        Instant now, std::string_view subject = {}) = 0;

  // Stores the records in one transaction: all or nothing. A refused record throws its
  // Error with the message prefixed "record <index>: " and nothing is stored. A record whose
  // ref an invoice already has (or an earlier record of the same call) is a duplicate: not
  // stored, and listed. PostgreSQL imports take one advisory lock, so two imports of one file
  // at once cannot both store a ref.
  virtual ImportResult import(std::span<const ImportRecord> records, Instant now,
                              std::string_view subject = {}) = 0;

  // Every change above appends one event (kEventTypes) in its own transaction, made by
  // `subject`. The feed, in commit order: a reader that follows `cursor` never misses an event
  // although PostgreSQL commits sequence values out of order, because an event is handed out
  // only once every transaction that could still commit one before it has ended. Throws
  // invalid_field for a cursor this store did not make.
  virtual EventPage events(const EventFilter& filter) = 0;
  // One invoice's events, oldest first, after event id `after_id`; throws not_found.
  virtual std::vector<InvoiceEvent> invoice_events(InvoiceId id, std::int64_t after_id,
                                                   int limit) = 0;

  // The customer's paid invoices as delays and counts, ascending by delay (the predictor's
  // history). Kept in the transaction of every change that settles an invoice (payment,
  // import), so it is exact at every commit; one indexed read, whatever the customer's age.
  virtual std::vector<PaidDelay> paid_delays(const std::string& customer_id) = 0;
  // These customers' paid-delay histograms with their versions (history_version): one read
  // for a page of invoices. A customer without paid history has an empty one at version 0.
  virtual std::map<std::string, PaidHistory, std::less<>> paid_histories(
      std::span<const std::string> customer_ids) = 0;
  // Open invoices in id order after `filter.after_id`, at most `filter.limit` (the forecast
  // reads them page by page through the status index). Without payments: the forecast needs
  // the balance, not the ledger.
  virtual std::vector<Invoice> open_invoices(const OpenInvoiceFilter& filter) = 0;

  // Gathers the planner's statistics (SQLite: sampled ANALYZE; PostgreSQL: ANALYZE of the
  // tables): after bulk imports, which change the data's shape faster than autovacuum sees.
  // On a bulk-load SQLite store its commit is synced, and with it every commit before it.
  virtual void refresh_statistics() = 0;

  // Runs `write` at most once per (scope, key) in one write transaction, and stores its answer
  // in that same transaction: a commit has both the change and the answer, a rollback neither.
  // A retry with the same key and the same method, target and body gets the stored answer
  // back (replayed); another method, target or body under the key throws conflict
  // idempotency_key_reused. A retry arriving while the first still runs waits for it (the
  // key's row is claimed first); one that finds it still unfinished throws conflict
  // idempotency_key_in_progress. A write that throws stores nothing. Inside `write`, the
  // store's calls join the transaction (create with a key and write_once are refused there).
  virtual KeyedAnswer write_once(const IdempotentRequest& request, Instant now,
                                 const KeyedWrite& write) = 0;

  // Deletes the idempotency records made before `before`; returns how many.
  virtual std::int64_t purge_idempotency_records(Instant before) = 0;

  // Webhook subscriptions. A new one follows the feed from the moment it is made (events
  // committed before are not sent). Inside write_once these join its transaction.
  virtual Webhook create_webhook(const NewWebhook& webhook, Instant now) = 0;
  virtual std::vector<Webhook> list_webhooks() = 0;
  // With its delivery counts; throws not_found.
  virtual Webhook get_webhook(WebhookId id) = 0;
  // Removes it and its deliveries (pending ones are never sent); throws not_found.
  virtual void delete_webhook(WebhookId id, Instant now) = 0;

  // The delivery worker's side. Moves every subscription's cursor over at most `limit` feed
  // events, adding a pending delivery per matching event in the same transaction as the
  // cursor's move; returns the deliveries added. Replicas may run it at once: a subscription
  // being followed by one is skipped by the others.
  virtual std::int64_t fan_out_webhook_events(int limit, Instant now) = 0;
  // Leases up to `limit` due pending deliveries until `lease_until`, oldest event first, and
  // only the oldest pending one of each (subscription, invoice): an invoice's events go out in
  // order. A delivery leased by another worker is neither taken nor overtaken.
  virtual std::vector<ClaimedDelivery> claim_webhook_deliveries(int limit, Instant now,
                                                                Instant lease_until) = 0;
  // Records attempts' outcomes and frees their leases, all in one transaction (a delivery
  // deleted meanwhile: nothing).
  virtual void settle_webhook_deliveries(std::span<const SettledDelivery> settled, Instant now) = 0;
  void settle_webhook_delivery(std::int64_t delivery_id, const DeliveryOutcome& outcome,
                               Instant now) {
    const SettledDelivery one{delivery_id, outcome};
    settle_webhook_deliveries(std::span(&one, 1), now);
  }
  // Deliveries still pending, over every subscription (the outbox's backlog).
  virtual std::int64_t webhook_backlog() = 0;

  virtual std::int64_t count() = 0;
  // Throws store_unavailable when the store cannot answer (readiness).
  virtual void ping() = 0;
  virtual int schema_version() = 0;
  virtual std::string_view backend() const noexcept = 0;  // "sqlite" or "postgres"
};

// Opens (creating when needed) the store the URL names and migrates its schema; safe when
// several processes open one database at once. Throws Error: invalid for an unknown URL
// scheme, unavailable when the database cannot be reached, internal when its schema is newer
// than this build.
std::unique_ptr<InvoiceStore> open_store(const StoreConfig& config);

}  // namespace tim::invoices

// The store's logic, written once for both databases over sql::Connection. The rules come
// from the domain (tim/invoices/invoice.hpp): the store loads, applies them, and writes back
// inside one transaction holding the row's write lock.
#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <filesystem>
#include <limits>
#include <unordered_set>

#include "json_text.hpp"
#include "migrations.hpp"
#include "sql.hpp"
#include "statements.hpp"
#include "tim/digest.hpp"
#include "tim/invoices/json.hpp"
#include "tim/invoices/payment_summary.hpp"
#include "tim/invoices/store.hpp"

namespace tim::invoices {
namespace {

using sql::Connection;
using sql::Dialect;
using sql::Row;
using sql::Value;

constexpr const char* kColumns = sql::kInvoiceColumns;
constexpr std::size_t kMaxIdempotencyKeyLength = 255;

[[noreturn]] void corrupt_row(const std::string& what) {
  throw Error(ErrorKind::internal, "corrupt_invoice", "stored invoice unreadable: " + what);
}

const std::string& text(const Row& row, std::size_t column) {
  if (column >= row.size() || !row[column])
    corrupt_row("column " + std::to_string(column) + " is NULL");
  return *row[column];
}

std::int64_t integer(const Row& row, std::size_t column) {
  const std::string& t = text(row, column);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc{} || end != t.data() + t.size()) corrupt_row("not an integer: " + t);
  return value;
}

Date date(const std::string& t) {
  const auto d = Date::parse_stored(t);
  if (!d) corrupt_row("not a date: " + t);
  return *d;
}

Invoice to_invoice(const Row& row) {
  Invoice invoice;
  invoice.id = integer(row, 0);
  invoice.ref = text(row, 1);
  invoice.customer_id = text(row, 2);
  invoice.customer_name = text(row, 3);
  invoice.ccy = text(row, 4);
  invoice.amount = integer(row, 5);
  invoice.balance = integer(row, 6);
  invoice.issue_date = date(text(row, 7));
  invoice.due_date = date(text(row, 8));
  const auto status = parse_status(text(row, 9));
  if (!status) corrupt_row("unknown status " + text(row, 9));
  invoice.status = *status;
  invoice.payments = payments_from_json(text(row, 10));
  if (row.at(11)) invoice.settled_date = date(*row[11]);
  invoice.created_at = Instant{std::chrono::milliseconds{integer(row, 12)}};
  invoice.updated_at = Instant{std::chrono::milliseconds{integer(row, 13)}};
  invoice.version = integer(row, 14);
  check_invariants(invoice);
  return invoice;
}

Value millis(Instant t) {
  return Value{static_cast<std::int64_t>(t.time_since_epoch().count())};
}

std::optional<Invoice> find(Connection& c, InvoiceId id, bool lock_row) {
  // SQLite needs no row lock: BEGIN IMMEDIATE already holds the database's write lock.
  const bool for_update = lock_row && c.dialect() == Dialect::postgres;
  auto statement = sql::get_statement(id);
  if (for_update) statement.text += " FOR UPDATE";
  const auto rows = c.query(statement.text, statement.params);
  if (rows.empty()) return std::nullopt;
  return to_invoice(rows.front());
}

[[noreturn]] void not_found(InvoiceId id) {
  throw Error(ErrorKind::not_found, "not_found", "no invoice with id " + std::to_string(id));
}

Invoice insert(Connection& c, Invoice invoice) {
  const auto rows = c.query(
      "INSERT INTO invoices (ref, customer_id, customer_name, ccy, amount, balance, issue_date, "
      "due_date, status, payments, settled_date, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
      {Value{invoice.ref}, Value{invoice.customer_id}, Value{invoice.customer_name},
       Value{invoice.ccy}, Value{invoice.amount}, Value{invoice.balance},
       Value{invoice.issue_date.to_string()}, Value{invoice.due_date.to_string()},
       Value{std::string(to_string(invoice.status))},
       Value{boost::json::serialize(payments_to_json(invoice.payments))},
       invoice.settled_date ? Value{invoice.settled_date->to_string()} : Value{nullptr},
       millis(invoice.created_at), millis(invoice.updated_at)});
  invoice.id = integer(rows.at(0), 0);
  if (invoice.ref.empty()) {  // no ref given: the generated one needs the id
    invoice.ref = generated_ref(invoice.id);
    c.query("UPDATE invoices SET ref = $1 WHERE id = $2", {Value{invoice.ref}, Value{invoice.id}});
  }
  return invoice;
}

// Everything a change may touch: the ledger and what follows from it, and an amendment's fields.
void update_state(Connection& c, const Invoice& invoice) {
  c.query(
      "UPDATE invoices SET balance = $1, status = $2, payments = $3, settled_date = $4, "
      "updated_at = $5, customer_name = $6, due_date = $7, amount = $8, version = $9 "
      "WHERE id = $10",
      {Value{invoice.balance}, Value{std::string(to_string(invoice.status))},
       Value{boost::json::serialize(payments_to_json(invoice.payments))},
       invoice.settled_date ? Value{invoice.settled_date->to_string()} : Value{nullptr},
       millis(invoice.updated_at), Value{invoice.customer_name},
       Value{invoice.due_date.to_string()}, Value{invoice.amount}, Value{invoice.version},
       Value{invoice.id}});
}

// Ids for n new invoices, ascending, taken inside the import's write transaction.
std::vector<InvoiceId> reserve_ids(Connection& c, std::size_t n) {
  std::vector<InvoiceId> ids;
  ids.reserve(n);
  if (n == 0) return ids;
  if (c.dialect() == Dialect::sqlite) {
    // BEGIN IMMEDIATE holds the write lock: nobody else inserts until we commit, and the next
    // ids are those SQLite itself would give (max + 1 on).
    const auto first = integer(c.query("SELECT COALESCE(MAX(id), 0) + 1 FROM invoices").at(0), 0);
    for (std::size_t i = 0; i < n; ++i) ids.push_back(first + static_cast<InvoiceId>(i));
  } else {
    // From the identity's sequence, as a default id would be; concurrent creates may take
    // ids in between.
    const auto rows = c.query(
        "SELECT nextval(pg_get_serial_sequence('invoices', 'id')) FROM generate_series(1, $1)",
        {Value{static_cast<std::int64_t>(n)}});
    for (const auto& row : rows) ids.push_back(integer(row, 0));
    std::sort(ids.begin(), ids.end());
  }
  return ids;
}

constexpr std::size_t kInsertColumns = 15;
constexpr std::size_t kRowsPerInsert = 100;  // 1 400 parameters a statement

// INSERT INTO invoices (all columns) VALUES (...), (...) with `rows` rows of placeholders.
std::string insert_statement(std::size_t rows) {
  std::string statement = std::string("INSERT INTO invoices (") + kColumns + ") VALUES ";
  for (std::size_t r = 0; r < rows; ++r) {
    statement += r ? ", (" : "(";
    for (std::size_t col = 0; col < kInsertColumns; ++col) {
      if (col) statement += ", ";
      statement += "$" + std::to_string(r * kInsertColumns + col + 1);
    }
    statement += ")";
  }
  return statement;
}

void append_values(std::vector<Value>& params, const Invoice& invoice) {
  params.emplace_back(invoice.id);
  params.emplace_back(invoice.ref);
  params.emplace_back(invoice.customer_id);
  params.emplace_back(invoice.customer_name);
  params.emplace_back(invoice.ccy);
  params.emplace_back(invoice.amount);
  params.emplace_back(invoice.balance);
  params.emplace_back(invoice.issue_date.to_string());
  params.emplace_back(invoice.due_date.to_string());
  params.emplace_back(std::string(to_string(invoice.status)));
  std::string payments;
  sql::append_payments_json(payments, invoice.payments);
  params.emplace_back(std::move(payments));
  params.emplace_back(invoice.settled_date ? Value{invoice.settled_date->to_string()}
                                           : Value{nullptr});
  params.push_back(millis(invoice.created_at));
  params.push_back(millis(invoice.updated_at));
  params.emplace_back(invoice.version);
}

// Invoices with their ids set, kRowsPerInsert rows a statement: a round trip and a statement
// step per hundred rows, not per row (PostgreSQL's round trips dominated an import).
void insert_many(Connection& c, const std::vector<Invoice>& invoices) {
  static const std::string full = insert_statement(kRowsPerInsert);
  static const std::string single = insert_statement(1);
  std::vector<Value> params;
  params.reserve(kRowsPerInsert * kInsertColumns);
  std::size_t i = 0;
  for (; i + kRowsPerInsert <= invoices.size(); i += kRowsPerInsert) {
    params.clear();
    for (std::size_t j = i; j < i + kRowsPerInsert; ++j) append_values(params, invoices[j]);
    c.query(full, params);
  }
  for (; i < invoices.size(); ++i) {  // the rest one by one: two statements to prepare, not 100
    params.clear();
    append_values(params, invoices[i]);
    c.query(single, params);
  }
}

constexpr std::size_t kDelayRowsPerUpsert = 100;

std::string upsert_delays_statement(std::size_t rows) {
  std::string statement =
      "INSERT INTO customer_paid_delays (customer_id, delay_days, paid_count) VALUES ";
  for (std::size_t r = 0; r < rows; ++r)
    statement += (r ? ", ($" : "($") + std::to_string(3 * r + 1) + ", $" +
                 std::to_string(3 * r + 2) + ", $" + std::to_string(3 * r + 3) + ")";
  // Added to what is there, so that concurrent changes of one customer add up.
  return statement +
         " ON CONFLICT (customer_id, delay_days) DO UPDATE SET paid_count = "
         "customer_paid_delays.paid_count + excluded.paid_count";
}

// Applies merged changes (sorted by customer and delay, so that concurrent transactions lock
// the summary's rows in one order) in the caller's transaction.
void apply_delay_changes(Connection& c, const std::vector<DelayChange>& changes) {
  static const std::string single = upsert_delays_statement(1);
  if (std::any_of(changes.begin(), changes.end(), [](auto& d) { return d.change < 0; })) {
    // A decrement cannot go through the upsert: the CHECK is tested on the row it would insert.
    // One statement per change, in the merged order (a correction makes one or two).
    for (const auto& d : changes) {
      const std::vector<Value> params{Value{d.customer_id}, Value{std::int64_t{d.delay_days}},
                                      Value{d.change}};
      if (d.change > 0)
        c.query(single, params);
      else
        c.query(
            "UPDATE customer_paid_delays SET paid_count = paid_count + $3 "
            "WHERE customer_id = $1 AND delay_days = $2",
            params);
    }
    return;
  }
  static const std::string full = upsert_delays_statement(kDelayRowsPerUpsert);
  std::vector<Value> params;
  std::size_t i = 0;
  auto rows_from = [&](std::size_t from, std::size_t to) {
    params.clear();
    for (std::size_t j = from; j < to; ++j) {
      params.emplace_back(changes[j].customer_id);
      params.emplace_back(std::int64_t{changes[j].delay_days});
      params.emplace_back(changes[j].change);
    }
  };
  for (; i + kDelayRowsPerUpsert <= changes.size(); i += kDelayRowsPerUpsert) {
    rows_from(i, i + kDelayRowsPerUpsert);
    c.query(full, params);
  }
  if (i < changes.size()) {
    rows_from(i, changes.size());
    c.query(upsert_delays_statement(changes.size() - i), params);
  }
}

// The change feed. Each event row keeps the transaction id that wrote it
// (PostgreSQL: pg_current_xact_id(); SQLite: 0, as its writers are serialised and ids follow
// commit order). Readers take events in (txid, id) order and, on PostgreSQL, only those of
// transactions older than the oldest still running (pg_snapshot_xmin): every event a later
// commit can add then sorts after what was handed out, so a cursor never skips one.
constexpr int kFirstVersionWithEvents = 6;  // migrations.cpp
constexpr std::size_t kEventColumns = 5;
constexpr std::size_t kEventsPerInsert = 100;

std::string insert_events_statement(std::size_t rows) {
  std::string statement =
      "INSERT INTO invoice_events (invoice_id, type, subject, created_at, invoice) VALUES ";
  for (std::size_t r = 0; r < rows; ++r) {
    statement += r ? ", (" : "(";
    for (std::size_t k = 0; k < kEventColumns; ++k)
      statement += (k ? ", $" : "$") + std::to_string(kEventColumns * r + k + 1);
    statement += ")";
  }
  return statement;
}

void append_event_values(std::vector<Value>& params, std::string_view type, const Invoice& invoice,
                         std::string_view subject, Instant now) {
  params.emplace_back(invoice.id);
  params.emplace_back(std::string(type));
  params.emplace_back(std::string(subject));
  params.push_back(millis(now));
  std::string json;
  json.reserve(512);
  sql::append_invoice_json(json, invoice);
  params.emplace_back(std::move(json));
}

void append_events(Connection& c, std::string_view type, const std::vector<Invoice>& invoices,
                   std::string_view subject, Instant now) {
  static const std::string full = insert_events_statement(kEventsPerInsert);
  static const std::string single = insert_events_statement(1);
  std::vector<Value> params;
  params.reserve(kEventsPerInsert * kEventColumns);
  std::size_t i = 0;
  for (; i + kEventsPerInsert <= invoices.size(); i += kEventsPerInsert) {
    params.clear();
    for (std::size_t j = i; j < i + kEventsPerInsert; ++j)
      append_event_values(params, type, invoices[j], subject, now);
    c.query(full, params);
  }
  for (; i < invoices.size(); ++i) {
    params.clear();
    append_event_values(params, type, invoices[i], subject, now);
    c.query(single, params);
  }
}

void append_event(Connection& c, std::string_view type, const Invoice& invoice,
                  std::string_view subject, Instant now) {
  append_events(c, type, {invoice}, subject, now);
}

struct FeedPosition {
  std::int64_t txid = 0;
  std::int64_t id = 0;
};

std::string encode_feed_position(FeedPosition p) {
  return std::to_string(p.txid) + "-" + std::to_string(p.id);
}

FeedPosition decode_feed_position(std::string_view cursor) {
  if (cursor.empty()) return {};
  const auto bad = [] {
    throw_invalid_field("after", "not a cursor from an earlier page of /api/events");
  };
  const auto dash = cursor.find('-');
  if (dash == std::string_view::npos) bad();
  FeedPosition p;
  const auto read = [&](std::string_view part, std::int64_t& out) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    if (part.empty() || ec != std::errc{} || end != part.data() + part.size() || out < 0) bad();
  };
  read(cursor.substr(0, dash), p.txid);
  read(cursor.substr(dash + 1), p.id);
  return p;
}

InvoiceEvent to_event(const Row& row) {
  InvoiceEvent event;
  event.id = integer(row, 0);
  event.cursor = encode_feed_position({integer(row, 1), event.id});
  event.invoice_id = integer(row, 2);
  event.type = text(row, 3);
  event.subject = text(row, 4);
  event.at = Instant{std::chrono::milliseconds{integer(row, 5)}};
  event.invoice_json = text(row, 6);
  return event;
}

}  // namespace

namespace sql {

Statement events_statement(const std::string& after, const std::optional<std::string>& type,
                           int rows, Dialect dialect) {
  const FeedPosition from = decode_feed_position(after);
  const bool postgres = dialect == Dialect::postgres;
  Statement statement{
      std::string("SELECT id, ") + (postgres ? "txid::text" : "txid") +
          ", invoice_id, type, subject, created_at, invoice FROM invoice_events WHERE " +
          (postgres ? "txid < pg_snapshot_xmin(pg_current_snapshot()) AND (txid, id) > "
                      "($1::xid8, $2)"
                    : "(txid, id) > ($1, $2)"),
      {Value{from.txid}, Value{from.id}}};
  if (type) {
    statement.text += " AND type = $3";
    statement.params.emplace_back(*type);
  }
  // Qualified: the bare name would sort by the select list's txid::text.
  statement.text +=
      " ORDER BY invoice_events.txid, invoice_events.id LIMIT " + std::to_string(rows);
  return statement;
}

Statement existing_refs_statement(std::span<const std::string> refs) {
  Statement statement{"SELECT DISTINCT ref FROM invoices WHERE ref IN (", {}};
  for (std::size_t k = 0; k < refs.size(); ++k) {
    statement.text += (k ? ", $" : "$") + std::to_string(k + 1);
    statement.params.emplace_back(refs[k]);
  }
  statement.text += ")";
  return statement;
}

Statement invoice_events_statement(std::int64_t invoice_id, std::int64_t after_id, int rows,
                                   Dialect dialect) {
  return {std::string("SELECT id, ") + (dialect == Dialect::postgres ? "txid::text" : "txid") +
              ", invoice_id, type, subject, created_at, invoice FROM invoice_events WHERE "
              "invoice_id = $1 AND id > $2 ORDER BY id LIMIT " +
              std::to_string(rows),
          {Value{invoice_id}, Value{after_id}}};
}

}  // namespace sql

namespace {

// Any constant: the PostgreSQL advisory lock imports hold while they check refs.
constexpr std::int64_t kImportLockKey = 0x54494d000d;  // "TIM" + 13: the imports' advisory lock

// The given refs of `invoices` that some stored invoice already has (invoices_by_ref).
std::unordered_set<std::string> existing_refs(Connection& c, const std::vector<Invoice>& invoices) {
  std::vector<std::string> refs;
  for (const auto& invoice : invoices)
    if (!invoice.ref.empty()) refs.push_back(invoice.ref);
  std::unordered_set<std::string> found;
  constexpr std::size_t kRefsPerQuery = 100;
  for (std::size_t i = 0; i < refs.size(); i += kRefsPerQuery) {
    const std::size_t n = std::min(kRefsPerQuery, refs.size() - i);
    const auto statement = sql::existing_refs_statement(std::span(refs).subspan(i, n));
    for (const auto& row : c.query(statement.text, statement.params)) found.insert(text(row, 0));
  }
  return found;
}

void check_idempotency_key(const std::string& key) {
  if (key.empty() || key.size() > kMaxIdempotencyKeyLength ||
      std::any_of(key.begin(), key.end(), [](char c) { return c < 0x21 || c > 0x7e; }))
    throw_invalid_field("Idempotency-Key", "must be 1 to 255 printable ASCII characters");
}

// Hex SHA-256 of the method, target and body: what a retry under the same key must repeat.
std::string request_fingerprint(const IdempotentRequest& r) {
  return digest::hex(digest::Sha256()
                         .update(r.method)
                         .update(" ")
                         .update(r.target)
                         .update("\n")
                         .update(r.body)
                         .finish());
}

[[noreturn]] void webhook_not_found(WebhookId id) {
  throw Error(ErrorKind::not_found, "not_found", "no webhook with id " + std::to_string(id));
}

std::vector<std::string> patterns_from_json(const std::string& json) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  const auto value = boost::json::parse(json, ec);
  if (ec || !value.is_array()) corrupt_row("webhook events not a JSON array: " + json);
  for (const auto& pattern : value.as_array())
    if (pattern.is_string()) out.emplace_back(pattern.as_string());
  return out;
}

Webhook to_webhook(const Row& row) {
  return {integer(row, 0),
          text(row, 1),
          patterns_from_json(text(row, 2)),
          Instant{std::chrono::milliseconds{integer(row, 3)}},
          {}};
}

// PostgreSQL: whether transaction `txid` had committed for a snapshot "xmin:xmax:xip,…"
// (pg_current_snapshot()'s text form).
bool committed_in_snapshot(std::int64_t txid, std::string_view snapshot) {
  const auto read = [](std::string_view t) {
    std::int64_t v = 0;
    std::from_chars(t.data(), t.data() + t.size(), v);
    return v;
  };
  const auto first = snapshot.find(':');
  const auto second = snapshot.find(':', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos)
    corrupt_row("not a snapshot: " + std::string(snapshot));
  if (txid < read(snapshot.substr(0, first))) return true;
  if (txid >= read(snapshot.substr(first + 1, second - first - 1))) return false;
  for (auto rest = snapshot.substr(second + 1); !rest.empty();) {
    const auto comma = std::min(rest.find(','), rest.size());
    if (read(rest.substr(0, comma)) == txid) return false;  // still running then
    rest.remove_prefix(std::min(comma + 1, rest.size()));
  }
  return true;
}

// The feed's position now: a new subscription starts here. On PostgreSQL just below the
// oldest running transaction, so an event that commits after the subscription is never behind
// its cursor; the events between there and now that had committed are told apart by the
// subscription's snapshot (committed_in_snapshot) and skipped.
std::string feed_end(Connection& c) {
  if (c.dialect() == Dialect::sqlite)
    return encode_feed_position(
        {0, integer(c.query("SELECT COALESCE(MAX(id), 0) FROM invoice_events").at(0), 0)});
  const std::int64_t xmin =
      integer(c.query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text").at(0), 0);
  return encode_feed_position(
      {std::max<std::int64_t>(xmin - 1, 0), std::numeric_limits<std::int64_t>::max()});
}

// The store over a pool of connections, each call its own transaction; or, bound to one
// connection, the store as seen inside a transaction someone else runs (write_once's).
class SqlStore final : public InvoiceStore {
 public:
  SqlStore(sql::Pool::Factory factory, const StoreConfig& config, std::string_view backend)
      : pool_(std::make_unique<sql::Pool>(std::move(factory), config.pool_size, config.timeout)),
        backend_(backend),
        // A store a test keeps at an older schema has no events table to write to.
        record_events_(config.migrate_to.value_or(sql::latest_version()) >=
                       kFirstVersionWithEvents) {
    auto connection = pool_->acquire();
    sql::migrate(*connection, config.migrate_to);
    if (connection->dialect() == Dialect::sqlite) {
      // SQLite 3.40's PRAGMA optimize only analyses what this connection has queried: a store
      // never analysed gets its first statistics here, bounded by analysis_limit.
      const bool analysed =
          !connection->query("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").empty();
      if (analysed)
        connection->execute_script("PRAGMA optimize;");
      else
        gather_statistics(*connection);
    }
  }

  SqlStore(Connection& transaction, std::string_view backend, bool record_events)
      : bound_(&transaction), backend_(backend), record_events_(record_events) {}

  Invoice get(InvoiceId id) override {
    return read([&](Connection& c) {
      auto invoice = find(c, id, false);
      if (!invoice) not_found(id);
      return *invoice;
    });
  }

  InvoicePage list(const ListFilter& filter) override {
    const int limit = std::clamp(filter.limit, 1, kMaxListLimit);
    // One more row than the page tells whether a page follows.
    const auto rows = read([&](Connection& c) {
      const auto statement = sql::list_statement(filter, limit + 1, c.dialect());
      return c.query(statement.text, statement.params);
    });
    InvoicePage page;
    page.invoices.reserve(std::min<std::size_t>(rows.size(), static_cast<std::size_t>(limit)));
    for (std::size_t i = 0; i < rows.size() && i < static_cast<std::size_t>(limit); ++i)
      page.invoices.push_back(to_invoice(rows[i]));
    if (rows.size() > static_cast<std::size_t>(limit))
      page.next_cursor = encode_cursor(filter, page.invoices.back().id);
    return page;
  }

  CreateResult create(const NewInvoice& request, const std::optional<std::string>& key, Instant now,
                      std::string_view subject) override {
    validate(request);
    if (!key)
      return write([&](Connection& tx) -> CreateResult {
        Invoice invoice = make_invoice(request, 0, now);
        if (!request.ref) invoice.ref.clear();
        invoice = insert(tx, std::move(invoice));
        record(tx, "invoice.created", invoice, subject, now);
        return {invoice, true};
      });
    if (bound_)
      throw Error(ErrorKind::internal, "store_error", "a keyed create inside a transaction");
    check_idempotency_key(*key);
    const std::string request_fingerprint = fingerprint(request);
    for (int attempt = 0;; ++attempt) {
      try {
        auto c = pool_->acquire();
        return sql::in_transaction(*c, true, [&](Connection& tx) -> CreateResult {
          {
            const auto seen =
                tx.query("SELECT fingerprint, invoice_id FROM idempotency_keys WHERE key = $1",
                         {Value{*key}});
            if (!seen.empty()) {
              if (text(seen[0], 0) != request_fingerprint)
                throw Error(ErrorKind::conflict, "idempotency_key_reused",
                            "this Idempotency-Key was used for a different request");
              auto first = find(tx, integer(seen[0], 1), false);
              if (!first) corrupt_row("idempotency key without its invoice");
              return {*first, false};
            }
          }
          Invoice invoice = make_invoice(request, 0, now);
          if (!request.ref) invoice.ref.clear();
          invoice = insert(tx, std::move(invoice));
          record(tx, "invoice.created", invoice, subject, now);
          tx.query("INSERT INTO idempotency_keys VALUES ($1, $2, $3, $4)",
                   {Value{*key}, Value{request_fingerprint}, Value{invoice.id}, millis(now)});
          return {invoice, true};
        });
      } catch (const sql::UniqueViolation&) {
        // PostgreSQL: another replica committed the same key between our check and insert.
        // Once more, and the check sees it.
        if (attempt > 0) throw Error(ErrorKind::internal, "store_error", "unexpected duplicate");
      }
    }
  }

  Invoice record_payment(InvoiceId id, const PaymentRequest& payment, Instant now,
                         std::string_view subject) override {
    validate(payment);
    return change(id, "invoice.payment_recorded", subject, now,
                  [&](Invoice& invoice) { apply_payment(invoice, payment, now); });
  }

  Invoice void_invoice(InvoiceId id, Instant now, std::string_view subject) override {
    return change(id, "invoice.voided", subject, now,
                  [&](Invoice& invoice) { invoices::void_invoice(invoice, now); });
  }

  Invoice reverse_payment(InvoiceId id, std::int64_t payment_id, const ReversalRequest& request,
                          Instant now, std::string_view subject) override {
    validate(request);
    return change(id, "invoice.payment_reversed", subject, now, [&](Invoice& invoice) {
      invoices::reverse_payment(invoice, payment_id, request, now);
    });
  }

  Invoice add_credit_note(InvoiceId id, const CreditNoteRequest& request, Instant now,
                          std::string_view subject) override {
    validate(request);
    return change(id, "invoice.credited", subject, now,
                  [&](Invoice& invoice) { apply_credit_note(invoice, request, now); });
  }

  Invoice amend(InvoiceId id, const Amendment& amendment, std::string_view if_match, Instant now,
                std::string_view subject) override {
    // Compared under the row's write lock: two amendments from one version cannot both pass.
    return change(id, "invoice.updated", subject, now, [&](Invoice& invoice) {
      if (!etag_matches(if_match, invoice))
        throw Error(ErrorKind::precondition_failed, "precondition_failed",
                    "If-Match does not name the current version of invoice " + invoice.ref + " (" +
                        etag(invoice) + "): read it again");
      invoices::amend(invoice, amendment, now);
    });
  }

  ImportResult import(std::span<const ImportRecord> records, Instant now,
                      std::string_view subject) override {
    std::vector<Invoice> invoices;
    invoices.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      try {
        invoices.push_back(build_imported_invoice(records[i], now));
      } catch (const Error& e) {
        throw Error(e.kind(), e.code(), "record " + std::to_string(i) + ": " + e.what(), e.field());
      }
    }
    return write([&](Connection& tx) {
      ImportResult result;
      if (tx.dialect() == Dialect::postgres)
        tx.query("SELECT pg_advisory_xact_lock($1)", {Value{kImportLockKey}});
      std::unordered_set<std::string> refs = existing_refs(tx, invoices);
      std::vector<Invoice> fresh;
      fresh.reserve(invoices.size());
      for (std::size_t i = 0; i < invoices.size(); ++i) {
        const std::string& ref = invoices[i].ref;
        if (!ref.empty() && !refs.insert(ref).second)
          result.duplicates.push_back(i);
        else
          fresh.push_back(std::move(invoices[i]));
      }
      invoices = std::move(fresh);
      auto ids = reserve_ids(tx, invoices.size());
      for (std::size_t i = 0; i < invoices.size(); ++i) {
        invoices[i].id = ids[i];
        if (invoices[i].ref.empty()) invoices[i].ref = generated_ref(ids[i]);
      }
      insert_many(tx, invoices);
      if (record_events_) append_events(tx, "invoice.imported", invoices, subject, now);
      std::vector<DelayChange> changes;
      for (const auto& invoice : invoices)
        for (auto& change : delay_changes(nullptr, invoice)) changes.push_back(std::move(change));
      apply_delay_changes(tx, merge_delay_changes(std::move(changes)));
      result.ids = std::move(ids);
      return result;
    });
  }

  EventPage events(const EventFilter& filter) override {
    const int limit = std::clamp(filter.limit, 1, kMaxEventLimit);
    const auto rows = read([&](Connection& c) {
      const auto statement =
          sql::events_statement(filter.after, filter.type, limit + 1, c.dialect());
      return c.query(statement.text, statement.params);
    });
    EventPage page;
    for (std::size_t i = 0; i < rows.size() && i < static_cast<std::size_t>(limit); ++i)
      page.events.push_back(to_event(rows[i]));
    page.more = rows.size() > static_cast<std::size_t>(limit);
    page.cursor = page.events.empty() ? filter.after : page.events.back().cursor;
    return page;
  }

  std::vector<InvoiceEvent> invoice_events(InvoiceId id, std::int64_t after_id,
                                           int limit) override {
    limit = std::clamp(limit, 1, kMaxEventLimit);
    const auto rows = read([&](Connection& c) {
      if (!find(c, id, false)) not_found(id);
      const auto statement = sql::invoice_events_statement(id, after_id, limit, c.dialect());
      return c.query(statement.text, statement.params);
    });
    std::vector<InvoiceEvent> out;
    out.reserve(rows.size());
    for (const auto& row : rows) out.push_back(to_event(row));
    return out;
  }

  std::vector<PaidDelay> paid_delays(const std::string& customer_id) override {
    const auto statement = sql::paid_delays_statement(customer_id);
    const auto rows =
        read([&](Connection& c) { return c.query(statement.text, statement.params); });
    std::vector<PaidDelay> out;
    out.reserve(rows.size());
    for (const auto& row : rows)
      out.push_back({static_cast<std::int32_t>(integer(row, 0)), integer(row, 1)});
    return out;
  }

  std::map<std::string, PaidHistory, std::less<>> paid_histories(
      std::span<const std::string> customer_ids) override {
    std::vector<std::string> ids(customer_ids.begin(), customer_ids.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::map<std::string, PaidHistory, std::less<>> out;
    for (const auto& id : ids) out[id];
    read([&](Connection& c) {
      if (ids.size() == 1) {  // a GET's one customer: no padded IN list (and its temporary b-tree)
        const auto delays = sql::paid_delays_statement(ids.front());
        auto& history = out[ids.front()];
        for (const auto& row : c.query(delays.text, delays.params))
          history.delays.push_back({static_cast<std::int32_t>(integer(row, 0)), integer(row, 1)});
        return;
      }
      for (std::size_t i = 0; i < ids.size(); i += sql::kCustomersPerRead) {
        const std::span<const std::string> chunk(ids.data() + i,
                                                 std::min(sql::kCustomersPerRead, ids.size() - i));
        const auto delays = sql::paid_delays_of_statement(chunk);
        for (const auto& row : c.query(delays.text, delays.params))
          out[text(row, 0)].delays.push_back(
              {static_cast<std::int32_t>(integer(row, 1)), integer(row, 2)});
      }
    });
    for (auto& [customer, history] : out) history.version = history_version(history.delays);
    return out;
  }

  std::vector<Invoice> open_invoices(const OpenInvoiceFilter& filter) override {
    const auto rows = read([&](Connection& c) {
      const auto statement =
          sql::open_invoices_statement(filter.customer, filter.ccy, filter.after_id,
                                       std::clamp(filter.limit, 1, 10'000), c.dialect());
      return c.query(statement.text, statement.params);
    });
    std::vector<Invoice> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
      Invoice invoice;
      invoice.id = integer(row, 0);
      invoice.customer_id = text(row, 1);
      invoice.ccy = text(row, 2);
      invoice.amount = integer(row, 3);
      invoice.balance = integer(row, 4);
      invoice.issue_date = date(text(row, 5));
      invoice.due_date = date(text(row, 6));
      invoice.version = integer(row, 7);
      out.push_back(std::move(invoice));
    }
    return out;
  }

  void refresh_statistics() override {
    read([](Connection& c) {
      // A bulk-load connection commits with synchronous=NORMAL (sqlite_connection.cpp): this
      // ANALYZE's commit, at FULL, syncs the WAL and with it every commit before it.
      if (c.dialect() == Dialect::sqlite) c.execute_script("PRAGMA synchronous=FULL;");
      gather_statistics(c);
    });
  }

  KeyedAnswer write_once(const IdempotentRequest& request, Instant now,
                         const KeyedWrite& keyed_write) override {
    if (bound_) throw Error(ErrorKind::internal, "store_error", "write_once inside a transaction");
    check_idempotency_key(request.key);
    const std::string print = request_fingerprint(request);
    const Value scope{request.scope}, key{request.key};
    for (int attempt = 0;; ++attempt) {
      try {
        auto c = pool_->acquire();
        return sql::in_transaction(*c, true, [&](Connection& tx) -> KeyedAnswer {
          tx.query(
              "DELETE FROM idempotency_records WHERE scope = $1 AND key = $2 AND "
              "created_at < $3",
              {scope, key, millis(request.expired_before)});
          // Claims the key. PostgreSQL makes this wait while another transaction holds the
          // same key uncommitted, and then inserts nothing if that one committed.
          const auto claimed = tx.query(
              "INSERT INTO idempotency_records (scope, key, fingerprint, created_at) "
              "VALUES ($1, $2, $3, $4) ON CONFLICT (scope, key) DO NOTHING RETURNING 1",
              {scope, key, Value{print}, millis(now)});
          if (claimed.empty()) {
            const auto seen = tx.query(
                "SELECT fingerprint, status, body, location, etag FROM idempotency_records "
                "WHERE scope = $1 AND key = $2",
                {scope, key});
            if (seen.empty()) throw sql::UniqueViolation("the key was purged meanwhile");
            if (text(seen[0], 0) != print)
              throw Error(ErrorKind::conflict, "idempotency_key_reused",
                          "this Idempotency-Key was used for a different request (method, "
                          "path or body)");
            if (!seen[0][1])
              throw Error(ErrorKind::conflict, "idempotency_key_in_progress",
                          "a request with this Idempotency-Key is still running");
            return {{static_cast<int>(integer(seen[0], 1)), seen[0][2].value_or(""),
                     seen[0][3].value_or(""), seen[0][4].value_or("")},
                    true};
          }
          SqlStore in_transaction(tx, backend_, record_events_);
          StoredAnswer answer = keyed_write(in_transaction);
          tx.query(
              "UPDATE idempotency_records SET status = $3, body = $4, location = $5, etag = $6 "
              "WHERE scope = $1 AND key = $2",
              {scope, key, Value{std::int64_t{answer.status}}, Value{answer.body},
               answer.location.empty() ? Value{nullptr} : Value{answer.location},
               answer.etag.empty() ? Value{nullptr} : Value{answer.etag}});
          return {std::move(answer), false};
        });
      } catch (const sql::UniqueViolation&) {
        // Purged between our claim and our read, or claimed by a transaction that SQLite's
        // lock or PostgreSQL's wait did not order before ours: once more sees it settled.
        if (attempt > 0) throw Error(ErrorKind::internal, "store_error", "unexpected duplicate");
      }
    }
  }

  std::int64_t purge_idempotency_records(Instant before) override {
    return write([&](Connection& c) {
      return static_cast<std::int64_t>(
          c.query("DELETE FROM idempotency_records WHERE created_at < $1 RETURNING 1",
                  {millis(before)})
              .size());
    });
  }

  Webhook create_webhook(const NewWebhook& webhook, Instant now) override {
    boost::json::array events;
    for (const auto& pattern : webhook.events) events.emplace_back(pattern);
    return write([&](Connection& tx) {
      const auto rows = tx.query(
          "INSERT INTO webhook_subscriptions (url, events, secret, feed_cursor, "
          "created_snapshot, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
          {Value{webhook.url}, Value{boost::json::serialize(events)}, Value{webhook.secret},
           Value{feed_end(tx)},
           tx.dialect() == Dialect::postgres
               ? Value{text(tx.query("SELECT pg_current_snapshot()::text").at(0), 0)}
               : Value{nullptr},
           millis(now)});
      return Webhook{integer(rows.at(0), 0), webhook.url, webhook.events, now, {}};
    });
  }

  std::vector<Webhook> list_webhooks() override {
    const auto rows = read([](Connection& c) {
      return c.query("SELECT id, url, events, created_at FROM webhook_subscriptions ORDER BY id");
    });
    std::vector<Webhook> out;
    for (const auto& row : rows) out.push_back(to_webhook(row));
    return out;
  }

  Webhook get_webhook(WebhookId id) override {
    return read([&](Connection& c) {
      const auto rows =
          c.query("SELECT id, url, events, created_at FROM webhook_subscriptions WHERE id = $1",
                  {Value{id}});
      if (rows.empty()) webhook_not_found(id);
      Webhook webhook = to_webhook(rows.front());
      for (const auto& row : c.query("SELECT status, COUNT(*) FROM webhook_deliveries WHERE "
                                     "subscription_id = $1 GROUP BY status",
                                     {Value{id}})) {
        const std::string& status = text(row, 0);
        const std::int64_t n = integer(row, 1);
        if (status == "pending") webhook.deliveries.pending = n;
        if (status == "delivered") webhook.deliveries.delivered = n;
        if (status == "failed") webhook.deliveries.failed = n;
      }
      return webhook;
    });
  }

  void delete_webhook(WebhookId id, Instant) override {
    write([&](Connection& tx) {
      // Its deliveries go with it (ON DELETE CASCADE): a pending one is never claimed again.
      if (tx.query("DELETE FROM webhook_subscriptions WHERE id = $1 RETURNING 1", {Value{id}})
              .empty())
        webhook_not_found(id);
    });
  }

  std::int64_t fan_out_webhook_events(int limit, Instant now) override {
    limit = std::clamp(limit, 1, kMaxEventLimit);
    // Idle, the worker takes no write lock (SQLite has one for the whole database).
    if (read([](Connection& c) {
          return c.query("SELECT 1 FROM webhook_subscriptions LIMIT 1").empty();
        }))
      return 0;
    return write([&](Connection& tx) {
      const bool postgres = tx.dialect() == Dialect::postgres;
      // SKIP LOCKED: a subscription another replica is moving is left to it this round.
      const auto subscriptions =
          tx.query(std::string("SELECT id, events, feed_cursor, created_snapshot FROM "
                               "webhook_subscriptions ORDER BY id") +
                   (postgres ? " FOR UPDATE SKIP LOCKED" : ""));
      std::int64_t added = 0;
      for (const auto& subscription : subscriptions) {
        const Value id{integer(subscription, 0)};
        const auto patterns = patterns_from_json(text(subscription, 1));
        const auto statement =
            sql::events_statement(text(subscription, 2), std::nullopt, limit, tx.dialect());
        const auto rows = tx.query(statement.text, statement.params);
        if (rows.empty()) continue;
        const auto& snapshot = subscription.at(3);
        for (const auto& row : rows) {
          const InvoiceEvent event = to_event(row);
          if (snapshot && committed_in_snapshot(integer(row, 1), *snapshot))
            continue;  // committed before the subscription was made
          if (std::none_of(patterns.begin(), patterns.end(), [&](const std::string& p) {
                return webhook_pattern_matches(p, event.type);
              }))
            continue;
          added += static_cast<std::int64_t>(
              tx.query("INSERT INTO webhook_deliveries (subscription_id, event_id, invoice_id, "
                       "status, next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, "
                       "'pending', $4, $4, $4) ON CONFLICT DO NOTHING RETURNING 1",
                       {id, Value{event.id}, Value{event.invoice_id}, millis(now)})
                  .size());
        }
        // In the transaction that added the deliveries: a crash loses both or neither.
        tx.query("UPDATE webhook_subscriptions SET feed_cursor = $1 WHERE id = $2",
                 {Value{to_event(rows.back()).cursor}, id});
      }
      return added;
    });
  }

  std::vector<ClaimedDelivery> claim_webhook_deliveries(int limit, Instant now,
                                                        Instant lease_until) override {
    limit = std::clamp(limit, 1, kMaxEventLimit);
    if (read([&](Connection& c) {
          return c
              .query(
                  "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND "
                  "next_attempt_at <= $1 AND claimed_until <= $1 LIMIT 1",
                  {millis(now)})
              .empty();
        }))
      return {};  // nothing due: no write lock taken
    return write([&](Connection& tx) {
      const bool postgres = tx.dialect() == Dialect::postgres;
      // An earlier pending delivery of the same invoice to the same subscription, due or not,
      // leased or not, holds the later ones back: per-invoice order.
      const auto due = tx.query(
          std::string(
              "SELECT d.id FROM webhook_deliveries d WHERE d.status = 'pending' AND "
              "d.next_attempt_at <= $1 AND d.claimed_until <= $1 AND NOT EXISTS (SELECT 1 FROM "
              "webhook_deliveries e WHERE e.subscription_id = d.subscription_id AND "
              "e.invoice_id = d.invoice_id AND e.status = 'pending' AND e.event_id < "
              "d.event_id) ORDER BY d.event_id LIMIT ") +
              std::to_string(limit) + (postgres ? " FOR UPDATE OF d SKIP LOCKED" : ""),
          {millis(now)});
      std::vector<ClaimedDelivery> out;
      for (const auto& row : due) {
        const Value id{integer(row, 0)};
        tx.query("UPDATE webhook_deliveries SET claimed_until = $1 WHERE id = $2",
                 {millis(lease_until), id});
        const auto details = tx.query(
            std::string("SELECT ev.id, ") + (postgres ? "ev.txid::text" : "ev.txid") +
                ", ev.invoice_id, ev.type, ev.subject, ev.created_at, ev.invoice, d.id, "
                "d.subscription_id, s.url, s.secret, d.attempts, d.created_at FROM "
                "webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id "
                "JOIN invoice_events ev ON ev.id = d.event_id WHERE d.id = $1",
            {id});
        if (details.empty()) continue;
        const Row& r = details.front();
        ClaimedDelivery delivery;
        delivery.event = to_event(r);
        delivery.id = integer(r, 7);
        delivery.subscription_id = integer(r, 8);
        delivery.url = text(r, 9);
        delivery.secret = text(r, 10);
        delivery.attempts = static_cast<int>(integer(r, 11));
        delivery.created_at = Instant{std::chrono::milliseconds{integer(r, 12)}};
        out.push_back(std::move(delivery));
      }
      return out;
    });
  }

  void settle_webhook_deliveries(std::span<const SettledDelivery> settled, Instant now) override {
    using S = DeliveryOutcome::Status;
    if (settled.empty()) return;
    // One commit for a whole batch: on SQLite each commit is a sync of the WAL.
    write([&](Connection& tx) {
      for (const auto& [delivery_id, outcome] : settled) {
        const char* status = outcome.status == S::delivered ? "delivered"
                             : outcome.status == S::retry   ? "pending"
                                                            : "failed";
        tx.query(
            "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, "
            "next_attempt_at = $2, claimed_until = 0, last_status = $3, last_error = $4, "
            "updated_at = $5 WHERE id = $6 AND status = 'pending'",
            {Value{std::string(status)},
             outcome.status == S::retry ? millis(outcome.next_attempt_at) : millis(now),
             outcome.http_status ? Value{std::int64_t{outcome.http_status}} : Value{nullptr},
             outcome.error.empty() ? Value{nullptr} : Value{outcome.error}, millis(now),
             Value{delivery_id}});
      }
    });
  }

  std::int64_t webhook_backlog() override {
    return read([](Connection& c) {
      return integer(
          c.query("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'").at(0), 0);
    });
  }

  std::int64_t count() override {
    return read(
        [](Connection& c) { return integer(c.query("SELECT COUNT(*) FROM invoices").at(0), 0); });
  }

  void ping() override {
    read([](Connection& c) { c.query("SELECT 1"); });
  }

  int schema_version() override {
    return read([](Connection& c) { return sql::current_version(c); });
  }

  std::string_view backend() const noexcept override { return backend_; }

 private:
  // A read on a pooled connection, or on the bound one.
  template <class F>
  auto read(F&& f) -> decltype(f(std::declval<Connection&>())) {
    if (bound_) return f(*bound_);
    auto c = pool_->acquire();
    return f(*c);
  }

  // A write in a transaction of its own, or in the bound one.
  template <class F>
  auto write(F&& f) -> decltype(f(std::declval<Connection&>())) {
    if (bound_) return f(*bound_);
    auto c = pool_->acquire();
    return sql::in_transaction(*c, true, std::forward<F>(f));
  }

  template <class Change>
  Invoice change(InvoiceId id, std::string_view event_type, std::string_view subject, Instant now,
                 Change&& apply) {
    return write([&](Connection& tx) {
      auto invoice = find(tx, id, true);
      if (!invoice) not_found(id);
      const Invoice before = *invoice;
      apply(*invoice);  // throws the refusal; the transaction rolls back
      invoice->version = before.version + 1;
      update_state(tx, *invoice);
      apply_delay_changes(tx, merge_delay_changes(delay_changes(&before, *invoice)));
      record(tx, event_type, *invoice, subject, now);
      return *invoice;
    });
  }

  static void gather_statistics(Connection& c) {
    if (c.dialect() == Dialect::sqlite)
      // Sampled: about a second at a million invoices instead of a full pass over each index.
      c.execute_script("PRAGMA analysis_limit=1000; ANALYZE;");
    else
      c.execute_script("ANALYZE invoices; ANALYZE customer_paid_delays; ANALYZE invoice_events;");
  }

  void record(Connection& tx, std::string_view type, const Invoice& invoice,
              std::string_view subject, Instant now) const {
    if (record_events_) append_event(tx, type, invoice, subject, now);
  }

  std::unique_ptr<sql::Pool> pool_;  // null when bound
  Connection* bound_ = nullptr;
  std::string_view backend_;
  bool record_events_ = true;
};

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

int latest_schema_version() noexcept {
  return sql::latest_version();
}

std::string sqlite_url_in(const std::string& data_dir) {
  return "sqlite:" + (std::filesystem::path(data_dir) / "invoices.db").string();
}

std::string redact_url(std::string_view url) {
  std::string out(url);
  // user:password@ in the authority
  if (const auto scheme_end = out.find("://"); scheme_end != std::string::npos) {
    const auto start = scheme_end + 3;
    const auto end = std::min(out.find_first_of("/?#", start), out.size());
    const auto at = out.rfind('@', end);
    const auto colon = out.find(':', start);
    if (at != std::string::npos && at >= start && colon < at)
      out.replace(colon + 1, at - colon - 1, "***");
  }
  // password=… as a query parameter
  for (auto p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    const auto value = p + 9;
    const auto end = std::min(out.find('&', value), out.size());
    out.replace(value, end - value, "***");
  }
  return out;
}

std::unique_ptr<InvoiceStore> open_store(const StoreConfig& config) {
  const std::string& url = config.url;
  if (starts_with(url, "postgres://") || starts_with(url, "postgresql://")) {
    auto factory = [url, timeout = config.timeout] { return sql::open_postgres(url, timeout); };
    return std::make_unique<SqlStore>(std::move(factory), config, "postgres");
  }
  if (starts_with(url, "sqlite:")) {
    std::string path = url.substr(starts_with(url, "sqlite://") ? 9 : 7);
    if (path.empty())
      throw Error(ErrorKind::invalid, "invalid_store_url", "sqlite: URL without a path");
    std::error_code ec;
    const auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    if (ec)
      sql::unavailable("cannot create the data directory " + dir.string() + ": " + ec.message());
    auto factory = [path, timeout = config.timeout, bulk = config.bulk_load] {
      return sql::open_sqlite(path, timeout, bulk);
    };
    return std::make_unique<SqlStore>(std::move(factory), config, "sqlite");
  }
  throw Error(ErrorKind::invalid, "invalid_store_url",
              "store URL must start with sqlite:, postgres:// or postgresql:// (got " +
                  redact_url(url) + ")");
}

}  // namespace tim::invoices

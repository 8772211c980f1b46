// One suite for both back ends: every TEST_P runs on SQLite (a temporary directory) and on
// PostgreSQL (a fresh database in the server TIM_TEST_DATABASE_URL names; skipped when unset,
// start one with scripts/test-postgres.sh).
#include "tim/invoices/store.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "statements.hpp"
#include "tim/invoices/error.hpp"
#include "tim/invoices/json.hpp"

using namespace tim::invoices;
using namespace std::chrono_literals;

namespace {

Date day(const char* text) {
  return *Date::parse(text);
}
const Instant kNow = *parse_instant("2026-11-20T10:00:00.000Z");
const Instant kLater = *parse_instant("2026-11-21T09:30:00.123Z");

NewInvoice new_invoice(std::string customer = "C-1", std::int64_t amount = 12000,
                       const char* due = "2026-12-01") {
  return NewInvoice{std::nullopt, customer, "Acme Ltd", "GBP", amount, day("2026-11-01"), day(due)};
}

// The Error a call throws (code, kind), failing the test when it does not throw one.
template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no Error thrown";
  return Error(ErrorKind::internal, "none", "none");
}

// Runs SQL on the administrative PostgreSQL connection of the tests.
class PgAdmin {
 public:
  explicit PgAdmin(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK)
      throw std::runtime_error(std::string("cannot connect: ") + PQerrorMessage(conn_));
  }
  ~PgAdmin() { PQfinish(conn_); }
  void run(const std::string& statement) {
    PGresult* r = PQexec(conn_, statement.c_str());
    const auto status = PQresultStatus(r);
    const std::string message = PQresultErrorMessage(r);
    PQclear(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      throw std::runtime_error(statement + ": " + message);
  }

 private:
  PGconn* conn_;
};

// The URL with its database name replaced.
std::string with_database(const std::string& url, const std::string& name) {
  const auto authority = url.find("://") + 3;
  const auto path = url.find('/', authority);
  const auto query = url.find('?', authority);
  const auto path_end = query == std::string::npos ? url.size() : query;
  const auto cut = path == std::string::npos || path > path_end ? path_end : path;
  return url.substr(0, cut) + "/" + name + url.substr(path_end);
}

std::string unique_name(const char* prefix) {
  static std::atomic<int> counter{0};
  std::random_device random;
  return std::string(prefix) + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(random() % 100000);
}

Date plus_days(Date d, int days) {
  return Date::from_days(d.days_since_epoch() + days);
}

// A customer's delay histogram recomputed from their invoices (every page of the list), to
// compare with the one the store keeps.
std::vector<PaidDelay> recomputed_delays(InvoiceStore& store, const std::string& customer) {
  std::map<std::int32_t, std::int64_t> counts;
  ListFilter filter;
  filter.customer = customer;
  filter.limit = kMaxListLimit;
  for (;;) {
    const auto page = store.list(filter);
    for (const auto& invoice : page.invoices)
      if (auto delay = paid_delay_days(invoice)) ++counts[*delay];
    if (!page.next_cursor) break;
    filter.after_id = page.invoices.back().id;
  }
  std::vector<PaidDelay> out;
  for (const auto& [delay, count] : counts) out.push_back({delay, count});
  return out;
}

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      const char* admin_url = std::getenv("TIM_TEST_DATABASE_URL");
      if (!admin_url || !*admin_url)
        GTEST_SKIP() << "TIM_TEST_DATABASE_URL is not set: PostgreSQL store tests skipped "
                        "(start a server with scripts/test-postgres.sh start)";
      admin_ = std::make_unique<PgAdmin>(admin_url);
      database_ = unique_name("tim_test_");
      admin_->run("CREATE DATABASE " + database_);
      url_ = with_database(admin_url, database_);
    } else {
      dir_ = std::filesystem::temp_directory_path() / unique_name("tim-store-test-");
      url_ = sqlite_url_in((dir_ / "data").string());  // the data directory does not exist yet
    }
  }

  void TearDown() override {
    if (admin_) {
      try {
        admin_->run("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<InvoiceStore> open(std::optional<int> migrate_to = {},
                                     std::chrono::milliseconds timeout = 10s) {
    StoreConfig config;
    config.url = url_;
    config.migrate_to = migrate_to;
    config.timeout = timeout;
    return open_store(config);
  }

  std::string url_;
  std::filesystem::path dir_;
  std::unique_ptr<PgAdmin> admin_;
  std::string database_;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace

TEST_P(StoreTest, CreatesAndGetsInvoices) {
  auto store = open();
  EXPECT_EQ(store->backend(), GetParam());
  EXPECT_EQ(store->count(), 0);
  const auto first = store->create(new_invoice(), std::nullopt, kNow);
  EXPECT_TRUE(first.created);
  EXPECT_EQ(first.invoice.id, 1);
  EXPECT_EQ(first.invoice.ref, "INV-1");
  EXPECT_EQ(first.invoice.balance, 12000);
  auto with_ref = new_invoice();
  with_ref.ref = "ACME/7";
  const auto second = store->create(with_ref, std::nullopt, kNow).invoice;
  EXPECT_EQ(second.id, 2);
  EXPECT_EQ(second.ref, "ACME/7");
  EXPECT_EQ(store->get(1), first.invoice);
  EXPECT_EQ(store->get(2), second);
  EXPECT_EQ(store->count(), 2);
  const auto missing = error_of([&] { store->get(3); });
  EXPECT_EQ(missing.kind(), ErrorKind::not_found);
  auto bad = new_invoice();
  bad.ccy = "XYZ";
  EXPECT_EQ(error_of([&] { store->create(bad, std::nullopt, kNow); }).field(), "ccy");
  EXPECT_EQ(store->count(), 2);
}

TEST_P(StoreTest, ListsWithFiltersAndStableCursorPages) {
  auto store = open();
  std::vector<InvoiceId> c1_ids;
  for (int i = 0; i < 7; ++i) {
    const auto id = store->create(new_invoice("C-1", 100 + i), std::nullopt, kNow).invoice.id;
    c1_ids.push_back(id);
    store->create(new_invoice("C-2", 500, i % 2 ? "2026-11-15" : "2027-01-15"), std::nullopt, kNow);
  }
  store->record_payment(c1_ids[3], {103, day("2026-11-05"), std::nullopt}, kNow);

  ListFilter filter;
  filter.customer = "C-1";
  filter.limit = 3;
  std::vector<InvoiceId> seen;
  for (int page_number = 0;; ++page_number) {
    const auto page = store->list(filter);
    ASSERT_LE(page.invoices.size(), 3u);
    for (const auto& invoice : page.invoices) {
      EXPECT_EQ(invoice.customer_id, "C-1");
      seen.push_back(invoice.id);
    }
    if (page_number == 0)  // an invoice added mid-listing comes at the end, nothing repeats
      c1_ids.push_back(store->create(new_invoice("C-1"), std::nullopt, kNow).invoice.id);
    if (!page.next_cursor) break;
    filter.after_id = decode_cursor(*page.next_cursor, filter);
  }
  EXPECT_EQ(seen, c1_ids);

  ListFilter paid;
  paid.status = Status::paid;
  const auto paid_page = store->list(paid);
  ASSERT_EQ(paid_page.invoices.size(), 1u);
  EXPECT_EQ(paid_page.invoices[0].id, c1_ids[3]);
  EXPECT_FALSE(paid_page.next_cursor);

  ListFilter due;
  due.customer = "C-2";
  due.due_before = day("2026-12-01");
  EXPECT_EQ(store->list(due).invoices.size(), 3u);  // i = 1, 3, 5
  due.due_before.reset();
  due.due_after = day("2027-01-15");  // exclusive
  EXPECT_EQ(store->list(due).invoices.size(), 0u);
  due.due_after = day("2027-01-14");
  EXPECT_EQ(store->list(due).invoices.size(), 4u);

  ListFilter everything;
  everything.limit = kMaxListLimit;
  EXPECT_EQ(store->list(everything).invoices.size(), 15u);
}

TEST_P(StoreTest, IdempotentCreateReturnsTheFirstResult) {
  auto store = open();
  const auto first = store->create(new_invoice(), std::string("key-1"), kNow);
  EXPECT_TRUE(first.created);
  const auto retry = store->create(new_invoice(), std::string("key-1"), kLater);
  EXPECT_FALSE(retry.created);
  EXPECT_EQ(retry.invoice, first.invoice);
  EXPECT_EQ(store->count(), 1);

  const auto reused =
      error_of([&] { store->create(new_invoice("C-1", 1), std::string("key-1"), kNow); });
  EXPECT_EQ(reused.kind(), ErrorKind::conflict);
  EXPECT_EQ(reused.code(), "idempotency_key_reused");
  EXPECT_EQ(store->create(new_invoice(), std::string("key-2"), kNow).invoice.id, 2);
  for (std::string bad : {std::string(""), std::string("has space"), std::string(256, 'k')})
    EXPECT_EQ(error_of([&] { store->create(new_invoice(), bad, kNow); }).field(),
              "Idempotency-Key");
  EXPECT_EQ(store->count(), 2);
}

TEST_P(StoreTest, ConcurrentRetriesOfOneCreateMakeOneInvoice) {
  auto first = open();
  auto second = open();  // two replicas
  std::vector<std::thread> threads;
  std::vector<CreateResult> results(8);
  for (std::size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] {
      results[i] = (i % 2 ? *first : *second).create(new_invoice(), std::string("same"), kNow);
    });
  for (auto& t : threads) t.join();
  int created = 0;
  for (const auto& r : results) {
    created += r.created;
    EXPECT_EQ(r.invoice, results[0].invoice);
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(first->count(), 1);
}

TEST_P(StoreTest, PaymentsChangeBalanceAndStatusTogether) {
  auto store = open();
  const auto id = store->create(new_invoice(), std::nullopt, kNow).invoice.id;
  auto invoice = store->record_payment(id, {5000, day("2026-11-20"), std::nullopt}, kLater);
  EXPECT_EQ(invoice.balance, 7000);
  EXPECT_EQ(invoice.status, Status::open);
  EXPECT_EQ(invoice.updated_at, kLater);
  EXPECT_EQ(store->get(id), invoice);

  const auto refused = [&](PaymentRequest p) {
    const Invoice before = store->get(id);
    const Error e = error_of([&] { store->record_payment(id, p, kLater); });
    EXPECT_EQ(store->get(id), before) << "a refused payment changed the invoice";
    return e.code();
  };
  EXPECT_EQ(refused({7001, day("2026-11-21"), std::nullopt}), "payment_exceeds_balance");
  EXPECT_EQ(refused({100, day("2026-11-21"), "EUR"}), "currency_mismatch");
  EXPECT_EQ(refused({0, day("2026-11-21"), std::nullopt}), "invalid_field");
  EXPECT_EQ(refused({-5, day("2026-11-21"), std::nullopt}), "invalid_field");

  invoice = store->record_payment(id, {7000, day("2026-11-25"), "GBP"}, kLater);
  EXPECT_EQ(invoice.balance, 0);
  EXPECT_EQ(invoice.status, Status::paid);
  EXPECT_EQ(invoice.settled_date, day("2026-11-25"));
  EXPECT_EQ(store->get(id), invoice);
  EXPECT_EQ(refused({1, day("2026-11-26"), std::nullopt}), "invoice_paid");
  EXPECT_EQ(error_of([&] {
              store->record_payment(999, {1, day("2026-11-26"), std::nullopt}, kNow);
            }).kind(),
            ErrorKind::not_found);
}

TEST_P(StoreTest, ConcurrentPaymentsNeverOverdraw) {
  auto store = open();
  auto replica = open();
  const auto id = store->create(new_invoice("C-1", 1000), std::nullopt, kNow).invoice.id;
  std::atomic<int> accepted{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        try {
          (t % 2 ? *store : *replica)
              .record_payment(id, {7, day("2026-11-20"), std::nullopt}, kNow);
          ++accepted;
        } catch (const Error& e) {
          (e.code() == "payment_exceeds_balance" || e.code() == "invoice_paid" ? refused : other)++;
        }
      }
    });
  for (auto& t : threads) t.join();
  const Invoice invoice = store->get(id);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(accepted.load(), 1000 / 7);  // every payment that fit was taken, none more
  EXPECT_EQ(refused.load(), 200 - 1000 / 7);
  EXPECT_EQ(invoice.balance, 1000 - 7 * accepted.load());
  EXPECT_EQ(invoice.payments.size(), static_cast<std::size_t>(accepted.load()));
  EXPECT_EQ(invoice.status, Status::open);
}

TEST_P(StoreTest, VoidsOnlyOpenInvoicesWithoutPayments) {
  auto store = open();
  const auto a = store->create(new_invoice(), std::nullopt, kNow).invoice.id;
  const auto b = store->create(new_invoice(), std::nullopt, kNow).invoice.id;
  const auto voided = store->void_invoice(a, kLater);
  EXPECT_EQ(voided.status, Status::void_);
  EXPECT_EQ(store->get(a), voided);
  EXPECT_EQ(error_of([&] { store->void_invoice(a, kLater); }).code(), "invoice_not_voidable");
  EXPECT_EQ(error_of([&] {
              store->record_payment(a, {1, day("2026-11-20"), std::nullopt}, kNow);
            }).code(),
            "invoice_void");
  store->record_payment(b, {1, day("2026-11-20"), std::nullopt}, kNow);
  EXPECT_EQ(error_of([&] { store->void_invoice(b, kLater); }).code(), "invoice_not_voidable");
  EXPECT_EQ(store->get(b).status, Status::open);
  EXPECT_EQ(error_of([&] { store->void_invoice(77, kLater); }).kind(), ErrorKind::not_found);
}

TEST_P(StoreTest, ImportsABatchAllOrNothing) {
  auto store = open();
  std::vector<ImportRecord> records;
  for (int n = 1; n <= 5; ++n) {
    ImportRecord r{new_invoice("C-" + std::to_string(n), n * 100), {}, false};
    r.payments.push_back({10, day("2026-11-02"), std::nullopt});
    records.push_back(r);
  }
  records[1].payments.push_back({190, day("2026-11-09"), std::nullopt});  // settles it
  records[2].payments.clear();
  records[2].voided = true;
  auto bad = records;
  bad[3].payments.push_back({1000, day("2026-11-09"), std::nullopt});
  const Error refused = error_of([&] { store->import(bad, kNow); });
  EXPECT_EQ(refused.code(), "payment_exceeds_balance");
  EXPECT_EQ(std::string(refused.what()).rfind("record 3: ", 0), 0u) << refused.what();
  EXPECT_EQ(store->count(), 0);

  const auto ids = store->import(records, kNow).ids;
  EXPECT_EQ(ids, (std::vector<InvoiceId>{1, 2, 3, 4, 5}));
  EXPECT_EQ(store->get(1).balance, 90);
  EXPECT_EQ(store->get(1).ref, "INV-1");
  EXPECT_EQ(store->get(2).status, Status::paid);
  EXPECT_EQ(store->get(2).settled_date, day("2026-11-09"));
  EXPECT_EQ(store->get(3).status, Status::void_);
}

TEST_P(StoreTest, ImportsManyRowsAfterExistingInvoices) {
  // More rows than one multi-row INSERT takes, and not a multiple of it; ids go on from the
  // invoices already there, and refs generated from them.
  auto store = open();
  store->create(new_invoice(), std::nullopt, kNow);
  std::vector<ImportRecord> records;
  for (int n = 1; n <= 250; ++n) {
    ImportRecord r{new_invoice("C-" + std::to_string(n % 7), n * 100), {}, false};
    if (n % 3 == 0) r.invoice.ref = "R-" + std::to_string(n);
    if (n % 5 == 0) r.payments.push_back({n * 100, day("2026-11-09"), std::nullopt});
    records.push_back(r);
  }
  const auto ids = store->import(records, kNow).ids;
  ASSERT_EQ(ids.size(), 250u);
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], static_cast<InvoiceId>(i + 2));
  EXPECT_EQ(store->count(), 251);
  EXPECT_EQ(store->get(2).ref, "INV-2");
  EXPECT_EQ(store->get(4).ref, "R-3");
  const Invoice last = store->get(251);  // record 250: paid, a generated ref
  EXPECT_EQ(last.ref, "INV-251");
  EXPECT_EQ(last.amount, 25000);
  EXPECT_EQ(last.balance, 0);
  EXPECT_EQ(last.status, Status::paid);
  EXPECT_EQ(last.settled_date, day("2026-11-09"));
  EXPECT_EQ(last.customer_id, "C-5");
  EXPECT_EQ(store->get(250).balance, 24900);  // record 249: open, its own ref
  EXPECT_EQ(store->get(250).ref, "R-249");
  // A create after the import takes the next id.
  EXPECT_EQ(store->create(new_invoice(), std::nullopt, kNow).invoice.id, 252);
}

TEST_P(StoreTest, MigratesAnExistingDatabaseKeepingItsData) {
  {
    auto old_store = open(1);
    EXPECT_EQ(old_store->schema_version(), 1);
    old_store->create(new_invoice(), std::nullopt, kNow);
  }
  auto store = open();
  EXPECT_EQ(store->schema_version(), latest_schema_version());
  EXPECT_EQ(store->get(1).amount, 12000);
  EXPECT_TRUE(store->create(new_invoice(), std::string("k"), kNow).created);  // uses version 2
  EXPECT_FALSE(store->create(new_invoice(), std::string("k"), kNow).created);
  auto reopened = open();  // nothing left to migrate
  EXPECT_EQ(reopened->count(), 2);
}

TEST_P(StoreTest, ReplicasStartingTogetherMigrateOnce) {
  std::vector<std::unique_ptr<InvoiceStore>> stores(4);
  std::vector<std::string> failures(stores.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < stores.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        stores[i] = open();
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < stores.size(); ++i) {
    ASSERT_TRUE(stores[i]) << failures[i];
    EXPECT_EQ(stores[i]->schema_version(), latest_schema_version());
  }
  stores[0]->create(new_invoice(), std::nullopt, kNow);
  EXPECT_EQ(stores[3]->count(), 1);
}

TEST_P(StoreTest, SurvivesReopening) {
  InvoiceId id = 0;
  {
    auto store = open();
    id = store->create(new_invoice(), std::string("durable"), kNow).invoice.id;
    store->record_payment(id, {100, day("2026-11-03"), std::nullopt}, kLater);
  }
  auto store = open();
  EXPECT_EQ(store->get(id).balance, 11900);
  EXPECT_FALSE(store->create(new_invoice(), std::string("durable"), kNow).created);
}

// --- Failures of the store itself -------------------------------------------------------

TEST(StoreFailures, UnknownUrlSchemeIsInvalid) {
  StoreConfig config;
  config.url = "mysql://root:secret@localhost/db";
  const Error e = error_of([&] { open_store(config); });
  EXPECT_EQ(e.kind(), ErrorKind::invalid);
  EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << e.what();
}

TEST(StoreFailures, PostgresThatRefusesConnectionsIsUnavailable) {
  StoreConfig config;
  config.url = "postgres://tim:hunter2@127.0.0.1:1/none";  // nothing listens on port 1
  config.timeout = 2s;
  const Error e = error_of([&] { open_store(config); });
  EXPECT_EQ(e.kind(), ErrorKind::unavailable) << e.what();
  EXPECT_EQ(http_status(e.kind()), 503);
  EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
}

TEST(StoreFailures, SqliteBusyBeyondTheTimeoutIsUnavailable) {
  const auto dir = std::filesystem::temp_directory_path() / unique_name("tim-busy-");
  StoreConfig config;
  config.url = sqlite_url_in(dir.string());
  config.timeout = 200ms;
  auto store = open_store(config);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "invoices.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const Error e = error_of([&] { store->create(new_invoice(), std::nullopt, kNow); });
  EXPECT_EQ(e.kind(), ErrorKind::unavailable) << e.what();
  EXPECT_EQ(store->count(), 0);  // readers still read beside the writer (WAL)
  sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  EXPECT_TRUE(store->create(new_invoice(), std::nullopt, kNow).created);

  // A database from a newer build is refused, not misread.
  ASSERT_EQ(sqlite3_exec(other, "INSERT INTO schema_migrations VALUES (99, 'future')", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(other);
  EXPECT_EQ(error_of([&] { open_store(config); }).code(), "schema_too_new");
  std::filesystem::remove_all(dir);
}

// In one process, SQLite writers take turns on a mutex (sqlite_connection.cpp says why): a
// second writer waits for the turn, and every way a write transaction ends hands it back.
TEST(StoreFailures, SqliteWritersTakeTurnsAndEveryEndGivesTheTurnBack) {
  const auto dir = std::filesystem::temp_directory_path() / unique_name("tim-turns-");
  std::filesystem::create_directories(dir);
  const auto path = (dir / "turns.db").string();
  auto a = sql::open_sqlite(path, 200ms, false);
  auto b = sql::open_sqlite(path, 200ms, false);
  a->execute_script("CREATE TABLE t (x INTEGER NOT NULL)");
  const auto count = [&] { return *b->query("SELECT count(*) FROM t").at(0).at(0); };

  a->begin(true);
  const Error busy = error_of([&] { b->begin(true); });
  EXPECT_EQ(busy.kind(), ErrorKind::unavailable) << busy.what();
  EXPECT_NE(std::string(busy.what()).find("busy"), std::string::npos) << busy.what();
  a->query("INSERT INTO t VALUES (1)");
  a->commit();
  b->begin(true);  // a commit gave the turn back
  b->query("INSERT INTO t VALUES (2)");
  b->rollback();  // so does a rollback
  EXPECT_EQ(count(), "1");
  // A statement that fails inside the transaction: in_transaction rolls back and gives it back.
  EXPECT_THROW(sql::in_transaction(*a, true, [](sql::Connection& c) {
                 c.query("INSERT INTO t VALUES (NULL)");
               }),
               Error);
  sql::in_transaction(*b, true, [](sql::Connection& c) { c.query("INSERT INTO t VALUES (3)"); });
  EXPECT_EQ(count(), "2");

  // A writer waiting for the turn gets it when the holder commits, and sees its row.
  a->begin(true);
  std::string seen;
  std::thread waiting([&] {
    auto c = sql::open_sqlite(path, 10s, false);
    sql::in_transaction(*c, true, [&](sql::Connection& tx) {
      seen = *tx.query("SELECT count(*) FROM t").at(0).at(0);
    });
  });
  std::this_thread::sleep_for(50ms);
  a->query("INSERT INTO t VALUES (4)");
  a->commit();
  waiting.join();
  EXPECT_EQ(seen, "3");
  a.reset();
  b.reset();
  std::filesystem::remove_all(dir);
}

TEST(StoreFailures, SqliteDataDirectoryThatCannotExistIsUnavailable) {
  const auto file = std::filesystem::temp_directory_path() / unique_name("tim-file-");
  { std::ofstream(file) << "x"; }
  StoreConfig config;
  config.url = sqlite_url_in((file / "sub").string());  // a directory below a plain file
  EXPECT_EQ(error_of([&] { open_store(config); }).kind(), ErrorKind::unavailable);
  std::filesystem::remove(file);
}

TEST(StoreFailures, PostgresGoingAwayIsUnavailableThenRecovers) {
  const char* admin_url = std::getenv("TIM_TEST_DATABASE_URL");
  if (!admin_url || !*admin_url) GTEST_SKIP() << "TIM_TEST_DATABASE_URL is not set";
  PgAdmin admin(admin_url);
  const std::string name = unique_name("tim_test_gone_");
  admin.run("CREATE DATABASE " + name);
  StoreConfig config;
  config.url = with_database(admin_url, name);
  config.timeout = 2s;
  {
    auto store = open_store(config);
    const auto id = store->create(new_invoice(), std::nullopt, kNow).invoice.id;
    // The server drops our connections and refuses new ones, as when it stops.
    admin.run("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
    admin.run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name +
              "'");
    for (int attempt = 0; attempt < 3; ++attempt) {
      const Error e = error_of([&] { store->get(id); });
      EXPECT_EQ(e.kind(), ErrorKind::unavailable) << e.what();
    }
    EXPECT_EQ(error_of([&] { store->ping(); }).code(), "store_unavailable");
    admin.run("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
    EXPECT_EQ(store->get(id).amount, 12000);  // fresh connections, same data
    store->ping();
  }
  admin.run("DROP DATABASE " + name + " WITH (FORCE)");
}

TEST(RedactUrl, HidesPasswords) {
  EXPECT_EQ(redact_url("postgres://tim:s3cret@db:5432/tim"), "postgres://tim:***@db:5432/tim");
  EXPECT_EQ(redact_url("postgres://tim@db/tim"), "postgres://tim@db/tim");
  EXPECT_EQ(redact_url("postgresql://db/tim?user=a&password=pw&x=1"),
            "postgresql://db/tim?user=a&password=***&x=1");
  EXPECT_EQ(redact_url("sqlite:/var/lib/tim/invoices.db"), "sqlite:/var/lib/tim/invoices.db");
}

TEST_P(StoreTest, DemoDataAnswersTheTutorialsCurl) {
  auto store = open();
  const auto ids = store->import(tutorial_demo_records(), kNow).ids;
  ASSERT_EQ(ids.size(), 1000u);
  EXPECT_EQ(ids.front(), 1);
  EXPECT_EQ(ids.back(), 1000);
  const Invoice ten = store->get(10);  // {"id":10,"ref":"INV-10","amount":1000,"balance":990,…}
  EXPECT_EQ(ten.ref, "INV-10");
  EXPECT_EQ(ten.amount, 1000);
  EXPECT_EQ(ten.balance, 990);
  EXPECT_EQ(ten.ccy, "GBP");
  EXPECT_EQ(ten.status, Status::open);
}

// The predictor's history is the store's per-customer delay histogram, kept in the
// transaction of each payment and import.
TEST_P(StoreTest, PaidDelaysFollowPaymentsAndImports) {
  auto store = open();
  const auto a = store->create(new_invoice("C-1", 1000, "2026-11-10"), std::nullopt, kNow).invoice;
  const auto b = store->create(new_invoice("C-1", 1000, "2026-11-10"), std::nullopt, kNow).invoice;
  store->create(new_invoice("C-2", 1000, "2026-11-10"), std::nullopt, kNow);
  EXPECT_TRUE(store->paid_delays("C-1").empty());
  store->record_payment(a.id, {400, day("2026-11-12"), std::nullopt}, kNow);  // part: no count
  EXPECT_TRUE(store->paid_delays("C-1").empty());
  store->record_payment(a.id, {600, day("2026-11-15"), std::nullopt}, kNow);  // settled, 5 late
  store->record_payment(b.id, {1000, day("2026-11-15"), std::nullopt}, kNow);
  EXPECT_EQ(store->paid_delays("C-1"), (std::vector<PaidDelay>{{5, 2}}));
  EXPECT_TRUE(store->paid_delays("C-2").empty());
  // A refused payment changes nothing.
  EXPECT_EQ(error_of([&] {
              store->record_payment(a.id, {1, day("2026-11-16"), std::nullopt}, kNow);
            }).code(),
            "invoice_paid");
  EXPECT_EQ(store->paid_delays("C-1"), (std::vector<PaidDelay>{{5, 2}}));

  std::vector<ImportRecord> records;
  for (int n = 0; n < 300; ++n) {
    ImportRecord r{new_invoice(n % 3 ? "C-1" : "C-3", 500, "2026-11-05"), {}, false};
    if (n % 4 != 3)
      r.payments.push_back(
          {500, plus_days(day("2026-11-01"), static_cast<int>(n % 9)), std::nullopt});
    records.push_back(r);
  }
  store->import(records, kNow);
  for (const char* customer : {"C-1", "C-2", "C-3"})
    EXPECT_EQ(store->paid_delays(customer), recomputed_delays(*store, customer)) << customer;
  EXPECT_EQ(store->paid_delays("C-1").back(), (PaidDelay{5, 2}));  // a and b; imports are -4..4
}

// The history version moves with the histogram and only then: a cached prediction
// keyed by it is stale exactly when the customer's history changed.
TEST_P(StoreTest, HistoryVersionsMoveWithThePaidDelays) {
  auto store = open();
  const auto a = store->create(new_invoice("C-1", 1000, "2026-11-10"), std::nullopt, kNow).invoice;
  const auto b = store->create(new_invoice("C-1", 1000, "2026-11-10"), std::nullopt, kNow).invoice;
  store->create(new_invoice("C-2", 1000, "2026-11-10"), std::nullopt, kNow);
  const std::vector<std::string> both = {"C-2", "C-1", "C-1", "NOBODY"};
  auto histories = store->paid_histories(both);
  ASSERT_EQ(histories.size(), 3u);
  EXPECT_EQ(histories["C-1"].version, 0);
  EXPECT_TRUE(histories["NOBODY"].delays.empty());
  store->record_payment(a.id, {400, day("2026-11-12"), std::nullopt}, kNow);  // part: no change
  EXPECT_EQ(store->paid_histories(both)["C-1"].version, 0);
  store->record_payment(a.id, {600, day("2026-11-15"), std::nullopt}, kNow);  // settles a
  histories = store->paid_histories(both);
  const auto first = histories["C-1"].version;
  EXPECT_NE(first, 0);
  EXPECT_EQ(histories["C-1"].delays, (std::vector<PaidDelay>{{5, 1}}));
  EXPECT_EQ(histories["C-2"].version, 0);
  store->record_payment(b.id, {1000, day("2026-11-20"), std::nullopt}, kNow);
  histories = store->paid_histories(both);
  EXPECT_NE(histories["C-1"].version, first);
  EXPECT_NE(histories["C-1"].version, 0);
  EXPECT_EQ(histories["C-1"].delays, (std::vector<PaidDelay>{{5, 1}, {10, 1}}));
  EXPECT_EQ(histories["C-1"].version, history_version(histories["C-1"].delays));
  // One customer alone (a GET's read, its own statement) reads what it does among others.
  const std::vector<std::string> one = {"C-1"};
  const auto alone = store->paid_histories(one);
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(alone.at("C-1").delays, histories["C-1"].delays);
  EXPECT_EQ(alone.at("C-1").version, histories["C-1"].version);
  // More customers than one statement reads.
  std::vector<ImportRecord> records;
  std::vector<std::string> many;
  for (int n = 0; n < 250; ++n) {
    many.push_back("M-" + std::to_string(n));
    records.push_back({new_invoice(many.back(), 500, "2026-11-05"),
                       {{500, day("2026-11-07"), std::nullopt}},
                       false});
  }
  store->import(records, kNow);
  const auto imported = store->paid_histories(many);
  ASSERT_EQ(imported.size(), 250u);
  for (const auto& [customer, history] : imported) {
    EXPECT_EQ(history.version, history_version(std::vector<PaidDelay>{{2, 1}})) << customer;
    EXPECT_EQ(history.delays, (std::vector<PaidDelay>{{2, 1}})) << customer;
  }
}

TEST_P(StoreTest, OpenInvoicesArePagedInIdOrderWithTheirFilters) {
  auto store = open();
  std::vector<InvoiceId> open_ids;
  for (int n = 0; n < 30; ++n) {
    auto created =
        store->create(new_invoice(n % 3 ? "C-1" : "C-2", 100 + n, "2026-11-10"), std::nullopt, kNow)
            .invoice;
    if (n % 5 == 0)
      store->record_payment(created.id, {created.amount, day("2026-11-12"), std::nullopt}, kNow);
    else
      open_ids.push_back(created.id);
  }
  std::vector<InvoiceId> seen;
  for (InvoiceId after = 0;;) {
    const auto page = store->open_invoices({std::nullopt, std::nullopt, after, 7});
    for (const auto& invoice : page) {
      seen.push_back(invoice.id);
      EXPECT_EQ(invoice.balance, invoice.amount);
      EXPECT_EQ(invoice.status, Status::open);
    }
    if (page.size() < 7) break;
    after = page.back().id;
  }
  EXPECT_EQ(seen, open_ids);
  for (const auto& invoice : store->open_invoices({std::string("C-2"), std::nullopt, 0, 100}))
    EXPECT_EQ(invoice.customer_id, "C-2");
  EXPECT_TRUE(store->open_invoices({std::nullopt, std::string("USD"), 0, 100}).empty());
  EXPECT_EQ(store->open_invoices({std::nullopt, std::string("GBP"), 0, 100}).size(),
            open_ids.size());
}

TEST_P(StoreTest, PaidDelaysStayExactUnderConcurrentPayments) {
  // Two replicas settle invoices of one customer at once, all with the same few delays: the
  // histogram's rows are contended, and still every settle is counted once.
  auto store = open();
  auto replica = open();
  std::vector<ImportRecord> records(64,
                                    ImportRecord{new_invoice("C-9", 100, "2026-11-10"), {}, false});
  const auto ids = store->import(records, kNow).ids;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t i = static_cast<std::size_t>(t); i < ids.size(); i += 8) {
        try {
          (t % 2 ? *store : *replica)
              .record_payment(
                  ids[i],
                  {100, plus_days(day("2026-11-10"), static_cast<int>(i % 3)), std::nullopt}, kNow);
        } catch (const Error&) {
          ++failures;
        }
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store->paid_delays("C-9"), (std::vector<PaidDelay>{{0, 22}, {1, 21}, {2, 21}}));
  EXPECT_EQ(store->paid_delays("C-9"), recomputed_delays(*store, "C-9"));
}

TEST_P(StoreTest, MigrationBuildsThePaidDelaysOfExistingInvoices) {
  {
    // Version 2 had no summary: invoices settled then are made paid by hand, as they were.
    auto old_store = open(2);
    for (int n = 0; n < 40; ++n)
      old_store->create(new_invoice("C-" + std::to_string(n % 4), 100, "2026-11-10"), std::nullopt,
                        kNow);
    const bool sqlite = GetParam() == "sqlite";
    auto c = sqlite ? sql::open_sqlite(url_.substr(7), 10s, false) : sql::open_postgres(url_, 10s);
    for (int n = 0; n < 40; ++n) {
      if (n % 5 == 0) continue;  // left open
      const std::string settled = (plus_days(day("2026-11-03"), static_cast<int>(n))).to_string();
      c->query(
          "UPDATE invoices SET balance = 0, status = 'paid', settled_date = $1, payments = $2 "
          "WHERE id = $3",
          {sql::Value{settled}, sql::Value{R"([{"amount":100,"date":")" + settled + R"("}])"},
           sql::Value{std::int64_t{n + 1}}});
    }
  }
  auto store = open();
  for (int c = 0; c < 4; ++c) {
    const std::string customer = "C-" + std::to_string(c);
    EXPECT_EQ(store->paid_delays(customer), recomputed_delays(*store, customer)) << customer;
  }
  // C-1 is n = 1, 5, ..., 37: ten invoices, two of them (5, 25) open, one delay each.
  EXPECT_EQ(store->paid_delays("C-1").size(), 8u);
  EXPECT_EQ(store->paid_delays("C-1").front(), (PaidDelay{-6, 1}));  // n = 1: 11-04 vs 11-10
}

namespace {

// 100,000 invoices shaped like a real ledger, in the order they were issued (100 a day for
// 1,000 days): three customers with 10,000 each, 3,500 with about 20; the last 15,000 half
// open, the older ones paid but for 5% void and a few overdue stragglers still open.
void fill_like_a_ledger(InvoiceStore& store) {
  std::mt19937 random(18);
  std::vector<ImportRecord> batch;
  for (int n = 0; n < 100'000; ++n) {
    const std::string customer =
        n % 10 < 3 ? "BIG-" + std::to_string(n % 10) : "C-" + std::to_string(random() % 3500);
    const Date issue = plus_days(day("2024-01-01"), n / 100);
    ImportRecord r{
        NewInvoice{std::nullopt, customer, "Name", "GBP", 1000, issue, plus_days(issue, 30)},
        {},
        false};
    const auto dice = random() % 1000;
    const bool open = n >= 85'000 ? dice < 500 : dice < 2;
    if (dice >= 950)
      r.voided = true;
    else if (!open)
      r.payments.push_back(
          {1000, plus_days(issue, static_cast<int>(20 + random() % 30)), std::nullopt});
    batch.push_back(std::move(r));
    if (batch.size() == 10'000) {
      store.import(batch, kNow);
      batch.clear();
    }
  }
  store.refresh_statistics();
}

struct PlannedStatement {
  std::string what;
  sql::Statement statement;
  std::vector<std::string> allowed_indexes;  // the filter's own; empty: the table's key
};

ListFilter filter_of(std::optional<std::string> customer, std::optional<Status> status,
                     std::optional<const char*> due_before, std::optional<const char*> due_after,
                     std::optional<InvoiceId> after = std::nullopt) {
  ListFilter f;
  f.customer = std::move(customer);
  f.status = status;
  if (due_before) f.due_before = day(*due_before);
  if (due_after) f.due_after = day(*due_after);
  f.after_id = after;
  return f;
}

}  // namespace

// Every statement the API runs is answered through an index made for it, on a store
// of 100,000 invoices with its statistics gathered: no full scan, no walk of another filter's
// index. (COUNT(*) is left out: only readiness and seeding call it.)
TEST_P(StoreTest, EveryApiStatementUsesItsOwnIndexAtScale) {
  auto store = open();
  fill_like_a_ledger(*store);
  const bool sqlite = GetParam() == "sqlite";
  const auto dialect = sqlite ? sql::Dialect::sqlite : sql::Dialect::postgres;
  const std::vector<std::string> customer_indexes = {"invoices_by_customer",
                                                     "invoices_by_customer_status"};
  const std::vector<std::string> status_indexes = {"invoices_by_status"};
  // A status with a due-date range may go through either filter's index.
  const std::vector<std::string> status_or_due_indexes = {"invoices_by_status",
                                                          "invoices_by_due_date"};
  std::vector<PlannedStatement> statements = {
      {"get", sql::get_statement(54321), {}},
      {"paid delays", sql::paid_delays_statement("BIG-1"), {"customer_paid_delays_pkey"}},
      {"list, no filter", sql::list_statement({}, 51, dialect), {}},
      {"list, next page", sql::list_statement(filter_of({}, {}, {}, {}, 50'000), 51, dialect), {}},
  };
  for (const char* customer : {"BIG-2", "C-17"}) {
    const std::string c = customer;
    statements.push_back({"list by " + c,
                          sql::list_statement(filter_of(c, {}, {}, {}), 51, dialect),
                          customer_indexes});
    statements.push_back({"list by " + c + ", next page",
                          sql::list_statement(filter_of(c, {}, {}, {}, 60'000), 51, dialect),
                          customer_indexes});
    for (Status status : {Status::open, Status::paid, Status::void_})
      statements.push_back({"list by " + c + " and " + std::string(to_string(status)),
                            sql::list_statement(filter_of(c, status, {}, {}), 51, dialect),
                            customer_indexes});
    statements.push_back(
        {"list by " + c + " and due dates",
         sql::list_statement(filter_of(c, {}, "2025-01-01", "2024-06-01"), 51, dialect),
         customer_indexes});
    statements.push_back(
        {"list by " + c + ", open, overdue",
         sql::list_statement(filter_of(c, Status::open, "2025-06-01", {}), 51, dialect),
         customer_indexes});
  }
  for (Status status : {Status::open, Status::void_}) {
    const std::string s(to_string(status));
    statements.push_back({"list " + s,
                          sql::list_statement(filter_of({}, status, {}, {}), 51, dialect),
                          status_indexes});
    statements.push_back({"list " + s + ", next page",
                          sql::list_statement(filter_of({}, status, {}, {}, 40'000), 51, dialect),
                          status_indexes});
    statements.push_back({"list " + s + " due before",
                          sql::list_statement(filter_of({}, status, "2026-07-01", {}), 51, dialect),
                          status_or_due_indexes});
    statements.push_back(
        {"list " + s + " due between",
         sql::list_statement(filter_of({}, status, "2026-07-01", "2026-06-01"), 51, dialect),
         status_or_due_indexes});
  }
  // A due-date range alone is the one filter no index can hand over in id order: the planner
  // chooses between the date index and a sort of the range, and walking ids until the page is
  // full. Both are allowed here (a wide range is cheaper walked, a narrow one through the
  // index); neither may be a scan of the whole table.
  statements.push_back({"list due after",
                        sql::list_statement(filter_of({}, {}, {}, "2026-06-01"), 51, dialect),
                        {"invoices_by_due_date", "invoices_pkey"}});
  statements.push_back(
      {"list due between",
       sql::list_statement(filter_of({}, {}, "2025-05-01", "2025-04-01"), 51, dialect),
       {"invoices_by_due_date", "invoices_pkey"}});

  // The change feed: the first page, a page deep into it, one type, one invoice's events.
  const std::vector<std::string> feed_indexes = {"invoice_events_in_commit_order",
                                                 "invoice_events_pkey"};
  statements.push_back(
      {"events", sql::events_statement("", std::nullopt, 101, dialect), feed_indexes});
  statements.push_back(
      {"events, next page",
       sql::events_statement(sqlite ? "0-60000" : "1-60000", std::nullopt, 101, dialect),
       feed_indexes});
  // A type that is most of the feed may be read walking the feed's order and filtering (the
  // planner's choice: it stops at the limit); a rare one must go through the type's index.
  statements.push_back({"events of the common type invoice.imported",
                        sql::events_statement("", std::string("invoice.imported"), 101, dialect),
                        {"invoice_events_by_type", "invoice_events_in_commit_order"}});
  statements.push_back({"events of the rare type invoice.voided",
                        sql::events_statement("", std::string("invoice.voided"), 101, dialect),
                        {"invoice_events_by_type"}});
  const std::vector<std::string> refs = {"INV-000123", "F-77", "INV-099999"};
  statements.push_back(
      {"an import's duplicate check", sql::existing_refs_statement(refs), {"invoices_by_ref"}});
  // The forecast's reads: open invoices page by page, and their customers' histories.
  std::vector<std::string> customers;
  for (int n = 0; n < 40; ++n) customers.push_back("C-" + std::to_string(n));
  statements.push_back({"paid delays of a page's customers",
                        sql::paid_delays_of_statement(customers),
                        {"customer_paid_delays_pkey"}});
  statements.push_back({"forecast: open invoices",
                        sql::open_invoices_statement(std::nullopt, std::nullopt, 0, 1001, dialect),
                        status_indexes});
  statements.push_back(
      {"forecast: open invoices, next page",
       sql::open_invoices_statement(std::nullopt, std::nullopt, 40'000, 1001, dialect),
       status_indexes});
  statements.push_back(
      {"forecast: open invoices of one currency",
       sql::open_invoices_statement(std::nullopt, std::string("EUR"), 0, 1001, dialect),
       status_indexes});
  statements.push_back(
      {"forecast: one customer's open invoices",
       sql::open_invoices_statement(std::string("BIG-2"), std::nullopt, 0, 1001, dialect),
       customer_indexes});
  statements.push_back({"one invoice's events",
                        sql::invoice_events_statement(54321, 0, 101, dialect),
                        {"invoice_events_by_invoice"}});

  auto connection =
      sqlite ? sql::open_sqlite(url_.substr(7), 10s, false) : sql::open_postgres(url_, 10s);
  for (const auto& [what, statement, allowed] : statements) {
    const auto rows = connection->query(
        (sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + statement.text, statement.params);
    std::string plan;
    for (const auto& row : rows) plan += *row.at(sqlite ? 3 : 0) + "\n";
    // The index each step reads, or "" for a scan of the table itself.
    std::vector<std::string> used;
    bool full_scan = false;
    for (const auto& row : rows) {
      const std::string& step = *row.at(sqlite ? 3 : 0);
      if (sqlite) {
        // "SCAN invoices" is a walk in rowid (id) order: the whole table when a sort follows.
        if (step == "SCAN invoices") used.push_back("invoices_pkey");
        if (step == "SCAN invoice_events") full_scan = true;
        if (step.starts_with("SEARCH invoice_events") &&
            step.find("INTEGER PRIMARY KEY") != std::string::npos)
          used.push_back("invoice_events_pkey");
        if (step.starts_with("SCAN customer_paid_delays") ||
            (step.starts_with("SCAN invoices") && plan.find("TEMP B-TREE") != std::string::npos))
          full_scan = true;
        for (const char* marker : {"USING INDEX ", "USING COVERING INDEX "})
          if (auto at = step.find(marker); at != std::string::npos) {
            const auto from = at + std::strlen(marker);
            used.push_back(step.substr(from, step.find(' ', from) - from));
          }
        if (step.find("USING PRIMARY KEY") != std::string::npos)
          used.push_back("customer_paid_delays_pkey");  // WITHOUT ROWID: its key is the table
        if (step.find("INTEGER PRIMARY KEY") != std::string::npos &&
            !step.starts_with("SEARCH invoice_events"))
          used.push_back("invoices_pkey");
      } else {
        if (step.find("Seq Scan") != std::string::npos) full_scan = true;
        for (const char* marker : {"Index Scan using ", "Index Only Scan using ",
                                   "Bitmap Index Scan on ", "Index Scan Backward using "})
          if (auto at = step.find(marker); at != std::string::npos) {
            const auto from = at + std::strlen(marker);
            used.push_back(step.substr(from, step.find(' ', from) - from));
          }
      }
    }
    const bool unfiltered = allowed.empty();
    if (unfiltered) {
      // Pages in id order with no filter read the table in key order and stop at the limit.
      EXPECT_TRUE(plan.find("TEMP B-TREE") == std::string::npos &&
                  plan.find("Sort") == std::string::npos)
          << what << ": sorts the whole table\n"
          << plan;
      EXPECT_TRUE(sqlite || !full_scan) << what << "\n" << plan;
      continue;
    }
    EXPECT_FALSE(full_scan) << what << ": full scan\n" << plan;
    EXPECT_FALSE(used.empty()) << what << ": no index\n" << plan;
    for (const auto& index : used)
      EXPECT_NE(std::find(allowed.begin(), allowed.end(), index), allowed.end())
          << what << ": walks " << index << ", another filter's index\n"
          << plan;
  }
}

namespace {

IdempotentRequest keyed(std::string scope, std::string key, std::string_view body,
                        std::string target = "/api/invoices/1/payments") {
  return {std::move(scope),  std::move(key), "POST",
          std::move(target), body,           kNow - std::chrono::hours{24}};
}

// The keyed write the payments endpoint runs: a payment, answered with the balance.
InvoiceStore::KeyedWrite pay(InvoiceId id, std::int64_t amount) {
  return [id, amount](InvoiceStore& tx) {
    const Invoice invoice = tx.record_payment(id, {amount, day("2026-11-20"), std::nullopt}, kNow);
    return StoredAnswer{200, std::to_string(invoice.balance), ""};
  };
}

}  // namespace

// A keyed write runs once and its first answer comes back to every retry.
TEST_P(StoreTest, KeyedWriteRunsOnceAndReplaysItsFirstAnswer) {
  auto store = open();
  const auto id = store->create(new_invoice("C-1", 1000), std::nullopt, kNow).invoice.id;
  const std::string body = R"({"amount":100,"date":"2026-11-20"})";
  const auto first = store->write_once(keyed("alice", "pay-1", body), kNow, pay(id, 100));
  EXPECT_FALSE(first.replayed);
  EXPECT_EQ(first.answer.body, "900");
  const auto again = store->write_once(keyed("alice", "pay-1", body), kNow, pay(id, 100));
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.answer.status, 200);
  EXPECT_EQ(again.answer.body, "900");
  EXPECT_EQ(store->get(id).balance, 900);

  // The same key with another body, target or method is refused, and changes nothing.
  EXPECT_EQ(error_of([&] {
              store->write_once(keyed("alice", "pay-1", R"({"amount":200})"), kNow, pay(id, 200));
            }).code(),
            "idempotency_key_reused");
  EXPECT_EQ(error_of([&] {
              store->write_once(keyed("alice", "pay-1", body, "/api/invoices/2/payments"), kNow,
                                pay(id, 100));
            }).code(),
            "idempotency_key_reused");
  auto as_put = keyed("alice", "pay-1", body);
  as_put.method = "PUT";
  EXPECT_EQ(error_of([&] { store->write_once(as_put, kNow, pay(id, 100)); }).code(),
            "idempotency_key_reused");
  EXPECT_EQ(store->get(id).balance, 900);

  // Keys belong to their caller: another subject, or none, runs its own payment.
  EXPECT_FALSE(store->write_once(keyed("bob", "pay-1", body), kNow, pay(id, 100)).replayed);
  EXPECT_FALSE(store->write_once(keyed("", "pay-1", body), kNow, pay(id, 100)).replayed);
  EXPECT_TRUE(store->write_once(keyed("", "pay-1", body), kNow, pay(id, 100)).replayed);
  EXPECT_EQ(store->get(id).balance, 700);

  // A bad key is refused before anything runs.
  EXPECT_EQ(error_of([&] { store->write_once(keyed("", "", body), kNow, pay(id, 1)); }).field(),
            "Idempotency-Key");
}

TEST_P(StoreTest, KeyedWriteThatIsRefusedStoresNothing) {
  auto store = open();
  const auto id = store->create(new_invoice("C-1", 100), std::nullopt, kNow).invoice.id;
  const std::string body = R"({"amount":500})";
  EXPECT_EQ(error_of([&] { store->write_once(keyed("", "k", body), kNow, pay(id, 500)); }).code(),
            "payment_exceeds_balance");
  // Nothing was kept under the key: the corrected request (another body) may use it.
  EXPECT_FALSE(store->write_once(keyed("", "k", "{}"), kNow, pay(id, 100)).replayed);
  EXPECT_EQ(store->get(id).status, Status::paid);
}

TEST_P(StoreTest, KeyedWriteRollsBackWithItsAnswer) {
  // The change and the stored answer commit together: a write whose answer cannot be made
  // (it throws after the payment) leaves neither.
  auto store = open();
  const auto id = store->create(new_invoice("C-1", 1000), std::nullopt, kNow).invoice.id;
  EXPECT_THROW(
      store->write_once(keyed("", "k", "{}"), kNow,
                        [&](InvoiceStore& tx) -> StoredAnswer {
                          tx.record_payment(id, {10, day("2026-11-20"), std::nullopt}, kNow);
                          throw std::runtime_error("crash before the answer");
                        }),
      std::runtime_error);
  EXPECT_EQ(store->get(id).balance, 1000);
  EXPECT_FALSE(store->write_once(keyed("", "k", "{}"), kNow, pay(id, 10)).replayed);
  EXPECT_EQ(store->get(id).balance, 990);
}

TEST_P(StoreTest, ExpiredKeysAreFreeAgainAndPurged) {
  auto store = open();
  const auto id = store->create(new_invoice("C-1", 1000), std::nullopt, kNow).invoice.id;
  store->write_once(keyed("", "old", "{}"), kNow - std::chrono::hours{30}, pay(id, 10));
  store->write_once(keyed("", "new", "{}"), kNow, pay(id, 10));
  // "old" was made 30 hours before kNow: past the 24-hour window, it runs again.
  EXPECT_FALSE(store->write_once(keyed("", "old", "{}"), kNow, pay(id, 10)).replayed);
  store->write_once(keyed("", "older", "{}"), kNow - std::chrono::hours{48}, pay(id, 10));
  EXPECT_EQ(store->purge_idempotency_records(kNow - std::chrono::hours{24}), 1);
  EXPECT_TRUE(store->write_once(keyed("", "new", "{}"), kNow, pay(id, 10)).replayed);
  EXPECT_EQ(store->get(id).balance, 960);
}

TEST_P(StoreTest, ConcurrentRetriesOfOneKeyedPaymentPayOnce) {
  // 50 identical requests with one key, from two replicas at once: one payment, and every
  // request answered with its balance (the first's answer).
  auto store = open();
  auto replica = open();
  const auto id = store->create(new_invoice("C-1", 100000), std::nullopt, kNow).invoice.id;
  std::atomic<int> replayed{0}, failed{0};
  std::vector<std::string> answers(50);
  std::vector<std::thread> threads;
  for (int t = 0; t < 50; ++t)
    threads.emplace_back([&, t] {
      try {
        const auto answer = (t % 2 ? *store : *replica)
                                .write_once(keyed("alice", "once", "{}"), kNow, pay(id, 250));
        answers[static_cast<std::size_t>(t)] = answer.answer.body;
        if (answer.replayed) ++replayed;
      } catch (const Error& e) {
        ADD_FAILURE() << e.code() << ": " << e.what();
        ++failed;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(replayed.load(), 49);
  for (const auto& a : answers) EXPECT_EQ(a, "99750");
  EXPECT_EQ(store->get(id).payments.size(), 1u);
}

TEST_P(StoreTest, KeyedImportIsOneTransactionWithItsAnswer) {
  auto store = open();
  std::vector<ImportRecord> records(3, ImportRecord{new_invoice(), {}, false});
  auto import = [&](InvoiceStore& tx) {
    return StoredAnswer{200, std::to_string(tx.import(records, kNow).ids.size()), ""};
  };
  EXPECT_FALSE(
      store->write_once(keyed("", "file-1", "csv", "/api/invoices/import"), kNow, import).replayed);
  EXPECT_TRUE(
      store->write_once(keyed("", "file-1", "csv", "/api/invoices/import"), kNow, import).replayed);
  EXPECT_EQ(store->count(), 3);
}

// Corrections in one transaction, the summary kept right.
TEST_P(StoreTest, ReversalsAndCreditNotesKeepTheLedgerAndTheSummary) {
  auto store = open();
  const auto id =
      store->create(new_invoice("C-1", 1000, "2026-11-10"), std::nullopt, kNow).invoice.id;
  store->record_payment(id, {1000, day("2026-11-12"), std::nullopt}, kNow);
  EXPECT_EQ(store->paid_delays("C-1"), (std::vector<PaidDelay>{{2, 1}}));
  const Invoice reversed = store->reverse_payment(id, 1, {"bounced", day("2026-11-13")}, kNow);
  EXPECT_EQ(reversed.status, Status::open);
  EXPECT_EQ(store->get(id), reversed);
  EXPECT_TRUE(store->paid_delays("C-1").empty());
  EXPECT_EQ(error_of([&] {
              store->reverse_payment(id, 1, {"again", day("2026-11-13")}, kNow);
            }).code(),
            "payment_already_reversed");
  EXPECT_EQ(error_of([&] {
              store->reverse_payment(id, 5, {"x", day("2026-11-13")}, kNow);
            }).kind(),
            ErrorKind::not_found);
  store->add_credit_note(id, {300, "discount", day("2026-11-14")}, kNow);
  const Invoice paid = store->record_payment(id, {700, day("2026-11-15"), std::nullopt}, kNow);
  EXPECT_EQ(paid.status, Status::paid);
  EXPECT_EQ(settled_by(paid), "payments_and_credit");
  EXPECT_EQ(paid.payments.size(), 3u);
  EXPECT_EQ(store->paid_delays("C-1"), (std::vector<PaidDelay>{{5, 1}}));
  EXPECT_EQ(store->paid_delays("C-1"), recomputed_delays(*store, "C-1"));
}

TEST_P(StoreTest, AmendmentsNeedTheCurrentETag) {
  auto store = open();
  const Invoice created =
      store->create(new_invoice("C-1", 1000, "2026-11-10"), std::nullopt, kNow).invoice;
  const Invoice amended =
      store->amend(created.id, {"Acme Holdings", day("2026-11-20"), 1200}, etag(created), kLater);
  EXPECT_EQ(amended.version, created.version + 1);
  EXPECT_EQ(amended.amount, 1200);
  EXPECT_EQ(store->get(created.id), amended);
  // The ETag read before the amendment is stale now: refused, nothing changed.
  const Error stale = error_of([&] {
    store->amend(created.id, {"Other", std::nullopt, std::nullopt}, etag(created), kNow);
  });
  EXPECT_EQ(stale.kind(), ErrorKind::precondition_failed);
  EXPECT_EQ(store->get(created.id), amended);
  // Every change moves the version: a payment makes the amendment's ETag stale too.
  store->record_payment(created.id, {1200, day("2026-11-25"), std::nullopt}, kNow);
  EXPECT_EQ(error_of([&] {
              store->amend(created.id, {"Other", std::nullopt, std::nullopt}, etag(amended), kNow);
            }).code(),
            "precondition_failed");
  // A paid invoice's new due date moves its delay in the summary.
  EXPECT_EQ(store->paid_delays("C-1"), (std::vector<PaidDelay>{{5, 1}}));
  const Invoice now_paid = store->get(created.id);
  store->amend(created.id, {std::nullopt, day("2026-11-22"), std::nullopt}, etag(now_paid), kNow);
  EXPECT_EQ(store->paid_delays("C-1"), (std::vector<PaidDelay>{{3, 1}}));
  EXPECT_EQ(error_of([&] {
              store->amend(created.id, {std::nullopt, std::nullopt, 5}, "*", kNow);
            }).code(),
            "amount_locked");
}

TEST_P(StoreTest, ConcurrentAmendmentsFromOneVersionLetOneThrough) {
  auto store = open();
  auto replica = open();
  const Invoice created = store->create(new_invoice(), std::nullopt, kNow).invoice;
  std::atomic<int> applied{0}, stale{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      try {
        (t % 2 ? *store : *replica)
            .amend(created.id, {"Name " + std::to_string(t), std::nullopt, std::nullopt},
                   etag(created), kNow);
        ++applied;
      } catch (const Error& e) {
        if (e.code() == "precondition_failed") ++stale;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(applied.load(), 1);
  EXPECT_EQ(stale.load(), 7);
  EXPECT_EQ(store->get(created.id).version, created.version + 1);
}

namespace {

// Every event of the feed from its start, one page of `limit` at a time.
// The feed from `filter.after` on, followed until it holds at least `expected` events. On
// PostgreSQL the feed hands out only what every older transaction on the server has settled,
// and other test processes share the server (ctest -j2), so a reader follows it as a client
// would instead of reading it once. Fewer than `expected` after 30 s is what the test reports.
std::vector<InvoiceEvent> follow_feed(InvoiceStore& store, EventFilter filter,
                                      std::size_t expected) {
  std::vector<InvoiceEvent> out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    auto page = store.events(filter);
    for (auto& event : page.events) out.push_back(std::move(event));
    filter.after = page.cursor;
    if (page.more) continue;
    if (out.size() >= expected || std::chrono::steady_clock::now() >= deadline) return out;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::vector<InvoiceEvent> whole_feed(InvoiceStore& store, std::size_t expected,
                                     std::optional<std::string> type = {}, int limit = 1000) {
  return follow_feed(store, EventFilter{"", limit, std::move(type)}, expected);
}

std::vector<std::string> types_of(const std::vector<InvoiceEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.type);
  return out;
}

}  // namespace

// Each change appends its event, made by its subject, with the invoice after.
TEST_P(StoreTest, EveryChangeAppendsItsEventWithTheSubjectAndTheInvoiceAfterIt) {
  auto store = open();
  const Invoice created =
      store->create(new_invoice("C-1", 1000), std::nullopt, kNow, "alice").invoice;
  const InvoiceId id = created.id;
  store->record_payment(id, {300, day("2026-11-10"), std::nullopt}, kNow, "bob");
  store->reverse_payment(id, 1, {"typo", day("2026-11-11")}, kNow, "bob");
  store->add_credit_note(id, {100, "damaged", day("2026-11-12")}, kNow, "carol");
  const Invoice amended =
      store->amend(id, {"Acme Group", std::nullopt, std::nullopt}, "*", kLater, "carol");
  // A refusal appends nothing.
  error_of([&] { store->record_payment(id, {5000, day("2026-11-13"), std::nullopt}, kNow); });
  const InvoiceId other = store->create(new_invoice("C-2", 500), std::nullopt, kNow).invoice.id;
  store->void_invoice(other, kNow, "dave");
  const ImportRecord record{new_invoice("C-3", 700), {}, false};
  const auto imported = store->import(std::span(&record, 1), kNow, "importer").ids;

  const auto events = store->invoice_events(id, 0, 100);
  EXPECT_EQ(types_of(events),
            (std::vector<std::string>{"invoice.created", "invoice.payment_recorded",
                                      "invoice.payment_reversed", "invoice.credited",
                                      "invoice.updated"}));
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].subject, "alice");
  EXPECT_EQ(events[1].subject, "bob");
  EXPECT_EQ(events[4].subject, "carol");
  EXPECT_EQ(events[4].at, kLater);
  EXPECT_EQ(events[4].invoice_json, boost::json::serialize(invoice_to_json(amended)));
  EXPECT_NE(events[1].invoice_json.find("\"balance\":700"), std::string::npos)
      << events[1].invoice_json;
  // After an id: the rest; an unknown invoice: not_found.
  EXPECT_EQ(store->invoice_events(id, events[2].id, 100).size(), 2u);
  EXPECT_EQ(store->invoice_events(id, 0, 2).size(), 2u);
  EXPECT_EQ(error_of([&] { store->invoice_events(999, 0, 10); }).code(), "not_found");

  const auto feed = whole_feed(*store, 8);
  EXPECT_EQ(types_of(feed), (std::vector<std::string>{
                                "invoice.created", "invoice.payment_recorded",
                                "invoice.payment_reversed", "invoice.credited", "invoice.updated",
                                "invoice.created", "invoice.voided", "invoice.imported"}));
  ASSERT_EQ(feed.size(), 8u);
  EXPECT_EQ(feed[6].subject, "dave");
  EXPECT_EQ(feed[7].subject, "importer");
  EXPECT_EQ(feed[7].invoice_id, imported.at(0));
}

TEST_P(StoreTest, KeyedWritesAppendOneEventAndReplaysNone) {
  auto store = open();
  const auto id = store->create(new_invoice("C-1", 1000), std::nullopt, kNow).invoice.id;
  const std::string body = R"({"amount":100,"date":"2026-11-20"})";
  store->write_once(keyed("alice", "pay-1", body), kNow, pay(id, 100));
  EXPECT_TRUE(store->write_once(keyed("alice", "pay-1", body), kNow, pay(id, 100)).replayed);
  EXPECT_EQ(types_of(store->invoice_events(id, 0, 100)),
            (std::vector<std::string>{"invoice.created", "invoice.payment_recorded"}));
}

TEST_P(StoreTest, FeedPagesFollowTheCursorAndFilterByType) {
  auto store = open();
  for (int i = 0; i < 5; ++i) {
    const auto id = store->create(new_invoice("C-1", 1000), std::nullopt, kNow).invoice.id;
    store->record_payment(id, {100, day("2026-11-10"), std::nullopt}, kNow);
  }
  const auto all = whole_feed(*store, 10, std::nullopt, 3);
  ASSERT_EQ(all.size(), 10u);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_GT(all[i].id, all[i - 1].id);
  const auto payments = whole_feed(*store, 5, std::string("invoice.payment_recorded"), 2);
  ASSERT_EQ(payments.size(), 5u);
  for (const auto& e : payments) EXPECT_EQ(e.type, "invoice.payment_recorded");
  // A reader at the end gets nothing, keeps its cursor, and sees what comes next.
  auto end = store->events({all.back().cursor, 10, std::nullopt});
  EXPECT_TRUE(end.events.empty());
  EXPECT_FALSE(end.more);
  EXPECT_EQ(end.cursor, all.back().cursor);
  store->void_invoice(store->create(new_invoice(), std::nullopt, kNow).invoice.id, kNow);
  EXPECT_EQ(types_of(follow_feed(*store, {end.cursor, 10, std::nullopt}, 2)),
            (std::vector<std::string>{"invoice.created", "invoice.voided"}));
  for (const char* bad : {"x", "1", "1-", "-1", "1-2-3", "a-1", "1--2"})
    EXPECT_EQ(error_of([&] {
                store->events({bad, 10, std::nullopt});
              }).code(),
              "invalid_field")
        << bad;
}

// A follower polling the feed while writers commit out of order (each holds its transaction
// open a random while after its change) must see every event exactly once. Without the
// PostgreSQL snapshot guard a later id committed first moves the cursor past an earlier one.
TEST_P(StoreTest, FeedFollowerMissesNoEventWhileWritersCommitOutOfOrder) {
  auto store = open();
  auto replica = open();
  constexpr int kInvoices = 8, kPaymentsEach = 15;
  std::vector<InvoiceId> ids;
  for (int i = 0; i < kInvoices; ++i)
    ids.push_back(store->create(new_invoice("C-1", 100000), std::nullopt, kNow).invoice.id);
  std::atomic<bool> writing{true};
  std::vector<std::int64_t> seen;
  constexpr std::size_t kEvents = kInvoices * (1 + kPaymentsEach);
  std::thread follower([&] {
    EventFilter filter{"", 7, std::nullopt};
    // Once the writers are done it keeps following until it has them all: another test
    // process's open transaction on the same server may hold the last ones back a while. A
    // skipped event never comes, and the count below fails after the 30 s.
    std::optional<std::chrono::steady_clock::time_point> deadline;
    for (;;) {
      const bool last_round = !writing.load();
      if (last_round && !deadline)
        deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      const auto page = store->events(filter);
      for (const auto& e : page.events) seen.push_back(e.id);
      filter.after = page.cursor;
      if (last_round && !page.more &&
          (seen.size() >= kEvents || std::chrono::steady_clock::now() >= *deadline))
        return;
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kInvoices; ++w)
    writers.emplace_back([&, w] {
      std::mt19937 random(static_cast<unsigned>(w));
      for (int p = 0; p < kPaymentsEach; ++p) {
        const auto pause = std::chrono::milliseconds(random() % 8);
        (w % 2 ? *store : *replica)
            .write_once(keyed("w", std::to_string(w) + "-" + std::to_string(p), "{}"), kNow,
                        [&, pause](InvoiceStore& tx) {
                          tx.record_payment(ids[static_cast<std::size_t>(w)],
                                            {1, day("2026-11-20"), std::nullopt}, kNow);
                          std::this_thread::sleep_for(pause);  // commits late, out of order
                          return StoredAnswer{200, "{}", ""};
                        });
      }
    });
  for (auto& t : writers) t.join();
  writing = false;
  follower.join();
  const std::set<std::int64_t> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "an event was handed out twice";
  EXPECT_EQ(seen.size(), kEvents) << "the follower missed events";
  EXPECT_EQ(whole_feed(*store, kEvents).size(), kEvents);
}

// A ref already stored, or earlier in the same import, is not stored again.
TEST_P(StoreTest, ImportSkipsRowsWhoseRefExistsAndListsThem) {
  auto store = open();
  auto with_ref = [](const char* ref) {
    NewInvoice invoice = new_invoice("C-9", 500);
    invoice.ref = ref;
    return ImportRecord{invoice, {}, false};
  };
  const std::vector<ImportRecord> first = {with_ref("F-1"), with_ref("F-2")};
  const auto stored = store->import(first, kNow);
  EXPECT_EQ(stored.ids.size(), 2u);
  EXPECT_TRUE(stored.duplicates.empty());
  const std::vector<ImportRecord> again = {with_ref("F-2"), with_ref("F-3"), with_ref("F-3"),
                                           ImportRecord{new_invoice("C-9", 1), {}, false},
                                           with_ref("F-1")};
  const auto second = store->import(again, kNow);
  EXPECT_EQ(second.duplicates, (std::vector<std::size_t>{0, 2, 4}));
  EXPECT_EQ(second.ids.size(), 2u);  // F-3 and the one without a ref
  EXPECT_EQ(store->count(), 4);
  EXPECT_EQ(whole_feed(*store, 4, std::string("invoice.imported")).size(), 4u);
}

// Webhooks: subscriptions, the outbox the feed fills, and the workers' claims.
namespace {

NewWebhook webhook_to(std::vector<std::string> events) {
  return {"http://127.0.0.1:9/in", std::move(events), "whsec_test"};
}

// Fans the feed out until `expected` deliveries were added (PostgreSQL holds events back while
// another test's transaction on the shared server is older: 30 s at most).
std::int64_t fan_out_until(InvoiceStore& store, std::int64_t expected) {
  std::int64_t added = 0;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (added < expected && std::chrono::steady_clock::now() < deadline) {
    added += store.fan_out_webhook_events(100, kNow);
    if (added < expected) std::this_thread::sleep_for(20ms);
  }
  return added;
}

std::set<std::int64_t> event_ids(const std::vector<ClaimedDelivery>& claimed) {
  std::set<std::int64_t> ids;
  for (const auto& d : claimed) ids.insert(d.event.id);
  return ids;
}

DeliveryOutcome delivered() {
  return {DeliveryOutcome::Status::delivered, {}, 200, {}};
}

TEST_P(StoreTest, WebhookFollowsTheFeedFromItsCreationOnlyMatchingTypes) {
  auto store = open();
  const auto before = store->create(new_invoice(), std::nullopt, kNow).invoice;
  const Webhook webhook = store->create_webhook(webhook_to({"invoice.payment_recorded"}), kNow);
  EXPECT_GT(webhook.id, 0);
  store->record_payment(before.id, {100, day("2026-11-05"), std::nullopt}, kNow);
  store->create(new_invoice(), std::nullopt, kNow);  // not a payment: not delivered
  EXPECT_EQ(fan_out_until(*store, 1), 1);
  EXPECT_EQ(store->fan_out_webhook_events(100, kNow), 0) << "the cursor moved with the rows";

  const auto shown = store->get_webhook(webhook.id);
  EXPECT_EQ(shown.url, "http://127.0.0.1:9/in");
  EXPECT_EQ(shown.events, std::vector<std::string>{"invoice.payment_recorded"});
  EXPECT_EQ(shown.deliveries.pending, 1);
  EXPECT_EQ(store->webhook_backlog(), 1);
  const auto claimed = store->claim_webhook_deliveries(10, kNow, kLater);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].event.type, "invoice.payment_recorded");
  EXPECT_EQ(claimed[0].event.invoice_id, before.id);
  EXPECT_EQ(claimed[0].secret, "whsec_test");
  EXPECT_EQ(claimed[0].attempts, 0);
  store->settle_webhook_delivery(claimed[0].id, delivered(), kNow);
  EXPECT_EQ(store->get_webhook(webhook.id).deliveries.delivered, 1);
  EXPECT_EQ(store->webhook_backlog(), 0);
  EXPECT_EQ(store->list_webhooks().size(), 1u);
  EXPECT_EQ(error_of([&] { store->get_webhook(webhook.id + 100); }).kind(), ErrorKind::not_found);
}

TEST_P(StoreTest, AWebhookNeverGetsWhatCommittedBeforeIt) {
  auto store = open();
  // PostgreSQL: an older transaction still open holds the feed's horizon back, so the cursor a
  // new subscription starts from is below events that had already committed.
  std::unique_ptr<PgAdmin> holder;
  if (GetParam() == "postgres") {
    holder = std::make_unique<PgAdmin>(url_);
    holder->run("BEGIN");
    holder->run("SELECT pg_current_xact_id()");
  }
  const auto before = store->create(new_invoice(), std::nullopt, kNow).invoice;
  store->create_webhook(webhook_to({"*"}), kNow);
  const auto after = store->create(new_invoice(), std::nullopt, kNow).invoice;
  if (holder) holder->run("ROLLBACK");
  EXPECT_EQ(fan_out_until(*store, 1), 1);
  const auto claimed = store->claim_webhook_deliveries(10, kNow, kLater);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].event.invoice_id, after.id);
  EXPECT_NE(claimed[0].event.invoice_id, before.id);
}

TEST_P(StoreTest, WebhookDeliveriesOfOneInvoiceGoOutInOrder) {
  auto store = open();
  store->create_webhook(webhook_to({"invoice.*"}), kNow);
  const auto a = store->create(new_invoice("A"), std::nullopt, kNow).invoice;
  const auto b = store->create(new_invoice("B"), std::nullopt, kNow).invoice;
  store->record_payment(a.id, {100, day("2026-11-05"), std::nullopt}, kNow);
  store->record_payment(a.id, {100, day("2026-11-06"), std::nullopt}, kNow);
  ASSERT_EQ(fan_out_until(*store, 4), 4);
  const auto events_of_a = store->invoice_events(a.id, 0, 10);
  ASSERT_EQ(events_of_a.size(), 3u);

  // Only the oldest of each invoice is due: A's create and B's create.
  auto first = store->claim_webhook_deliveries(10, kNow, kNow + 60s);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(event_ids(first).count(events_of_a[0].id), 1u);
  EXPECT_TRUE(store->claim_webhook_deliveries(10, kNow, kNow + 60s).empty())
      << "leased ones are not taken again, and they hold their invoice's later events back";
  for (const auto& d : first) {
    if (d.event.invoice_id == a.id)  // A's receiver fails: retried in an hour
      store->settle_webhook_delivery(
          d.id, {DeliveryOutcome::Status::retry, kNow + 1h, 500, "HTTP 500"}, kNow);
    else
      store->settle_webhook_delivery(d.id, delivered(), kNow);
  }
  EXPECT_TRUE(store->claim_webhook_deliveries(10, kNow + 10min, kNow + 11min).empty())
      << "A's later payments wait for its create";
  auto retried = store->claim_webhook_deliveries(10, kNow + 61min, kNow + 62min);
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].event.id, events_of_a[0].id);
  EXPECT_EQ(retried[0].attempts, 1);
  // Given up: the next of A proceeds.
  store->settle_webhook_delivery(retried[0].id,
                                 {DeliveryOutcome::Status::failed, {}, 500, "HTTP 500"}, kNow);
  auto next = store->claim_webhook_deliveries(10, kNow + 62min, kNow + 63min);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].event.id, events_of_a[1].id);
}

TEST_P(StoreTest, AnExpiredLeaseIsClaimedAgain) {
  auto store = open();
  store->create_webhook(webhook_to({"*"}), kNow);
  store->create(new_invoice(), std::nullopt, kNow);
  ASSERT_EQ(fan_out_until(*store, 1), 1);
  ASSERT_EQ(store->claim_webhook_deliveries(10, kNow, kNow + 40s).size(), 1u);
  EXPECT_TRUE(store->claim_webhook_deliveries(10, kNow + 39s, kNow + 80s).empty());
  EXPECT_EQ(store->claim_webhook_deliveries(10, kNow + 41s, kNow + 80s).size(), 1u)
      << "the worker holding it died: another sends it";
}

TEST_P(StoreTest, DeletingAWebhookDropsItsPendingDeliveries) {
  auto store = open();
  const auto webhook = store->create_webhook(webhook_to({"*"}), kNow);
  store->create(new_invoice(), std::nullopt, kNow);
  ASSERT_EQ(fan_out_until(*store, 1), 1);
  auto claimed = store->claim_webhook_deliveries(10, kNow, kNow + 40s);
  ASSERT_EQ(claimed.size(), 1u);
  store->delete_webhook(webhook.id, kNow);
  EXPECT_EQ(store->webhook_backlog(), 0);
  EXPECT_TRUE(store->list_webhooks().empty());
  EXPECT_TRUE(store->claim_webhook_deliveries(10, kNow + 1h, kNow + 2h).empty());
  store->settle_webhook_delivery(claimed[0].id, delivered(), kNow);  // in flight: no harm
  EXPECT_EQ(error_of([&] { store->delete_webhook(webhook.id, kNow); }).kind(),
            ErrorKind::not_found);
}

TEST_P(StoreTest, ConcurrentWorkersNeverShareADeliveryNorLoseOne) {
  auto setup = open();
  setup->create_webhook(webhook_to({"*"}), kNow);
  constexpr int kInvoices = 60;
  for (int i = 0; i < kInvoices; ++i) setup->create(new_invoice(), std::nullopt, kNow);
  // Two replicas fan out at once: every event once.
  std::atomic<std::int64_t> added{0};
  {
    std::vector<std::thread> replicas;
    for (int r = 0; r < 2; ++r)
      replicas.emplace_back([&] {
        auto store = open();
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (added < kInvoices && std::chrono::steady_clock::now() < deadline)
          added += store->fan_out_webhook_events(7, kNow);
      });
    for (auto& t : replicas) t.join();
  }
  ASSERT_EQ(added.load(), kInvoices);
  std::mutex mutex;
  std::multiset<std::int64_t> sent;
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w)
    workers.emplace_back([&] {
      auto store = open();
      for (;;) {
        const auto claimed = store->claim_webhook_deliveries(5, kNow, kNow + 60s);
        if (claimed.empty()) break;
        for (const auto& d : claimed) {
          {
            std::lock_guard lock(mutex);
            sent.insert(d.event.id);
          }
          store->settle_webhook_delivery(d.id, delivered(), kNow);
        }
      }
    });
  for (auto& t : workers) t.join();
  EXPECT_EQ(sent.size(), static_cast<std::size_t>(kInvoices));
  EXPECT_EQ(std::set<std::int64_t>(sent.begin(), sent.end()).size(), sent.size())
      << "a delivery went to two workers";
  EXPECT_EQ(setup->webhook_backlog(), 0);
}

TEST_P(StoreTest, KeyedWebhookCreationIsOneTransactionWithItsAnswer) {
  auto store = open();
  IdempotentRequest request{"", "hook-1", "POST", "/api/webhooks", R"({"url":"x"})", kNow - 24h};
  auto write = [](InvoiceStore& tx) {
    const auto made = tx.create_webhook(webhook_to({"*"}), kNow);
    return StoredAnswer{201, std::to_string(made.id), "", ""};
  };
  const auto first = store->write_once(request, kNow, write);
  const auto again = store->write_once(request, kNow, write);
  EXPECT_FALSE(first.replayed);
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.answer.body, first.answer.body);
  EXPECT_EQ(store->list_webhooks().size(), 1u);
  // A write that fails after creating one leaves none.
  IdempotentRequest other = request;
  other.key = "hook-2";
  EXPECT_THROW(store->write_once(other, kNow,
                                 [](InvoiceStore& tx) -> StoredAnswer {
                                   tx.create_webhook(webhook_to({"*"}), kNow);
                                   throw Error(ErrorKind::invalid, "x", "refused");
                                 }),
               Error);
  EXPECT_EQ(store->list_webhooks().size(), 1u);
}

}  // namespace

// SQLite: WAL journal (readers beside one writer), synchronous=FULL (an acknowledged commit
// is on disk; a bulk load syncs once at its end instead, see below), a busy timeout for the write
// lock, prepared statements cached per connection.
#include <sqlite3.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "sql.hpp"

namespace tim::invoices::sql {
namespace {

// SQLite reads "$1" as a named parameter; "?1" is the numbered form.
std::string numbered_placeholders(const std::string& statement) {
  std::string out = statement;
  for (std::size_t i = 0; i + 1 < out.size(); ++i)
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
  return out;
}

// One writer at a time per database file in this process, waiting on a mutex. SQLite allows
// one writer anyway, and its busy handler waits for the write lock by sleeping 1, 2, 5 … 100 ms
// between tries: under bench/run.sh's mix of payments, writers sharing the store threads slept
// past the lock's release and the chain's p99 reached 110 ms. The mutex hands the turn over
// at once; BEGIN IMMEDIATE's busy timeout still covers other processes (an import command).
std::shared_ptr<std::timed_mutex> write_gate(const std::string& path) {
  static std::mutex registry_mutex;
  static std::map<std::string, std::weak_ptr<std::timed_mutex>> registry;
  std::lock_guard lock(registry_mutex);
  auto& slot = registry[path];
  auto gate = slot.lock();
  if (!gate) slot = gate = std::make_shared<std::timed_mutex>();
  return gate;
}

class SqliteConnection final : public Connection {
 public:
  using Connection::query;
  SqliteConnection(const std::string& path, std::chrono::milliseconds busy_timeout, bool bulk_load)
      : write_gate_(write_gate(path)), busy_timeout_(busy_timeout) {
    const int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      const std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      unavailable("cannot open " + path + ": " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count()));
    try {
      switch_to_wal(busy_timeout);
      // A bulk load touches index pages all over the file: with the default 2 MiB cache it
      // spends its time re-reading them (pread) and checkpointing every 4 MiB of WAL.
      // Its commits skip the WAL's fsync (synchronous=NORMAL: after a power cut the store is
      // intact but may lack the last batches); refresh_statistics() ends a bulk load with a
      // commit at FULL, which syncs them all before the import reports.
      // A serving connection (one per STORE_THREADS) keeps 512 KiB of pages, not SQLite's 2 MiB:
      // a request reads a few pages through its indexes and the OS page cache holds the rest.
      // Under bench/run.sh's mix of writes the service's peak RSS fell from 21.7 to 20.0 MiB.
      if (bulk_load)
        execute_script(
            "PRAGMA cache_size=-262144; PRAGMA wal_autocheckpoint=16384; PRAGMA "
            "synchronous=NORMAL;");
      else
        execute_script("PRAGMA cache_size=-512;");
      const auto mode = query("PRAGMA journal_mode");
      if (mode.empty() || mode[0][0] != "wal") unavailable("cannot switch " + path + " to WAL");
    } catch (...) {
      close();
      throw;
    }
  }
  ~SqliteConnection() override { close(); }

  std::vector<Row> query(const std::string& statement, const std::vector<Value>& params) override {
    sqlite3_stmt* stmt = prepared(statement);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      if (const auto* n = std::get_if<std::int64_t>(&params[i]))
        sqlite3_bind_int64(stmt, index, *n);
      else if (const auto* s = std::get_if<std::string>(&params[i]))
        sqlite3_bind_text(stmt, index, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
      else
        sqlite3_bind_null(stmt, index);
    }
    std::vector<Row> rows;
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        sqlite3_reset(stmt);
        fail(rc);
      }
      Row row(static_cast<std::size_t>(sqlite3_column_count(stmt)));
      for (int c = 0; c < static_cast<int>(row.size()); ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) continue;
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        row[static_cast<std::size_t>(c)] =
            std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)));
      }
      rows.push_back(std::move(row));
    }
    sqlite3_reset(stmt);
    return rows;
  }

  // Several processes opening a new database at once race to switch it to WAL, and SQLite
  // answers the loser SQLITE_BUSY without calling the busy handler; retry within the timeout.
  void switch_to_wal(std::chrono::milliseconds busy_timeout) {
    const auto deadline = std::chrono::steady_clock::now() + busy_timeout;
    for (auto pause = std::chrono::milliseconds{1};;
         pause = std::min(pause * 2, std::chrono::milliseconds{50})) {
      const int rc = sqlite3_exec(
          db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", nullptr,
          nullptr, nullptr);
      if (rc == SQLITE_OK) return;
      if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) fail(rc);
      std::this_thread::sleep_for(pause);
    }
  }

  void execute_script(const std::string& script) override {
    const int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(rc);
  }

  void begin(bool for_write) override {
    if (!for_write) {
      query("BEGIN");
      return;
    }
    std::unique_lock turn(*write_gate_, std::defer_lock);
    if (!turn.try_lock_for(busy_timeout_))
      unavailable("database is busy (another write held it for " +
                  std::to_string(busy_timeout_.count()) + " ms)");
    query("BEGIN IMMEDIATE");
    write_turn_ = std::move(turn);
  }
  void commit() override {
    query("COMMIT");
    release_write_turn();
  }
  void rollback() override {
    try {
      if (healthy_) query("ROLLBACK");
    } catch (...) {
      release_write_turn();  // a failed ROLLBACK must not keep the other writers out
      throw;
    }
    release_write_turn();
  }
  bool healthy() const noexcept override { return healthy_; }
  Dialect dialect() const noexcept override { return Dialect::sqlite; }

 private:
  sqlite3_stmt* prepared(const std::string& statement) {
    if (auto it = statements_.find(statement); it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    const std::string text = numbered_placeholders(statement);
    const int rc = sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc);
    statements_.emplace(statement, stmt);
    return stmt;
  }

  [[noreturn]] void fail(int rc) {
    const std::string message = sqlite3_errmsg(db_);
    switch (rc & 0xff) {
      case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
          throw UniqueViolation(message);
        store_error(message);
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        unavailable("database is busy (" + message + ")");
      case SQLITE_IOERR:
      case SQLITE_CORRUPT:
      case SQLITE_NOTADB:
      case SQLITE_CANTOPEN:
      case SQLITE_FULL:
      case SQLITE_READONLY:
      case SQLITE_NOMEM:
        healthy_ = false;
        unavailable(message);
      default:
        store_error(message);
    }
  }

  void release_write_turn() noexcept {
    if (write_turn_.owns_lock()) write_turn_.unlock();
  }

  void close() noexcept {
    for (auto& [text, stmt] : statements_) sqlite3_finalize(stmt);
    statements_.clear();
    if (db_) sqlite3_close(db_);
    db_ = nullptr;
  }

  std::shared_ptr<std::timed_mutex> write_gate_;
  std::unique_lock<std::timed_mutex> write_turn_;  // held from BEGIN IMMEDIATE to its end
  std::chrono::milliseconds busy_timeout_;
  sqlite3* db_ = nullptr;
  bool healthy_ = true;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace

std::unique_ptr<Connection> open_sqlite(const std::string& path,
                                        std::chrono::milliseconds busy_timeout, bool bulk_load) {
  return std::make_unique<SqliteConnection>(path, busy_timeout, bulk_load);
}

}  // namespace tim::invoices::sql

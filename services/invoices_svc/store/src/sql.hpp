// The little SQL both back ends share: one connection type per database, a pool, and
// transactions. The store's logic (sql_store.cpp) is written once against this.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "tim/invoices/error.hpp"

namespace tim::invoices::sql {

enum class Dialect { sqlite, postgres };

using Value = std::variant<std::nullptr_t, std::int64_t, std::string>;
using Row = std::vector<std::optional<std::string>>;  // each column as text, nullopt for NULL

// A unique or primary-key constraint refused a write (the caller may retry or report).
struct UniqueViolation : Error {
  explicit UniqueViolation(const std::string& message)
      : Error(ErrorKind::conflict, "unique_violation", message) {}
};

[[noreturn]] inline void unavailable(const std::string& message) {
  throw Error(ErrorKind::unavailable, "store_unavailable", "store unavailable: " + message);
}
[[noreturn]] inline void store_error(const std::string& message) {
  throw Error(ErrorKind::internal, "store_error", "store error: " + message);
}

class Connection {
 public:
  virtual ~Connection() = default;
  // One statement with $1…$n placeholders.
  virtual std::vector<Row> query(const std::string& statement,
                                 const std::vector<Value>& params) = 0;
  std::vector<Row> query(const std::string& statement) { return query(statement, {}); }
  // Several statements, no parameters (migrations).
  virtual void execute_script(const std::string& script) = 0;
  // BEGIN that takes the write lock at once (SQLite: BEGIN IMMEDIATE) or a plain BEGIN.
  virtual void begin(bool for_write) = 0;
  // End the transaction begin() started.
  virtual void commit() { query("COMMIT"); }
  virtual void rollback() {
    if (healthy()) query("ROLLBACK");
  }
  // False once the connection failed in a way that makes it useless; the pool drops it.
  virtual bool healthy() const noexcept = 0;
  virtual Dialect dialect() const noexcept = 0;
};

// A fixed number of connections, each used by one thread at a time; made lazily, remade after
// a failure.
class Pool {
 public:
  using Factory = std::function<std::unique_ptr<Connection>()>;
  Pool(Factory factory, std::size_t size, std::chrono::milliseconds wait);

  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // Waits up to `wait` for a connection; throws store_unavailable when none comes or a new
  // one cannot be made.
  Lease acquire();

 private:
  void release(std::unique_ptr<Connection> connection);

  Factory factory_;
  std::chrono::milliseconds wait_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t free_slots_;  // connections that may still be made
};

// Runs f(connection) in a transaction: commits when f returns, rolls back when it throws.
template <class F>
auto in_transaction(Connection& connection, bool for_write, F&& f) -> decltype(f(connection)) {
  connection.begin(for_write);
  try {
    if constexpr (std::is_void_v<decltype(f(connection))>) {
      f(connection);
      connection.commit();
    } else {
      auto result = f(connection);
      connection.commit();
      return result;
    }
  } catch (...) {
    try {
      connection.rollback();
    } catch (...) {  // the first error is the one to report
    }
    throw;
  }
}

// bulk_load: see StoreConfig::bulk_load.
std::unique_ptr<Connection> open_sqlite(const std::string& path,
                                        std::chrono::milliseconds busy_timeout, bool bulk_load);
std::unique_ptr<Connection> open_postgres(const std::string& url,
                                          std::chrono::milliseconds connect_timeout);

}  // namespace tim::invoices::sql

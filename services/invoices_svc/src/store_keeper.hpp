// Opens the invoice store named by the environment, seeds the demo data into an empty
// embedded store, and keeps watching it: readiness follows a periodic ping, and a store that
// was unreachable at start is opened as soon as it answers. Blocking; never on an I/O thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "tim/invoices/store.hpp"

namespace tim::invoices {

struct StoreSettings {
  std::string url;                                // DATABASE_URL, or sqlite under DATA_DIR
  std::size_t threads = 4;                        // STORE_THREADS: worker threads and connections
  std::size_t import_threads = 1;                 // IMPORT_THREADS: the imports' own threads
  std::chrono::milliseconds timeout{5000};        // STORE_TIMEOUT_MS
  std::chrono::milliseconds ping_interval{2000};  // STORE_PING_MS: readiness check period
  bool seed_demo_data = true;  // SEED_DEMO_DATA: default on for SQLite, off for PostgreSQL
  std::string data_dir;        // empty for PostgreSQL
  // IDEMPOTENCY_TTL_HOURS: how long an Idempotency-Key and its answer are kept; purged by the
  // watcher thread every `purge_interval`.
  std::chrono::hours idempotency_ttl{24};
  std::chrono::minutes purge_interval{10};

  // Throws config::ConfigError on a malformed value.
  static StoreSettings from_env();
};

struct StoreState {
  bool ready = false;
  std::string detail;
};

class StoreKeeper {
 public:
  explicit StoreKeeper(StoreSettings settings);
  ~StoreKeeper();
  StoreKeeper(const StoreKeeper&) = delete;
  StoreKeeper& operator=(const StoreKeeper&) = delete;

  // Opens the store once now, then watches it on a thread of its own. An unreachable store
  // is not fatal (the service answers 503 until it comes); any other Error is rethrown.
  void start();
  // The open store, or nullptr while it cannot be reached.
  std::shared_ptr<InvoiceStore> store() const;
  StoreState state() const;
  const StoreSettings& settings() const noexcept { return settings_; }

 private:
  void open_and_seed();
  void seed(InvoiceStore& store);
  void check();
  void set_state(bool ready, std::string detail);
  void purge_expired_keys(InvoiceStore& store);

  StoreSettings settings_;
  mutable std::mutex mutex_;
  std::shared_ptr<InvoiceStore> store_;
  StoreState state_;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread watcher_;
  std::chrono::steady_clock::time_point last_purge_{};
};

}  // namespace tim::invoices

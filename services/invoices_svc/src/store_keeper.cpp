#include "store_keeper.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include "tim/config.hpp"
#include "tim/invoices/error.hpp"
#include "tim/log.hpp"

namespace tim::invoices {

StoreSettings StoreSettings::from_env() {
  StoreSettings s;
  if (auto url = config::get_optional("DATABASE_URL"); url && !url->empty()) {
    s.url = *url;
  } else {
    s.data_dir = config::get_string("DATA_DIR", "./data");
    s.url = sqlite_url_in(s.data_dir);
  }
  s.threads = static_cast<std::size_t>(config::get_int("STORE_THREADS", 4, 1, 256));
  s.import_threads = static_cast<std::size_t>(config::get_int("IMPORT_THREADS", 1, 1, 64));
  s.timeout = config::get_millis("STORE_TIMEOUT_MS", std::chrono::milliseconds{5000});
  s.ping_interval = config::get_millis("STORE_PING_MS", std::chrono::milliseconds{2000});
  if (s.ping_interval.count() <= 0) throw config::ConfigError("STORE_PING_MS must be positive");
  // The demo data is for the embedded store; a shared PostgreSQL is seeded only on request.
  s.seed_demo_data = config::get_bool("SEED_DEMO_DATA", !s.data_dir.empty());
  s.idempotency_ttl = std::chrono::hours{config::get_int("IDEMPOTENCY_TTL_HOURS", 24, 1, 8760)};
  return s;
}

StoreKeeper::StoreKeeper(StoreSettings settings) : settings_(std::move(settings)) {}

StoreKeeper::~StoreKeeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void StoreKeeper::start() {
  try {
    open_and_seed();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::unavailable) throw;
    log::warn("invoice store unreachable; answering 503 until it is",
              {{"store", std::string_view(redact_url(settings_.url))},
               {"reason", std::string_view(e.what())}});
    set_state(false, std::string("store unreachable: ") + e.what());
  }
  watcher_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, settings_.ping_interval, [this] { return stopping_; })) {
      lock.unlock();
      check();
      lock.lock();
    }
  });
}

std::shared_ptr<InvoiceStore> StoreKeeper::store() const {
  std::lock_guard lock(mutex_);
  return store_;
}

StoreState StoreKeeper::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void StoreKeeper::set_state(bool ready, std::string detail) {
  std::lock_guard lock(mutex_);
  state_ = StoreState{ready, std::move(detail)};
}

void StoreKeeper::open_and_seed() {
  StoreConfig config;
  config.url = settings_.url;
  config.pool_size = settings_.threads + settings_.import_threads;  // one each, none waits
  config.timeout = settings_.timeout;
  std::shared_ptr<InvoiceStore> store = open_store(config);
  if (settings_.seed_demo_data) seed(*store);
  log::info("invoice store open",
            {{"store", std::string_view(redact_url(settings_.url))},
             {"backend", store->backend()},
             {"schema_version", static_cast<std::int64_t>(store->schema_version())}});
  std::lock_guard lock(mutex_);
  store_ = std::move(store);
  state_ = StoreState{true, std::string(store_->backend()) + " store reachable"};
}

void StoreKeeper::seed(InvoiceStore& store) {
  // Replicas sharing one SQLite file could both find it empty: a lock file under the data
  // directory (created by open_store) makes check-and-import one step.
  int lock_fd = -1;
  if (!settings_.data_dir.empty()) {
    const auto path = (std::filesystem::path(settings_.data_dir) / "seed.lock").string();
    lock_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd >= 0) ::flock(lock_fd, LOCK_EX);
  }
  try {
    if (store.count() == 0) {
      const auto records = tutorial_demo_records();
      const auto ids = store.import(records, to_instant(std::chrono::system_clock::now())).ids;
      log::info("empty store seeded with the tutorial's demo invoices",
                {{"invoices", static_cast<std::int64_t>(ids.size())}});
    }
  } catch (...) {
    if (lock_fd >= 0) ::close(lock_fd);
    throw;
  }
  if (lock_fd >= 0) ::close(lock_fd);
}

void StoreKeeper::check() {
  if (auto store = this->store()) {
    try {
      store->ping();
      set_state(true, std::string(store->backend()) + " store reachable");
      purge_expired_keys(*store);
    } catch (const std::exception& e) {
      set_state(false, std::string("store unreachable: ") + e.what());
    }
    return;
  }
  try {
    open_and_seed();
  } catch (const std::exception& e) {
    set_state(false, std::string("store unreachable: ") + e.what());
  }
}

void StoreKeeper::purge_expired_keys(InvoiceStore& store) {
  const auto now = std::chrono::steady_clock::now();
  if (last_purge_ != std::chrono::steady_clock::time_point{} &&
      now - last_purge_ < settings_.purge_interval)
    return;
  last_purge_ = now;
  try {
    const auto purged = store.purge_idempotency_records(
        to_instant(std::chrono::system_clock::now()) - settings_.idempotency_ttl);
    if (purged > 0) log::info("expired idempotency keys purged", {{"keys", purged}});
  } catch (const std::exception& e) {
    log::warn("idempotency key purge failed; retried later",
              {{"reason", std::string_view(e.what())}});
  }
}

}  // namespace tim::invoices

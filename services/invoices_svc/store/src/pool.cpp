#include "sql.hpp"

namespace tim::invoices::sql {

Pool::Pool(Factory factory, std::size_t size, std::chrono::milliseconds wait)
    : factory_(std::move(factory)), wait_(wait), free_slots_(size == 0 ? 1 : size) {}

Pool::Lease::~Lease() {
  if (connection_) pool_->release(std::move(connection_));
}

Pool::Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  if (!available_.wait_for(lock, wait_, [this] { return !idle_.empty() || free_slots_ > 0; }))
    unavailable("no free connection within " + std::to_string(wait_.count()) + " ms");
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection));
  }
  --free_slots_;
  lock.unlock();
  try {
    return Lease(*this, factory_());  // connect outside the lock: it may take a while
  } catch (...) {
    lock.lock();
    ++free_slots_;
    available_.notify_one();
    throw;
  }
}

void Pool::release(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    if (connection->healthy())
      idle_.push_back(std::move(connection));
    else
      ++free_slots_;  // dropped; the next acquire makes a fresh one
  }
  available_.notify_one();
}

}  // namespace tim::invoices::sql

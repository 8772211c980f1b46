#include "prediction_cache.hpp"

namespace tim::invoices {

PredictionCache::PredictionCache(std::size_t capacity) : capacity_(capacity) {}

std::optional<ExpectedDate> PredictionCache::find(const PredictionKey& key) {
  if (capacity_ == 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  const auto found = by_invoice_.find(key.invoice_id);
  if (found == by_invoice_.end() || !(found->second->key == key)) return std::nullopt;
  recent_.splice(recent_.begin(), recent_, found->second);
  return found->second->value;
}

void PredictionCache::put(const PredictionKey& key, ExpectedDate value) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mutex_);
  if (const auto found = by_invoice_.find(key.invoice_id); found != by_invoice_.end()) {
    found->second->key = key;
    found->second->value = std::move(value);
    recent_.splice(recent_.begin(), recent_, found->second);
    return;
  }
  recent_.push_front({key, std::move(value)});
  by_invoice_[key.invoice_id] = recent_.begin();
  if (recent_.size() > capacity_) {
    by_invoice_.erase(recent_.back().key.invoice_id);
    recent_.pop_back();
  }
}

std::size_t PredictionCache::size() const {
  std::lock_guard lock(mutex_);
  return recent_.size();
}

}  // namespace tim::invoices

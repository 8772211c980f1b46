// The predictor's answers kept per invoice, so that a prediction that cannot have changed is
// not asked for again. An answer depends only on the invoice's facts (its version), the
// customer's paid history (the history version), the model (its version) and the day (the
// predictor conditions on "not paid before today"): with all four in the key, a payment on any
// invoice of the customer, a new model or a new day makes the entry miss, never serve stale.
// Bounded, least recently used evicted first; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "expected_date.hpp"

namespace tim::invoices {

struct PredictionKey {
  InvoiceId invoice_id = 0;
  std::int64_t invoice_version = 0;
  std::int64_t history_version = 0;
  std::string model_version;
  std::int32_t day = 0;  // days since the epoch
  bool operator==(const PredictionKey&) const = default;
};

class PredictionCache {
 public:
  // capacity 0: off (find always misses, put keeps nothing).
  explicit PredictionCache(std::size_t capacity);

  std::optional<ExpectedDate> find(const PredictionKey& key);
  void put(const PredictionKey& key, ExpectedDate value);

  std::size_t size() const;
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  struct Entry {
    PredictionKey key;
    ExpectedDate value;
  };
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> recent_;  // front: most recently used
  // One entry per invoice: a newer key replaces the stale one instead of piling up beside it.
  std::unordered_map<InvoiceId, std::list<Entry>::iterator> by_invoice_;
};

}  // namespace tim::invoices

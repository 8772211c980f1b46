// Each customer's paid invoices, summarised for the predictor as a histogram of delays (days
// from the due date to the settle date → how many invoices). The store keeps it in the same
// transaction as every change that settles or unsettles an invoice, so that a prediction reads
// one customer's histogram (bounded by the distinct delays, not by the invoices) instead of
// the invoices themselves. Pure: no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tim/invoices/invoice.hpp"

namespace tim::invoices {

struct PaidDelay {
  std::int32_t delay_days = 0;  // settledDate minus the due date (the issue date when later)
  std::int64_t count = 0;       // paid invoices of the customer with that delay
  bool operator==(const PaidDelay&) const = default;
};

// The delay a settled invoice counts with; nullopt when it counts with none: not paid, or
// settled before it was issued (a data error, which the predictor ignores too), or settled by
// credit notes alone (no payment was made).
std::optional<std::int32_t> paid_delay_days(const Invoice& invoice);

// A customer's histogram with its version, so that an answer computed from it can be cached
// under the version.
struct PaidHistory {
  std::vector<PaidDelay> delays;
  std::int64_t version = 0;
};

// The version of a histogram (ascending by delay, as the store reads it): a 64-bit hash of its
// content, 0 for none. A prediction is a function of the histogram, so equal histograms may
// share cached answers, and any change (a payment that settles, a reversal, a correction)
// gives another version. Read with the histogram: no counter to write on the payment path.
std::int64_t history_version(std::span<const PaidDelay> delays);

struct DelayChange {
  std::string customer_id;
  std::int32_t delay_days = 0;
  std::int64_t change = 0;  // +n: n more invoices with that delay; -n: n fewer
  bool operator==(const DelayChange&) const = default;
};

// What the summary gains and loses when `before` becomes `after` (before nullptr: `after` is
// new). Empty when the invoice counts the same as before.
std::vector<DelayChange> delay_changes(const Invoice* before, const Invoice& after);

// One change per (customer, delay), in that order, without zeros: an import's many changes
// become as few writes as there are distinct delays per customer.
std::vector<DelayChange> merge_delay_changes(std::vector<DelayChange> changes);

}  // namespace tim::invoices

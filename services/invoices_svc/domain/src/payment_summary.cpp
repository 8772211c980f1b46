#include "tim/invoices/payment_summary.hpp"

#include <algorithm>
#include <tuple>

namespace tim::invoices {

std::optional<std::int32_t> paid_delay_days(const Invoice& invoice) {
  if (invoice.status != Status::paid || !invoice.settled_date) return std::nullopt;
  if (*invoice.settled_date < invoice.issue_date) return std::nullopt;
  // Settled by credit alone: no payment, so nothing about how this customer pays.
  if (settled_by(invoice) == "credit") return std::nullopt;
  const Date due = std::max(invoice.issue_date, invoice.due_date);  // terms are never negative
  return invoice.settled_date->days_since_epoch() - due.days_since_epoch();
}

std::vector<DelayChange> delay_changes(const Invoice* before, const Invoice& after) {
  const auto was = before ? paid_delay_days(*before) : std::nullopt;
  const auto is = paid_delay_days(after);
  const bool same_customer = !before || before->customer_id == after.customer_id;
  if (was == is && same_customer) return {};
  std::vector<DelayChange> out;
  if (was) out.push_back({before->customer_id, *was, -1});
  if (is) out.push_back({after.customer_id, *is, +1});
  return out;
}

std::vector<DelayChange> merge_delay_changes(std::vector<DelayChange> changes) {
  auto key = [](const DelayChange& c) { return std::tie(c.customer_id, c.delay_days); };
  std::sort(changes.begin(), changes.end(),
            [&](const DelayChange& a, const DelayChange& b) { return key(a) < key(b); });
  std::vector<DelayChange> out;
  for (auto& c : changes) {
    if (!out.empty() && key(out.back()) == key(c))
      out.back().change += c.change;
    else
      out.push_back(std::move(c));
  }
  std::erase_if(out, [](const DelayChange& c) { return c.change == 0; });
  return out;
}

std::int64_t history_version(std::span<const PaidDelay> delays) {
  if (delays.empty()) return 0;
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a over each (delay, count)
  const auto mix = [&](std::uint64_t value) {
    for (int byte = 0; byte < 8; ++byte)
      hash = (hash ^ ((value >> (8 * byte)) & 0xff)) * 1099511628211ull;
  };
  for (const auto& d : delays) {
    mix(static_cast<std::uint64_t>(static_cast<std::int64_t>(d.delay_days)));
    mix(static_cast<std::uint64_t>(d.count));
  }
  return static_cast<std::int64_t>(hash | 1);  // never 0: that is "no history"
}

}  // namespace tim::invoices

#include "model/predictor.hpp"

#include <algorithm>
#include <cmath>

#include "tim/time.hpp"

namespace tim::expected_date {
namespace {

// Payment terms cannot be negative: a due date before the issue date means "due on issue".
Date effective_due(Date issue, Date due) {
  return std::max(issue, due);
}

double electronic(const ModelParams& m, BillingChannel c) {
  return c == BillingChannel::electronic ? m.electronic_effect_days : 0.0;
}

const ResidualBucket* bucket_for(const ModelParams& m, int history_count) {
  const ResidualBucket* b = nullptr;
  for (const auto& r : m.residuals)
    if (r.min_history <= history_count) b = &r;
  return b;
}

// Settle dates with weights, ascending, from which quantiles are read.
struct Outcome {
  Date settle;
  double weight;
};

Date quantile(const std::vector<Outcome>& xs, double total, double q) {
  double cum = 0;
  for (const auto& x : xs) {
    cum += x.weight;
    if (cum >= q * total - 1e-9) return x.settle;
  }
  return xs.back().settle;
}

// Reads point and interval off the outcomes; conditions on "not paid before as_of". Every
// date answered lies between the issue date and the last date of the API's range (past it,
// formatting as an instant would overflow).
void read_off(std::vector<Outcome> xs, const InvoiceFacts& inv, std::optional<Date> as_of,
              double tail, Prediction& p) {
  const Date last = std::max(inv.issue_date, Date{tim::kLatestDate});
  bool capped = false;
  for (auto& x : xs) {
    capped = capped || x.settle > last;
    x.settle = std::clamp(x.settle, inv.issue_date, last);
  }
  if (capped) p.notes.push_back("outcomes past " + format_iso_date(last) + " answered as that day");
  double total = 0;
  for (const auto& x : xs) total += x.weight;
  if (xs.empty() || total <= 0) {
    xs = {{inv.issue_date, 1.0}};
    total = 1;
  }
  p.expected = quantile(xs, total, 0.5);
  p.low = quantile(xs, total, tail);
  p.high = quantile(xs, total, 1 - tail);
  if (!as_of || *as_of <= p.low) return;

  std::vector<Outcome> open;
  double open_total = 0;
  for (const auto& x : xs)
    if (x.settle >= *as_of) {
      open.push_back(x);
      open_total += x.weight;
    }
  if (open.empty()) {
    // Later than anything the model has seen: say so, keep the interval's width from today.
    auto width = p.high - p.low;
    p.expected = p.low = std::clamp(*as_of, inv.issue_date, last);
    p.high = std::min(p.expected + width, last);
    p.notes.push_back("still open later than the model has seen: predicted from today");
    return;
  }
  p.expected = quantile(open, open_total, 0.5);
  p.low = quantile(open, open_total, tail);
  p.high = quantile(open, open_total, 1 - tail);
  p.notes.push_back("still open on " + format_iso_date(*as_of) +
                    ": conditioned on not being paid before");
}

void note_due(const InvoiceFacts& inv, std::vector<std::string>* notes) {
  if (notes && inv.due_date < inv.issue_date)
    notes->push_back("due date before issue date: treated as due on the issue date");
}

}  // namespace

CustomerHistory summarize(const CustomerHistory& history) {
  std::map<std::pair<int, BillingChannel>, std::int64_t> counts;
  for (const auto& h : history.paid)
    if (h.settle_date >= h.issue_date)
      ++counts[{days_between(effective_due(h.issue_date, h.due_date), h.settle_date), h.channel}];
  for (const auto& d : history.delays) counts[{d.delay_days, d.channel}] += d.count;
  CustomerHistory out;
  for (const auto& [key, count] : counts) out.delays.push_back({key.first, count, key.second});
  return out;
}

std::string describe_basis(const Prediction& p) {
  if (p.basis == Basis::population) return "population";
  return "customer history with " + std::to_string(p.history_count) + " paid invoice" +
         (p.history_count == 1 ? "" : "s");
}

double paper_delay_days(const ModelParams& model, const PaidInvoice& paid) {
  auto delay = days_between(effective_due(paid.issue_date, paid.due_date), paid.settle_date);
  return delay - electronic(model, paid.channel);
}

Centre model_centre(const ModelParams& model, const InvoiceFacts& invoice,
                    const CustomerHistory& history, std::vector<std::string>* notes) {
  double prior = model.population_delay_days;
  if (auto it = model.country_delay_days.find(invoice.country_code);
      it != model.country_delay_days.end())
    prior = it->second;
  else if (notes)
    notes->push_back("country '" + invoice.country_code + "' not seen in training: population");

  double sum = 0, weights = 0;
  int used = 0, skipped = 0;
  for (const auto& h : history.paid) {
    if (h.settle_date < h.issue_date) {
      ++skipped;  // settled before issued: a data error, not a payment pattern
      continue;
    }
    double w = 1;
    if (model.history_half_life_days > 0) {
      double age = std::max(0, days_between(h.settle_date, invoice.issue_date));
      w = std::exp2(-age / model.history_half_life_days);
    }
    sum += w * paper_delay_days(model, h);
    weights += w;
    ++used;
  }
  for (const auto& d : history.delays) {
    if (d.count <= 0) continue;
    const auto n = static_cast<double>(d.count);
    sum += n * (d.delay_days - electronic(model, d.channel));
    weights += n;
    used = static_cast<int>(std::min<std::int64_t>(used + d.count, 1'000'000'000));
  }
  if (skipped > 0 && notes)
    notes->push_back(std::to_string(skipped) + " paid invoice(s) settled before issue ignored");
  if (!history.delays.empty() && model.history_half_life_days > 0 && notes)
    notes->push_back("summarised history has no dates: every payment weighed alike");
  double k = std::max(0.0, model.customer_prior_weight);
  double level = weights + k > 0 ? (sum + k * prior) / (weights + k) : prior;
  return {level + electronic(model, invoice.channel), used};
}

Prediction predict(const ModelParams& model, const InvoiceFacts& invoice,
                   const CustomerHistory& history, std::optional<Date> as_of) {
  Prediction p;
  note_due(invoice, &p.notes);
  auto c = model_centre(model, invoice, history, &p.notes);
  p.history_count = c.history_count;
  p.basis = c.history_count > 0 ? Basis::customer_history : Basis::population;

  Date due = effective_due(invoice.issue_date, invoice.due_date);
  std::vector<Outcome> xs;
  if (const auto* b = bucket_for(model, c.history_count)) {
    for (std::size_t i = 0; i < b->counts.size(); ++i) {
      if (b->counts[i] == 0) continue;
      double r = b->offset_min + static_cast<double>(i);
      xs.push_back({due + std::chrono::days{std::lround(c.delay_days + r)},
                    static_cast<double>(b->counts[i])});
    }
  }
  if (xs.empty()) xs.push_back({due + std::chrono::days{std::lround(c.delay_days)}, 1.0});
  read_off(std::move(xs), invoice, as_of, std::clamp(model.interval_tail_share, 0.0, 0.5), p);
  return p;
}

Prediction predict_fallback(const InvoiceFacts& invoice, const CustomerHistory& history,
                            std::optional<Date> as_of) {
  Prediction p;
  p.fallback_rule = true;
  note_due(invoice, &p.notes);
  Date due = effective_due(invoice.issue_date, invoice.due_date);
  // Delays and how many invoices had each, ascending (the summary is already counted).
  const auto summary = summarize(history).delays;
  std::int64_t paid = 0;
  for (const auto& d : summary) paid += std::max<std::int64_t>(d.count, 0);
  p.history_count = static_cast<int>(std::min<std::int64_t>(paid, 1'000'000'000));
  p.basis = paid == 0 ? Basis::population : Basis::customer_history;

  std::vector<Outcome> xs;
  if (paid >= 5) {
    for (const auto& d : summary)
      if (d.count > 0)
        xs.push_back({due + std::chrono::days{d.delay_days}, static_cast<double>(d.count)});
  } else {
    std::vector<int> delays;  // at most four
    for (const auto& d : summary)
      for (std::int64_t i = 0; i < d.count; ++i) delays.push_back(d.delay_days);
    int median = delays.empty() ? 0 : delays[delays.size() / 2];
    auto term = due - invoice.issue_date;
    // Three points whose 10%/50%/90% quantiles are issue date, centre, one term after due.
    xs = {{invoice.issue_date, 0.10}, {due + std::chrono::days{median}, 0.79}, {due + term, 0.11}};
    std::sort(xs.begin(), xs.end(), [](auto& a, auto& b) { return a.settle < b.settle; });
  }
  read_off(std::move(xs), invoice, as_of, 0.1, p);
  return p;
}

}  // namespace tim::expected_date

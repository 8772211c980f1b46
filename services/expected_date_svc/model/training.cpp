#include "model/training.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <set>

namespace tim::expected_date {
namespace {

bool is_electronic(const ArRecord& r) {
  return r.channel == BillingChannel::electronic;
}

int delay_days(const ArRecord& r) {
  return days_between(std::max(r.invoice_date, r.due_date), r.settled_date);
}

double mean(const std::vector<double>& xs) {
  return xs.empty() ? 0.0 : std::accumulate(xs.begin(), xs.end(), 0.0) / double(xs.size());
}

// Population part of the model: electronic effect, population and country delays.
void fit_population(std::span<const ArRecord* const> rows, ModelParams& m) {
  // Electronic effect within customers (so that who switched does not pass for what switching
  // does), each customer weighted like a two-sample difference: ne*np/(ne+np).
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> by_customer;
  for (const auto* r : rows) {
    auto& [el, paper] = by_customer[r->customer_id];
    (is_electronic(*r) ? el : paper).push_back(delay_days(*r));
  }
  double num = 0, den = 0;
  for (const auto& [id, groups] : by_customer) {
    const auto& [el, paper] = groups;
    if (el.empty() || paper.empty()) continue;
    double w = double(el.size()) * double(paper.size()) / double(el.size() + paper.size());
    num += w * (mean(el) - mean(paper));
    den += w;
  }
  m.electronic_effect_days = den > 0 ? num / den : 0.0;

  std::map<std::string, std::vector<double>> by_country;
  std::vector<double> all;
  for (const auto* r : rows) {
    double v = delay_days(*r) - (is_electronic(*r) ? m.electronic_effect_days : 0.0);
    by_country[r->country_code].push_back(v);
    all.push_back(v);
  }
  m.population_delay_days = mean(all);

  // Country means shrunk to the population: prior weight = within variance / between variance.
  double within = 0, between = 0, sampling = 0;
  std::size_t dof = 0;
  for (const auto& [c, xs] : by_country) {
    double mu = mean(xs);
    for (double x : xs) within += (x - mu) * (x - mu);
    dof += xs.size() - 1;
  }
  within = dof > 0 ? within / double(dof) : 0.0;
  for (const auto& [c, xs] : by_country) {
    double d = mean(xs) - m.population_delay_days;
    between += d * d;
    sampling += within / double(xs.size());
  }
  double n_countries = double(by_country.size());
  double tau2 = n_countries > 1 ? std::max(0.0, (between - sampling) / n_countries) : 0.0;
  m.country_delay_days.clear();
  for (const auto& [c, xs] : by_country) {
    double n = double(xs.size());
    m.country_delay_days[c] =
        tau2 > 0 ? (n * mean(xs) + (within / tau2) * m.population_delay_days) / (n + within / tau2)
                 : m.population_delay_days;
  }
}

struct Index {
  // Rows of each customer, sorted by settle date.
  std::map<std::string, std::vector<const ArRecord*>> by_customer;
  explicit Index(std::span<const ArRecord* const> rows) {
    for (const auto* r : rows) by_customer[r->customer_id].push_back(r);
    for (auto& [id, v] : by_customer)
      std::sort(v.begin(), v.end(),
                [](auto* a, auto* b) { return a->settled_date < b->settled_date; });
  }
  CustomerHistory before(const std::string& customer, Date d) const {
    CustomerHistory h;
    if (auto it = by_customer.find(customer); it != by_customer.end())
      for (const auto* r : it->second) {
        if (r->settled_date >= d) break;
        h.paid.push_back(paid_of(*r));
      }
    return h;
  }
};

// Fixed so that evaluate prints the same intervals for the same data on every run.
constexpr std::uint64_t kBootstrapSeed = 20130712;
constexpr int kBootstrapResamples = 2000;

struct Errors {
  std::vector<double> abs_days;
  std::vector<std::size_t> customer_of;  // per error, when an interval is wanted
  std::size_t covered = 0;
  std::size_t with_interval = 0;
  void add(Date predicted, Date actual) {
    abs_days.push_back(std::abs(days_between(predicted, actual)));
  }
  void add(Date predicted, Date actual, std::size_t customer) {
    add(predicted, actual);
    customer_of.push_back(customer);
  }
  void add_interval(Date low, Date high, Date actual) {
    ++with_interval;
    if (low <= actual && actual <= high) ++covered;
  }
  Metrics metrics(std::string rule) const {
    Metrics m;
    m.rule = std::move(rule);
    if (abs_days.empty()) return m;
    auto xs = abs_days;
    std::sort(xs.begin(), xs.end());
    m.mae_days = mean(xs);
    auto n = xs.size();
    m.median_ae_days = n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
    m.within_3_days =
        double(std::count_if(xs.begin(), xs.end(), [](double e) { return e <= 3; })) / double(n);
    if (with_interval > 0) m.interval80_coverage = double(covered) / double(with_interval);
    if (customer_of.size() == abs_days.size())
      m.mae_ci95_days =
          bootstrap_mae_interval(abs_days, customer_of, kBootstrapResamples, kBootstrapSeed);
    return m;
  }
};

ResidualBucket histogram(int min_history, const std::vector<int>& residuals) {
  ResidualBucket b;
  b.min_history = min_history;
  if (residuals.empty()) return b;
  auto [lo, hi] = std::minmax_element(residuals.begin(), residuals.end());
  b.offset_min = *lo;
  b.counts.assign(static_cast<std::size_t>(*hi - *lo + 1), 0);
  for (int r : residuals) ++b.counts[static_cast<std::size_t>(r - *lo)];
  return b;
}

struct Case {
  const ArRecord* row;
  CustomerHistory history;
};

// Residual histograms per amount of history; a bucket with too few residuals to estimate a
// 10% tail (fewer than 40) is merged into the one below it.
std::vector<ResidualBucket> calibrate(const ModelParams& m, const std::vector<Case>& cases) {
  const std::vector<int> bounds{1, 5, 10, 20};
  std::vector<int> population;
  std::map<int, std::vector<int>> by_count;
  for (const auto& c : cases) {
    auto facts = facts_of(*c.row);
    population.push_back(
        static_cast<int>(std::lround(delay_days(*c.row) - model_centre(m, facts, {}).delay_days)));
    auto centre = model_centre(m, facts, c.history);
    if (centre.history_count > 0)
      by_count[centre.history_count].push_back(
          static_cast<int>(std::lround(delay_days(*c.row) - centre.delay_days)));
  }
  std::vector<ResidualBucket> out{histogram(0, population)};
  std::vector<std::pair<int, std::vector<int>>> buckets;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    std::vector<int> rs;
    int hi = i + 1 < bounds.size() ? bounds[i + 1] : INT32_MAX;
    for (const auto& [n, v] : by_count)
      if (n >= bounds[i] && n < hi) rs.insert(rs.end(), v.begin(), v.end());
    if (rs.size() < 40 && !buckets.empty())
      buckets.back().second.insert(buckets.back().second.end(), rs.begin(), rs.end());
    else
      buckets.emplace_back(bounds[i], std::move(rs));
  }
  // A small first bucket is merged upwards instead.
  if (buckets.size() > 1 && buckets.front().second.size() < 40) {
    buckets[1].second.insert(buckets[1].second.end(), buckets[0].second.begin(),
                             buckets[0].second.end());
    buckets[1].first = buckets[0].first;
    buckets.erase(buckets.begin());
  }
  for (const auto& [lo, rs] : buckets)
    if (!rs.empty()) out.push_back(histogram(lo, rs));
  return out;
}

Metrics score(const ModelParams& m, const std::vector<Case>& cases) {
  Errors e;
  for (const auto& c : cases) {
    auto p = predict(m, facts_of(*c.row), c.history);
    e.add(p.expected, c.row->settled_date);
    e.add_interval(p.low, p.high, c.row->settled_date);
  }
  return e.metrics("model");
}

}  // namespace

Range bootstrap_mae_interval(std::span<const double> abs_errors,
                             std::span<const std::size_t> customer_of, int resamples,
                             std::uint64_t seed) {
  if (abs_errors.empty() || abs_errors.size() != customer_of.size() || resamples < 1) return {};
  std::size_t customers = *std::max_element(customer_of.begin(), customer_of.end()) + 1;
  std::vector<double> sum(customers, 0.0);
  std::vector<double> count(customers, 0.0);
  for (std::size_t i = 0; i < abs_errors.size(); ++i) {
    sum[customer_of[i]] += abs_errors[i];
    count[customer_of[i]] += 1;
  }
  // Customers without an error (ids need not be dense) are not drawn.
  std::vector<std::size_t> present;
  for (std::size_t c = 0; c < customers; ++c)
    if (count[c] > 0) present.push_back(c);

  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, present.size() - 1);
  std::vector<double> maes;
  maes.reserve(static_cast<std::size_t>(resamples));
  for (int b = 0; b < resamples; ++b) {
    double s = 0, n = 0;
    for (std::size_t k = 0; k < present.size(); ++k) {
      auto c = present[pick(rng)];
      s += sum[c];
      n += count[c];
    }
    maes.push_back(s / n);
  }
  std::sort(maes.begin(), maes.end());
  auto at = [&](double q) {
    return maes[std::min(maes.size() - 1, static_cast<std::size_t>(q * double(maes.size())))];
  };
  return {at(0.025), at(0.975)};
}

CustomerHistory history_before(std::span<const ArRecord> rows, const std::string& customer_id,
                               Date before) {
  CustomerHistory h;
  for (const auto& r : rows)
    if (r.customer_id == customer_id && r.settled_date < before) h.paid.push_back(paid_of(r));
  return h;
}

ModelParams train(std::span<const ArRecord> rows, const TrainOptions& options) {
  std::vector<const ArRecord*> used;
  for (const auto& r : rows)
    if (!options.until || r.invoice_date < *options.until) used.push_back(&r);
  if (used.size() < 50) throw TrainError("too few invoices to train on (need at least 50)");
  std::stable_sort(used.begin(), used.end(),
                   [](auto* a, auto* b) { return a->invoice_date < b->invoice_date; });

  auto split = static_cast<std::size_t>(double(used.size()) * (1.0 - options.validation_share));
  split = std::clamp<std::size_t>(split, 1, used.size() - 1);
  Date validation_from = used[split]->invoice_date;
  std::vector<const ArRecord*> early;
  for (const auto* r : used)
    if (r->invoice_date < validation_from) early.push_back(r);

  // Validation cases see the history a live service would have had: invoices (of the training
  // period) settled before the validation invoice was issued.
  Index index(used);
  std::vector<Case> cases;
  for (const auto* r : used)
    if (r->invoice_date >= validation_from)
      cases.push_back({r, index.before(r->customer_id, r->invoice_date)});

  ModelParams m;
  fit_population(early, m);
  double best = INFINITY;
  ModelParams chosen = m;
  for (double half_life : {0.0, 90.0, 180.0, 365.0, 730.0}) {
    for (double k : {0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0}) {
      m.history_half_life_days = half_life;
      m.customer_prior_weight = k;
      m.residuals = calibrate(m, cases);
      auto s = score(m, cases);
      if (s.mae_days < best - 1e-9) {
        best = s.mae_days;
        chosen = m;
      }
    }
  }
  // Interval tails: the share whose interval covers closest to 80% of the validation invoices.
  double best_gap = INFINITY;
  double tail_chosen = 0.10;
  for (int permille = 50; permille <= 200; permille += 5) {
    double tail = permille / 1000.0;
    chosen.interval_tail_share = tail;
    double gap = std::abs(score(chosen, cases).interval80_coverage.value_or(0) - 0.80);
    if (gap < best_gap - 1e-9) {
      best_gap = gap;
      tail_chosen = tail;
    }
  }
  chosen.interval_tail_share = tail_chosen;
  auto validation = score(chosen, cases);
  // The population part is refitted on the whole training period; the shrinkage weight,
  // half-life and error histograms stay as measured out of sample.
  fit_population(used, chosen);

  std::set<std::string> customers;
  for (const auto* r : used) customers.insert(r->customer_id);
  auto& t = chosen.training;
  t.source = options.source;
  t.trained_until = options.until ? format_iso_date(*options.until) : "";
  t.validation_from = format_iso_date(validation_from);
  t.first_invoice_date = format_iso_date(used.front()->invoice_date);
  t.last_invoice_date = format_iso_date(used.back()->invoice_date);
  t.invoices = static_cast<std::int64_t>(used.size());
  t.customers = static_cast<std::int64_t>(customers.size());
  t.validation_mae_days = validation.mae_days;
  t.validation_interval80_coverage = validation.interval80_coverage.value_or(0);
  return chosen;
}

Evaluation evaluate(std::span<const ArRecord> rows, const ModelParams& model, Date test_from,
                    const EvaluateProgress& progress) {
  std::vector<const ArRecord*> all;
  for (const auto& r : rows) all.push_back(&r);
  Index index(all);

  std::vector<const ArRecord*> test;
  std::vector<double> before_test_dts;  // days-to-settle of invoices issued before test_from
  std::map<std::string, std::vector<double>> customer_before_test;
  for (const auto* r : all) {
    if (r->invoice_date >= test_from) {
      test.push_back(r);
    } else {
      before_test_dts.push_back(days_between(r->invoice_date, r->settled_date));
      customer_before_test[r->customer_id].push_back(before_test_dts.back());
    }
  }
  if (test.empty()) throw TrainError("no invoices issued on or after the test date");

  std::map<std::string, std::size_t> customer_index;
  for (const auto* r : test) customer_index.try_emplace(r->customer_id, customer_index.size());

  auto plus = [](Date d, double days) { return d + std::chrono::days{std::lround(days)}; };
  Errors model_e, summary_e, random_e, due_e, earlier_e, cust_fixed_e, cust_walk_e, fallback_e;
  std::size_t done = 0;
  for (const auto* r : test) {
    if (progress && done++ % 64 == 0) progress(done - 1, test.size());
    auto facts = facts_of(*r);
    auto history = index.before(r->customer_id, r->invoice_date);
    Date actual = r->settled_date;
    std::size_t who = customer_index.at(r->customer_id);

    auto p = predict(model, facts, history);
    model_e.add(p.expected, actual, who);
    model_e.add_interval(p.low, p.high, actual);
    auto from_summary = predict(model, facts, summarize(history));
    summary_e.add(from_summary.expected, actual, who);
    summary_e.add_interval(from_summary.low, from_summary.high, actual);

    // The tutorial's rule, 1..10 days at random: every draw counted once (its exact expectation).
    for (int k = 1; k <= 10; ++k) random_e.add(plus(r->invoice_date, k), actual, who);
    due_e.add(r->due_date, actual, who);

    std::vector<double> earlier;
    for (const auto* o : all)
      if (o->settled_date < r->invoice_date)
        earlier.push_back(days_between(o->invoice_date, o->settled_date));
    earlier_e.add(plus(r->invoice_date, mean(earlier)), actual, who);

    const auto& fixed = customer_before_test[r->customer_id];
    cust_fixed_e.add(plus(r->invoice_date, fixed.empty() ? mean(before_test_dts) : mean(fixed)),
                     actual, who);
    std::vector<double> walk;
    for (const auto& h : history.paid) walk.push_back(days_between(h.issue_date, h.settle_date));
    cust_walk_e.add(plus(r->invoice_date, walk.empty() ? mean(earlier) : mean(walk)), actual, who);

    auto f = predict_fallback(facts, history);
    fallback_e.add(f.expected, actual, who);
    fallback_e.add_interval(f.low, f.high, actual);
  }
  if (progress) progress(test.size(), test.size());
  Evaluation ev;
  ev.test_from = test_from;
  ev.test_invoices = test.size();
  ev.model = model_e.metrics("this model (customer history, shrunk; empirical interval)");
  ev.model_from_summary =
      summary_e.metrics("this model, history as invoices_svc sends it (delays and counts)");
  ev.baselines = {
      random_e.metrics("tutorial: issue date + random 1-10 days (exact expectation)"),
      due_e.metrics("due date"),
      earlier_e.metrics("issue date + average days-to-settle of all earlier invoices"),
      cust_fixed_e.metrics("issue date + customer's average days-to-settle (pre-test invoices)"),
      cust_walk_e.metrics("issue date + customer's average days-to-settle (walk-forward)"),
      fallback_e.metrics("no-model fallback rule (due date + customer's median delay)"),
  };
  return ev;
}

}  // namespace tim::expected_date

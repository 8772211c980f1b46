// Exploration, not built by CMake and not part of the model: the validation figures of the
// ideas listed in services/expected_date_svc/model/README.md ("What was tried"). Uses ONLY the
// training period of the model's protocol (invoices issued before 2013-07-12) and scores on its last 25% (from 2013-02-24,
// 493 invoices), walking forward; the test set is never read. Point = centre + the median
// residual of its history bucket, as in the model. Build and run from the worktree root
// (after `cmake -S . -B build/release && cmake --build build/release`):
//   g++ -std=c++20 -O2 -I services/expected_date_svc -I libs/core/include
//     research/predictor/validation_ideas.cpp
//     build/release/services/expected_date_svc/model/libexpected_date_model.a
//     build/release/libs/core/libtim_core.a -lboost_json -o /tmp/ideas
//   /tmp/ideas data/accounts-receivable/WA_Fn-UseC_-Accounts-Receivable.csv
// Note: h->disputed below is a PAST invoice's flag (settled before the predicted invoice).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "model/ar_csv.hpp"
#include "model/training.hpp"
using namespace tim::expected_date;
struct Cfg {
  double k = 0.5, hl = 0, b_rel = 0, a_med = 1, ke = -1, disp = 0, kd = 1, drift = 0, late = 0,
         clip = 0, babs = 0;
};
int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto all = read_accounts_receivable_csv(argv[1]);
  Date until = *parse_iso_date("2013-07-12");
  std::vector<ArRecord> rows;
  for (auto& r : all)
    if (r.invoice_date < until) rows.push_back(r);
  TrainOptions o;
  o.until = until;
  ModelParams base = train(rows, o);
  std::printf("baseline train: val mae %.4f cov %.3f k=%.2f hl=%.0f valfrom %s\n",
              base.training.validation_mae_days, base.training.validation_interval80_coverage,
              base.customer_prior_weight, base.history_half_life_days,
              base.training.validation_from.c_str());
  Date vf = *parse_iso_date(base.training.validation_from);
  // population params fitted on early only (as in train): re-train on early rows to get them
  std::vector<ArRecord> early;
  for (auto& r : rows)
    if (r.invoice_date < vf) early.push_back(r);
  // get early population fit: train on early with tiny validation share -> fit_population(early
  // part) approx simpler: use train() on rows but population refit uses all rows; instead compute
  // prior from `early` via train(early)
  TrainOptions oe;
  ModelParams pe = train(early, oe);  // population refit on all of early at end
  struct C {
    const ArRecord* r;
    std::vector<const ArRecord*> h;
  };
  std::vector<C> cases;
  for (auto& r : rows)
    if (r.invoice_date >= vf) {
      C c{&r, {}};
      for (auto& q : rows)
        if (q.customer_id == r.customer_id && q.settled_date < r.invoice_date) c.h.push_back(&q);
      cases.push_back(c);
    }
  auto eff = [](const ArRecord& r) { return std::max(r.invoice_date, r.due_date); };
  auto el = [&](const ArRecord& r) {
    return r.channel == BillingChannel::electronic ? pe.electronic_effect_days : 0.0;
  };
  double mla = 0;
  for (auto& r : early) mla += std::log(double(std::max<long>(r.amount_minor, 1)));
  mla /= double(early.size());
  auto run = [&](const Cfg& g) {
    std::vector<double> res, ctr;
    std::vector<int> hc;
    for (auto& c : cases) {
      double prior = pe.country_delay_days.count(c.r->country_code)
                         ? pe.country_delay_days.at(c.r->country_code)
                         : pe.population_delay_days;
      double s = 0, w = 0, sa = 0, na = 0;
      std::vector<double> ds;
      for (auto* h : c.h) {
        double wt =
            g.hl > 0
                ? std::exp2(-std::max(0, days_between(h->settled_date, c.r->invoice_date)) / g.hl)
                : 1;
        double d = days_between(eff(*h), h->settled_date) - el(*h);
        s += wt * d;
        w += wt;
        ds.push_back(d);
        sa += std::log(double(std::max<long>(h->amount_minor, 1)));
        na++;
      }
      double mean = (s + g.k * prior) / (w + g.k);
      if (g.ke >= 0) {  // customer's own electronic effect, shrunk to the population's
        double se = 0, ne = 0, sp = 0, np = 0;
        for (auto* h : c.h) {
          double d = days_between(eff(*h), h->settled_date);
          if (h->channel == BillingChannel::electronic) {
            se += d;
            ne++;
          } else {
            sp += d;
            np++;
          }
        }
        double ec = pe.electronic_effect_days;
        if (ne > 0 && np > 0) {
          double wn = ne * np / (ne + np);
          ec = (wn * (se / ne - sp / np) + g.ke * ec) / (wn + g.ke);
        }
        double s2 = 0;
        for (auto* h : c.h) {
          double d = days_between(eff(*h), h->settled_date) -
                     (h->channel == BillingChannel::electronic ? ec : 0);
          s2 += d;
        }
        mean = (s2 + g.k * prior) / (double(c.h.size()) + g.k) +
               (c.r->channel == BillingChannel::electronic ? ec - pe.electronic_effect_days : 0);
      }
      if (g.disp > 0) {  // past disputes known: base from undisputed, plus shrunk dispute rate * D
        double s2 = 0, n2 = 0, nd = 0;
        for (auto* h : c.h) {
          if (h->disputed) {
            nd++;
            continue;
          }
          s2 += days_between(eff(*h), h->settled_date) - el(*h);
          n2++;
        }
        double basend = (s2 + g.k * (prior - 0.227 * g.disp)) / (n2 + g.k);
        double p = (nd + g.kd * 0.227) / (double(c.h.size()) + g.kd);
        mean = basend + p * g.disp;
      }
      double level = mean;
      if (!ds.empty() && g.a_med < 1) {
        std::sort(ds.begin(), ds.end());
        double med =
            ds.size() % 2 ? ds[ds.size() / 2] : (ds[ds.size() / 2 - 1] + ds[ds.size() / 2]) / 2;
        double n = double(ds.size());
        double medshr = (n * med + g.k * prior) / (n + g.k);
        level = g.a_med * mean + (1 - g.a_med) * medshr;
      }
      if (!c.h.empty() && g.drift != 0) {
        double sd = 0;
        for (auto* h : c.h) sd += days_between(h->settled_date, c.r->invoice_date);
        level += g.drift * (sd / double(c.h.size())) / 365.0 * double(c.h.size()) /
                 (double(c.h.size()) + g.k);
      }
      if (!c.h.empty() && g.late != 0) {
        double nl = 0;
        for (auto* h : c.h) nl += h->settled_date > eff(*h);
        level += g.late * (nl / double(c.h.size()) - 0.5);
      }
      if (!ds.empty() && g.clip > 0) {
        double m0 = s / w;
        double s3 = 0;
        for (double d : ds) s3 += std::clamp(d, m0 - g.clip, m0 + g.clip);
        level = (s3 + g.k * prior) / (double(ds.size()) + g.k);
      }
      if (g.babs != 0) {
        level += g.babs * (std::log(double(std::max<long>(c.r->amount_minor, 1))) - mla);
      }
      if (na > 0)
        level += g.b_rel * (std::log(double(std::max<long>(c.r->amount_minor, 1))) - sa / na);
      level += el(*c.r);
      ctr.push_back(level);
      hc.push_back(int(c.h.size()));
      res.push_back(days_between(eff(*c.r), c.r->settled_date) - level);
    }
    // bucket median shift
    int bounds[] = {0, 1, 5, 10, 20, 1 << 30};
    double tot = 0;
    int within = 0;
    for (int b = 0; b < 5; b++) {
      std::vector<double> rr;
      for (size_t i = 0; i < res.size(); i++)
        if (hc[i] >= bounds[b] && hc[i] < bounds[b + 1]) rr.push_back(std::lround(res[i]));
      if (rr.empty()) continue;
      std::sort(rr.begin(), rr.end());
      double m = rr[(rr.size() - 1) / 2];
      for (size_t i = 0; i < res.size(); i++)
        if (hc[i] >= bounds[b] && hc[i] < bounds[b + 1]) {
          double e = std::abs(std::lround(res[i]) - m);
          tot += e;
          within += e <= 3;
        }
    }
    return std::pair{tot / res.size(), double(within) / res.size()};
  };
  std::printf("cases %zu\n", cases.size());
  auto show = [&](const char* n, Cfg g) {
    auto [m, w] = run(g);
    std::printf(
        "%-8s k=%.2f hl=%3.0f rel=%4.1f a_mean=%.2f k_el=%2.0f disp=%2.0f k_disp=%2.0f "
        "drift=%2.0f late=%2.0f clip=%2.0f abs=%4.1f  mae %.4f w3 %.3f\n",
        n, g.k, g.hl, g.b_rel, g.a_med, g.ke, g.disp, g.kd, g.drift, g.late, g.clip, g.babs, m, w);
  };
  double ks[] = {0, 0.25, 0.5, 1, 2, 4};
  for (double k : ks) show("base", {k, 0, 0, 1});
  for (double b : {-2.0, -1.0, 0.5, 1.0, 2.0, 3.0}) {
    Cfg g;
    g.k = 0.25;
    g.babs = b;
    show("babs", g);
  }
  for (double dr : {-4.0, -2.0, -1.0, 1.0, 2.0}) show("drift", {0.25, 0, 0, 1, -1, 0, 1, dr});
  for (double l : {-4.0, -2.0, -1.0, 1.0, 2.0, 4.0}) show("late", {0.25, 0, 0, 1, -1, 0, 1, 0, l});
  for (double c : {4.0, 6.0, 8.0, 12.0, 16.0}) show("clip", {0.25, 0, 0, 1, -1, 0, 1, 0, 0, c});
  for (double ke : {0.0, 1.0, 2.0, 4.0, 8.0, 16.0})
    for (double k : {0.25, 0.5}) show("elec", {k, 0, 0, 1, ke});
  for (double D : {6.0, 8.0, 10.0, 12.0})
    for (double kd : {1.0, 3.0, 10.0}) show("disp", {0.5, 0, 0, 1, -1, D, kd});
  for (double hl : {90.0, 180.0, 365.0, 730.0}) show("hl", {0.5, hl, 0, 1});
  for (double b : {-2.0, -1.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0}) show("rel", {0.5, 0, b, 1});
  for (double a : {0.0, 0.25, 0.5, 0.75}) show("med", {0.5, 0, 0, a});
  for (double a : {0.0, 0.25, 0.5, 0.75})
    for (double b : {1.0, 2.0, 3.0}) show("med+rel", {0.5, 0, b, a});
}

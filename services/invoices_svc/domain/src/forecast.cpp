#include "tim/invoices/forecast.hpp"

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/url/params_view.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <unordered_map>

#include "tim/invoices/error.hpp"

namespace tim::invoices {

namespace {

std::string_view to_string(BucketSize size) {
  switch (size) {
    case BucketSize::day:
      return "day";
    case BucketSize::week:
      return "week";
    case BucketSize::month:
      return "month";
  }
  return "week";
}

std::chrono::sys_days sys(Date d) {
  return std::chrono::sys_days{std::chrono::days{d.days_since_epoch()}};
}

Date date_of(std::chrono::sys_days d) {
  return Date::from_days(static_cast<std::int32_t>(d.time_since_epoch().count()));
}

Date required_date(const std::optional<std::string>& value, const char* name) {
  if (!value) throw_invalid_field(name, "is required (YYYY-MM-DD)");
  const auto d = Date::parse(*value);
  if (!d) throw_invalid_field(name, "must be a calendar date YYYY-MM-DD");
  return *d;
}

// The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
double normal_quantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  if (p <= 0) return -HUGE_VAL;
  if (p >= 1) return HUGE_VAL;
  if (p < 0.02425) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - 0.02425) return -normal_quantile(1 - p);
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

// An invoice's payment day at quantile u is linear between its 10th, 50th and 90th
// percentiles (low, expected, high), with the same slopes beyond them, rounded to a day.
// The quantile at which the day reaches `day` (0 or 1 when it always/never does):
double quantile_reaching(const ForecastInvoice& invoice, std::int32_t day) {
  const double low = invoice.low.days_since_epoch();
  const double mid = invoice.expected.days_since_epoch();
  const double high = invoice.high.days_since_epoch();
  const double edge = day - 0.5;  // rounded: the day is reached from here on
  double u;
  if (edge <= mid)
    u = mid > low ? 0.5 - 0.4 * (mid - edge) / (mid - low) : 0.0;
  else
    u = high > mid ? 0.5 + 0.4 * (edge - mid) / (high - mid) : 1.0;
  return std::clamp(u, 0.0, 1.0);
}

// Where an invoice's draws land: slot `first` plus the number of thresholds (in the normal
// draw's scale) the draw reaches. A few thresholds per invoice, so a draw costs a normal
// variate and a few comparisons.
struct Placement {
  std::size_t first = 0;
  std::vector<double> thresholds;
};

Placement placement_of(const ForecastInvoice& invoice, const std::vector<std::int32_t>& starts) {
  // starts[k]: the first day of slot k + 1 (from, then each bucket's end + 1).
  Placement p;
  for (const auto start : starts) {
    const double u = quantile_reaching(invoice, start);
    if (u <= 0)
      ++p.first;  // always reached
    else if (u < 1)
      p.thresholds.push_back(normal_quantile(u));
  }
  return p;
}

// 0: overdue, 1..n: bucket i-1, n+1: later.
std::size_t slot_of(std::int32_t day, const std::vector<std::int32_t>& bucket_ends, Date from) {
  if (day < from.days_since_epoch()) return 0;
  const auto at = std::lower_bound(bucket_ends.begin(), bucket_ends.end(), day);
  return 1 + static_cast<std::size_t>(at - bucket_ends.begin());
}

std::int64_t percentile(std::vector<std::int64_t>& values, double p) {
  // Nearest rank: an amount some run really produced.
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())) - 1);
  const auto at = std::min(rank, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(at), values.end());
  return values[at];
}

boost::json::object amount_json(const ForecastAmount& a) {
  return {{"amount", a.amount}, {"low", a.low}, {"high", a.high}, {"count", a.count}};
}

}  // namespace

ForecastQuery parse_forecast_query(std::string_view query) {
  static constexpr std::array<std::string_view, 5> kParameters = {"from", "to", "bucket",
                                                                  "customer", "ccy"};
  std::optional<std::string> from, to, bucket;
  ForecastQuery out;
  const std::string text(query);  // Boost.URL reads up to a NUL (see query.cpp)
  boost::urls::params_view params;
  if (!text.empty()) {
    try {
      params = boost::urls::params_view(text, boost::urls::encoding_opts(true));
    } catch (const std::exception&) {
      throw Error(ErrorKind::invalid, "invalid_query", "the query string is not well-formed");
    }
  }
  std::set<std::string> seen;
  for (const auto& param : params) {
    const std::string& name = param.key;
    if (name.empty() && !param.has_value) continue;
    if (std::find(kParameters.begin(), kParameters.end(), name) == kParameters.end())
      throw_invalid_field(name, "is not a known query parameter (from, to, bucket, customer, ccy)");
    if (!seen.insert(name).second) throw_invalid_field(name, "is given more than once");
    if (param.value.empty()) continue;
    if (name == "from") from = param.value;
    if (name == "to") to = param.value;
    if (name == "bucket") bucket = param.value;
    if (name == "customer") out.customer = param.value;
    if (name == "ccy") out.ccy = param.value;
  }
  out.from = required_date(from, "from");
  out.to = required_date(to, "to");
  if (out.to < out.from) throw_invalid_field("to", "must be on or after from");
  if (!bucket) throw_invalid_field("bucket", "is required: day, week or month");
  if (*bucket == "day")
    out.bucket = BucketSize::day;
  else if (*bucket == "week")
    out.bucket = BucketSize::week;
  else if (*bucket == "month")
    out.bucket = BucketSize::month;
  else
    throw_invalid_field("bucket", "must be day, week or month");
  // Counted without building them: a far `to` is refused before any allocation.
  const auto days = out.to.days_since_epoch() - out.from.days_since_epoch() + 1;
  const auto buckets = out.bucket == BucketSize::day    ? days
                       : out.bucket == BucketSize::week ? (days + 6) / 7
                                                        : days / 28 + 2;
  if (static_cast<std::size_t>(buckets) > kMaxForecastBuckets &&
      forecast_buckets(out.from, out.to, out.bucket).size() > kMaxForecastBuckets)
    throw_invalid_field("to", "makes more than " + std::to_string(kMaxForecastBuckets) +
                                  " buckets: use a larger bucket or a nearer to");
  return out;
}

std::vector<std::pair<Date, Date>> forecast_buckets(Date from, Date to, BucketSize size) {
  using namespace std::chrono;
  std::vector<std::pair<Date, Date>> out;
  for (auto start = sys(from); start <= sys(to);) {
    sys_days end;
    if (size == BucketSize::day) {
      end = start;
    } else if (size == BucketSize::week) {
      end = start + days{6};
    } else {
      const year_month_day ymd{start};
      end = sys_days{ymd.year() / ymd.month() / last};
    }
    end = std::min(end, sys(to));
    out.emplace_back(date_of(start), date_of(end));
    if (out.size() > kMaxForecastBuckets) break;  // the caller refuses this many
    start = end + days{1};
  }
  return out;
}

std::vector<ForecastSeries> build_forecast(const ForecastQuery& query,
                                           std::span<const ForecastInvoice> invoices,
                                           const SimulationOptions& options) {
  const auto ranges = forecast_buckets(query.from, query.to, query.bucket);
  std::vector<std::int32_t> ends;
  std::vector<std::int32_t> starts = {query.from.days_since_epoch()};
  for (const auto& [start, end] : ranges) {
    ends.push_back(end.days_since_epoch());
    starts.push_back(end.days_since_epoch() + 1);
  }
  const std::size_t slots = ranges.size() + 2;
  const std::size_t runs = static_cast<std::size_t>(std::max(1, options.runs));

  std::map<std::string, std::vector<const ForecastInvoice*>> by_currency;
  for (const auto& invoice : invoices) by_currency[invoice.ccy].push_back(&invoice);

  std::vector<ForecastSeries> out;
  std::mt19937_64 random(options.seed);
  std::normal_distribution<double> normal;
  const double shared = std::sqrt(std::clamp(options.customer_correlation, 0.0, 1.0));
  const double own = std::sqrt(1.0 - shared * shared);
  for (const auto& [currency, list] : by_currency) {
    std::vector<ForecastAmount> expected(slots);
    // simulated[slot * runs + run]
    std::vector<std::int64_t> simulated(slots * runs, 0);
    std::unordered_map<std::string_view, std::vector<double>> customer_factor;
    for (const ForecastInvoice* invoice : list) {
      auto& e = expected[slot_of(invoice->expected.days_since_epoch(), ends, query.from)];
      e.amount += invoice->balance;
      e.count += 1;
      auto [factor, fresh] = customer_factor.try_emplace(invoice->customer_id);
      if (fresh) {
        factor->second.resize(runs);
        for (auto& z : factor->second) z = normal(random);
      }
      const Placement place = placement_of(*invoice, starts);
      for (std::size_t run = 0; run < runs; ++run) {
        const double x = shared * factor->second[run] + own * normal(random);
        std::size_t slot = place.first;
        for (const double t : place.thresholds) slot += x >= t ? 1 : 0;
        simulated[slot * runs + run] += invoice->balance;
      }
    }
    ForecastSeries series;
    series.currency = currency;
    std::vector<std::int64_t> values(runs);
    for (std::size_t slot = 0; slot < slots; ++slot) {
      std::copy_n(simulated.begin() + static_cast<std::ptrdiff_t>(slot * runs), runs,
                  values.begin());
      auto& e = expected[slot];
      e.low = std::min(percentile(values, 0.10), e.amount);
      e.high = std::max(percentile(values, 0.90), e.amount);
      series.total_amount += e.amount;
      series.total_count += e.count;
    }
    series.overdue = expected.front();
    series.later = expected.back();
    for (std::size_t i = 0; i < ranges.size(); ++i)
      series.buckets.push_back({ranges[i].first, ranges[i].second, expected[i + 1]});
    out.push_back(std::move(series));
  }
  return out;
}

std::string forecast_method(const SimulationOptions& options) {
  char correlation[16];
  std::snprintf(correlation, sizeof correlation, "%.2f", options.customer_correlation);
  return "per-invoice 80% intervals combined by Monte Carlo simulation (" +
         std::to_string(options.runs) + " runs, fixed seed, draws of one customer's invoices " +
         "correlated " + correlation +
         "): low/high are the 10th/90th percentiles of each bucket's simulated amount";
}

boost::json::object forecast_to_json(const ForecastQuery& query,
                                     const std::vector<ForecastSeries>& series,
                                     std::string_view method) {
  boost::json::array out;
  for (const auto& s : series) {
    boost::json::array buckets;
    for (const auto& b : s.buckets) {
      buckets.push_back(boost::json::object{{"start", b.start.to_string()},
                                            {"end", b.end.to_string()},
                                            {"amount", b.value.amount},
                                            {"low", b.value.low},
                                            {"high", b.value.high},
                                            {"count", b.value.count}});
    }
    out.push_back(boost::json::object{
        {"currency", s.currency},
        {"overdue", amount_json(s.overdue)},
        {"buckets", std::move(buckets)},
        {"later", amount_json(s.later)},
        {"total", boost::json::object{{"amount", s.total_amount}, {"count", s.total_count}}}});
  }
  return {{"from", query.from.to_string()},
          {"to", query.to.to_string()},
          {"bucket", to_string(query.bucket)},
          {"method", method},
          {"series", std::move(out)}};
}

}  // namespace tim::invoices

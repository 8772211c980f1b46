// The cash-in forecast (GET /api/forecast): open balances placed in day, week or month buckets
// by their expected payment date, one series per currency, with a low/high band. Pure: no I/O,
// no clock; the same invoices give the same answer (the simulation's seed is fixed).
//
// The expected amount of a bucket is the exact sum (integer minor units) of the open balances
// whose expected date falls in it. Invoices expected before `from` form the `overdue` line,
// those expected after `to` the `later` line, so overdue + buckets + later = the open balance.
//
// The band: each invoice's 80% interval (low = 10th, expected = 50th, high = 90th percentile of
// its payment date) defines a piecewise-linear distribution of its payment day. A Monte Carlo
// run draws every invoice's day and adds its balance to that day's bucket; a bucket's band is
// the 10th..90th percentile of its simulated amounts over the runs. Summing per-invoice
// intervals instead would claim that every invoice is early (or late) together, far too wide;
// independent draws would let one customer's invoices cancel out, too narrow: a customer who
// pays late pays its invoices late together. So draws share a per-customer factor (a Gaussian
// copula with correlation `customer_correlation`). The band is widened to contain the
// expected amount where sampling puts it just outside.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tim/invoices/date.hpp"

namespace tim::invoices {

enum class BucketSize { day, week, month };

struct ForecastQuery {
  Date from;
  Date to;  // inclusive
  BucketSize bucket = BucketSize::week;
  std::optional<std::string> customer;
  std::optional<std::string> ccy;
};

inline constexpr std::size_t kMaxForecastBuckets = 400;

// ?from=YYYY-MM-DD&to=YYYY-MM-DD&bucket=day|week|month[&customer=][&ccy=]. Throws
// Error(invalid) naming the parameter: missing from/to/bucket, to before from, more than
// kMaxForecastBuckets buckets, unknown or repeated parameters.
ForecastQuery parse_forecast_query(std::string_view query);

// The buckets' [start, end] days: from `from`, 1 day, 7 days or to the end of the calendar
// month each, the last one ending at `to`.
std::vector<std::pair<Date, Date>> forecast_buckets(Date from, Date to, BucketSize size);

struct ForecastInvoice {
  std::string ccy;
  std::string customer_id;
  std::int64_t balance = 0;  // minor units
  Date expected;
  Date low;
  Date high;
};

struct ForecastAmount {
  std::int64_t amount = 0;
  std::int64_t low = 0;
  std::int64_t high = 0;
  std::int64_t count = 0;
};

struct ForecastBucket {
  Date start;
  Date end;
  ForecastAmount value;
};

struct ForecastSeries {
  std::string currency;
  ForecastAmount overdue;  // expected before `from`
  std::vector<ForecastBucket> buckets;
  ForecastAmount later;  // expected after `to`
  std::int64_t total_amount = 0;
  std::int64_t total_count = 0;
};

struct SimulationOptions {
  int runs = 500;
  std::uint64_t seed = 20131;
  double customer_correlation = 0.5;
};

// Series sorted by currency; each invoice counted once in the series of its currency.
std::vector<ForecastSeries> build_forecast(const ForecastQuery& query,
                                           std::span<const ForecastInvoice> invoices,
                                           const SimulationOptions& options = {});

// A few words on the band's method, for the answer's "method".
std::string forecast_method(const SimulationOptions& options);

// {"from","to","bucket","method","series":[{"currency","overdue":{"amount","low","high",
// "count"},"buckets":[{"start","end","amount","low","high","count"}],"later":{…},
// "total":{"amount","count"}}]}
boost::json::object forecast_to_json(const ForecastQuery& query,
                                     const std::vector<ForecastSeries>& series,
                                     std::string_view method);

}  // namespace tim::invoices

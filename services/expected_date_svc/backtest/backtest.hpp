// The forecast's accuracy, measured: `expected_date_svc backtest`. On each Monday of the test
// period, the invoices open that day are forecast into the next 4 weekly buckets by a model
// trained only on what was known that day (invoices settled before it), and compared with what
// was actually paid in each week. Pure: rows in, figures out.
#pragma once

#include <ostream>
#include <span>
#include <string_view>
#include <vector>

#include "model/ar_csv.hpp"

namespace tim::expected_date {

inline constexpr int kBacktestHorizons = 4;

struct RuleScore {
  std::string rule;
  double wape[kBacktestHorizons] = {};      // Σ|forecast − actual| / Σ actual, per horizon
  double coverage[kBacktestHorizons] = {};  // share of Mondays with actual in the band (-1: none)
};

struct BacktestResult {
  Date first_monday;
  Date last_monday;
  int mondays = 0;
  double actual[kBacktestHorizons] = {};  // total paid per horizon, in minor units
  std::vector<RuleScore> rules;           // the model, then the two baselines
};

// Mondays from the first on or after `from` while the 4 weeks after them end before the last
// settle date in `rows`. Throws TrainError when no Monday has enough history to train on.
BacktestResult backtest(std::span<const ArRecord> rows, Date from);

// backtest --csv FILE [--from YYYY-MM-DD] (default 2013-07-12)
int backtest_main(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

inline constexpr std::string_view kBacktestUsage =
    "usage: expected_date_svc backtest --csv FILE [--from YYYY-MM-DD]\n"
    "  forecasts, on each Monday from --from (default 2013-07-12), the next 4 weeks' cash-in of\n"
    "  the invoices open that day with a model trained on what was known that day; prints WAPE\n"
    "  per horizon and the band's coverage, against paid-on-due-date and customer-average rules\n";

}  // namespace tim::expected_date

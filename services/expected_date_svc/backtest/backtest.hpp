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
#include "tim/cli.hpp"

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

// Adds `backtest --csv FILE [--from YYYY-MM-DD]` (default 2013-07-12) to the program; it writes
// to out and err, which must outlive it.
void add_backtest_command(cli::Program& program, std::ostream& out, std::ostream& err);

}  // namespace tim::expected_date

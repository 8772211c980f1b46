#include "backtest/backtest.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>

#include "model/cli.hpp"
#include "model/predictor.hpp"
#include "model/tim_export_csv.hpp"
#include "model/training.hpp"
#include "tim/invoices/forecast.hpp"

namespace tim::expected_date {

namespace {

invoices::Date to_domain(Date d) {
  return invoices::Date::from_days(static_cast<std::int32_t>(d.time_since_epoch().count()));
}

struct Placed {
  const ArRecord* row;
  Date expected, low, high;
};

// The 4 weekly buckets' amount, low and high from the service's own forecast code.
std::vector<invoices::ForecastAmount> weekly(const std::vector<Placed>& placed, Date monday) {
  std::vector<invoices::ForecastInvoice> items;
  items.reserve(placed.size());
  for (const auto& p : placed)
    items.push_back({"USD", p.row->customer_id, p.row->amount_minor, to_domain(p.expected),
                     to_domain(p.low), to_domain(p.high)});
  const invoices::ForecastQuery query{
      to_domain(monday),
      to_domain(monday + std::chrono::days{7 * kBacktestHorizons - 1}),
      invoices::BucketSize::week,
      {},
      {}};
  const auto series = invoices::build_forecast(query, items);
  std::vector<invoices::ForecastAmount> out(kBacktestHorizons);
  if (series.empty()) return out;
  for (int h = 0; h < kBacktestHorizons; ++h)
    out[static_cast<std::size_t>(h)] = series[0].buckets[static_cast<std::size_t>(h)].value;
  // Invoices expected before the Monday (none for the model, which conditions on "still open")
  // are due now: counted in the first week.
  out[0].amount += series[0].overdue.amount;
  out[0].low += series[0].overdue.low;
  out[0].high += series[0].overdue.high;
  return out;
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

BacktestResult backtest(std::span<const ArRecord> rows, Date from) {
  using std::chrono::days;
  Date last_settled = rows.empty() ? from : rows.front().settled_date;
  for (const auto& r : rows) last_settled = std::max(last_settled, r.settled_date);
  Date monday = from;
  while (std::chrono::weekday{monday} != std::chrono::Monday) monday += days{1};

  BacktestResult result;
  result.first_monday = monday;
  result.rules = {{"model (Monte Carlo band)", {}, {}},
                  {"paid on its due date", {}, {}},
                  {"customer's average delay", {}, {}}};
  double error[3][kBacktestHorizons] = {};
  int covered[kBacktestHorizons] = {};
  for (; monday + days{7 * kBacktestHorizons} <= last_settled + days{1}; monday += days{7}) {
    // What was known that Monday: invoices settled before it.
    std::vector<ArRecord> known;
    for (const auto& r : rows)
      if (r.settled_date < monday) known.push_back(r);
    if (known.size() < 50) continue;
    TrainOptions options;
    options.source = "backtest";
    const ModelParams model = train(known, options);
    std::map<std::string, std::pair<double, int>> customer_delay;  // sum, count
    for (const auto& r : known) {
      auto& [sum, n] = customer_delay[r.customer_id];
      sum += static_cast<double>((r.settled_date - r.due_date).count());
      ++n;
    }
    std::vector<Placed> by_model, by_due, by_average;
    double actual[kBacktestHorizons] = {};
    for (const auto& r : rows) {
      if (!(r.invoice_date < monday && r.settled_date >= monday)) continue;  // open that Monday
      const auto h = (r.settled_date - monday).count() / 7;
      if (h < kBacktestHorizons) actual[h] += static_cast<double>(r.amount_minor);
      const auto p =
          predict(model, facts_of(r), history_before(known, r.customer_id, monday), monday);
      by_model.push_back({&r, p.expected, p.low, p.high});
      const Date due = std::max(r.due_date, monday);
      by_due.push_back({&r, due, due, due});
      const auto found = customer_delay.find(r.customer_id);
      const int delay =
          found == customer_delay.end()
              ? 0
              : static_cast<int>(std::lround(found->second.first / found->second.second));
      const Date average = std::max(r.due_date + days{delay}, monday);
      by_average.push_back({&r, average, average, average});
    }
    const std::vector<invoices::ForecastAmount> forecasts[3] = {
        weekly(by_model, monday), weekly(by_due, monday), weekly(by_average, monday)};
    for (int h = 0; h < kBacktestHorizons; ++h) {
      const auto u = static_cast<std::size_t>(h);
      result.actual[h] += actual[h];
      for (int rule = 0; rule < 3; ++rule)
        error[rule][h] += std::abs(static_cast<double>(forecasts[rule][u].amount) - actual[h]);
      const auto& band = forecasts[0][u];
      if (actual[h] >= static_cast<double>(band.low) && actual[h] <= static_cast<double>(band.high))
        ++covered[h];
    }
    result.last_monday = monday;
    ++result.mondays;
  }
  if (result.mondays == 0) throw TrainError("no Monday with enough history to train on");
  for (int rule = 0; rule < 3; ++rule)
    for (int h = 0; h < kBacktestHorizons; ++h) {
      result.rules[static_cast<std::size_t>(rule)].wape[h] =
          result.actual[h] > 0 ? error[rule][h] / result.actual[h] : 0;
      result.rules[static_cast<std::size_t>(rule)].coverage[h] =
          rule == 0 ? static_cast<double>(covered[h]) / result.mondays : -1;
    }
  return result;
}

namespace {
int run_backtest(const std::string& csv, Date from, std::ostream& out, std::ostream& err) {
  try {
    const auto rows = read_training_csv(csv);
    const auto r = backtest(rows, from);
    out << r.mondays << " Mondays, " << format_iso_date(r.first_monday) << " .. "
        << format_iso_date(r.last_monday) << "\n\n"
        << "| rule | WAPE week 1 | week 2 | week 3 | week 4 | band coverage week 1 | week 2 | week "
           "3 | week 4 |\n"
        << "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
    for (const auto& rule : r.rules) {
      out << "| " << rule.rule;
      for (double w : rule.wape) out << " | " << fixed(100 * w, 1) << "%";
      for (double c : rule.coverage)
        out << " | " << (c < 0 ? std::string("—") : fixed(100 * c, 0) + "%");
      out << " |\n";
    }
    return 0;
  } catch (const std::exception& e) {
    err << "backtest: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

void add_backtest_command(cli::Program& program, std::ostream& out, std::ostream& err) {
  struct Args {
    std::string csv, from = "2013-07-12";
  };
  auto args = std::make_shared<Args>();
  auto& c = program.command(
      "backtest",
      "Forecast, on each Monday from --from, the next 4 weeks' cash-in of the invoices open that "
      "day with a model trained on what was known that day; print WAPE per horizon and the "
      "band's coverage, against paid-on-due-date and customer-average rules",
      [args, &out, &err] {
        return run_backtest(args->csv, *parse_iso_date(args->from), out, err);
      });
  c.add_option("--csv", args->csv, "invoices (CSV): TIM's export or the public sample")->required();
  c.add_option("--from", args->from, "first Monday on or after this date (default 2013-07-12)")
      ->check(iso_date_validator());
}

}  // namespace tim::expected_date

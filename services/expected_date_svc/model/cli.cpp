#include "model/cli.hpp"

#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include "model/ar_csv.hpp"
#include "model/model_file.hpp"
#include "model/tim_export_csv.hpp"
#include "model/training.hpp"

namespace tim::expected_date {
namespace {

// --name value pairs and bare --flags; nullopt on anything unknown or repeated.
std::optional<std::map<std::string, std::string>> parse_args(
    std::span<const std::string_view> args, std::initializer_list<std::string_view> with_value,
    std::initializer_list<std::string_view> flags) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto a = args[i];
    bool takes_value = std::find(with_value.begin(), with_value.end(), a) != with_value.end();
    bool is_flag = std::find(flags.begin(), flags.end(), a) != flags.end();
    if ((!takes_value && !is_flag) || out.count(std::string(a))) return std::nullopt;
    if (takes_value) {
      if (i + 1 >= args.size()) return std::nullopt;
      out[std::string(a)] = std::string(args[++i]);
    } else {
      out[std::string(a)] = "";
    }
  }
  return out;
}

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string percent(double share) {
  return fixed(100 * share, 1) + "%";
}

void print_row(std::ostream& out, const Metrics& m) {
  std::string rule = m.rule;
  rule.resize(std::max<std::size_t>(rule.size(), 70), ' ');
  std::string ci = m.mae_ci95_days ? "[" + fixed(m.mae_ci95_days->low, 2) + ", " +
                                         fixed(m.mae_ci95_days->high, 2) + "]"
                                   : "-";
  ci.resize(std::max<std::size_t>(ci.size(), 14), ' ');
  out << rule << "  " << fixed(m.mae_days, 2) << "  " << ci << "  " << fixed(m.median_ae_days, 1)
      << "  " << percent(m.within_3_days) << "  "
      << (m.interval80_coverage ? percent(*m.interval80_coverage) : "-") << "\n";
}

boost::json::object metrics_json(const Metrics& m) {
  boost::json::object o{{"rule", m.rule},
                        {"mae_days", m.mae_days},
                        {"median_ae_days", m.median_ae_days},
                        {"within_3_days", m.within_3_days}};
  o["mae_ci95_days"] =
      m.mae_ci95_days
          ? boost::json::value(boost::json::array{m.mae_ci95_days->low, m.mae_ci95_days->high})
          : boost::json::value();
  o["interval80_coverage"] =
      m.interval80_coverage ? boost::json::value(*m.interval80_coverage) : boost::json::value();
  return o;
}

}  // namespace

// Progress goes to a terminal only: nothing in a pipe, a log or a test's stream, nor with --quiet.
static bool shows_progress(const std::ostream& err, bool quiet) {
  return !quiet && &err == &std::cerr && ::isatty(STDERR_FILENO) == 1;
}

int train_main(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  auto a = parse_args(args, {"--csv", "--out", "--until"}, {"--quiet"});
  std::optional<Date> until;
  if (a && a->count("--until")) {
    until = parse_iso_date(a->at("--until"));
    if (!until) a.reset();
  }
  if (!a || !a->count("--csv") || !a->count("--out")) {
    err << kTrainUsage;
    return 2;
  }
  const bool progress = shows_progress(err, a->count("--quiet") > 0);
  try {
    if (progress) err << "reading " << a->at("--csv") << "…" << std::flush;
    auto rows = read_training_csv(a->at("--csv"));
    if (progress) err << " " << rows.size() << " rows; training…" << std::flush;
    TrainOptions options;
    options.until = until;
    options.source = std::filesystem::path(a->at("--csv")).filename().string();
    auto model = train(rows, options);
    if (progress) err << " done\n";
    save_model_file(a->at("--out"), model);
    const auto& t = model.training;
    out << "trained on " << t.invoices << " invoices of " << t.customers << " customers ("
        << t.first_invoice_date << " .. " << t.last_invoice_date << ")\n"
        << "tuned on invoices from " << t.validation_from
        << ": customer_prior_weight=" << fixed(model.customer_prior_weight, 2)
        << " history_half_life_days=" << fixed(model.history_half_life_days, 0)
        << " interval_tail_share=" << fixed(model.interval_tail_share, 3)
        << " mae_days=" << fixed(t.validation_mae_days, 2)
        << " interval80_coverage=" << percent(t.validation_interval80_coverage) << "\n"
        << "wrote " << a->at("--out") << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << "train: " << e.what() << "\n";
    return 1;
  }
}

int evaluate_main(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  auto a = parse_args(args, {"--csv", "--model", "--test-from"}, {"--json", "--quiet"});
  std::optional<Date> test_from;
  if (a && a->count("--test-from")) test_from = parse_iso_date(a->at("--test-from"));
  if (!a || !a->count("--csv") || !a->count("--model") || !test_from) {
    err << kEvaluateUsage;
    return 2;
  }
  try {
    auto model = load_model_file(a->at("--model"));
    const auto& until = model.training.trained_until;
    if (until.empty() || *parse_iso_date(until) > *test_from) {
      err << "evaluate: the model was trained on invoices "
          << (until.empty() ? "of the whole file" : "issued up to " + until)
          << ", which overlaps the test set; train it with --until " << format_iso_date(*test_from)
          << "\n";
      return 1;
    }
    const bool progress = shows_progress(err, a->count("--quiet") > 0);
    if (progress) err << "reading " << a->at("--csv") << "…" << std::flush;
    auto rows = read_training_csv(a->at("--csv"));
    if (progress) err << " " << rows.size() << " rows; evaluating (walk-forward)…" << std::flush;
    auto ev = evaluate(rows, model, *test_from);
    if (progress) err << " done\n";
    if (a->count("--json")) {
      auto o = metrics_json(ev.model);
      o["test_from"] = format_iso_date(ev.test_from);
      o["test_invoices"] = ev.test_invoices;
      boost::json::array baselines;
      for (const auto& b : ev.baselines) baselines.push_back(metrics_json(b));
      o["baselines"] = std::move(baselines);
      o["model_from_summary"] = metrics_json(ev.model_from_summary);
      out << boost::json::serialize(o) << "\n";
    } else {
      out << ev.test_invoices << " test invoices issued on or after "
          << format_iso_date(ev.test_from) << " (walk-forward history)\n";
      std::string head = "rule";
      head.resize(70, ' ');
      out << head << "  MAE   MAE 95% CI      median  within 3d  interval80\n";
      for (const auto& b : ev.baselines) print_row(out, b);
      print_row(out, ev.model);
      print_row(out, ev.model_from_summary);
    }
    return 0;
  } catch (const std::exception& e) {
    err << "evaluate: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace tim::expected_date

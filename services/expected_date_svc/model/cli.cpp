#include "model/cli.hpp"

#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/ar_csv.hpp"
#include "model/model_file.hpp"
#include "model/tim_export_csv.hpp"
#include "model/training.hpp"
#include "tim/progress.hpp"

namespace tim::expected_date {
namespace {

struct TrainArgs {
  std::string csv, out, until;
  bool quiet = false;
};

struct EvaluateArgs {
  std::string csv, model, test_from;
  bool json = false;
  bool quiet = false;
};

// Progress on a terminal only: nothing in a pipe, a log or a test's stream, nor with --quiet.
// Reading shows rows, rows/s, the share of the file and the time left (tim::ProgressLine, as the
// invoices import does); evaluating, the test invoices the same way; training, which has no
// steps to count, says so. Every line is erased before the report, which is unchanged.
class TerminalProgress {
 public:
  TerminalProgress(std::ostream& err, bool quiet)
      : err_(err), on_(!quiet && &err == &std::cerr && ::isatty(STDERR_FILENO) == 1) {}
  ~TerminalProgress() { clear(); }

  ReadProgress reading(const std::string& file) {
    if (!on_) return {};
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);  // 0: unknown
    return start(ec ? 0 : size);
  }
  EvaluateProgress evaluating() {
    if (!on_) return {};
    return [this, draw = std::function<void(std::uint64_t, std::uint64_t)>()](
               std::size_t done, std::size_t total) mutable {
      if (!draw) draw = start(total);
      draw(done, done);
    };
  }
  void say(const std::string& text) {
    if (!on_) return;
    clear();
    err_ << "\r" << text << std::flush;
    said_width_ = text.size();
  }
  void clear() {
    if (!on_) return;
    if (line_) err_ << line_->clear();
    line_.reset();
    if (said_width_) err_ << "\r" << std::string(said_width_, ' ') << "\r";
    said_width_ = 0;
    err_ << std::flush;
  }

 private:
  std::function<void(std::uint64_t, std::uint64_t)> start(std::uint64_t total) {
    clear();
    line_.emplace(total, ProgressLine::Clock::now());
    return [this](std::uint64_t done, std::uint64_t rows) {
      if (!line_) return;
      if (auto text = line_->update(done, rows, ProgressLine::Clock::now()))
        err_ << *text << std::flush;
    };
  }

  std::ostream& err_;
  bool on_;
  std::optional<ProgressLine> line_;
  std::size_t said_width_ = 0;
};

// A date option is checked while parsing: a wrong one is a usage error (exit 2).
const CLI::Validator kIsoDate(
    [](std::string& text) {
      return parse_iso_date(text) ? std::string() : "must be a date YYYY-MM-DD, got '" + text + "'";
    },
    "YYYY-MM-DD");

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

int run_train(const TrainArgs& a, std::ostream& out, std::ostream& err) {
  TerminalProgress progress(err, a.quiet);
  try {
    auto rows = read_training_csv(a.csv, progress.reading(a.csv));
    progress.say("training on " + with_thousands(rows.size()) + " rows…");
    TrainOptions options;
    if (!a.until.empty()) options.until = parse_iso_date(a.until);
    options.source = std::filesystem::path(a.csv).filename().string();
    auto model = train(rows, options);
    progress.clear();
    save_model_file(a.out, model);
    const auto& t = model.training;
    out << "trained on " << t.invoices << " invoices of " << t.customers << " customers ("
        << t.first_invoice_date << " .. " << t.last_invoice_date << ")\n"
        << "tuned on invoices from " << t.validation_from
        << ": customer_prior_weight=" << fixed(model.customer_prior_weight, 2)
        << " history_half_life_days=" << fixed(model.history_half_life_days, 0)
        << " interval_tail_share=" << fixed(model.interval_tail_share, 3)
        << " mae_days=" << fixed(t.validation_mae_days, 2)
        << " interval80_coverage=" << percent(t.validation_interval80_coverage) << "\n"
        << "wrote " << a.out << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << "train: " << e.what() << "\n";
    return 1;
  }
}

int run_evaluate(const EvaluateArgs& a, std::ostream& out, std::ostream& err) {
  const auto test_from = parse_iso_date(a.test_from);  // checked by the parser
  try {
    auto model = load_model_file(a.model);
    const auto& until = model.training.trained_until;
    if (until.empty() || *parse_iso_date(until) > *test_from) {
      err << "evaluate: the model was trained on invoices "
          << (until.empty() ? "of the whole file" : "issued up to " + until)
          << ", which overlaps the test set; train it with --until " << format_iso_date(*test_from)
          << "\n";
      return 1;
    }
    TerminalProgress progress(err, a.quiet);
    auto rows = read_training_csv(a.csv, progress.reading(a.csv));
    auto ev = evaluate(rows, model, *test_from, progress.evaluating());
    progress.clear();
    if (a.json) {
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

}  // namespace

const CLI::Validator& iso_date_validator() {
  return kIsoDate;
}

void add_model_commands(cli::Program& program, std::ostream& out, std::ostream& err) {
  // A command's options live as long as the program: the parser writes them, the action reads.
  auto train_args = std::make_shared<TrainArgs>();
  auto& t = program.command(
      "train",
      "Learn a model file from the paid invoices of a CSV file: TIM's own export (GET "
      "/api/invoices?format=csv) or IBM's accounts-receivable sample, told apart by the header",
      [train_args, &out, &err] { return run_train(*train_args, out, err); });
  t.add_option("--csv", train_args->csv, "paid invoices (CSV)")->required();
  t.add_option("--out", train_args->out, "model file to write")->required();
  t.add_option("--until", train_args->until,
               "only invoices issued before this date (needed to evaluate on later ones)")
      ->check(kIsoDate);
  t.add_flag("--quiet", train_args->quiet, "no progress on stderr (shown only on a terminal)");

  auto evaluate_args = std::make_shared<EvaluateArgs>();
  auto& e = program.command(
      "evaluate",
      "Measure a model on invoices issued on or after --test-from, walking forward; the model "
      "must have been trained with --until on or before that date",
      [evaluate_args, &out, &err] { return run_evaluate(*evaluate_args, out, err); });
  e.add_option("--csv", evaluate_args->csv, "invoices (CSV)")->required();
  e.add_option("--model", evaluate_args->model, "model file")->required();
  e.add_option("--test-from", evaluate_args->test_from, "first issue date of the test set")
      ->required()
      ->check(kIsoDate);
  e.add_flag("--json", evaluate_args->json, "one JSON object instead of the table");
  e.add_flag("--quiet", evaluate_args->quiet, "no progress on stderr (shown only on a terminal)");
  // Another command: a struct for its options, a run_… function above, then here
  //   auto args = std::make_shared<…Args>();
  //   auto& c = program.command("name", "what it does", [args, &out, &err] { … });
  //   c.add_option(…); c.add_flag(…);
}

namespace {
int run_one(std::string_view command, std::span<const std::string_view> args, std::ostream& out,
            std::ostream& err) {
  cli::Program program("expected_date_svc", "expected_date_svc's offline commands");
  program.app().require_subcommand(1);
  add_model_commands(program, out, err);
  std::vector<std::string> all{std::string(command)};
  all.insert(all.end(), args.begin(), args.end());
  return program.run(all, out, err);
}
}  // namespace

int train_main(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  return run_one("train", args, out, err);
}

int evaluate_main(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  return run_one("evaluate", args, out, err);
}

}  // namespace tim::expected_date

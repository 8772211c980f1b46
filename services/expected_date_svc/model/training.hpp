// Learning the model's parameters from paid history, and measuring it (pure: rows in, numbers
// out). The protocol: walk forward, never the tested invoice's own outcome.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/ar_csv.hpp"
#include "model/predictor.hpp"

namespace tim::expected_date {

struct TrainOptions {
  std::optional<Date> until;  // use only invoices issued before this date
  // The last share of the training invoices (by issue date) tunes the shrinkage and measures
  // the errors the interval is made of; the population parameters are fitted on the rest first.
  double validation_share = 0.25;
  std::string source;  // recorded in the model's metadata
};

struct TrainError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws TrainError when there is too little data to fit.
ModelParams train(std::span<const ArRecord> rows, const TrainOptions& options);

// Paid invoices of this customer settled before `before` (the walk-forward history).
CustomerHistory history_before(std::span<const ArRecord> rows, const std::string& customer_id,
                               Date before);

struct Range {
  double low = 0;
  double high = 0;
};

// 95% interval of a mean absolute error, by resampling whole customers with replacement: one
// customer's invoices are not independent draws, so resampling invoices would make the interval
// too narrow. customer_of[i] is the customer (0..C-1) of abs_errors[i]. The seed is a parameter
// so that the same data prints the same interval every run.
Range bootstrap_mae_interval(std::span<const double> abs_errors,
                             std::span<const std::size_t> customer_of, int resamples,
                             std::uint64_t seed);

struct Metrics {
  std::string rule;
  double mae_days = 0;
  std::optional<Range> mae_ci95_days;  // evaluate only (bootstrap over customers)
  double median_ae_days = 0;
  double within_3_days = 0;                   // share, 0..1
  std::optional<double> interval80_coverage;  // share, 0..1; rules without interval: none
};

struct Evaluation {
  Date test_from;
  std::size_t test_invoices = 0;
  Metrics model;
  // The same model fed each customer's history as invoices_svc sends it (delays and counts,
  // predictor.hpp's summarize): equal to `model` unless the model weighs by recency.
  Metrics model_from_summary;
  std::vector<Metrics> baselines;  // the rules, then the no-model fallback rule
};

// Called now and then while evaluating (and once at the end): test invoices done, and their count.
using EvaluateProgress = std::function<void(std::size_t done, std::size_t total)>;

// Test set: invoices issued on or after test_from. Throws TrainError if it is empty.
Evaluation evaluate(std::span<const ArRecord> rows, const ModelParams& model, Date test_from,
                    const EvaluateProgress& progress = {});

}  // namespace tim::expected_date

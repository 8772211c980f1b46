// The settle-date predictor: pure functions of plain values (no I/O, no clock).
//
// Method: a customer's delay (settle date minus due date) is estimated from their paid
// invoices, each put on a paper-billing footing by removing the electronic-billing effect,
// and shrunk towards their country's delay (empirical Bayes: the prior counts as
// `customer_prior_weight` invoices). The interval and the point come from the empirical
// distribution of out-of-sample errors measured when training (per amount of history), so
// the 80% interval is as wide as the errors really were.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/dates.hpp"

namespace tim::expected_date {

enum class BillingChannel { paper, electronic };

// What is known about an open invoice when it is issued.
struct InvoiceFacts {
  std::string customer_id;
  Date issue_date;
  Date due_date;
  std::int64_t amount_minor = 0;
  std::string currency;      // ISO 4217; the model does not depend on it
  std::string country_code;  // "391"; unknown countries use the population
  BillingChannel channel = BillingChannel::paper;
};

struct PaidInvoice {
  Date issue_date;
  Date due_date;
  Date settle_date;
  std::int64_t amount_minor = 0;
  std::string currency;
  BillingChannel channel = BillingChannel::paper;
};

// Paid invoices summarised as invoices_svc keeps them: how many were settled `delay_days`
// after their effective due date (issue date when later). Settled-before-issue rows are not
// in it. It carries no dates, so history_half_life_days cannot weigh it: each counts fully.
struct DelayCount {
  int delay_days = 0;
  std::int64_t count = 0;
  BillingChannel channel = BillingChannel::paper;
  bool operator==(const DelayCount&) const = default;
};

// The customer's paid invoices known now, in any order, listed or summarised (or both: they
// add up). The caller decides what "now" is.
struct CustomerHistory {
  std::vector<PaidInvoice> paid;
  std::vector<DelayCount> delays = {};
};

// `history` as the summary invoices_svc sends: one DelayCount per (delay, channel), ascending.
CustomerHistory summarize(const CustomerHistory& history);

// Errors of the model measured out of sample, as a histogram of whole days
// (actual settle date minus the model's centre), for customers with >= min_history paid
// invoices (up to the next bucket's min_history).
struct ResidualBucket {
  int min_history = 0;
  int offset_min = 0;                 // residual of counts[0], in days
  std::vector<std::uint32_t> counts;  // counts[i]: residual offset_min + i
};

struct TrainingInfo {
  std::string source;           // CSV file name
  std::string trained_until;    // ISO date: only invoices issued before it; "" = all rows
  std::string validation_from;  // ISO date: tuning/calibration invoices issued on or after it
  std::string first_invoice_date;
  std::string last_invoice_date;
  std::int64_t invoices = 0;
  std::int64_t customers = 0;
  double validation_mae_days = 0;
  double validation_interval80_coverage = 0;
};

inline constexpr int kModelFormatVersion = 1;

struct ModelParams {
  double population_delay_days = 0;   // paper-billing delay vs due date, all customers
  double electronic_effect_days = 0;  // added when billed electronically (negative: sooner)
  std::map<std::string, double> country_delay_days;  // already shrunk to the population
  double customer_prior_weight = 1;   // invoices' worth of weight the country prior gets
  double history_half_life_days = 0;  // 0: all history weighs the same
  // Share of outcomes left out below the interval and above it. 0.10 in theory; on whole days
  // ties make that over-cover, so training picks the share that covers 80% on validation.
  double interval_tail_share = 0.10;
  std::vector<ResidualBucket> residuals;  // sorted by min_history, first has min_history 0
  TrainingInfo training;
};

enum class Basis { customer_history, population };

struct Prediction {
  Date expected;
  Date low;   // 80% interval: 10% quantile
  Date high;  // 90% quantile
  Basis basis = Basis::population;
  int history_count = 0;           // paid invoices used
  bool fallback_rule = false;      // true: no model loaded, the documented rule answered
  std::vector<std::string> notes;  // why an input was adjusted or ignored
};

// "customer history with 12 paid invoices" / "population"
std::string describe_basis(const Prediction& p);

// as_of: today, when the invoice is still open. The answer is then conditioned on the
// invoice not having been paid before as_of (an overdue invoice is not predicted in the past).
Prediction predict(const ModelParams& model, const InvoiceFacts& invoice,
                   const CustomerHistory& history, std::optional<Date> as_of = std::nullopt);

// Rule used when no model is loaded: due date plus the median delay (settle minus due) of the
// customer's history (0 without history); interval from the history's 10%/90% delays with at
// least 5 paid invoices, else from the issue date to one payment term after the due date.
Prediction predict_fallback(const InvoiceFacts& invoice, const CustomerHistory& history,
                            std::optional<Date> as_of = std::nullopt);

// Delay of one paid invoice on a paper-billing footing (what the model averages).
double paper_delay_days(const ModelParams& model, const PaidInvoice& paid);
// The model's centre (real-valued delay vs the effective due date) before the residuals.
struct Centre {
  double delay_days = 0;
  int history_count = 0;
};
Centre model_centre(const ModelParams& model, const InvoiceFacts& invoice,
                    const CustomerHistory& history, std::vector<std::string>* notes = nullptr);

}  // namespace tim::expected_date

#include "model/predictor.hpp"

#include <gtest/gtest.h>

using namespace tim::expected_date;
using namespace std::chrono;

namespace {

Date d(int y, unsigned m, unsigned dd) {
  return Date{year{y} / month{m} / day{dd}};
}

// Population delay 5 days (paper), country 391 pays 10 days late, electronic saves 4 days.
// Errors: -2..+2 days without history, -1..+1 with history.
ModelParams hand_model() {
  ModelParams m;
  m.population_delay_days = 5;
  m.electronic_effect_days = -4;
  m.country_delay_days = {{"391", 10}};
  m.customer_prior_weight = 1;
  m.residuals = {{0, -2, {1, 1, 1, 1, 1}}, {1, -1, {1, 1, 1}}};
  return m;
}

InvoiceFacts invoice(std::string country = "391", BillingChannel channel = BillingChannel::paper) {
  return {"C1", d(2024, 1, 1), d(2024, 1, 31), 10000, "GBP", std::move(country), channel};
}

PaidInvoice paid(int delay_days, BillingChannel channel = BillingChannel::paper) {
  Date issue = d(2023, 6, 1), due = d(2023, 7, 1);
  return {issue, due, due + days{delay_days}, 5000, "GBP", channel};
}

}  // namespace

TEST(Predictor, NewCustomerGetsThePopulationOfTheirCountry) {
  auto p = predict(hand_model(), invoice(), {});
  EXPECT_EQ(p.basis, Basis::population);
  EXPECT_EQ(describe_basis(p), "population");
  EXPECT_EQ(p.history_count, 0);
  EXPECT_EQ(p.expected, d(2024, 1, 31) + days{10});
  EXPECT_EQ(p.low, d(2024, 1, 31) + days{8});
  EXPECT_EQ(p.high, d(2024, 1, 31) + days{12});
  EXPECT_FALSE(p.fallback_rule);
}

TEST(Predictor, ElectronicBillingShiftsThePrediction) {
  auto p = predict(hand_model(), invoice("391", BillingChannel::electronic), {});
  EXPECT_EQ(p.expected, d(2024, 1, 31) + days{6});
}

TEST(Predictor, UnknownCountryAndCurrencyUseThePopulation) {
  auto in = invoice("999");
  in.currency = "XTS";
  auto p = predict(hand_model(), in, {});
  EXPECT_EQ(p.expected, d(2024, 1, 31) + days{5});
  ASSERT_EQ(p.notes.size(), 1u);
  EXPECT_NE(p.notes[0].find("country '999' not seen"), std::string::npos);
}

TEST(Predictor, HistoryIsShrunkTowardsThePrior) {
  auto m = hand_model();  // prior 10 days, weight of one invoice
  CustomerHistory h{{paid(30)}};
  EXPECT_DOUBLE_EQ(model_centre(m, invoice(), h).delay_days, 20.0);  // (30 + 10) / 2
  for (int i = 0; i < 8; ++i) h.paid.push_back(paid(30));
  EXPECT_DOUBLE_EQ(model_centre(m, invoice(), h).delay_days, 28.0);  // (9*30 + 10) / 10
  m.customer_prior_weight = 0;
  EXPECT_DOUBLE_EQ(model_centre(m, invoice(), h).delay_days, 30.0);

  auto p = predict(hand_model(), invoice(), h);
  EXPECT_EQ(p.basis, Basis::customer_history);
  EXPECT_EQ(describe_basis(p), "customer history with 9 paid invoices");
  EXPECT_EQ(p.expected, d(2024, 1, 31) + days{28});
  EXPECT_EQ(p.low, d(2024, 1, 31) + days{27});  // the with-history residuals
  EXPECT_EQ(p.high, d(2024, 1, 31) + days{29});
}

TEST(Predictor, PaidElectronicInvoicesAreOnAPaperFooting) {
  auto m = hand_model();
  m.customer_prior_weight = 0;
  // Paid 2 days late electronically = 6 days late on paper.
  CustomerHistory h{{paid(2, BillingChannel::electronic)}};
  EXPECT_DOUBLE_EQ(model_centre(m, invoice(), h).delay_days, 6.0);
  EXPECT_DOUBLE_EQ(model_centre(m, invoice("391", BillingChannel::electronic), h).delay_days, 2.0);
}

TEST(Predictor, ANewPaymentChangesTheNextPrediction) {
  CustomerHistory h{{paid(0), paid(2)}};
  auto before = predict(hand_model(), invoice(), h);
  h.paid.push_back(paid(40));
  auto after = predict(hand_model(), invoice(), h);
  EXPECT_GT(after.expected, before.expected);
  EXPECT_EQ(after.history_count, 3);
}

TEST(Predictor, RecentHistoryWeighsMoreWithAHalfLife) {
  auto m = hand_model();
  m.customer_prior_weight = 0;
  m.history_half_life_days = 30;
  auto old_late = paid(40);  // settled 2023-08-10
  PaidInvoice recent_prompt{d(2023, 11, 1), d(2023, 12, 1), d(2023, 12, 1), 1, "", {}};
  double c = model_centre(m, invoice(), {{old_late, recent_prompt}}).delay_days;
  EXPECT_LT(c, 20.0);  // an equal-weight mean would be 20
  EXPECT_GE(c, 0.0);
}

TEST(Predictor, DueDateBeforeIssueDateMeansDueOnIssue) {
  auto in = invoice();
  in.due_date = in.issue_date - days{10};
  auto p = predict(hand_model(), in, {});
  EXPECT_EQ(p.expected, in.issue_date + days{10});
  ASSERT_FALSE(p.notes.empty());
  EXPECT_NE(p.notes[0].find("due date before issue date"), std::string::npos);
}

TEST(Predictor, NeverBeforeIssueAndIntervalIsOrdered) {
  auto m = hand_model();
  m.customer_prior_weight = 0;
  CustomerHistory early_payer{{paid(-30), paid(-29)}};  // pays a month before due
  auto in = invoice();
  in.due_date = in.issue_date + days{5};
  auto p = predict(m, in, early_payer);
  EXPECT_GE(p.low, in.issue_date);
  EXPECT_LE(p.low, p.expected);
  EXPECT_LE(p.expected, p.high);
}

TEST(Predictor, UnusableHistoryIsIgnored) {
  PaidInvoice impossible{d(2023, 6, 1), d(2023, 7, 1), d(2023, 5, 1), 1, "", {}};
  auto p = predict(hand_model(), invoice(), {{impossible}});
  EXPECT_EQ(p.basis, Basis::population);
  EXPECT_EQ(p.expected, d(2024, 1, 31) + days{10});
  EXPECT_FALSE(p.notes.empty());
}

TEST(Predictor, OpenOverdueInvoiceIsNotPredictedInThePast) {
  auto m = hand_model();
  // Expected 2024-02-10, interval 02-08..02-12. Still open on 02-11:
  auto p = predict(m, invoice(), {}, d(2024, 2, 11));
  EXPECT_GE(p.low, d(2024, 2, 11));
  EXPECT_GE(p.expected, d(2024, 2, 11));
  EXPECT_LE(p.expected, d(2024, 2, 12));
  // Still open long after anything seen: from today, same width.
  auto late = predict(m, invoice(), {}, d(2024, 6, 1));
  EXPECT_EQ(late.expected, d(2024, 6, 1));
  EXPECT_EQ(late.high - late.low, days{4});
  // as_of before the interval changes nothing.
  auto early = predict(m, invoice(), {}, d(2024, 1, 2));
  EXPECT_EQ(early.expected, d(2024, 2, 10));
  EXPECT_TRUE(early.notes.empty());
}

TEST(Predictor, EmptyModelDoesNotCrash) {
  auto p = predict(ModelParams{}, invoice("", BillingChannel::electronic), {});
  EXPECT_EQ(p.expected, d(2024, 1, 31));
  EXPECT_EQ(p.low, p.high);
}

TEST(Fallback, DueDateWithoutHistory) {
  auto p = predict_fallback(invoice(), {});
  EXPECT_TRUE(p.fallback_rule);
  EXPECT_EQ(p.basis, Basis::population);
  EXPECT_EQ(p.expected, d(2024, 1, 31));
  EXPECT_EQ(p.low, d(2024, 1, 1));
  EXPECT_EQ(p.high, d(2024, 3, 1));  // one 30-day term after due
}

TEST(Fallback, CustomerMedianDelayWithHistory) {
  CustomerHistory h{{paid(1), paid(3), paid(5), paid(7), paid(9)}};
  auto p = predict_fallback(invoice(), h);
  EXPECT_EQ(p.basis, Basis::customer_history);
  EXPECT_EQ(p.history_count, 5);
  EXPECT_EQ(p.expected, d(2024, 1, 31) + days{5});
  EXPECT_EQ(p.low, d(2024, 1, 31) + days{1});
  EXPECT_EQ(p.high, d(2024, 1, 31) + days{9});
}

// The range's far edges: a customer who once paid 300 years late must not push the answer past
// the last date the API can write, nor before the issue date.
TEST(Predictor, AnswersStayBetweenIssueAndTheLastDateOfTheRange) {
  InvoiceFacts late = {"C1",  d(2199, 12, 1), d(2199, 12, 31),      10000,
                       "GBP", "391",          BillingChannel::paper};
  CustomerHistory history;
  history.paid.push_back(
      {d(1900, 1, 1), d(1900, 1, 1), d(2199, 12, 31), 5000, "GBP", BillingChannel::paper});
  for (auto as_of : {std::optional<Date>{}, std::optional<Date>{d(2199, 12, 31)}}) {
    for (const auto& p :
         {predict(hand_model(), late, history, as_of), predict_fallback(late, history, as_of)}) {
      for (Date answered : {p.expected, p.low, p.high}) {
        EXPECT_GE(answered, late.issue_date);
        EXPECT_LE(answered, d(2199, 12, 31));
      }
    }
  }
  // Paid 300 years before its due date in the history: still never before the issue date.
  InvoiceFacts early = {"C1",  d(1900, 1, 1), d(1900, 1, 1),        10000,
                        "GBP", "391",         BillingChannel::paper};
  CustomerHistory before;
  before.paid.push_back(
      {d(1900, 1, 1), d(2199, 12, 31), d(1900, 1, 1), 5000, "GBP", BillingChannel::paper});
  for (const auto& p : {predict(hand_model(), early, before), predict_fallback(early, before)})
    for (Date answered : {p.expected, p.low, p.high}) EXPECT_GE(answered, early.issue_date);
}

// invoices_svc sends a customer's history as delays and counts: the same invoices summarised
// must predict the same dates, with the model and with the fallback rule.
TEST(Summary, PredictsExactlyAsTheListedInvoices) {
  CustomerHistory listed{{paid(-3), paid(4), paid(4), paid(2, BillingChannel::electronic), paid(11),
                          paid(4), paid(-1)}};
  listed.paid.push_back({d(2023, 6, 1), d(2023, 7, 1), d(2023, 5, 30), 1, "GBP",
                         BillingChannel::paper});  // settled before issue: ignored by both
  const CustomerHistory summary = summarize(listed);
  EXPECT_TRUE(summary.paid.empty());
  ASSERT_EQ(summary.delays.size(), 5u);
  EXPECT_EQ(summary.delays[3], (DelayCount{4, 3, BillingChannel::paper}));
  for (int shown = 1; shown <= 7; ++shown) {  // below and above the fallback's 5
    CustomerHistory some{{listed.paid.begin(), listed.paid.begin() + shown}};
    const auto from_list = predict(hand_model(), invoice(), some, d(2024, 2, 2));
    const auto from_summary = predict(hand_model(), invoice(), summarize(some), d(2024, 2, 2));
    EXPECT_EQ(from_summary.expected, from_list.expected) << shown;
    EXPECT_EQ(from_summary.low, from_list.low) << shown;
    EXPECT_EQ(from_summary.high, from_list.high) << shown;
    EXPECT_EQ(from_summary.history_count, from_list.history_count) << shown;
    const auto fallback_list = predict_fallback(invoice(), some);
    const auto fallback_summary = predict_fallback(invoice(), summarize(some));
    EXPECT_EQ(fallback_summary.expected, fallback_list.expected) << shown;
    EXPECT_EQ(fallback_summary.low, fallback_list.low) << shown;
    EXPECT_EQ(fallback_summary.high, fallback_list.high) << shown;
  }
}

TEST(Summary, SaysWhenAHalfLifeCannotWeighIt) {
  auto m = hand_model();
  m.history_half_life_days = 30;
  CustomerHistory summary;
  summary.delays = {{3, 2, BillingChannel::paper}};
  auto p = predict(m, invoice(), summary);
  EXPECT_EQ(p.history_count, 2);
  EXPECT_NE(std::find(p.notes.begin(), p.notes.end(),
                      "summarised history has no dates: every payment weighed alike"),
            p.notes.end());
}

#include "backtest/backtest.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace tim::expected_date;
using std::chrono::days;

namespace {
// Customers who pay `late` days after the due date, every time.
std::vector<ArRecord> ledger(int late_for_odd_customers) {
  std::mt19937 random(3);
  std::vector<ArRecord> rows;
  const Date start = std::chrono::sys_days{std::chrono::year{2013} / 1 / 1};
  for (int n = 0; n < 1500; ++n) {
    ArRecord r;
    const int customer = static_cast<int>(random() % 20);
    r.customer_id = "C-" + std::to_string(customer);
    r.country_code = "391";
    r.invoice_date = start + days{static_cast<int>(random() % 330)};
    r.paperless_date = r.invoice_date;
    r.due_date = r.invoice_date + days{30};
    r.settled_date = r.due_date + days{customer % 2 ? late_for_odd_customers : 0};
    r.amount_minor = 1000 + static_cast<std::int64_t>(random() % 100000);
    rows.push_back(r);
  }
  return rows;
}
}  // namespace

TEST(Backtest, ScoresTheRulesAgainstWhatWasPaid) {
  const auto on_time = backtest(ledger(0), std::chrono::sys_days{std::chrono::year{2013} / 7 / 12});
  EXPECT_EQ(format_iso_date(on_time.first_monday), "2013-07-15");
  EXPECT_GT(on_time.mondays, 15);
  ASSERT_EQ(on_time.rules.size(), 3u);
  for (int h = 0; h < kBacktestHorizons; ++h) {
    EXPECT_GT(on_time.actual[h], 0);
    EXPECT_EQ(on_time.rules[1].wape[h], 0) << h;  // everyone pays on the due date
    EXPECT_EQ(on_time.rules[2].wape[h], 0) << h;  // and the average delay is 0
  }
  // Half the customers 20 days late: the due-date rule misses, the customers' averages do not.
  const auto late = backtest(ledger(20), std::chrono::sys_days{std::chrono::year{2013} / 7 / 12});
  for (int h = 0; h < kBacktestHorizons; ++h) {
    EXPECT_GT(late.rules[1].wape[h], 0.1) << h;
    EXPECT_LT(late.rules[2].wape[h], 0.05) << h;
    EXPECT_LT(late.rules[0].wape[h], late.rules[1].wape[h]) << h;  // the model learns them too
  }
}

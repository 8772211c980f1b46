#include "tim/invoices/payment_summary.hpp"

#include <gtest/gtest.h>

using namespace tim::invoices;

namespace {

Date day(const char* text) {
  return *Date::parse(text);
}

Invoice open_invoice(const char* issue = "2026-01-01", const char* due = "2026-01-31") {
  Invoice invoice;
  invoice.customer_id = "C-1";
  invoice.amount = invoice.balance = 100;
  invoice.issue_date = day(issue);
  invoice.due_date = day(due);
  return invoice;
}

Invoice paid_on(Invoice invoice, const char* settled) {
  invoice.status = Status::paid;
  invoice.balance = 0;
  invoice.settled_date = day(settled);
  return invoice;
}

}  // namespace

TEST(PaidDelay, IsDaysFromTheDueDateToTheSettleDate) {
  EXPECT_EQ(paid_delay_days(paid_on(open_invoice(), "2026-02-05")), 5);
  EXPECT_EQ(paid_delay_days(paid_on(open_invoice(), "2026-01-21")), -10);
  // Due before issue means due on issue: the delay counts from the issue date.
  EXPECT_EQ(paid_delay_days(paid_on(open_invoice("2026-01-10", "2026-01-01"), "2026-01-12")), 2);
}

TEST(PaidDelay, OpenVoidOrSettledBeforeIssueCountsWithNone) {
  EXPECT_EQ(paid_delay_days(open_invoice()), std::nullopt);
  Invoice voided = open_invoice();
  voided.status = Status::void_;
  EXPECT_EQ(paid_delay_days(voided), std::nullopt);
  EXPECT_EQ(paid_delay_days(paid_on(open_invoice(), "2025-12-31")), std::nullopt);
}

TEST(DelayChanges, SettlingAddsOneAndUnsettlingTakesItBack) {
  const Invoice open = open_invoice();
  const Invoice paid = paid_on(open, "2026-02-02");
  EXPECT_EQ(delay_changes(&open, paid), (std::vector<DelayChange>{{"C-1", 2, +1}}));
  EXPECT_EQ(delay_changes(&paid, open), (std::vector<DelayChange>{{"C-1", 2, -1}}));
  EXPECT_TRUE(delay_changes(&open, open).empty());
  EXPECT_TRUE(delay_changes(&paid, paid).empty());
  EXPECT_EQ(delay_changes(nullptr, paid), (std::vector<DelayChange>{{"C-1", 2, +1}}));
  EXPECT_TRUE(delay_changes(nullptr, open).empty());
}

TEST(DelayChanges, ANewSettleDateOrCustomerMovesTheCount) {
  const Invoice paid = paid_on(open_invoice(), "2026-02-02");
  EXPECT_EQ(delay_changes(&paid, paid_on(open_invoice(), "2026-02-04")),
            (std::vector<DelayChange>{{"C-1", 2, -1}, {"C-1", 4, +1}}));
  Invoice moved = paid;
  moved.customer_id = "C-2";
  EXPECT_EQ(delay_changes(&paid, moved),
            (std::vector<DelayChange>{{"C-1", 2, -1}, {"C-2", 2, +1}}));
}

TEST(DelayChanges, MergeFoldsEqualKeysAndDropsZeros) {
  const auto merged = merge_delay_changes(
      {{"B", 1, +1}, {"A", 3, +1}, {"B", 1, +2}, {"A", 3, -1}, {"A", -2, +1}, {"B", 0, +1}});
  EXPECT_EQ(merged, (std::vector<DelayChange>{{"A", -2, +1}, {"B", 0, +1}, {"B", 1, +3}}));
}

TEST(HistoryVersion, NamesTheHistogramsContent) {
  const std::vector<PaidDelay> a = {{5, 1}}, b = {{5, 2}}, c = {{5, 1}, {7, 1}}, d = {{6, 1}};
  EXPECT_EQ(history_version({}), 0);
  EXPECT_EQ(history_version(a), history_version(std::vector<PaidDelay>{{5, 1}}));
  for (const auto* other : {&b, &c, &d}) EXPECT_NE(history_version(a), history_version(*other));
  EXPECT_NE(history_version(a), 0);
}

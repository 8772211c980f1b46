// The MAE interval evaluate prints: resampling customers, not invoices.
#include <gtest/gtest.h>

#include "model/training.hpp"

using namespace tim::expected_date;

TEST(BootstrapMae, EqualErrorsGiveAPointInterval) {
  std::vector<double> errors(30, 4.0);
  std::vector<std::size_t> customers(30);
  for (std::size_t i = 0; i < customers.size(); ++i) customers[i] = i % 7;
  auto r = bootstrap_mae_interval(errors, customers, 500, 1);
  EXPECT_DOUBLE_EQ(r.low, 4.0);
  EXPECT_DOUBLE_EQ(r.high, 4.0);
}

TEST(BootstrapMae, BracketsTheMaeAndRepeatsForTheSameSeed) {
  std::vector<double> errors;
  std::vector<std::size_t> customers;
  for (std::size_t c = 0; c < 40; ++c)
    for (int k = 0; k < 5; ++k) {
      errors.push_back(double((c * 7 + std::size_t(k) * 3) % 11));
      customers.push_back(c);
    }
  double mae = 0;
  for (double e : errors) mae += e;
  mae /= double(errors.size());
  auto a = bootstrap_mae_interval(errors, customers, 1000, 42);
  auto b = bootstrap_mae_interval(errors, customers, 1000, 42);
  EXPECT_LT(a.low, mae);
  EXPECT_GT(a.high, mae);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
}

// One customer's invoices move together; treating them as independent would overstate how sure
// the figure is.
TEST(BootstrapMae, ResamplingCustomersIsWiderThanResamplingInvoicesWhenCustomersDiffer) {
  std::vector<double> errors;
  std::vector<std::size_t> by_customer, by_invoice;
  for (std::size_t c = 0; c < 20; ++c)
    for (int k = 0; k < 10; ++k) {
      errors.push_back(c % 2 ? 9.0 : 1.0);  // half the customers are hard to predict
      by_customer.push_back(c);
      by_invoice.push_back(by_invoice.size());
    }
  auto clustered = bootstrap_mae_interval(errors, by_customer, 2000, 7);
  auto naive = bootstrap_mae_interval(errors, by_invoice, 2000, 7);
  EXPECT_GT(clustered.high - clustered.low, 2 * (naive.high - naive.low));
}

TEST(BootstrapMae, UnusableInputGivesAnEmptyRangeNotACrash) {
  std::vector<double> errors{1, 2, 3};
  std::vector<std::size_t> short_ids{0, 1};
  auto r = bootstrap_mae_interval(errors, short_ids, 100, 1);
  EXPECT_EQ(r.low, 0);
  EXPECT_EQ(r.high, 0);
  r = bootstrap_mae_interval({}, {}, 100, 1);
  EXPECT_EQ(r.high, 0);
  std::vector<std::size_t> ids{0, 5, 9};  // sparse ids are fine
  r = bootstrap_mae_interval(errors, ids, 0, 1);
  EXPECT_EQ(r.high, 0);
  r = bootstrap_mae_interval(errors, ids, 100, 1);
  EXPECT_GE(r.low, 1);
  EXPECT_LE(r.high, 3);
}

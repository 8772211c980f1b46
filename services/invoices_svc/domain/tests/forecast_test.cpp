#include "tim/invoices/forecast.hpp"

#include <gtest/gtest.h>

#include <random>

#include "tim/invoices/error.hpp"

using namespace tim::invoices;

namespace {
Date day(const char* iso) {
  return *Date::parse(iso);
}
std::string refused(std::string_view query) {
  try {
    parse_forecast_query(query);
  } catch (const Error& e) {
    return e.field();
  }
  return "(accepted)";
}
ForecastQuery weeks(const char* from, const char* to) {
  return parse_forecast_query(std::string("from=") + from + "&to=" + to + "&bucket=week");
}
}  // namespace

TEST(ForecastQuery, ReadsAndRefusesNamingTheParameter) {
  const auto q =
      parse_forecast_query("from=2026-01-05&to=2026-03-01&bucket=month&customer=C%201&ccy=EUR");
  EXPECT_EQ(q.from, day("2026-01-05"));
  EXPECT_EQ(q.to, day("2026-03-01"));
  EXPECT_EQ(q.bucket, BucketSize::month);
  EXPECT_EQ(q.customer, "C 1");
  EXPECT_EQ(q.ccy, "EUR");
  EXPECT_EQ(refused("to=2026-01-01&bucket=day"), "from");
  EXPECT_EQ(refused("from=2026-01-01&bucket=day"), "to");
  EXPECT_EQ(refused("from=2026-01-01&to=2026-01-02"), "bucket");
  EXPECT_EQ(refused("from=2026-01-01&to=2026-01-02&bucket=year"), "bucket");
  EXPECT_EQ(refused("from=2026-01-05&to=2026-01-04&bucket=day"), "to");
  EXPECT_EQ(refused("from=2026-02-30&to=2026-03-04&bucket=day"), "from");
  EXPECT_EQ(refused("from=2026-01-01&to=2027-12-31&bucket=day"), "to");  // 730 buckets
  EXPECT_EQ(refused("from=2026-01-01&to=2027-12-31&bucket=week"), "(accepted)");
  EXPECT_EQ(refused("from=2026-01-01&to=2026-01-02&bucket=day&sort=x"), "sort");
  EXPECT_EQ(refused("from=2026-01-01&from=2026-01-01&to=2026-01-02&bucket=day"), "from");
}

TEST(ForecastBuckets, WeeksFromFromMonthsToTheCalendarTheLastEndingAtTo) {
  const auto w = forecast_buckets(day("2026-01-05"), day("2026-01-20"), BucketSize::week);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[1].first, day("2026-01-12"));
  EXPECT_EQ(w[1].second, day("2026-01-18"));
  EXPECT_EQ(w[2].second, day("2026-01-20"));
  const auto m = forecast_buckets(day("2026-01-15"), day("2026-03-10"), BucketSize::month);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].second, day("2026-01-31"));
  EXPECT_EQ(m[1].first, day("2026-02-01"));
  EXPECT_EQ(m[1].second, day("2026-02-28"));
  EXPECT_EQ(m[2].second, day("2026-03-10"));
  EXPECT_EQ(forecast_buckets(day("2026-01-01"), day("2026-01-01"), BucketSize::day).size(), 1u);
}

TEST(Forecast, OverdueBucketsAndLaterAddUpExactlyToTheOpenBalancePerCurrency) {
  std::mt19937 random(7);
  std::vector<ForecastInvoice> invoices;
  std::map<std::string, std::int64_t> open_balance;
  const std::vector<std::string> currencies = {"EUR", "JPY", "USD"};
  const auto base = day("2026-01-01").days_since_epoch();
  for (int i = 0; i < 5000; ++i) {
    ForecastInvoice inv;
    inv.ccy = currencies[random() % 3];
    inv.customer_id = "C-" + std::to_string(random() % 50);
    inv.balance = 1 + static_cast<std::int64_t>(random() % 100'000'000);
    const auto expected = base + static_cast<std::int32_t>(random() % 200) - 40;
    inv.expected = Date::from_days(expected);
    inv.low = Date::from_days(expected - static_cast<std::int32_t>(random() % 20));
    inv.high = Date::from_days(expected + static_cast<std::int32_t>(random() % 40));
    open_balance[inv.ccy] += inv.balance;
    invoices.push_back(inv);
  }
  for (auto size : {BucketSize::day, BucketSize::week, BucketSize::month}) {
    ForecastQuery q{day("2026-01-01"), day("2026-04-15"), size, {}, {}};
    const auto series = build_forecast(q, invoices);
    ASSERT_EQ(series.size(), 3u);
    for (const auto& s : series) {
      std::int64_t sum = s.overdue.amount + s.later.amount;
      std::int64_t count = s.overdue.count + s.later.count;
      for (const auto& b : s.buckets) {
        sum += b.value.amount;
        count += b.value.count;
        EXPECT_LE(b.value.low, b.value.amount);
        EXPECT_GE(b.value.high, b.value.amount);
      }
      EXPECT_EQ(sum, open_balance[s.currency]) << s.currency;  // exact, in minor units
      EXPECT_EQ(s.total_amount, open_balance[s.currency]);
      EXPECT_EQ(count, s.total_count);
      EXPECT_GT(s.overdue.amount, 0);
      EXPECT_GT(s.later.amount, 0);
    }
    EXPECT_EQ(series[0].currency, "EUR");
    EXPECT_EQ(series[2].currency, "USD");
  }
}

TEST(Forecast, PlacesEachInvoiceByItsExpectedDate) {
  const std::vector<ForecastInvoice> invoices = {
      {"GBP", "A", 100, day("2026-01-03"), day("2026-01-01"), day("2026-01-09")},
      {"GBP", "B", 250, day("2026-01-12"), day("2026-01-12"), day("2026-01-12")},
      {"GBP", "B", 7, day("2025-12-31"), day("2025-12-20"), day("2026-01-02")},
      {"GBP", "C", 1000, day("2026-02-01"), day("2026-01-10"), day("2026-03-01")}};
  const auto s = build_forecast(weeks("2026-01-01", "2026-01-14"), invoices).at(0);
  ASSERT_EQ(s.buckets.size(), 2u);
  EXPECT_EQ(s.overdue.amount, 7);
  EXPECT_EQ(s.buckets[0].value.amount, 100);
  EXPECT_EQ(s.buckets[0].value.count, 1);
  EXPECT_EQ(s.buckets[1].value.amount, 250);
  EXPECT_EQ(s.later.amount, 1000);
  // B's certain invoice is always in week 2; C's wide one sometimes lands there too
  EXPECT_EQ(s.buckets[1].value.low, 250);
  EXPECT_GT(s.buckets[1].value.high, 250);
  // the fixed seed: the same invoices, the same answer
  const auto again = build_forecast(weeks("2026-01-01", "2026-01-14"), invoices).at(0);
  EXPECT_EQ(again.buckets[1].value.high, s.buckets[1].value.high);
}

TEST(Forecast, TheBandGrowsWithUncertainty) {
  std::vector<ForecastInvoice> sure, unsure;
  for (int i = 0; i < 200; ++i) {
    const auto c = "C-" + std::to_string(i % 20);
    sure.push_back({"EUR", c, 100, day("2026-01-10"), day("2026-01-09"), day("2026-01-11")});
    unsure.push_back({"EUR", c, 100, day("2026-01-10"), day("2026-01-02"), day("2026-01-25")});
  }
  const auto q = weeks("2026-01-05", "2026-01-31");
  const auto a = build_forecast(q, sure).at(0).buckets[0].value;
  const auto b = build_forecast(q, unsure).at(0).buckets[0].value;
  EXPECT_EQ(a.amount, 20000);
  EXPECT_EQ(a.low, 20000);  // every draw stays in the week
  EXPECT_LT(b.low, 20000);
  EXPECT_LT(b.high - b.low, 20001);
}

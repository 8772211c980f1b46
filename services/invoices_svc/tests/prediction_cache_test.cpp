#include "prediction_cache.hpp"

#include <gtest/gtest.h>

using namespace tim::invoices;

namespace {
PredictionKey key(InvoiceId id) {
  return {id, 1, 1, "m1", 20000};
}
ExpectedDate date(std::string d) {
  return {std::move(d), {}, {}, {}, "m1"};
}
}  // namespace

TEST(PredictionCache, HitsOnlyOnTheWholeKey) {
  PredictionCache cache(10);
  cache.put(key(7), date("2026-12-01T00:00:00.000Z"));
  ASSERT_TRUE(cache.find(key(7)));
  EXPECT_EQ(cache.find(key(7))->date, "2026-12-01T00:00:00.000Z");
  auto changed = key(7);
  changed.invoice_version = 2;  // the invoice changed
  EXPECT_FALSE(cache.find(changed));
  changed = key(7);
  changed.history_version = 2;  // a payment on another invoice of the customer
  EXPECT_FALSE(cache.find(changed));
  changed = key(7);
  changed.model_version = "m2";  // a new model
  EXPECT_FALSE(cache.find(changed));
  changed = key(7);
  changed.day += 1;  // a new day
  EXPECT_FALSE(cache.find(changed));
  EXPECT_FALSE(cache.find(key(8)));
}

TEST(PredictionCache, ANewerKeyReplacesTheInvoicesEntry) {
  PredictionCache cache(10);
  cache.put(key(7), date("a"));
  auto next = key(7);
  next.history_version = 5;
  cache.put(next, date("b"));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_FALSE(cache.find(key(7)));
  EXPECT_EQ(cache.find(next)->date, "b");
}

TEST(PredictionCache, EvictsTheLeastRecentlyUsed) {
  PredictionCache cache(2);
  cache.put(key(1), date("1"));
  cache.put(key(2), date("2"));
  ASSERT_TRUE(cache.find(key(1)));  // 2 is now the least recently used
  cache.put(key(3), date("3"));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.find(key(1)));
  EXPECT_FALSE(cache.find(key(2)));
  EXPECT_TRUE(cache.find(key(3)));
}

TEST(PredictionCache, ZeroTurnsItOff) {
  PredictionCache cache(0);
  cache.put(key(1), date("1"));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.find(key(1)));
}

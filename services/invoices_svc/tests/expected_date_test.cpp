#include "expected_date.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

using namespace tim::invoices;

namespace {
Date day(const char* iso) {
  return *Date::parse(iso);
}

Invoice invoice(InvoiceId id, const char* issue, const char* due,
                std::optional<const char*> settled) {
  Invoice i;
  i.id = id;
  i.customer_id = "C-1";
  i.ccy = "GBP";
  i.amount = 1000 * id;
  i.issue_date = day(issue);
  i.due_date = day(due);
  if (settled) {
    i.settled_date = day(*settled);
    i.status = Status::paid;
  }
  return i;
}
}  // namespace

TEST(ExpectedDateAnswer, TakesAWellFormedAnswer) {
  std::string why;
  auto d = expected_date_from_answer(
      R"({"invoiceId":42,"expectedDate":"2026-12-01T10:00:00.000Z"})", 42, &why);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->date, "2026-12-01T10:00:00.000Z");
  EXPECT_FALSE(d->low);
  EXPECT_TRUE(expected_date_from_answer(R"({"invoiceId":42,"expectedDate":"2026-12-01T10:00:00Z"})",
                                        42, &why));
}

TEST(ExpectedDateAnswer, ReadsTheIntervalAndBasisWhenGiven) {
  std::string why;
  auto d = expected_date_from_answer(
      R"({"invoiceId":7,"expectedDate":"2026-12-05T00:00:00.000Z","expectedDateLow":"2026-12-02T00:00:00.000Z",)"
      R"("expectedDateHigh":"2026-12-09T00:00:00.000Z","basis":"population"})",
      7, &why);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->low, "2026-12-02T00:00:00.000Z");
  EXPECT_EQ(d->high, "2026-12-09T00:00:00.000Z");
  EXPECT_EQ(d->basis, "population");
  // half an interval is no interval
  d = expected_date_from_answer(
      R"({"invoiceId":7,"expectedDate":"2026-12-05T00:00:00.000Z","expectedDateLow":"2026-12-02T00:00:00.000Z"})",
      7, &why);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->low);
}

TEST(ExpectedDateAnswer, RejectsGarbageWithAReason) {
  for (auto body :
       {"", "not json", "[]", R"({"invoiceId":41,"expectedDate":"2026-12-01T10:00:00.000Z"})",
        R"({"invoiceId":42})", R"({"invoiceId":42,"expectedDate":17})",
        R"({"invoiceId":42,"expectedDate":"tomorrow"})",
        R"({"invoiceId":42,"expectedDate":"2026-12-01T10:00:00.000Z<script>"})",
        R"({"invoiceId":42,"expectedDate":"2026-12-01 10:00:00Z"})",
        R"({"invoiceId":42,"expectedDate":"2026-12-01T10:00:00.Z"})"}) {
    std::string why;
    EXPECT_FALSE(expected_date_from_answer(body, 42, &why)) << body;
    EXPECT_FALSE(why.empty());
  }
}

TEST(PredictionRequest, CarriesTheInvoiceAndOnlySettledHistory) {
  const auto open = invoice(9, "2026-11-01", "2026-12-01", std::nullopt);
  const Invoice paid[] = {
      invoice(1, "2026-01-01", "2026-01-31", "2026-02-04"),
      invoice(2, "2026-02-01", "2026-03-01", std::nullopt),   // no settle date
      invoice(9, "2026-11-01", "2026-12-01", "2026-12-02")};  // the invoice itself
  auto body =
      boost::json::parse(prediction_request_json(open, paid, day("2026-11-26"))).as_object();
  EXPECT_EQ(body.at("invoice").at("customerId"), "C-1");
  EXPECT_EQ(body.at("invoice").at("dueDate"), "2026-12-01");
  EXPECT_EQ(body.at("invoice").at("amount"), 9000);
  EXPECT_EQ(body.at("asOf"), "2026-11-26");
  const auto& history = body.at("history").as_array();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].at("settledDate"), "2026-02-04");
}

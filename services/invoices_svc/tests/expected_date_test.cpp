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

TEST(PredictionRequest, CarriesTheInvoiceAndTheCustomersDelayHistogram) {
  const auto open = invoice(9, "2026-11-01", "2026-12-01", std::nullopt);
  const PaidDelay paid[] = {{-3, 2}, {0, 0}, {4, 17}};  // a zero count says nothing: left out
  auto body =
      boost::json::parse(prediction_request_json(open, paid, day("2026-11-26"))).as_object();
  EXPECT_EQ(body.at("invoice").at("customerId"), "C-1");
  EXPECT_EQ(body.at("invoice").at("dueDate"), "2026-12-01");
  EXPECT_EQ(body.at("invoice").at("amount"), 9000);
  EXPECT_EQ(body.at("asOf"), "2026-11-26");
  EXPECT_FALSE(body.contains("history"));
  const auto& delays = body.at("paidDelays").as_array();
  ASSERT_EQ(delays.size(), 2u);
  EXPECT_EQ(delays[0].at("delayDays"), -3);
  EXPECT_EQ(delays[0].at("count"), 2);
  EXPECT_EQ(delays[1].at("delayDays"), 4);
  EXPECT_EQ(delays[1].at("count"), 17);
}

TEST(BatchPredictionRequest, SendsEachCustomersHistoryOnce) {
  const std::vector<Invoice> invoices = {invoice(1, "2026-11-01", "2026-12-01", std::nullopt),
                                         invoice(2, "2026-11-02", "2026-12-02", std::nullopt)};
  std::map<std::string, PaidHistory, std::less<>> histories;
  histories["C-1"] = {{{4, 2}, {9, 1}}, 3};
  const auto body =
      boost::json::parse(batch_request_json(invoices, histories, day("2026-11-20"))).as_object();
  EXPECT_EQ(body.at("asOf"), "2026-11-20");
  ASSERT_EQ(body.at("items").as_array().size(), 2u);
  EXPECT_EQ(body.at("items").as_array()[1].at("invoiceId"), 2);
  EXPECT_EQ(body.at("items").as_array()[1].at("invoice").at("dueDate"), "2026-12-02");
  const auto& delays = body.at("histories").at("C-1").at("paidDelays").as_array();
  ASSERT_EQ(delays.size(), 2u);
  EXPECT_EQ(delays[1].at("delayDays"), 9);
  EXPECT_EQ(body.at("histories").as_object().size(), 1u);
}

TEST(BatchPredictionAnswer, OneEntryPerInvoiceAndRefusesTheWrongShape) {
  const std::vector<InvoiceId> ids = {1, 2};
  std::string why;
  const auto read = expected_dates_from_batch_answer(
      R"({"modelVersion":"m","predictions":[
          {"invoiceId":1,"expectedDate":"2026-12-01T00:00:00.000Z","modelVersion":"m"},
          {"invoiceId":9,"expectedDate":"2026-12-01T00:00:00.000Z"}]})",
      ids, &why);
  ASSERT_TRUE(read);
  ASSERT_EQ(read->size(), 2u);
  EXPECT_EQ((*read)[0]->model_version, "m");
  EXPECT_FALSE((*read)[1]);  // about another invoice: that entry only
  EXPECT_FALSE(expected_dates_from_batch_answer(R"({"predictions":[]})", ids, &why));
  EXPECT_FALSE(expected_dates_from_batch_answer("garbage", ids, &why));
}

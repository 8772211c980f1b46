#include "prediction_api.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

using namespace tim::expected_date;

namespace {
const char* kRequest = R"({
  "invoice": {"customerId": "C-1", "issueDate": "2026-11-01", "dueDate": "2026-12-01",
              "amount": 12000, "ccy": "GBP", "country": "391", "channel": "electronic"},
  "history": [{"issueDate": "2026-09-01", "dueDate": "2026-10-01", "settledDate": "2026-10-05",
               "amount": 5000, "ccy": "GBP", "channel": "paper"}],
  "asOf": "2026-11-26"})";

RequestError error_of(std::string_view body) {
  auto r = parse_prediction_request(body);
  EXPECT_TRUE(std::holds_alternative<RequestError>(r)) << body;
  return std::holds_alternative<RequestError>(r) ? std::get<RequestError>(r) : RequestError{};
}
}  // namespace

TEST(PredictionRequest, ReadsInvoiceHistoryAndAsOf) {
  auto r = std::get<PredictionRequest>(parse_prediction_request(kRequest));
  EXPECT_EQ(r.invoice.customer_id, "C-1");
  EXPECT_EQ(format_iso_date(r.invoice.due_date), "2026-12-01");
  EXPECT_EQ(r.invoice.amount_minor, 12000);
  EXPECT_EQ(r.invoice.channel, BillingChannel::electronic);
  ASSERT_EQ(r.history.paid.size(), 1u);
  EXPECT_EQ(format_iso_date(r.history.paid[0].settle_date), "2026-10-05");
  EXPECT_EQ(format_iso_date(*r.as_of), "2026-11-26");
}

TEST(PredictionRequest, NamesTheOffendingField) {
  EXPECT_EQ(error_of("not json").field, "");
  EXPECT_EQ(error_of("[]").field, "body");
  EXPECT_EQ(error_of(R"({})").field, "invoice");
  EXPECT_EQ(
      error_of(
          R"({"invoice":{"customerId":"C","issueDate":"2026-02-30","dueDate":"2026-03-01","amount":1,"ccy":"GBP"}})")
          .field,
      "invoice.issueDate");
  EXPECT_EQ(
      error_of(
          R"({"invoice":{"customerId":"C","issueDate":"2026-02-01","dueDate":"2026-03-01","amount":-5,"ccy":"GBP"}})")
          .field,
      "invoice.amount");
  EXPECT_EQ(
      error_of(
          R"({"invoice":{"customerId":"C","issueDate":"2026-02-01","dueDate":"2026-03-01","amount":5,"ccy":"GBP","channel":"fax"}})")
          .field,
      "invoice.channel");
  EXPECT_EQ(
      error_of(
          R"({"invoice":{"customerId":"C","issueDate":"2026-02-01","dueDate":"2026-03-01","amount":5,"ccy":"GBP"},"history":[{"issueDate":"2026-01-01"}]})")
          .field,
      "history[0].dueDate");
}

TEST(PredictionRequest, ReadsTheDelayHistogramInvoicesSvcSends) {
  auto r = std::get<PredictionRequest>(parse_prediction_request(
      R"({"invoice":{"customerId":"C","issueDate":"2026-02-01","dueDate":"2026-03-01","amount":5,"ccy":"GBP"},)"
      R"("paidDelays":[{"delayDays":-2,"count":3},{"delayDays":7,"count":1,"channel":"electronic"}]})"));
  EXPECT_EQ(r.history.delays, (std::vector<DelayCount>{{-2, 3, BillingChannel::paper},
                                                       {7, 1, BillingChannel::electronic}}));
  EXPECT_TRUE(r.history.paid.empty());
}

TEST(PredictionRequest, RefusesABadDelayHistogramNamingTheField) {
  const std::string invoice =
      R"({"invoice":{"customerId":"C","issueDate":"2026-02-01","dueDate":"2026-03-01","amount":5,"ccy":"GBP"},)";
  EXPECT_EQ(error_of(invoice + R"("paidDelays":{}})").field, "paidDelays");
  EXPECT_EQ(error_of(invoice + R"("paidDelays":[{"count":1}]})").field, "paidDelays[0].delayDays");
  EXPECT_EQ(error_of(invoice + R"("paidDelays":[{"delayDays":1.5,"count":1}]})").field,
            "paidDelays[0].delayDays");
  EXPECT_EQ(error_of(invoice + R"("paidDelays":[{"delayDays":99999,"count":1}]})").field,
            "paidDelays[0].delayDays");
  EXPECT_EQ(
      error_of(invoice + R"("paidDelays":[{"delayDays":1,"count":1},{"delayDays":1,"count":0}]})")
          .field,
      "paidDelays[1].count");
}

TEST(PredictionJson, TutorialFieldsFirstThenTheInterval) {
  Prediction p;
  p.expected = std::chrono::sys_days{std::chrono::year{2026} / 12 / 5};
  p.low = p.expected - std::chrono::days{3};
  p.high = p.expected + std::chrono::days{4};
  p.basis = Basis::customer_history;
  p.history_count = 12;
  auto v = boost::json::parse(prediction_json(42, p, "trained", "abc")).as_object();
  EXPECT_EQ(v.begin()->key(), "invoiceId");
  EXPECT_EQ(v.at("expectedDate"), "2026-12-05T00:00:00.000Z");
  EXPECT_EQ(v.at("expectedDateLow"), "2026-12-02T00:00:00.000Z");
  EXPECT_EQ(v.at("expectedDateHigh"), "2026-12-09T00:00:00.000Z");
  EXPECT_EQ(v.at("basis"), "customer history with 12 paid invoices");
  EXPECT_EQ(v.at("historyCount"), 12);
  EXPECT_EQ(v.at("modelVersion"), "abc");
}

TEST(PredictionRequest, DatesStayInTheDocumentedRange) {
  const auto replaced = [](std::string from, std::string to) {
    std::string body = kRequest;
    body.replace(body.find(from), from.size(), to);
    return body;
  };
  // The edges are accepted …
  for (auto [from, to] : {std::pair{"\"2026-11-01\"", "\"1900-01-01\""},
                          std::pair{"\"2026-12-01\"", "\"2199-12-31\""},
                          std::pair{"\"2026-10-05\"", "\"2199-12-31\""},
                          std::pair{"\"2026-11-26\"", "\"1900-01-01\""}})
    EXPECT_TRUE(
        std::holds_alternative<PredictionRequest>(parse_prediction_request(replaced(from, to))))
        << to;
  // … the days beyond them refused, each naming its field.
  EXPECT_EQ(error_of(replaced("\"2026-11-01\"", "\"1899-12-31\"")).field, "invoice.issueDate");
  EXPECT_EQ(error_of(replaced("\"2026-12-01\"", "\"2200-01-01\"")).field, "invoice.dueDate");
  EXPECT_EQ(error_of(replaced("\"2026-10-05\"", "\"9999-12-31\"")).field, "history[0].settledDate");
  EXPECT_EQ(error_of(replaced("\"2026-11-26\"", "\"2200-01-01\"")).field, "asOf");
  EXPECT_NE(error_of(replaced("\"2026-11-26\"", "\"2200-01-01\"")).message.find("2199-12-31"),
            std::string::npos);
}

TEST(PredictionRequest, ARefusalIsTheErrorBodyWithItsField) {
  const auto body = boost::json::parse(request_error_json(
      error_of(R"({"invoice":{"customerId":"C","issueDate":"2200-01-01","dueDate":"2026-03-01",)"
               R"("amount":1,"ccy":"GBP"}})")));
  const auto& e = body.at("error").as_object();
  EXPECT_EQ(e.at("code").as_string(), "invalid_request");
  EXPECT_EQ(e.at("field").as_string(), "invoice.issueDate");
  EXPECT_EQ(std::string(e.at("message").as_string()).rfind("invoice.issueDate must be", 0), 0u);
  EXPECT_FALSE(boost::json::parse(request_error_json({"", "body is not JSON"}))
                   .at("error")
                   .as_object()
                   .contains("field"));
}

namespace {
std::string batch_body(int items) {
  std::string body =
      R"({"asOf":"2026-11-26","histories":{"C-1":{"paidDelays":[{"delayDays":9,"count":7}]}},"items":[)";
  for (int i = 1; i <= items; ++i)
    body += (i > 1 ? "," : "") + std::string(R"({"invoiceId":)") + std::to_string(i) +
            R"(,"invoice":{"customerId":"C-)" + std::to_string(i % 2) +
            R"(","issueDate":"2026-11-01","dueDate":"2026-12-01","amount":100,"ccy":"USD"}})";
  return body + "]}";
}
RequestError batch_error_of(std::string_view body) {
  auto r = parse_batch_request(body);
  EXPECT_TRUE(std::holds_alternative<RequestError>(r)) << body;
  return std::holds_alternative<RequestError>(r) ? std::get<RequestError>(r) : RequestError{};
}
}  // namespace

TEST(BatchRequest, EachItemReadsAsTheSingleRequestWithItsCustomersHistory) {
  const auto batch = std::get<BatchRequest>(parse_batch_request(batch_body(3)));
  ASSERT_EQ(batch.items.size(), 3u);
  EXPECT_EQ(batch.items[0].invoice_id, 1);
  EXPECT_EQ(batch.items[0].request.invoice.customer_id, "C-1");
  ASSERT_EQ(batch.items[0].request.history.delays.size(), 1u);  // C-1's shared history
  EXPECT_EQ(batch.items[0].request.history.delays[0].delay_days, 9);
  EXPECT_TRUE(batch.items[1].request.history.delays.empty());               // C-0 has none
  EXPECT_EQ(format_iso_date(*batch.items[2].request.as_of), "2026-11-26");  // the call's asOf

  // The same invoice and history as a single request predicts the same.
  const auto single = std::get<PredictionRequest>(parse_prediction_request(
      R"({"invoice":{"customerId":"C-1","issueDate":"2026-11-01","dueDate":"2026-12-01",
          "amount":100,"ccy":"USD"},"paidDelays":[{"delayDays":9,"count":7}],"asOf":"2026-11-26"})"));
  const auto a = predict_fallback(single.invoice, single.history, single.as_of);
  const auto& item = batch.items[0].request;
  const auto b = predict_fallback(item.invoice, item.history, item.as_of);
  EXPECT_EQ(a.expected, b.expected);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
}

TEST(BatchRequest, RefusesOverTheLimitAndNamesTheItemsField) {
  EXPECT_TRUE(std::holds_alternative<BatchRequest>(parse_batch_request(batch_body(1000))));
  EXPECT_EQ(batch_error_of(batch_body(1001)).field, "items");
  EXPECT_EQ(batch_error_of(R"({"items":{}})").field, "items");
  EXPECT_EQ(batch_error_of(R"({})").field, "items");
  EXPECT_EQ(batch_error_of(R"({"items":[{"invoice":{}}]})").field, "items[0].invoiceId");
  EXPECT_EQ(batch_error_of(R"({"items":[{"invoiceId":1,"invoice":{"customerId":"C"}}]})").field,
            "items[0].invoice.issueDate");
  EXPECT_EQ(
      batch_error_of(R"({"histories":{"C":{"paidDelays":[{"delayDays":1}]}},"items":[]})").field,
      "histories.C.paidDelays[0].count");
}

TEST(BatchJson, OneAnswerPerItemInOrderWithTheModelVersion) {
  const auto batch = std::get<BatchRequest>(parse_batch_request(batch_body(2)));
  std::vector<Prediction> predictions;
  for (const auto& item : batch.items)
    predictions.push_back(
        predict_fallback(item.request.invoice, item.request.history, item.request.as_of));
  auto v = boost::json::parse(batch_json(batch.items, predictions, "fallback rule", "fallback"))
               .as_object();
  EXPECT_EQ(v.at("modelVersion"), "fallback");
  const auto& list = v.at("predictions").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].at("invoiceId"), 2);
  EXPECT_EQ(list[0].at("expectedDate"),
            boost::json::parse(prediction_json(1, predictions[0], "fallback rule", "fallback"))
                .at("expectedDate"));
}

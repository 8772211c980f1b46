#include "tim/invoices/json.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tim/invoices/error.hpp"

using namespace tim::invoices;

namespace {

const char* kExample =
    R"({"customerId":"C-1","customerName":"Acme Ltd","ccy":"GBP","amount":12000,)"
    R"("issueDate":"2026-11-01","dueDate":"2026-12-01"})";

std::string refused_field(std::string_view body) {
  try {
    parse_new_invoice(body);
    return "(accepted)";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid) << e.what();
    return e.field().empty() ? e.code() : e.field();
  }
}

std::string with(std::string_view field, std::string_view json_value) {
  auto object = boost::json::parse(kExample).as_object();
  if (json_value.empty())
    object.erase(field);
  else
    object[field] = boost::json::parse(json_value);
  return boost::json::serialize(object);
}

}  // namespace

TEST(ParseNewInvoice, ReadsTheIssuesExample) {
  const NewInvoice r = parse_new_invoice(kExample);
  EXPECT_EQ(r.customer_id, "C-1");
  EXPECT_EQ(r.customer_name, "Acme Ltd");
  EXPECT_EQ(r.ccy, "GBP");
  EXPECT_EQ(r.amount, 12000);
  EXPECT_EQ(r.issue_date.to_string(), "2026-11-01");
  EXPECT_EQ(r.due_date.to_string(), "2026-12-01");
  EXPECT_FALSE(r.ref);
  EXPECT_EQ(parse_new_invoice(with("ref", R"("A-7")")).ref, "A-7");
}

TEST(ParseNewInvoice, NamesTheFieldOfEachProblem) {
  EXPECT_EQ(refused_field("{"), "invalid_json");
  EXPECT_EQ(refused_field("[]"), "invalid_json");
  EXPECT_EQ(refused_field(""), "invalid_json");
  for (auto field : {"customerId", "customerName", "ccy", "amount", "issueDate", "dueDate"}) {
    EXPECT_EQ(refused_field(with(field, "")), field) << "missing " << field;
    EXPECT_EQ(refused_field(with(field, "null")), field) << "null " << field;
    EXPECT_EQ(refused_field(with(field, "true")), field) << "bool " << field;
  }
  EXPECT_EQ(refused_field(with("ref", "5")), "ref");
  EXPECT_EQ(refused_field(with("ccy", R"("gbp")")), "ccy");
  EXPECT_EQ(refused_field(with("ccy", R"("ZZZ")")), "ccy");
  EXPECT_EQ(refused_field(with("amount", "120.5")), "amount");
  EXPECT_EQ(refused_field(with("amount", "12000.0")), "amount");
  EXPECT_EQ(refused_field(with("amount", R"("12000")")), "amount");
  EXPECT_EQ(refused_field(with("amount", "18446744073709551615")), "amount");
  EXPECT_EQ(refused_field(with("amount", "-1")), "amount");
  EXPECT_EQ(refused_field(with("issueDate", R"("2026-02-30")")), "issueDate");
  EXPECT_EQ(refused_field(with("dueDate", R"("01/12/2026")")), "dueDate");
  EXPECT_EQ(refused_field(with("dueDate", R"("2026-10-01")")), "dueDate");
  EXPECT_EQ(refused_field(with("dueDtae", R"("2026-12-01")")), "dueDtae");
}

TEST(ParsePayment, ReadsAndRefuses) {
  const auto p = parse_payment(R"({"amount":5000,"date":"2026-11-20"})");
  EXPECT_EQ(p.amount, 5000);
  EXPECT_EQ(p.date.to_string(), "2026-11-20");
  EXPECT_EQ(parse_payment(R"({"amount":1,"date":"2026-11-20","ccy":"EUR"})").ccy, "EUR");
  for (auto [body, field] : std::initializer_list<std::pair<const char*, const char*>>{
           {R"({"amount":0,"date":"2026-11-20"})", "amount"},
           {R"({"amount":-5,"date":"2026-11-20"})", "amount"},
           {R"({"amount":1.5,"date":"2026-11-20"})", "amount"},
           {R"({"date":"2026-11-20"})", "amount"},
           {R"({"amount":5})", "date"},
           {R"({"amount":5,"date":"2026-02-30"})", "date"},
           {R"({"amount":5,"date":"2026-11-20","ccy":"pounds"})", "ccy"},
           {R"({"amount":5,"date":"2026-11-20","note":"x"})", "note"},
       }) {
    try {
      parse_payment(body);
      ADD_FAILURE() << "accepted " << body;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::invalid);
      EXPECT_EQ(e.field(), field) << body;
    }
  }
}

TEST(InvoiceToJson, KeepsTheTutorialsFieldsFirst) {
  NewInvoice r = parse_new_invoice(kExample);
  const Instant now = *parse_instant("2026-11-20T10:00:00.000Z");
  Invoice invoice = make_invoice(r, 10, now);
  apply_payment(invoice, {10, *Date::parse("2026-11-02"), std::nullopt}, now);
  EXPECT_EQ(
      boost::json::serialize(invoice_to_json(invoice)),
      R"({"id":10,"ref":"INV-10","amount":12000,"balance":11990,"ccy":"GBP",)"
      R"("customerId":"C-1","customerName":"Acme Ltd","issueDate":"2026-11-01",)"
      R"("dueDate":"2026-12-01","status":"open","payments":[{"id":1,"kind":"payment","amount":10,)"
      R"("date":"2026-11-02"}],"settledDate":null,"settledBy":null,"createdAt":"2026-11-20T10:00:00.000Z",)"
      R"("updatedAt":"2026-11-20T10:00:00.000Z"})");
  const auto with_date = invoice_to_json(invoice, "2018-01-01T11:54:30.769Z");
  auto it = with_date.begin();
  for (auto key : {"id", "ref", "amount", "balance", "ccy", "expectedDate", "customerId"})
    EXPECT_EQ((it++)->key(), key);
}

TEST(PaymentsJson, RoundTripsAndRefusesGarbage) {
  const std::vector<Payment> payments{{5, *Date::parse("2026-01-02")},
                                      {7, *Date::parse("2026-01-03")}};
  EXPECT_EQ(payments_from_json(boost::json::serialize(payments_to_json(payments))), payments);
  EXPECT_TRUE(payments_from_json("[]").empty());
  for (auto bad : {"", "{}", R"([{"amount":"5","date":"2026-01-02"}])", R"([{"amount":5}])"}) {
    try {
      payments_from_json(bad);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::internal);
    }
  }
}

TEST(DateRange, CreateAndPaymentAcceptTheEdgesAndRefuseBeyond) {
  EXPECT_EQ(refused_field(with("issueDate", R"("1900-01-01")")), "(accepted)");
  EXPECT_EQ(refused_field(with("dueDate", R"("2199-12-31")")), "(accepted)");
  EXPECT_EQ(refused_field(with("issueDate", R"("1899-12-31")")), "issueDate");
  EXPECT_EQ(refused_field(with("dueDate", R"("2200-01-01")")), "dueDate");
  EXPECT_EQ(refused_field(with("issueDate", R"("9999-12-31")")), "issueDate");
  EXPECT_EQ(parse_payment(R"({"amount":1,"date":"2199-12-31"})").date.to_string(), "2199-12-31");
  EXPECT_EQ(parse_payment(R"({"amount":1,"date":"1900-01-01"})").date.to_string(), "1900-01-01");
  for (auto body : {R"({"amount":1,"date":"2200-01-01"})", R"({"amount":1,"date":"1899-12-31"})",
                    R"({"amount":1,"date":"9999-12-31"})"}) {
    try {
      parse_payment(body);
      ADD_FAILURE() << "accepted " << body;
    } catch (const Error& e) {
      EXPECT_EQ(e.field(), "date") << body;
    }
  }
}

#include "invoice.hpp"

#include <gtest/gtest.h>

using namespace tim::invoices;

TEST(TutorialInvoices, Invoice42IsTheTutorials) {
  auto invoice = TutorialInvoices{}.find(42);
  ASSERT_TRUE(invoice);
  EXPECT_EQ(invoice_json(*invoice, std::nullopt),
            R"({"id":42,"ref":"INV-42","amount":4200,"balance":4190,"ccy":"GBP"})");
  EXPECT_EQ(invoice_json(*invoice, "2018-01-01T11:54:30.769Z"),
            R"({"id":42,"ref":"INV-42","amount":4200,"balance":4190,"ccy":"GBP",)"
            R"("expectedDate":"2018-01-01T11:54:30.769Z"})");
}

TEST(ExpectedDateAnswer, TakesAWellFormedAnswer) {
  std::string why;
  auto d = expected_date_from_answer(
      R"({"invoiceId":42,"expectedDate":"2026-12-01T10:00:00.000Z"})", 42, &why);
  EXPECT_EQ(d, "2026-12-01T10:00:00.000Z");
}

TEST(ExpectedDateAnswer, RejectsGarbageWithAReason) {
  for (auto body :
       {"", "not json", "[]", R"({"invoiceId":41,"expectedDate":"2026-12-01T10:00:00.000Z"})",
        R"({"invoiceId":42})", R"({"invoiceId":42,"expectedDate":17})",
        R"({"invoiceId":42,"expectedDate":"tomorrow"})",
        R"({"invoiceId":42,"expectedDate":"2026-12-01T10:00:00.000Z<script>"})"}) {
    std::string why;
    EXPECT_FALSE(expected_date_from_answer(body, 42, &why)) << body;
    EXPECT_FALSE(why.empty());
  }
}

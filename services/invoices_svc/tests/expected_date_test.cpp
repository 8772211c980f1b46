#include "expected_date.hpp"

#include <gtest/gtest.h>

using namespace tim::invoices;

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

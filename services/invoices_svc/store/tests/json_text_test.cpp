// The store's JSON writer must give exactly the text the API's JSON gives (events carry an
// invoice as GET /api/invoices/:id answers it, and the payments column is read back by
// payments_from_json).
#include "json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "tim/invoices/json.hpp"

using namespace tim::invoices;

namespace {

const Instant kNow = *parse_instant("2026-11-20T10:00:00.123Z");

Date day(const char* text) {
  return *Date::parse(text);
}

std::string every_ascii_byte() {
  std::string s;
  for (int c = 1; c < 128; ++c) s += static_cast<char>(c);
  return s;
}

std::vector<Invoice> invoices() {
  std::vector<Invoice> out;
  Invoice open = make_invoice(NewInvoice{"R-1", "C-1", "Acme \"quoted\" \\ Ltd", "GBP", 12000,
                                         day("2026-11-01"), day("2026-12-01")},
                              7, kNow);
  out.push_back(open);
  Invoice paid = open;
  paid.customer_name = "Żółw — 日本 \xF0\x9F\x98\x80";
  apply_payment(paid, {5000, day("2026-11-20"), std::nullopt}, kNow);
  out.push_back(paid);
  apply_payment(paid, {7000, day("2026-11-25"), std::nullopt}, kNow + std::chrono::hours(1));
  out.push_back(paid);
  Invoice corrected = paid;
  reverse_payment(corrected, 2, ReversalRequest{"bounced", day("2026-11-26")}, kNow);
  corrected.payments[1].reversal->reason = "bounced\n\"cheque\"";  // escapes, set past the rules
  out.push_back(corrected);
  apply_credit_note(corrected, CreditNoteRequest{7000, "goodwill", day("2026-11-27")}, kNow);
  corrected.payments.back().reason = "goodwill\t\x01\x1f\x7f";
  out.push_back(corrected);
  Invoice odd = open;
  odd.ref = every_ascii_byte();
  odd.id = 9'007'199'254'740'993;
  out.push_back(odd);
  Invoice voided = open;
  void_invoice(voided, kNow);
  out.push_back(voided);
  return out;
}

}  // namespace

TEST(StoreJsonText, WritesTheInvoiceExactlyAsTheApiDoes) {
  for (const Invoice& invoice : invoices()) {
    std::string text;
    sql::append_invoice_json(text, invoice);
    EXPECT_EQ(text, boost::json::serialize(invoice_to_json(invoice)));
    std::string payments;
    sql::append_payments_json(payments, invoice.payments);
    EXPECT_EQ(payments, boost::json::serialize(payments_to_json(invoice.payments)));
    EXPECT_EQ(payments_from_json(payments), invoice.payments);
  }
}

// Corrections as a ledger makes them.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "tim/invoices/error.hpp"
#include "tim/invoices/invoice.hpp"
#include "tim/invoices/json.hpp"
#include "tim/invoices/payment_summary.hpp"

using namespace tim::invoices;

namespace {

Date day(const char* text) {
  return *Date::parse(text);
}
const Instant kNow{};

Invoice invoice_of(std::int64_t amount = 1000) {
  return make_invoice(
      {std::nullopt, "C-1", "Acme", "GBP", amount, day("2026-11-01"), day("2026-12-01")}, 7, kNow);
}

template <class F>
std::string code_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return "none";
}

}  // namespace

TEST(Reversal, ReopensAPaidInvoiceKeepingThePaymentMarked) {
  Invoice invoice = invoice_of();
  apply_payment(invoice, {400, day("2026-11-10"), std::nullopt}, kNow);
  apply_payment(invoice, {600, day("2026-11-20"), std::nullopt}, kNow);
  ASSERT_EQ(invoice.status, Status::paid);
  EXPECT_EQ(invoice.payments[1].id, 2);
  reverse_payment(invoice, 2, {"bounced cheque", day("2026-11-25")}, kNow);
  EXPECT_EQ(invoice.status, Status::open);
  EXPECT_EQ(invoice.balance, 600);
  EXPECT_EQ(invoice.settled_date, std::nullopt);
  ASSERT_EQ(invoice.payments.size(), 2u);  // still in the history
  EXPECT_EQ(invoice.payments[1].reversal, (Reversal{"bounced cheque", day("2026-11-25")}));
  check_invariants(invoice);
  // Paid again later: settled on the new payment, the reversed one counts for nothing.
  apply_payment(invoice, {600, day("2026-12-05"), std::nullopt}, kNow);
  EXPECT_EQ(invoice.payments.back().id, 3);
  EXPECT_EQ(invoice.settled_date, day("2026-12-05"));
  check_invariants(invoice);
}

TEST(Reversal, RefusalsChangeNothing) {
  Invoice invoice = invoice_of();
  apply_payment(invoice, {400, day("2026-11-10"), std::nullopt}, kNow);
  apply_credit_note(invoice, {100, "damaged goods", day("2026-11-11")}, kNow);
  const Invoice before = invoice;
  EXPECT_EQ(code_of([&] {
              reverse_payment(invoice, 9, {"x", day("2026-11-12")}, kNow);
            }),
            "payment_not_found");
  EXPECT_EQ(code_of([&] {
              reverse_payment(invoice, 2, {"x", day("2026-11-12")}, kNow);
            }),
            "credit_note_not_reversible");
  EXPECT_EQ(code_of([&] {
              reverse_payment(invoice, 1, {"x", day("2026-11-09")}, kNow);
            }),
            "reversal_before_payment");
  EXPECT_EQ(code_of([&] {
              reverse_payment(invoice, 1, {" ", day("2026-11-12")}, kNow);
            }),
            "invalid_field");
  EXPECT_EQ(invoice, before);
  reverse_payment(invoice, 1, {"typo", day("2026-11-12")}, kNow);
  EXPECT_EQ(code_of([&] {
              reverse_payment(invoice, 1, {"again", day("2026-11-12")}, kNow);
            }),
            "payment_already_reversed");
}

TEST(CreditNote, LowersTheBalanceAndSaysHowTheInvoiceWasSettled) {
  Invoice credited = invoice_of();
  apply_credit_note(credited, {1000, "cancelled order", day("2026-11-05")}, kNow);
  EXPECT_EQ(credited.status, Status::paid);
  EXPECT_EQ(settled_by(credited), "credit");
  // Settled by credit alone says nothing about how the customer pays.
  EXPECT_EQ(paid_delay_days(credited), std::nullopt);

  Invoice mixed = invoice_of();
  apply_credit_note(mixed, {200, "discount", day("2026-11-05")}, kNow);
  EXPECT_EQ(settled_by(mixed), std::nullopt);  // not paid yet
  apply_payment(mixed, {800, day("2026-12-03"), std::nullopt}, kNow);
  EXPECT_EQ(settled_by(mixed), "payments_and_credit");
  EXPECT_EQ(paid_delay_days(mixed), 2);
  check_invariants(mixed);

  Invoice invoice = invoice_of();
  EXPECT_EQ(code_of([&] {
              apply_credit_note(invoice, {1001, "x", day("2026-11-05")}, kNow);
            }),
            "credit_exceeds_balance");
  EXPECT_EQ(code_of([&] {
              apply_credit_note(invoice, {10, "x", day("2026-10-05")}, kNow);
            }),
            "credit_before_issue_date");
  EXPECT_EQ(code_of([&] {
              apply_credit_note(invoice, {0, "x", day("2026-11-05")}, kNow);
            }),
            "invalid_field");
  EXPECT_EQ(code_of([&] {
              apply_credit_note(credited, {1, "x", day("2026-11-05")}, kNow);
            }),
            "invoice_paid");
  void_invoice(invoice, kNow);
  EXPECT_EQ(code_of([&] {
              apply_credit_note(invoice, {1, "x", day("2026-11-05")}, kNow);
            }),
            "invoice_void");
}

TEST(Amend, ChangesNameAndDueDateAndTheAmountOnlyWhileTheLedgerIsEmpty) {
  Invoice invoice = invoice_of();
  amend(invoice, {"Acme Holdings", day("2026-12-15"), 1500}, kNow);
  EXPECT_EQ(invoice.customer_name, "Acme Holdings");
  EXPECT_EQ(invoice.due_date, day("2026-12-15"));
  EXPECT_EQ(invoice.amount, 1500);
  EXPECT_EQ(invoice.balance, 1500);
  apply_payment(invoice, {100, day("2026-11-10"), std::nullopt}, kNow);
  const Invoice before = invoice;
  EXPECT_EQ(code_of([&] {
              amend(invoice, {std::nullopt, std::nullopt, 2000}, kNow);
            }),
            "amount_locked");
  EXPECT_EQ(code_of([&] {
              amend(invoice, {std::string(201, 'x'), std::nullopt, std::nullopt}, kNow);
            }),
            "invalid_field");
  EXPECT_EQ(code_of([&] { amend(invoice, {}, kNow); }), "invalid_field");
  EXPECT_EQ(invoice, before);
  amend(invoice, {std::nullopt, std::nullopt, 1500}, kNow);  // the same amount is no change
  EXPECT_EQ(invoice.amount, 1500);
}

TEST(ETag, NamesTheVersionAndMatchesIfMatchLists) {
  Invoice invoice = invoice_of();
  invoice.version = 3;
  EXPECT_EQ(etag(invoice), "\"7.3\"");
  EXPECT_TRUE(etag_matches("\"7.3\"", invoice));
  EXPECT_TRUE(etag_matches("\"7.2\", \"7.3\"", invoice));
  EXPECT_TRUE(etag_matches("*", invoice));
  EXPECT_FALSE(etag_matches("\"7.2\"", invoice));
  EXPECT_FALSE(etag_matches("W/\"7.3\"", invoice));  // weak tags never match If-Match
  EXPECT_FALSE(etag_matches("7.3", invoice));
}

TEST(LedgerJson, RoundTripsIdsKindsReasonsAndReversals) {
  Invoice invoice = invoice_of();
  apply_payment(invoice, {400, day("2026-11-10"), std::nullopt}, kNow);
  apply_credit_note(invoice, {100, "discount", day("2026-11-11")}, kNow);
  reverse_payment(invoice, 1, {"wrong invoice", day("2026-11-12")}, kNow);
  const auto text = boost::json::serialize(payments_to_json(invoice.payments));
  EXPECT_EQ(payments_from_json(text), invoice.payments);
  EXPECT_NE(text.find(R"("kind":"creditNote")"), std::string::npos);
  EXPECT_NE(text.find(R"("reversed":{"reason":"wrong invoice","date":"2026-11-12"})"),
            std::string::npos);
  // Rows stored before entries had ids are numbered by position.
  const auto old =
      payments_from_json(R"([{"amount":5,"date":"2026-11-02"},{"amount":6,"date":"2026-11-03"}])");
  ASSERT_EQ(old.size(), 2u);
  EXPECT_EQ(old[1].id, 2);
  EXPECT_EQ(old[1].kind, EntryKind::payment);
}

TEST(LedgerJson, ParsesCorrectionBodiesNamingTheField) {
  EXPECT_EQ(parse_reversal(R"({"reason":"bounced","date":"2026-11-20"})"),
            (ReversalRequest{"bounced", day("2026-11-20")}));
  EXPECT_EQ(parse_credit_note(R"({"amount":5,"reason":"discount","date":"2026-11-20"})"),
            (CreditNoteRequest{5, "discount", day("2026-11-20")}));
  EXPECT_EQ(parse_amendment(R"({"dueDate":"2026-12-24"})"),
            (Amendment{std::nullopt, day("2026-12-24"), std::nullopt}));
  for (const char* bad : {R"({"date":"2026-11-20"})", R"({"reason":"x","date":"soon"})",
                          R"({"reason":"x","date":"2026-11-20","amount":1})"}) {
    try {
      parse_reversal(bad);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "invalid_field") << bad;
    }
  }
  try {
    parse_amendment(R"({"status":"paid"})");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "status");
  }
}

#include "tim/invoices/invoice.hpp"

#include <gtest/gtest.h>

#include "tim/invoices/error.hpp"
#include "tim/invoices/money.hpp"

using namespace tim::invoices;

namespace {

Date day(const char* text) {
  return *Date::parse(text);
}
const Instant kNow = *parse_instant("2026-11-20T10:00:00.000Z");
const Instant kLater = *parse_instant("2026-11-21T10:00:00.000Z");

NewInvoice acme() {
  return NewInvoice{std::nullopt,     "C-1", "Acme Ltd", "GBP", 12000, day("2026-11-01"),
                    day("2026-12-01")};
}

// The field a refusal names, or "" when the request is accepted.
std::string refused_field(const NewInvoice& r) {
  try {
    validate(r);
    return "";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.code(), "invalid_field");
    return e.field();
  }
}

// The code of a conflict refusal, "" when accepted.
template <class F>
std::string refusal_code(F&& f, ErrorKind expected_kind = ErrorKind::conflict) {
  try {
    f();
    return "";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), expected_kind) << e.what();
    return e.code();
  }
}

}  // namespace

TEST(Validate, AcceptsTheIssuesExample) {
  EXPECT_EQ(refused_field(acme()), "");
}

TEST(Validate, NamesTheFieldAtFault) {
  auto r = acme();
  r.customer_id = "";
  EXPECT_EQ(refused_field(r), "customerId");
  r = acme();
  r.customer_name = "   ";
  EXPECT_EQ(refused_field(r), "customerName");
  r = acme();
  r.customer_name = std::string(kMaxCustomerNameLength + 1, 'x');
  EXPECT_EQ(refused_field(r), "customerName");
  r = acme();
  r.ccy = "XYZ";
  EXPECT_EQ(refused_field(r), "ccy");
  r = acme();
  r.amount = 0;
  EXPECT_EQ(refused_field(r), "amount");
  r.amount = -5;
  EXPECT_EQ(refused_field(r), "amount");
  r.amount = kMaxAmount + 1;
  EXPECT_EQ(refused_field(r), "amount");
  r = acme();
  r.due_date = day("2026-10-31");
  EXPECT_EQ(refused_field(r), "dueDate");
  r = acme();
  r.ref = std::string("IN\nV");
  EXPECT_EQ(refused_field(r), "ref");
  r.ref = std::string(kMaxRefLength, 'R');
  EXPECT_EQ(refused_field(r), "");
}

TEST(MakeInvoice, StartsOpenWithTheFullBalanceAndAGeneratedRef) {
  const Invoice invoice = make_invoice(acme(), 42, kNow);
  EXPECT_EQ(invoice.id, 42);
  EXPECT_EQ(invoice.ref, "INV-42");
  EXPECT_EQ(invoice.balance, 12000);
  EXPECT_EQ(invoice.status, Status::open);
  EXPECT_EQ(invoice.created_at, kNow);
  EXPECT_NO_THROW(check_invariants(invoice));
  auto with_ref = acme();
  with_ref.ref = "ACME/2026/7";
  EXPECT_EQ(make_invoice(with_ref, 43, kNow).ref, "ACME/2026/7");
}

TEST(Payment, PartialThenFinalPaymentSettlesTheInvoice) {
  Invoice invoice = make_invoice(acme(), 1, kNow);
  apply_payment(invoice, {5000, day("2026-11-20"), std::nullopt}, kLater);
  EXPECT_EQ(invoice.balance, 7000);
  EXPECT_EQ(invoice.status, Status::open);
  EXPECT_FALSE(invoice.settled_date);
  EXPECT_EQ(invoice.updated_at, kLater);
  // Recorded out of order: settled on the latest payment's date.
  apply_payment(invoice, {3000, day("2026-11-25"), "GBP"}, kLater);
  apply_payment(invoice, {4000, day("2026-11-22"), std::nullopt}, kLater);
  EXPECT_EQ(invoice.balance, 0);
  EXPECT_EQ(invoice.status, Status::paid);
  EXPECT_EQ(invoice.settled_date, day("2026-11-25"));
  EXPECT_EQ(invoice.payments.size(), 3u);
  EXPECT_NO_THROW(check_invariants(invoice));
}

TEST(Payment, RefusalsChangeNothing) {
  Invoice invoice = make_invoice(acme(), 1, kNow);
  apply_payment(invoice, {2000, day("2026-11-02"), std::nullopt}, kNow);
  const Invoice before = invoice;
  const auto pay = [&](std::int64_t amount, const char* date, std::optional<std::string> ccy) {
    return [&invoice, amount, date, ccy] {
      apply_payment(invoice, {amount, day(date), ccy}, kLater);
    };
  };
  EXPECT_EQ(refusal_code(pay(10001, "2026-11-20", std::nullopt)), "payment_exceeds_balance");
  EXPECT_EQ(refusal_code(pay(100, "2026-11-20", "EUR")), "currency_mismatch");
  EXPECT_EQ(refusal_code(pay(100, "2026-10-31", std::nullopt)), "payment_before_issue_date");
  EXPECT_EQ(refusal_code(pay(0, "2026-11-20", std::nullopt), ErrorKind::invalid), "invalid_field");
  EXPECT_EQ(refusal_code(pay(-1, "2026-11-20", std::nullopt), ErrorKind::invalid), "invalid_field");
  EXPECT_EQ(refusal_code(pay(100, "2026-11-20", "ABC"), ErrorKind::invalid), "invalid_field");
  EXPECT_EQ(invoice, before);

  apply_payment(invoice, {10000, day("2026-11-20"), std::nullopt}, kNow);
  EXPECT_EQ(refusal_code(pay(1, "2026-11-21", std::nullopt)), "invoice_paid");

  Invoice voided = make_invoice(acme(), 2, kNow);
  void_invoice(voided, kLater);
  EXPECT_EQ(voided.status, Status::void_);
  EXPECT_NO_THROW(check_invariants(voided));
  EXPECT_EQ(refusal_code([&] {
              apply_payment(voided, {1, day("2026-11-21"), std::nullopt}, kNow);
            }),
            "invoice_void");
}

TEST(Void, OnlyAnOpenInvoiceWithoutPayments) {
  Invoice invoice = make_invoice(acme(), 1, kNow);
  apply_payment(invoice, {1, day("2026-11-02"), std::nullopt}, kNow);
  const Invoice before = invoice;
  EXPECT_EQ(refusal_code([&] { void_invoice(invoice, kLater); }), "invoice_not_voidable");
  EXPECT_EQ(invoice, before);
  Invoice fresh = make_invoice(acme(), 2, kNow);
  void_invoice(fresh, kLater);
  EXPECT_EQ(refusal_code([&] { void_invoice(fresh, kLater); }), "invoice_not_voidable");
}

TEST(Invariants, DetectCorruptInvoices) {
  Invoice invoice = make_invoice(acme(), 1, kNow);
  invoice.balance = 11999;
  EXPECT_EQ(refusal_code([&] { check_invariants(invoice); }, ErrorKind::internal),
            "corrupt_invoice");
  invoice = make_invoice(acme(), 1, kNow);
  invoice.status = Status::paid;
  EXPECT_EQ(refusal_code([&] { check_invariants(invoice); }, ErrorKind::internal),
            "corrupt_invoice");
}

TEST(Fingerprint, EqualOnlyForEqualRequests) {
  EXPECT_EQ(fingerprint(acme()), fingerprint(acme()));
  auto other = acme();
  other.amount = 12001;
  EXPECT_NE(fingerprint(acme()), fingerprint(other));
  auto a = acme();
  auto b = acme();
  a.customer_id = "C-1;";
  b.customer_id = "C-1";
  b.customer_name = ";Acme Ltd";
  EXPECT_NE(fingerprint(a), fingerprint(b));
  auto with_ref = acme();
  with_ref.ref = "";
  EXPECT_NE(fingerprint(acme()), fingerprint(with_ref));
}

TEST(Utf8, AcceptsWellFormedTextAndRefusesTheRest) {
  for (std::string_view ok : {"", "Acme", "Caf\xc3\xa9", "\xe2\x82\xac 5", "\xf0\x9f\x98\x80",
                              "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf"})
    EXPECT_TRUE(is_utf8(ok)) << ok;
  for (std::string_view bad :
       {"\xff", "\x80", "Caf\xc3", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80",
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe2\x82", "\xf0\x9f\x98"})
    EXPECT_FALSE(is_utf8(bad)) << testing::PrintToString(std::string(bad));
}

TEST(Utf8, AnInvoiceWithTextThatIsNotUtf8IsRefusedNamingTheField) {
  NewInvoice request{std::nullopt,
                     "C-1",
                     "Ac\xffme",
                     "GBP",
                     100,
                     *Date::parse("2026-11-01"),
                     *Date::parse("2026-12-01")};
  try {
    validate(request);
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "customerName");
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
  }
}

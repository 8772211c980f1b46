#include "tim/invoices/invoice.hpp"

#include <algorithm>

#include "tim/invoices/error.hpp"
#include "tim/invoices/money.hpp"

namespace tim::invoices {
namespace {

void check_text(const std::string& field, const std::string& value, std::size_t max_length) {
  if (value.find_first_not_of(" \t") == std::string::npos) throw_invalid_field(field, "is empty");
  if (value.size() > max_length)
    throw_invalid_field(field, "is longer than " + std::to_string(max_length) + " bytes");
  if (std::any_of(value.begin(), value.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    throw_invalid_field(field, "contains control characters");
  if (!is_utf8(value)) throw_invalid_field(field, "is not valid UTF-8");
}

void check_amount(const std::string& field, std::int64_t amount) {
  if (amount <= 0) throw_invalid_field(field, "must be a positive number of minor units");
  if (amount > kMaxAmount)
    throw_invalid_field(field, "must be at most " + std::to_string(kMaxAmount));
}

[[noreturn]] void refuse(std::string code, const std::string& message) {
  throw Error(ErrorKind::conflict, std::move(code), message);
}

[[noreturn]] void corrupt(const Invoice& invoice, const std::string& what) {
  throw Error(ErrorKind::internal, "corrupt_invoice",
              "invoice " + std::to_string(invoice.id) + " breaks an invariant: " + what);
}

}  // namespace

bool is_utf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    // Lead byte: how many continuation bytes, and the range the first of them must be in
    // (the tighter ranges refuse overlongs, surrogates and code points past U+10FFFF).
    std::size_t more = 0;
    unsigned char low = 0x80, high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      more = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c == 0xe0) low = 0xa0;
      if (c == 0xed) high = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c == 0xf0) low = 0x90;
      if (c == 0xf4) high = 0x8f;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) <= more) return false;
    if (p[1] < low || p[1] > high) return false;
    for (std::size_t i = 2; i <= more; ++i)
      if (p[i] < 0x80 || p[i] > 0xbf) return false;
    p += more + 1;
  }
  return true;
}

std::string_view to_string(Status status) noexcept {
  switch (status) {
    case Status::open:
      return "open";
    case Status::paid:
      return "paid";
    case Status::void_:
      return "void";
  }
  return "open";
}

std::optional<Status> parse_status(std::string_view text) noexcept {
  if (text == "open") return Status::open;
  if (text == "paid") return Status::paid;
  if (text == "void") return Status::void_;
  return std::nullopt;
}

void validate(const NewInvoice& request) {
  if (request.ref) check_text("ref", *request.ref, kMaxRefLength);
  check_text("customerId", request.customer_id, kMaxCustomerIdLength);
  check_text("customerName", request.customer_name, kMaxCustomerNameLength);
  if (!find_currency(request.ccy)) throw_invalid_field("ccy", "is not an ISO 4217 currency code");
  check_amount("amount", request.amount);
  if (request.due_date < request.issue_date) throw_invalid_field("dueDate", "is before issueDate");
}

void validate(const PaymentRequest& request) {
  check_amount("amount", request.amount);
  if (request.ccy && !find_currency(*request.ccy))
    throw_invalid_field("ccy", "is not an ISO 4217 currency code");
}

std::string generated_ref(InvoiceId id) {
  return "INV-" + std::to_string(id);
}

Invoice make_invoice(const NewInvoice& request, InvoiceId id, Instant now) {
  validate(request);
  Invoice invoice;
  invoice.id = id;
  invoice.ref = request.ref ? *request.ref : generated_ref(id);
  invoice.customer_id = request.customer_id;
  invoice.customer_name = request.customer_name;
  invoice.ccy = request.ccy;
  invoice.amount = request.amount;
  invoice.balance = request.amount;
  invoice.issue_date = request.issue_date;
  invoice.due_date = request.due_date;
  invoice.status = Status::open;
  invoice.created_at = now;
  invoice.updated_at = now;
  return invoice;
}

void apply_payment(Invoice& invoice, const PaymentRequest& payment, Instant now) {
  validate(payment);
  if (invoice.status == Status::void_)
    refuse("invoice_void", "invoice " + invoice.ref + " is void and takes no payments");
  if (invoice.status == Status::paid)
    refuse("invoice_paid", "invoice " + invoice.ref + " is already paid");
  if (payment.ccy && *payment.ccy != invoice.ccy)
    refuse("currency_mismatch", "payment is in " + *payment.ccy + " but invoice " + invoice.ref +
                                    " is in " + invoice.ccy);
  if (payment.amount > invoice.balance)
    refuse("payment_exceeds_balance", "payment of " + std::to_string(payment.amount) +
                                          " exceeds the balance of " +
                                          std::to_string(invoice.balance));
  if (payment.date < invoice.issue_date)
    refuse("payment_before_issue_date", "payment date " + payment.date.to_string() +
                                            " is before the issue date " +
                                            invoice.issue_date.to_string());
  const auto balance = checked_sub(invoice.balance, payment.amount);
  if (!balance || *balance < 0) corrupt(invoice, "balance arithmetic");  // excluded above
  invoice.balance = *balance;
  invoice.payments.push_back(Payment{payment.amount, payment.date});
  if (invoice.balance == 0) {
    invoice.status = Status::paid;
    // Payments may be recorded out of date order: settled when the last one arrived.
    Date last = invoice.payments.front().date;
    for (const auto& p : invoice.payments) last = std::max(last, p.date);
    invoice.settled_date = last;
  }
  invoice.updated_at = now;
}

void void_invoice(Invoice& invoice, Instant now) {
  if (invoice.status != Status::open || !invoice.payments.empty())
    refuse("invoice_not_voidable", "only an open invoice without payments can be voided; " +
                                       invoice.ref + " is " +
                                       std::string(to_string(invoice.status)) + " with " +
                                       std::to_string(invoice.payments.size()) + " payment(s)");
  invoice.status = Status::void_;
  invoice.updated_at = now;
}

void check_invariants(const Invoice& invoice) {
  if (invoice.amount <= 0 || invoice.amount > kMaxAmount) corrupt(invoice, "amount out of range");
  std::int64_t paid = 0;
  for (const auto& p : invoice.payments) {
    if (p.amount <= 0) corrupt(invoice, "non-positive payment");
    const auto sum = checked_add(paid, p.amount);
    if (!sum) corrupt(invoice, "payments overflow");
    paid = *sum;
  }
  if (paid > invoice.amount || invoice.balance != invoice.amount - paid)
    corrupt(invoice, "balance is not amount minus payments");
  if ((invoice.status == Status::paid) != (invoice.balance == 0))
    corrupt(invoice, "status paid if and only if the balance is 0");
  if (invoice.status == Status::void_ && !invoice.payments.empty())
    corrupt(invoice, "void invoice with payments");
  if (invoice.settled_date.has_value() != (invoice.status == Status::paid))
    corrupt(invoice, "settledDate set if and only if paid");
}

Invoice build_imported_invoice(const ImportRecord& record, Instant now) {
  Invoice invoice = make_invoice(record.invoice, 0, now);
  if (!record.invoice.ref) invoice.ref.clear();  // the store generates it from the id
  for (const auto& payment : record.payments) apply_payment(invoice, payment, now);
  if (record.voided) void_invoice(invoice, now);
  return invoice;
}

std::vector<ImportRecord> tutorial_demo_records() {
  const Date issued = *Date::parse("2017-12-01");
  const Date due = *Date::parse("2017-12-31");
  const Date paid = *Date::parse("2017-12-15");
  std::vector<ImportRecord> records;
  records.reserve(1000);
  for (int n = 1; n <= 1000; ++n) {
    const std::string customer = std::to_string((n - 1) % 20 + 1);
    ImportRecord r;
    r.invoice = NewInvoice{generated_ref(n),
                           "C-" + customer,
                           "Tutorial customer " + customer,
                           "GBP",
                           n * 100,
                           issued,
                           due};
    r.payments.push_back(PaymentRequest{10, paid, std::nullopt});
    records.push_back(std::move(r));
  }
  return records;
}

std::string fingerprint(const NewInvoice& r) {
  // Length-prefixed fields: no separator inside a value can make two requests collide.
  std::string out;
  auto add = [&out](std::string_view v) {
    out += std::to_string(v.size());
    out += ':';
    out += v;
    out += ';';
  };
  add(r.ref ? "1" + *r.ref : "0");
  add(r.customer_id);
  add(r.customer_name);
  add(r.ccy);
  add(std::to_string(r.amount));
  add(r.issue_date.to_string());
  add(r.due_date.to_string());
  return out;
}

}  // namespace tim::invoices

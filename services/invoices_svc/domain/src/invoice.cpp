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

void check_reason(const std::string& reason) {
  check_text("reason", reason, kMaxReasonLength);
}

// Balance, status and settledDate from the active ledger entries: paid when nothing is left,
// settled on the latest active entry's date (entries may be recorded out of date order).
void settle(Invoice& invoice) {
  std::int64_t received = 0;
  std::optional<Date> last;
  for (const auto& p : invoice.payments) {
    if (!p.active()) continue;
    const auto sum = checked_add(received, p.amount);
    if (!sum) corrupt(invoice, "payments overflow");
    received = *sum;
    last = last ? std::max(*last, p.date) : p.date;
  }
  if (received > invoice.amount) corrupt(invoice, "more received than the amount");
  invoice.balance = invoice.amount - received;
  if (invoice.status == Status::void_) return;
  invoice.status = invoice.balance == 0 ? Status::paid : Status::open;
  invoice.settled_date = invoice.balance == 0 ? last : std::nullopt;
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
  Payment entry{payment.amount, payment.date};
  entry.id = static_cast<std::int64_t>(invoice.payments.size()) + 1;
  invoice.payments.push_back(std::move(entry));
  settle(invoice);
  invoice.updated_at = now;
}

void reverse_payment(Invoice& invoice, std::int64_t payment_id, const ReversalRequest& request,
                     Instant now) {
  validate(request);
  auto it = std::find_if(invoice.payments.begin(), invoice.payments.end(),
                         [&](const Payment& p) { return p.id == payment_id; });
  if (it == invoice.payments.end())
    throw Error(ErrorKind::not_found, "payment_not_found",
                "invoice " + invoice.ref + " has no payment " + std::to_string(payment_id));
  if (it->kind != EntryKind::payment)
    refuse("credit_note_not_reversible",
           "entry " + std::to_string(payment_id) + " is a credit note, not a payment");
  if (it->reversal)
    refuse("payment_already_reversed",
           "payment " + std::to_string(payment_id) + " of " + invoice.ref + " is already reversed");
  if (request.date < it->date)
    refuse("reversal_before_payment", "reversal date " + request.date.to_string() +
                                          " is before the payment's " + it->date.to_string());
  it->reversal = Reversal{request.reason, request.date};
  settle(invoice);
  invoice.updated_at = now;
}

void apply_credit_note(Invoice& invoice, const CreditNoteRequest& request, Instant now) {
  validate(request);
  if (invoice.status == Status::void_)
    refuse("invoice_void", "invoice " + invoice.ref + " is void and takes no credit notes");
  if (invoice.status == Status::paid)
    refuse("invoice_paid", "invoice " + invoice.ref + " is already paid");
  if (request.amount > invoice.balance)
    refuse("credit_exceeds_balance", "credit note of " + std::to_string(request.amount) +
                                         " exceeds the balance of " +
                                         std::to_string(invoice.balance));
  if (request.date < invoice.issue_date)
    refuse("credit_before_issue_date", "credit note date " + request.date.to_string() +
                                           " is before the issue date " +
                                           invoice.issue_date.to_string());
  Payment entry{request.amount, request.date};
  entry.id = static_cast<std::int64_t>(invoice.payments.size()) + 1;
  entry.kind = EntryKind::credit_note;
  entry.reason = request.reason;
  invoice.payments.push_back(std::move(entry));
  settle(invoice);
  invoice.updated_at = now;
}

void amend(Invoice& invoice, const Amendment& amendment, Instant now) {
  if (!amendment.customer_name && !amendment.due_date && !amendment.amount)
    throw_invalid_field("body", "names no field to change (customerName, dueDate, amount)");
  // The create rules hold for the amended invoice as a whole.
  NewInvoice as_new{invoice.ref,    invoice.customer_id, invoice.customer_name, invoice.ccy,
                    invoice.amount, invoice.issue_date,  invoice.due_date};
  if (amendment.customer_name) as_new.customer_name = *amendment.customer_name;
  if (amendment.due_date) as_new.due_date = *amendment.due_date;
  if (amendment.amount) as_new.amount = *amendment.amount;
  validate(as_new);
  if (amendment.amount && *amendment.amount != invoice.amount) {
    if (!invoice.payments.empty() || invoice.status != Status::open)
      refuse("amount_locked", "the amount of " + invoice.ref +
                                  " cannot change once a payment or credit note exists");
    invoice.amount = invoice.balance = *amendment.amount;
  }
  invoice.customer_name = as_new.customer_name;
  invoice.due_date = as_new.due_date;
  invoice.updated_at = now;
}

std::string etag(const Invoice& invoice) {
  return "\"" + std::to_string(invoice.id) + "." + std::to_string(invoice.version) + "\"";
}

bool etag_matches(std::string_view if_match, const Invoice& invoice) {
  const std::string current = etag(invoice);
  // A comma-separated list of entity tags (RFC 9110); weak tags never match If-Match.
  while (!if_match.empty()) {
    const auto comma = if_match.find(',');
    std::string_view tag = if_match.substr(0, comma);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*" || tag == current) return true;
    if (comma == std::string_view::npos) break;
    if_match.remove_prefix(comma + 1);
  }
  return false;
}

std::optional<std::string_view> settled_by(const Invoice& invoice) {
  if (invoice.status != Status::paid) return std::nullopt;
  bool cash = false, credit = false;
  for (const auto& p : invoice.payments)
    if (p.active()) (p.kind == EntryKind::payment ? cash : credit) = true;
  if (cash && credit) return "payments_and_credit";
  return credit ? "credit" : "payments";
}

void validate(const ReversalRequest& request) {
  check_reason(request.reason);
}

void validate(const CreditNoteRequest& request) {
  check_amount("amount", request.amount);
  check_reason(request.reason);
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
    if (!p.active()) continue;  // reversed: in the history, not in the balance
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

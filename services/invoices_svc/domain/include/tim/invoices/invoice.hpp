// The invoice model and its rules: validation, payments, voiding. Pure: no I/O, no clock.
//
// Refusals and their statuses (Error::kind):
//   400 invalid_field              a field is missing, of the wrong type or out of range
//                                  (a non-positive payment amount is one of these)
//   409 invoice_void               payment on a void invoice
//   409 invoice_paid               payment on an invoice already paid in full
//   409 currency_mismatch          payment "ccy" differs from the invoice's
//   409 payment_exceeds_balance    payment larger than the balance
//   409 payment_before_issue_date  payment dated before the invoice's issue date
//   409 invoice_not_voidable       void of a paid or void invoice, or one with payments
//   404 payment_not_found          reversal of a payment id the invoice does not have
//   409 payment_already_reversed   reversal of a reversed payment
//   409 credit_note_not_reversible reversal of a credit note (issue a payment instead)
//   409 reversal_before_payment    reversal dated before the payment it reverses
//   409 credit_exceeds_balance     credit note larger than the balance
//   409 credit_before_issue_date   credit note dated before the invoice's issue date
//   409 amount_locked              amount amended once the invoice has a ledger entry
//   412 precondition_failed        If-Match names another version of the invoice
//   428 precondition_required      an amendment without If-Match
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tim/invoices/date.hpp"

namespace tim::invoices {

using InvoiceId = std::int64_t;

// open → paid (balance reaches 0), open → void (no payments yet). paid and void are final.
enum class Status { open, paid, void_ };

std::string_view to_string(Status status) noexcept;
std::optional<Status> parse_status(std::string_view text) noexcept;

// A ledger entry: cash received, or a credit note that lowers the balance without cash.
enum class EntryKind { payment, credit_note };

struct Reversal {
  std::string reason;
  Date date;
  bool operator==(const Reversal&) const = default;
};

struct Payment {
  std::int64_t amount = 0;  // minor units, > 0
  Date date;
  std::int64_t id = 0;  // 1, 2, … in the invoice's ledger, never reused
  EntryKind kind = EntryKind::payment;
  std::string reason = {};                // a credit note's
  std::optional<Reversal> reversal = {};  // set: reversed, kept in the history, counts for nothing
  bool active() const noexcept { return !reversal; }
  bool operator==(const Payment&) const = default;
};

struct Invoice {
  InvoiceId id = 0;
  std::string ref;
  std::string customer_id;
  std::string customer_name;
  std::string ccy;
  std::int64_t amount = 0;   // minor units
  std::int64_t balance = 0;  // amount minus payments, 0..amount
  Date issue_date;
  Date due_date;
  Status status = Status::open;
  std::vector<Payment> payments;
  std::optional<Date> settled_date;  // date of the payment that brought the balance to 0
  Instant created_at;
  Instant updated_at;
  std::int64_t version = 1;  // +1 on every change: the ETag
  bool operator==(const Invoice&) const = default;
};

// A create request (POST /api/invoices).
struct NewInvoice {
  std::optional<std::string> ref;  // generated ("INV-<id>") when absent
  std::string customer_id;
  std::string customer_name;
  std::string ccy;
  std::int64_t amount = 0;
  Date issue_date;
  Date due_date;
  bool operator==(const NewInvoice&) const = default;
};

// A payment request (POST /api/invoices/:id/payments).
struct PaymentRequest {
  std::int64_t amount = 0;
  Date date;
  std::optional<std::string> ccy;  // when given, must be the invoice's currency
  bool operator==(const PaymentRequest&) const = default;
};

// POST /api/invoices/:id/payments/:paymentId/reversal
struct ReversalRequest {
  std::string reason;
  Date date;
  bool operator==(const ReversalRequest&) const = default;
};

// POST /api/invoices/:id/credit-notes
struct CreditNoteRequest {
  std::int64_t amount = 0;
  std::string reason;
  Date date;
  bool operator==(const CreditNoteRequest&) const = default;
};

// PATCH /api/invoices/:id: the fields to change, the others kept.
struct Amendment {
  std::optional<std::string> customer_name;
  std::optional<Date> due_date;
  std::optional<std::int64_t> amount;
  bool operator==(const Amendment&) const = default;
};

inline constexpr std::size_t kMaxReasonLength = 200;

// Limits on text fields, in bytes.
inline constexpr std::size_t kMaxRefLength = 64;
inline constexpr std::size_t kMaxCustomerIdLength = 64;
inline constexpr std::size_t kMaxCustomerNameLength = 200;

// Throw Error(invalid, field named) on the first problem found; return normally when valid.
// True when the bytes are well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing
// past U+10FFFF). Text that is not would make the JSON API's answers invalid.
bool is_utf8(std::string_view text) noexcept;

void validate(const NewInvoice& request);
void validate(const PaymentRequest& request);

std::string generated_ref(InvoiceId id);

// The invoice a valid create request makes, with the id the store assigned.
Invoice make_invoice(const NewInvoice& request, InvoiceId id, Instant now);

// Records a payment: balance, status and settledDate change together. Throws Error (see the
// table above) and leaves the invoice unchanged when the payment is refused.
void apply_payment(Invoice& invoice, const PaymentRequest& payment, Instant now);

// Voids an open invoice with no payments; throws Error(conflict) otherwise.
void void_invoice(Invoice& invoice, Instant now);

// Marks one payment reversed (it stays in the ledger) and recomputes balance, status and
// settledDate. Throws the refusals above and leaves the invoice unchanged.
void reverse_payment(Invoice& invoice, std::int64_t payment_id, const ReversalRequest& request,
                     Instant now);

// Adds a credit note: the balance falls without cash, as a payment's would.
void apply_credit_note(Invoice& invoice, const CreditNoteRequest& request, Instant now);

// Amends customerName, dueDate and, while the ledger is empty, amount (the balance with it).
void amend(Invoice& invoice, const Amendment& amendment, Instant now);

// The invoice version's entity tag, quoted: "\"<id>.<version>\"".
std::string etag(const Invoice& invoice);
// Whether an If-Match value names this version ("*" names any).
bool etag_matches(std::string_view if_match, const Invoice& invoice);

// How a paid invoice was settled: "payments", "credit" or "payments_and_credit"; nullopt
// while it is not paid.
std::optional<std::string_view> settled_by(const Invoice& invoice);

void validate(const ReversalRequest& request);
void validate(const CreditNoteRequest& request);

// Checks the invariants every stored invoice keeps (balance = amount - sum of payments, status
// agrees with balance...). Throws Error(internal) naming the broken one; the store calls it
// on what it reads so that a corrupt row is reported, not served.
void check_invariants(const Invoice& invoice);

// An invoice as loaded by import: a create request plus what already happened to it.
struct ImportRecord {
  NewInvoice invoice;
  std::vector<PaymentRequest> payments;
  bool voided = false;
  bool operator==(const ImportRecord&) const = default;
};

// The invoice an import record makes (payments and void applied; id 0, ref empty when the
// record has none). Throws the Error its create/payment/void would.
Invoice build_imported_invoice(const ImportRecord& record, Instant now);

// The tutorial's invoices for the demo data set: n = 1…1000 → ref INV-n, amount n·100 GBP,
// one payment of 10 (so balance n·100−10), open. Imported in order into an empty store, they
// get ids 1…1000 and the tutorial's curl answers as written.
std::vector<ImportRecord> tutorial_demo_records();

// Canonical text of a create request, equal for equal requests: compares the body of a
// retried create with the one first sent under the same Idempotency-Key.
std::string fingerprint(const NewInvoice& request);

}  // namespace tim::invoices

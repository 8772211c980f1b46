// JSON ⇄ domain values with Boost.JSON. Parse errors are Error(invalid) naming the field.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tim/invoices/invoice.hpp"

namespace tim::invoices {

// The tutorial's fields first (id, ref, amount, balance, ccy, then expectedDate when given),
// then customerId, customerName, issueDate, dueDate, status, payments (ledger entries: id,
// kind "payment" | "creditNote", amount, date, a credit note's reason, "reversed" when
// reversed), settledDate and settledBy (null until paid), createdAt, updatedAt.
boost::json::object invoice_to_json(const Invoice& invoice,
                                    const std::optional<std::string>& expected_date = {});

boost::json::array payments_to_json(const std::vector<Payment>& payments);
// Throws Error(internal) when the text is not what payments_to_json writes.
std::vector<Payment> payments_from_json(std::string_view text);

// A create body: an object with exactly the create fields (unknown fields are refused, so
// that a typo like "dueDtae" is not silently dropped). Validated (validate()) before return.
NewInvoice parse_new_invoice(std::string_view body);

// A payment body {"amount":5000,"date":"2026-11-20"} with optional "ccy". Validated.
PaymentRequest parse_payment(std::string_view body);

// {"reason":"…","date":"YYYY-MM-DD"}. Validated.
ReversalRequest parse_reversal(std::string_view body);
// {"amount":500,"reason":"…","date":"YYYY-MM-DD"}. Validated.
CreditNoteRequest parse_credit_note(std::string_view body);
// Any of {"customerName","dueDate","amount"}; the rules are checked by amend().
Amendment parse_amendment(std::string_view body);

}  // namespace tim::invoices

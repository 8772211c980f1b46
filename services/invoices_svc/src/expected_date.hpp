// The hand-over to expected_date_svc, as pure functions so that they are unit-tested without
// a network: what the predictor is told (the open invoice and the customer's paid invoices)
// and what is read back from its answer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tim/invoices/invoice.hpp"
#include "tim/invoices/payment_summary.hpp"

namespace tim::invoices {

struct ExpectedDate {
  std::string date;  // expectedDate, an ISO 8601 UTC instant
  // The 80% interval and what it was based on, when the predictor gave them.
  std::optional<std::string> low;
  std::optional<std::string> high;
  std::optional<std::string> basis;
  std::string model_version;  // the predictor's modelVersion ("" from an older predictor)
};

// Body of POST /api/expected-date/:id: the invoice's facts and the customer's paid history as
// the store's delay histogram ("paidDelays": [{"delayDays", "count"}], a size bounded by the
// distinct delays, not by the invoices), with `as_of` (today) so that an overdue invoice is
// not predicted in the past. The predictor keeps no state: everything it needs is here.
std::string prediction_request_json(const Invoice& invoice, std::span<const PaidDelay> paid,
                                    Date as_of);

// The predictor's answer, when it is what the contract says: a JSON object whose invoiceId is
// `invoice_id` and whose expectedDate (and, when present, expectedDateLow/High) are ISO 8601
// UTC instants. Anything else (garbage, another invoice, a malformed date) gives nullopt and `why`.
std::optional<ExpectedDate> expected_date_from_answer(std::string_view body,
                                                      std::int64_t invoice_id, std::string* why);

// Body of POST /api/expected-dates: the invoices (at most 1,000) and, once per customer, the
// histories given for their customers.
std::string batch_request_json(std::span<const Invoice> invoices,
                               const std::map<std::string, PaidHistory, std::less<>>& histories,
                               Date as_of);

// The batch answer, one entry per asked invoice in `invoice_ids`' order: nullopt for an entry
// the predictor got wrong (another invoice, a malformed date). nullopt for the whole answer
// when it is not the contract's shape (and `why`).
std::optional<std::vector<std::optional<ExpectedDate>>> expected_dates_from_batch_answer(
    std::string_view body, std::span<const InvoiceId> invoice_ids, std::string* why);

}  // namespace tim::invoices

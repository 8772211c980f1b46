// The tutorial's invoice, where it comes from, and how it is answered.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tim::invoices {

// Amounts are integers in minor units of `ccy` (4200 = £42.00).
struct Invoice {
  std::int64_t id = 0;
  std::string ref;
  std::int64_t amount = 0;
  std::int64_t balance = 0;
  std::string ccy;
};

// Where invoices come from; the persistent store (issue 3) is another implementation.
class InvoiceSource {
 public:
  virtual ~InvoiceSource() = default;
  virtual std::optional<Invoice> find(std::int64_t id) const = 0;
};

// The tutorial's made-up invoices: INV-<id>, amount id*100, balance 10 less, in GBP.
class TutorialInvoices final : public InvoiceSource {
 public:
  std::optional<Invoice> find(std::int64_t id) const override;
};

// {"id","ref","amount","balance","ccy"[,"expectedDate"]}: the tutorial's fields, in its order.
std::string invoice_json(const Invoice& invoice, const std::optional<std::string>& expected_date);

// The expectedDate of a predictor's answer, when the answer is what the contract says: a JSON
// object whose invoiceId is `invoice_id` and whose expectedDate is an ISO 8601 UTC instant.
// Anything else (garbage, another invoice, a malformed date) gives nullopt and `why`.
std::optional<std::string> expected_date_from_answer(std::string_view body, std::int64_t invoice_id,
                                                     std::string* why);

}  // namespace tim::invoices

// Reading expected_date_svc's answer: pure, so that it is unit-tested without a network.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tim::invoices {

// The expectedDate of a predictor's answer, when the answer is what the contract says: a JSON
// object whose invoiceId is `invoice_id` and whose expectedDate is an ISO 8601 UTC instant.
// Anything else (garbage, another invoice, a malformed date) gives nullopt and `why`.
std::optional<std::string> expected_date_from_answer(std::string_view body, std::int64_t invoice_id,
                                                     std::string* why);

}  // namespace tim::invoices

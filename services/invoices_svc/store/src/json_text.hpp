// The JSON texts the store writes on every row of an import: an event's invoice and the
// payments column. Written straight into a string, byte for byte what boost::json::serialize of
// invoice_to_json / payments_to_json gives (json_text_test.cpp holds them to it), without
// building a JSON tree per row first: on the import's path that tree cost a fifth of the work.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tim/invoices/invoice.hpp"

namespace tim::invoices::sql {

void append_json_string(std::string& out, std::string_view text);
// == boost::json::serialize(payments_to_json(payments))
void append_payments_json(std::string& out, const std::vector<Payment>& payments);
// == boost::json::serialize(invoice_to_json(invoice))
void append_invoice_json(std::string& out, const Invoice& invoice);

}  // namespace tim::invoices::sql

// Training on TIM's own ledger: the CSV export of invoices_svc (GET /api/invoices?format=csv,
// header id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,settledDate,
// payments,createdAt,updatedAt) read as the training rows ar_csv.hpp defines. Its paid
// invoices become rows; open and void ones carry no outcome and are left out. The export has
// no country and no billing channel: every row is a paper invoice of an unknown country, so
// the model learns the store's customers and population, not countries.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "model/ar_csv.hpp"

namespace tim::expected_date {

// True when the text starts with the export's header (a UTF-8 BOM allowed).
bool is_tim_export(std::string_view text);

// RFC 4180 (quoted fields, doubled quotes, CRLF or LF). Throws CsvError naming the line.
std::vector<ArRecord> parse_tim_export_csv(std::string_view text,
                                           const ReadProgress& progress = {});

// The file in either layout, told apart by its header: TIM's export or the public sample.
std::vector<ArRecord> read_training_csv(const std::filesystem::path& file,
                                        const ReadProgress& progress = {});

}  // namespace tim::expected_date

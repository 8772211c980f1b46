// Bulk import of a CSV file (our export format or the accounts-receivable sample's layout)
// into the store, one transaction per batch. Rows the reader or the invoice rules refuse are
// reported with their line number and skipped; the others are imported. Blocking.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <istream>
#include <string>
#include <vector>

#include "tim/invoices/store.hpp"

namespace tim::invoices {

struct RejectedRow {
  std::size_t line = 0;  // from 1, the header being line 1
  std::string field;     // the column at fault, when known
  std::string message;
};

struct ImportReport {
  std::size_t imported = 0;
  std::vector<RejectedRow> rejected;
};

struct ImportOptions {
  std::size_t batch_size = 1000;
  std::string sample_currency = "USD";  // currency of the sample layout's amounts
};

// Throws Error when the store fails (batches already committed stay committed).
ImportReport import_csv(std::istream& in, InvoiceStore& store, const ImportOptions& options,
                        Instant now);

// {"imported":N,"rejected":[{"line":3,"field":"amount","message":"…"}]}
boost::json::object report_to_json(const ImportReport& report);

}  // namespace tim::invoices

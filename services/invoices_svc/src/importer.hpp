// Bulk import of a CSV file (our export format or the accounts-receivable sample's layout)
// into the store, one transaction per batch. Rows the reader or the invoice rules refuse are
// reported with their line number and skipped; the others are imported. Blocking.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tim/invoices/store.hpp"

namespace tim::invoices {

// A report lists this many rejected rows and counts the rest: a file of junk costs a report of
// a few kilobytes, not one as large as the file.
inline constexpr std::size_t kListedRejections = 100;

struct RejectedRow {
  std::size_t line = 0;  // from 1, the header being line 1
  std::string field;     // the column at fault, when known
  std::string message;
};

struct DuplicateRow {
  std::size_t line = 0;
  std::string ref;  // an invoice already has it (or an earlier line of the file)
};

struct ImportReport {
  std::size_t imported = 0;
  std::size_t duplicate_count = 0;       // rows not stored: their ref exists
  std::vector<DuplicateRow> duplicates;  // the first kListedRejections of them
  std::size_t rejected_count = 0;        // every rejected row
  std::vector<RejectedRow> rejected;     // the first kListedRejections of them, in line order

  void reject(RejectedRow row);
};

// How far an import has come, for a progress display.
struct ImportProgress {
  std::uint64_t bytes_read = 0;  // of the file
  std::size_t rows = 0;          // CSV records read after the first (the header)
};

struct ImportOptions {
  std::size_t batch_size = 1000;
  std::string sample_currency = "USD";  // currency of the sample layout's amounts
  std::string subject;                  // who imports: recorded with each invoice.imported
  // Called every 1 024 records and once at the end, on the importing thread.
  std::function<void(const ImportProgress&)> on_progress;
};

// Throws Error when the store fails (batches already committed stay committed).
ImportReport import_csv(std::istream& in, InvoiceStore& store, const ImportOptions& options,
                        Instant now);
// The same from a request body held in memory (no copy of it into a stream).
ImportReport import_csv(std::string_view text, InvoiceStore& store, const ImportOptions& options,
                        Instant now);

// {"imported":N,"rejectedCount":M,"rejected":[{"line":3,"field":"amount","message":"…"}]}
// with at most kListedRejections entries in "rejected".
boost::json::object report_to_json(const ImportReport& report);

// Hands memory that bulk work freed back to the system (glibc's malloc_trim): without it a
// process that parsed a few large imports keeps their peak as its resident size. Blocking
// (it walks every arena): run it on the import pool, not on an I/O thread.
void release_free_memory() noexcept;

// Bounds the imports admitted at once (running and waiting for the import pool): past it a
// client gets 429 at once instead of a queued request holding its body in memory.
class ImportGate {
 public:
  explicit ImportGate(std::size_t limit) : limit_(limit) {}
  class Ticket {
   public:
    explicit Ticket(ImportGate* gate) : gate_(gate) {}
    Ticket(Ticket&& other) noexcept : gate_(std::exchange(other.gate_, nullptr)) {}
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket() {
      if (gate_) gate_->admitted_.fetch_sub(1);
    }
    explicit operator bool() const noexcept { return gate_ != nullptr; }

   private:
    ImportGate* gate_;
  };
  // A ticket that is false when `limit` imports are already admitted.
  Ticket enter() {
    if (admitted_.fetch_add(1) >= limit_) {
      admitted_.fetch_sub(1);
      return Ticket(nullptr);
    }
    return Ticket(this);
  }

 private:
  std::size_t limit_;
  std::atomic<std::size_t> admitted_{0};
};

}  // namespace tim::invoices

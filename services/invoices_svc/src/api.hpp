// The invoices API (/api/invoices…): thin handlers that parse with the domain functions, run
// the store call on the blocking pool and answer JSON (or CSV for an export).
#pragma once

#include "expected_date_client.hpp"
#include "importer.hpp"
#include "store_keeper.hpp"
#include "tim/http/blocking.hpp"
#include "tim/router.hpp"

namespace tim::invoices {

struct ApiContext {
  StoreKeeper& keeper;
  http::BlockingPool& pool;
  ExpectedDateClient* expected_dates = nullptr;  // null: answers carry no expectedDate
  ImportOptions import_options;
  // Imports run here, not on `pool`: a few large ones never hold the threads that answer reads.
  // Null: on `pool`.
  http::BlockingPool* import_pool = nullptr;
  ImportGate* import_gate = nullptr;  // null: no bound on imports admitted at once
};

// For the handlers of every /api route (invoices, webhooks): the store, or an Error that answers
// 503 store_unavailable; a path's numeric id, or an Error that answers 400 with `code`.
std::shared_ptr<InvoiceStore> need_store(ApiContext& c);
std::int64_t need_path_id(const std::string& text, const std::string& code);

// The Idempotency-Key of a mutating request, scoped to the caller the gateway vouches for,
// with its method and target; none without the header. The body is the caller's to add.
std::optional<IdempotentRequest> keyed_request(const ApiContext& c, const http::Request& request);

// Adds every /api/invoices route. `context` must outlive the router.
void add_invoice_routes(http::Router& router, ApiContext& context);

}  // namespace tim::invoices

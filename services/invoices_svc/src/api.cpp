#include "api.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <functional>
#include <limits>
#include <map>
#include <variant>

#include "failpoints.hpp"
#include "forecast_api.hpp"
#include "tim/ids.hpp"
#include "tim/invoices/csv.hpp"
#include "tim/invoices/error.hpp"
#include "tim/invoices/json.hpp"
#include "tim/invoices/money.hpp"
#include "tim/invoices/query.hpp"
#include "tim/log.hpp"
#include "tim/metrics.hpp"

namespace tim::invoices {

std::shared_ptr<InvoiceStore> need_store(ApiContext& c) {
  auto store = c.keeper.store();
  if (!store) throw Error(ErrorKind::unavailable, "store_unavailable", c.keeper.state().detail);
  return store;
}

std::int64_t need_path_id(const std::string& text, const std::string& code) {
  auto id = parse_id(text);
  if (auto* error = std::get_if<IdError>(&id))
    throw Error(ErrorKind::invalid, code, error->message);
  return std::get<std::int64_t>(id);
}

// The key of a mutating request, scoped to its caller, when it carries one. The target is
// taken without a trailing slash: /api/invoices and /api/invoices/ are one endpoint.
std::optional<IdempotentRequest> keyed_request(const ApiContext& c, const http::Request& request) {
  auto header = request.headers.get("idempotency-key");
  if (!header) return std::nullopt;
  IdempotentRequest keyed;
  if (auto subject = request.headers.get("x-auth-subject")) keyed.scope = std::string(*subject);
  keyed.key = std::string(*header);
  keyed.method = request.method;
  std::string_view path = request.path();
  if (path.size() > 1 && path.ends_with('/')) path.remove_suffix(1);
  keyed.target = std::string(path);
  if (!request.query().empty()) keyed.target += "?" + std::string(request.query());
  keyed.expired_before =
      to_instant(std::chrono::system_clock::now()) - c.keeper.settings().idempotency_ttl;
  return keyed;
}

namespace {

using http::Request;
using http::Response;

Instant now() {
  return to_instant(std::chrono::system_clock::now());
}

Date utc_today() {
  return Date::from_days(static_cast<std::int32_t>(
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())
          .time_since_epoch()
          .count()));
}

// {"error":{"code","message"[,"field"]}}: the field tells a client which input to fix.
Response error_answer(const Error& e, const Request& request) {
  const int status = http_status(e.kind());
  if (status >= 500)
    log::error("invoice request failed", {{"code", std::string_view(e.code())},
                                          {"reason", std::string_view(e.what())},
                                          {"request_id", std::string_view(request.request_id)},
                                          {"trace_id", request.trace.trace_id_hex()}});
  boost::json::object error{{"code", e.code()}, {"message", e.what()}};
  if (!e.field().empty()) error["field"] = e.field();
  boost::json::object root{{"error", std::move(error)}};
  auto response = http::json_response(status, boost::json::serialize(root));
  // The first request with this key is still running: it finishes within a transaction.
  if (e.code() == "idempotency_key_in_progress") response.headers.add("retry-after", "1");
  return response;
}

Response internal_answer(const std::exception& e, const Request& request) {
  log::error("invoice request failed", {{"reason", std::string_view(e.what())},
                                        {"request_id", std::string_view(request.request_id)},
                                        {"trace_id", request.trace.trace_id_hex()}});
  return http::error_response(500, "internal_error", "internal error");
}

// Every handler's errors, answered one way: the domain's own as their status and JSON body,
// anything else as a logged 500.
Task<Response> answering_errors(Task<Response> handler, const Request& request) {
  try {
    co_return co_await std::move(handler);
  } catch (const Error& e) {
    co_return error_answer(e, request);
  } catch (const std::exception& e) {
    co_return internal_answer(e, request);
  }
}

// A store job that records its duration in store_operation_duration_seconds{operation}
// (on the store's thread: the time the store took, not the wait for a thread).
template <class F>
auto timed(std::string_view operation, F work) {
  return [operation, work = std::move(work)]() mutable {
    const auto start = std::chrono::steady_clock::now();
    struct Record {
      std::string_view operation;
      std::chrono::steady_clock::time_point start;
      ~Record() {
        metrics::observe_store_operation(
            operation,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
    } record{operation, start};
    return work();
  };
}

InvoiceId need_id(const std::string& text) {
  return need_path_id(text, "invalid_invoice_id");
}

// Every invoice answer carries the version's ETag, for a PATCH's If-Match.
Response invoice_answer(int status, const Invoice& invoice) {
  auto response = http::json_response(status, boost::json::serialize(invoice_to_json(invoice)));
  response.headers.add("etag", etag(invoice));
  return response;
}

// The caller the gateway vouches for, recorded with every event; "" without one.
std::string subject_of(const Request& request) {
  auto subject = request.headers.get("x-auth-subject");
  return subject ? std::string(*subject) : std::string();
}

// Runs a keyed write on the store's pool (or the one given: imports have their own), the body
// kept alive with the job.
Task<KeyedAnswer> run_keyed(ApiContext& c, std::string_view operation,
                            std::shared_ptr<InvoiceStore> store, IdempotentRequest keyed,
                            std::string body, InvoiceStore::KeyedWrite write,
                            http::BlockingPool* pool = nullptr) {
  auto work = timed(operation, [store, keyed = std::move(keyed), body = std::move(body),
                                write = std::move(write), at = now()]() mutable {
    keyed.body = body;
    return store->write_once(keyed, at, write);
  });
  co_return co_await (pool ? *pool : c.pool).run(std::move(work));
}

Response keyed_response(const KeyedAnswer& keyed) {
  Response response = http::json_response(keyed.answer.status, keyed.answer.body);
  if (!keyed.answer.location.empty()) response.headers.add("location", keyed.answer.location);
  if (!keyed.answer.etag.empty()) response.headers.add("etag", keyed.answer.etag);
  // A retry gets the first answer again; this header tells it apart.
  if (keyed.replayed) response.headers.add("idempotent-replayed", "true");
  return response;
}

StoredAnswer invoice_stored(int status, const Invoice& invoice, bool with_location) {
  return {status, boost::json::serialize(invoice_to_json(invoice)),
          with_location ? "/api/invoices/" + std::to_string(invoice.id) : std::string(),
          etag(invoice)};
}

bool wants_csv(const Request& request, const ListQuery& query) {
  if (query.format == ListFormat::csv) return true;
  auto accept = request.headers.get("accept");
  return accept && accept->find("text/csv") != std::string_view::npos;
}

// An invoice and, when it is open and will be predicted, its customer's paid delays: one job
// on the store's pool, so the answer costs one thread hop there and back. A store failure on
// the history costs the answer its history, not the answer: the predictor then uses the
// population.
struct InvoiceWithHistory {
  Invoice invoice;
  PaidHistory paid;
  std::string history_error;
};

InvoiceWithHistory read_invoice(InvoiceStore& store, InvoiceId id, bool with_history) {
  InvoiceWithHistory out{store.get(id), {}, {}};
  if (!with_history || out.invoice.status != Status::open) return out;
  try {
    const std::string& customer = out.invoice.customer_id;
    out.paid = std::move(store.paid_histories(std::span(&customer, 1))[customer]);
  } catch (const Error& e) {
    out.history_error = e.what();
  }
  return out;
}

Task<Response> get_invoice(ApiContext& c, Request& request, std::string id_text) {
  const InvoiceId id = need_id(id_text);
  auto store = need_store(c);
  const bool predict = c.expected_dates != nullptr;
  auto work = timed("get", [store, id, predict] { return read_invoice(*store, id, predict); });
  const InvoiceWithHistory read = co_await c.pool.run(std::move(work));
  const Invoice& invoice = read.invoice;
  if (!read.history_error.empty())
    log::warn("payment history unavailable; predicting without it",
              {{"reason", std::string_view(read.history_error)},
               {"request_id", std::string_view(request.request_id)},
               {"trace_id", request.trace.trace_id_hex()}});
  std::optional<ExpectedDate> expected;
  // Only an open invoice has a date to predict: a paid one has its settledDate, a void one none.
  if (invoice.status == Status::open && predict) {
    // Arguments named first: g++ 12 mishandles temporaries inside co_await expressions.
    const PaidHistory& history = read.paid;
    const auto today = utc_today();
    expected = co_await c.expected_dates->predict(invoice, history, today, request);
  }
  // The tutorial's fields first (id, ref, amount, balance, ccy, expectedDate), then the rest.
  auto body = invoice_to_json(invoice, expected ? std::optional(expected->date) : std::nullopt);
  if (expected && expected->low) {
    body["expectedDateLow"] = *expected->low;
    body["expectedDateHigh"] = *expected->high;
  }
  if (expected && expected->basis) body["expectedDateBasis"] = *expected->basis;
  auto response = http::json_response(200, boost::json::serialize(body));
  response.headers.add("etag", etag(invoice));
  co_return response;
}

// One page of the export, as CSV rows, and where the next page starts (none: the last).
struct ExportPage {
  std::string csv;
  std::optional<InvoiceId> next_after;
};

ExportPage export_page(InvoiceStore& store, ListFilter filter) {
  filter.limit = kMaxListLimit;
  const auto page = store.list(filter);
  ExportPage out;
  for (const auto& invoice : page.invoices) out.csv += invoice_to_csv_row(invoice);
  if (page.next_cursor && !page.invoices.empty()) out.next_after = page.invoices.back().id;
  return out;
}

// The CSV export written page by page as the client takes it: one store job per page of
// kMaxListLimit rows, and one page in memory at a time, whatever the size of the store.
class CsvExport final : public http::BodySource {
 public:
  CsvExport(http::BlockingPool& pool, std::shared_ptr<InvoiceStore> store, ListFilter filter,
            ExportPage first)
      : pool_(pool), store_(std::move(store)), filter_(std::move(filter)) {
    pending_ = csv_header() + first.csv;
    filter_.after_id = first.next_after;
    done_ = !first.next_after;
  }

  Task<std::optional<std::string>> next() override {
    if (!pending_.empty()) {
      std::string out;
      out.swap(pending_);
      co_return out;
    }
    if (done_) co_return std::nullopt;
    auto work =
        timed("export", [store = store_, filter = filter_] { return export_page(*store, filter); });
    ExportPage page = co_await pool_.run(std::move(work));
    filter_.after_id = page.next_after;
    done_ = !page.next_after;
    co_return std::move(page.csv);
  }

 private:
  http::BlockingPool& pool_;
  std::shared_ptr<InvoiceStore> store_;
  ListFilter filter_;
  std::string pending_;
  bool done_ = false;
};

// A page with each open invoice's expected date: the page and its customers' histories in one
// store job, then one batch call to the predictor (or none, when the cache holds them all).
// Without an answer the page goes out without the dates, as GET /:id does.
struct PageWithHistories {
  InvoicePage page;
  std::map<std::string, PaidHistory, std::less<>> histories;
};

Task<Response> list_with_expected_dates(ApiContext& c, Request& request, ListFilter filter) {
  auto store = need_store(c);
  auto work = timed("list", [store, filter] {
    PageWithHistories out{store->list(filter), {}};
    std::vector<std::string> customers;
    for (const auto& invoice : out.page.invoices)
      if (invoice.status == Status::open) customers.push_back(invoice.customer_id);
    // As GET /:id: without the history the predictor uses the population.
    try {
      if (!customers.empty()) out.histories = store->paid_histories(customers);
    } catch (const Error&) {
    }
    return out;
  });
  const PageWithHistories read = co_await c.pool.run(std::move(work));
  std::vector<Invoice> open;
  for (const auto& invoice : read.page.invoices)
    if (invoice.status == Status::open) open.push_back(invoice);
  const auto today = utc_today();
  const std::span<const Invoice> asked{open};
  auto predicted = co_await c.expected_dates->predict_many(asked, read.histories, today, request);
  boost::json::array invoices;
  invoices.reserve(read.page.invoices.size());
  std::size_t next_open = 0;
  for (const auto& invoice : read.page.invoices) {
    const ExpectedDate* expected = nullptr;
    if (invoice.status == Status::open && predicted[next_open++])
      expected = &*predicted[next_open - 1];
    // The tutorial's field order, as GET /:id answers.
    auto item = invoice_to_json(invoice, expected ? std::optional(expected->date) : std::nullopt);
    if (expected && expected->low) {
      item["expectedDateLow"] = *expected->low;
      item["expectedDateHigh"] = *expected->high;
    }
    if (expected && expected->basis) item["expectedDateBasis"] = *expected->basis;
    invoices.push_back(std::move(item));
  }
  auto body = page_to_json({{}, read.page.next_cursor});
  body["invoices"] = std::move(invoices);
  co_return http::json_response(200, boost::json::serialize(body));
}

Task<Response> list_invoices(ApiContext& c, Request& request) {
  const ListQuery query = parse_list_query(request.query());
  auto store = need_store(c);
  if (wants_csv(request, query)) {
    // The first page before the answer starts, so that a store failure still gets its status.
    auto work =
        timed("export", [store, filter = query.filter] { return export_page(*store, filter); });
    ExportPage first = co_await c.pool.run(std::move(work));
    Response response{200, {}, {}};
    response.stream = std::make_shared<CsvExport>(c.pool, store, query.filter, std::move(first));
    response.headers.add("content-type", "text/csv; charset=utf-8");
    response.headers.add("content-disposition", "attachment; filename=\"invoices.csv\"");
    co_return response;
  }
  if (query.expand_expected_date && c.expected_dates) {
    auto task = list_with_expected_dates(c, request, query.filter);
    co_return co_await std::move(task);
  }
  auto work = timed("list", [store, filter = query.filter] { return store->list(filter); });
  const InvoicePage page = co_await c.pool.run(std::move(work));
  co_return http::json_response(200, boost::json::serialize(page_to_json(page)));
}

Task<Response> create_invoice(ApiContext& c, Request& request) {
  const NewInvoice invoice = parse_new_invoice(request.body);
  auto store = need_store(c);
  if (auto keyed = keyed_request(c, request)) {
    auto write = [invoice, at = now(), subject = subject_of(request)](InvoiceStore& tx) {
      return invoice_stored(201, tx.create(invoice, std::nullopt, at, subject).invoice, true);
    };
    auto task = run_keyed(c, "create", store, std::move(*keyed), request.body, write);
    co_return keyed_response(co_await std::move(task));
  }
  auto work = timed("create", [store, invoice, at = now(), subject = subject_of(request)] {
    return store->create(invoice, std::nullopt, at, subject);
  });
  const CreateResult result = co_await c.pool.run(std::move(work));
  Response response = invoice_answer(201, result.invoice);
  response.headers.add("location", "/api/invoices/" + std::to_string(result.invoice.id));
  co_return response;
}

// A change of one invoice, answered 200 with the invoice: with an Idempotency-Key through
// write_once, else in a transaction of its own.
using InvoiceChange = std::function<Invoice(InvoiceStore&)>;

Task<Response> change_invoice(ApiContext& c, Request& request, std::string_view operation,
                              InvoiceChange change) {
  auto store = need_store(c);
  // Crash tests: the change is committed, its answer not yet sent.
  const bool exit_after_commit =
      operation == "record_payment" && failpoints::armed(failpoints::kExitAfterPaymentCommit);
  if (auto keyed = keyed_request(c, request)) {
    auto write = [change](InvoiceStore& tx) { return invoice_stored(200, change(tx), false); };
    auto task = run_keyed(c, operation, store, std::move(*keyed), request.body, write);
    const KeyedAnswer answer = co_await std::move(task);
    if (exit_after_commit && !answer.replayed)
      failpoints::exit_now(failpoints::kExitAfterPaymentCommit);
    co_return keyed_response(answer);
  }
  auto work = timed(operation, [store, change] { return change(*store); });
  const Invoice invoice = co_await c.pool.run(std::move(work));
  if (exit_after_commit) failpoints::exit_now(failpoints::kExitAfterPaymentCommit);
  co_return invoice_answer(200, invoice);
}

Task<Response> record_payment(ApiContext& c, Request& request, std::string id_text) {
  const InvoiceId id = need_id(id_text);
  const PaymentRequest payment = parse_payment(request.body);
  InvoiceChange change = [id, payment, at = now(), subject = subject_of(request)](InvoiceStore& s) {
    return s.record_payment(id, payment, at, subject);
  };
  auto task = change_invoice(c, request, "record_payment", std::move(change));
  co_return co_await std::move(task);
}

Task<Response> void_invoice(ApiContext& c, Request& request, std::string id_text) {
  const InvoiceId id = need_id(id_text);
  InvoiceChange change = [id, at = now(), subject = subject_of(request)](InvoiceStore& s) {
    return s.void_invoice(id, at, subject);
  };
  auto task = change_invoice(c, request, "void", std::move(change));
  co_return co_await std::move(task);
}

Task<Response> reverse_payment(ApiContext& c, Request& request, std::string id_text,
                               std::string payment_text) {
  const InvoiceId id = need_id(id_text);
  auto payment_id = parse_id(payment_text);
  if (auto* error = std::get_if<IdError>(&payment_id))
    throw Error(ErrorKind::invalid, "invalid_payment_id", error->message, "paymentId");
  const ReversalRequest reversal = parse_reversal(request.body);
  InvoiceChange change = [id, payment = std::get<std::int64_t>(payment_id), reversal, at = now(),
                          subject = subject_of(request)](InvoiceStore& s) {
    return s.reverse_payment(id, payment, reversal, at, subject);
  };
  auto task = change_invoice(c, request, "reverse_payment", std::move(change));
  co_return co_await std::move(task);
}

Task<Response> add_credit_note(ApiContext& c, Request& request, std::string id_text) {
  const InvoiceId id = need_id(id_text);
  const CreditNoteRequest credit = parse_credit_note(request.body);
  InvoiceChange change = [id, credit, at = now(), subject = subject_of(request)](InvoiceStore& s) {
    return s.add_credit_note(id, credit, at, subject);
  };
  auto task = change_invoice(c, request, "credit_note", std::move(change));
  co_return co_await std::move(task);
}

Task<Response> amend_invoice(ApiContext& c, Request& request, std::string id_text) {
  const InvoiceId id = need_id(id_text);
  auto if_match = request.headers.get("if-match");
  if (!if_match)
    throw Error(ErrorKind::precondition_required, "precondition_required",
                "PATCH needs If-Match with the invoice's ETag (from its last GET or change)",
                "If-Match");
  const Amendment amendment = parse_amendment(request.body);
  InvoiceChange change = [id, amendment, if_match = std::string(*if_match), at = now(),
                          subject = subject_of(request)](InvoiceStore& s) {
    return s.amend(id, amendment, if_match, at, subject);
  };
  auto task = change_invoice(c, request, "amend", std::move(change));
  co_return co_await std::move(task);
}

// The body is the CSV file; ?currency= sets the sample layout's currency.
Task<Response> import_invoices(ApiContext& c, Request& request) {
  ImportOptions options = c.import_options;
  const std::string_view query = request.query();
  if (query.starts_with("currency=")) {
    options.sample_currency = std::string(query.substr(9));
    if (!find_currency(options.sample_currency))
      throw_invalid_field("currency", "not an ISO 4217 currency code");
  } else if (!query.empty()) {
    throw_invalid_field("query", "only currency= is accepted");
  }
  options.subject = subject_of(request);
  auto store = need_store(c);
  auto ticket = c.import_gate ? c.import_gate->enter() : ImportGate::Ticket(nullptr);
  if (c.import_gate && !ticket) {
    Response busy = http::error_response(429, "import_busy", "too many imports at once");
    busy.headers.add("retry-after", "1");
    co_return busy;
  }
  http::BlockingPool& pool = c.import_pool ? *c.import_pool : c.pool;
  if (auto keyed = keyed_request(c, request)) {
    // The whole file in one transaction with its key: a retry never imports it twice.
    options.batch_size = std::numeric_limits<std::size_t>::max();
    auto imported = std::make_shared<std::size_t>(0);
    auto write = [options, imported, at = now(), body = request.body](InvoiceStore& tx) {
      const auto report = import_csv(std::string_view(body), tx, options, at);
      *imported = report.imported;
      return StoredAnswer{200, boost::json::serialize(report_to_json(report)), {}};
    };
    auto task = run_keyed(c, "import", store, std::move(*keyed), std::move(request.body),
                          std::move(write), &pool);
    const KeyedAnswer answer = co_await std::move(task);
    auto settle = timed("analyze", [store, imported] {
      if (*imported > 0) store->refresh_statistics();
      release_free_memory();
    });
    co_await pool.run(std::move(settle));
    co_return keyed_response(answer);
  }
  auto work =
      timed("import", [store, options, body = std::move(request.body), at = now()]() mutable {
        auto report = import_csv(std::string_view(body), *store, options, at);
        std::string().swap(body);
        if (report.imported > 0) store->refresh_statistics();
        release_free_memory();
        return report;
      });
  const ImportReport report = co_await pool.run(std::move(work));
  co_return http::json_response(200, boost::json::serialize(report_to_json(report)));
}

boost::json::object event_to_json(const InvoiceEvent& event) {
  return {{"id", event.id},
          {"type", event.type},
          {"createdAt", format_instant(event.at)},
          {"subject", event.subject},
          {"invoiceId", event.invoice_id},
          {"invoice", boost::json::parse(event.invoice_json)},
          {"cursor", event.cursor}};
}

// ?after=&limit=&type= of the event lists; anything else is refused, not ignored.
struct EventQuery {
  std::string after;
  int limit = 100;
  std::optional<std::string> type;
};

EventQuery parse_event_query(std::string_view query, bool with_type) {
  EventQuery out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (name == "after") {
      out.after = std::string(value);
    } else if (name == "limit") {
      int limit = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || limit < 1 ||
          limit > kMaxEventLimit)
        throw_invalid_field("limit",
                            "must be an integer from 1 to " + std::to_string(kMaxEventLimit));
      out.limit = limit;
    } else if (name == "type" && with_type) {
      if (std::find(std::begin(kEventTypes), std::end(kEventTypes), value) == std::end(kEventTypes))
        throw_invalid_field("type",
                            "not an event type (invoice.created, invoice.updated, "
                            "invoice.payment_recorded, invoice.payment_reversed, "
                            "invoice.credited, invoice.voided, invoice.imported)");
      out.type = std::string(value);
    } else {
      throw_invalid_field(std::string(name), with_type ? "only after, limit and type are accepted"
                                                       : "only after and limit are accepted");
    }
  }
  return out;
}

Task<Response> list_events(ApiContext& c, Request& request) {
  const EventQuery query = parse_event_query(request.query(), true);
  auto store = need_store(c);
  auto work = timed("events", [store, query] {
    return store->events({query.after, query.limit, query.type});
  });
  const EventPage page = co_await c.pool.run(std::move(work));
  boost::json::array events;
  for (const auto& event : page.events) events.push_back(event_to_json(event));
  boost::json::object body{
      {"events", std::move(events)}, {"cursor", page.cursor}, {"hasMore", page.more}};
  co_return http::json_response(200, boost::json::serialize(body));
}

Task<Response> list_invoice_events(ApiContext& c, Request& request, std::string id_text) {
  const InvoiceId id = need_id(id_text);
  const EventQuery query = parse_event_query(request.query(), false);
  std::int64_t after_id = 0;
  if (!query.after.empty()) {
    const auto parsed = parse_id(query.after);
    if (std::holds_alternative<IdError>(parsed))
      throw_invalid_field("after", "must be an event id from an earlier page");
    after_id = std::get<std::int64_t>(parsed);
  }
  auto store = need_store(c);
  auto work = timed("invoice_events", [store, id, after_id, limit = query.limit] {
    return store->invoice_events(id, after_id, limit);
  });
  const std::vector<InvoiceEvent> found = co_await c.pool.run(std::move(work));
  boost::json::array events;
  for (const auto& event : found) events.push_back(event_to_json(event));
  boost::json::object body{{"events", std::move(events)}};
  if (found.size() == static_cast<std::size_t>(query.limit))
    body["nextAfter"] = std::to_string(found.back().id);
  co_return http::json_response(200, boost::json::serialize(body));
}

}  // namespace

void add_invoice_routes(http::Router& router, ApiContext& context) {
  ApiContext& c = context;
  // Each handler's task is made first and then handed over: a named task, never a temporary
  // built inside another coroutine's arguments (g++ 12).
  auto list = [&c](Request& r, const http::PathParams&) {
    auto task = list_invoices(c, r);
    return answering_errors(std::move(task), r);
  };
  auto create = [&c](Request& r, const http::PathParams&) {
    auto task = create_invoice(c, r);
    return answering_errors(std::move(task), r);
  };
  router.get("/api/invoices", list);
  router.get("/api/invoices/", list);  // the gateway's /invoices/ arrives with the slash
  router.post("/api/invoices", create);
  router.post("/api/invoices/", create);
  router.post("/api/invoices/import", [&c](Request& r, const http::PathParams&) {
    auto task = import_invoices(c, r);
    return answering_errors(std::move(task), r);
  });
  router.get("/api/invoices/:id", [&c](Request& r, const http::PathParams& p) {
    auto task = get_invoice(c, r, p[0]);
    return answering_errors(std::move(task), r);
  });
  router.post("/api/invoices/:id/payments", [&c](Request& r, const http::PathParams& p) {
    auto task = record_payment(c, r, p[0]);
    return answering_errors(std::move(task), r);
  });
  router.post("/api/invoices/:id/void", [&c](Request& r, const http::PathParams& p) {
    auto task = void_invoice(c, r, p[0]);
    return answering_errors(std::move(task), r);
  });
  router.post("/api/invoices/:id/payments/:paymentId/reversal",
              [&c](Request& r, const http::PathParams& p) {
                auto task = reverse_payment(c, r, p[0], p[1]);
                return answering_errors(std::move(task), r);
              });
  router.post("/api/invoices/:id/credit-notes", [&c](Request& r, const http::PathParams& p) {
    auto task = add_credit_note(c, r, p[0]);
    return answering_errors(std::move(task), r);
  });
  router.get("/api/invoices/:id/events", [&c](Request& r, const http::PathParams& p) {
    auto task = list_invoice_events(c, r, p[0]);
    return answering_errors(std::move(task), r);
  });
  auto events = [&c](Request& r, const http::PathParams&) {
    auto task = list_events(c, r);
    return answering_errors(std::move(task), r);
  };
  auto forecast = [&c](Request& r, const http::PathParams&) {
    auto task = forecast_answer(c, r);
    return answering_errors(std::move(task), r);
  };
  router.get("/api/forecast", forecast);
  router.get("/api/forecast/", forecast);  // the gateway's /forecast/ arrives with the slash
  router.get("/api/events", events);
  router.get("/api/events/", events);  // the gateway's /events/ arrives with the slash
  router.add("PATCH", "/api/invoices/:id", [&c](Request& r, const http::PathParams& p) {
    auto task = amend_invoice(c, r, p[0]);
    return answering_errors(std::move(task), r);
  });
}

}  // namespace tim::invoices

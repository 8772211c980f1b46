// invoices_svc: invoices by id, each with the date it is expected to be paid.
#include <memory>
#include <variant>

#include "expected_date_client.hpp"
#include "invoice.hpp"
#include "tim/config.hpp"
#include "tim/http/server.hpp"
#include "tim/ids.hpp"
#include "tim/log.hpp"
#include "tim/router.hpp"

using namespace tim;

int main() {
  return http::run_service("invoices_svc", [](http::ServerOptions& options) {
    const auto timeout =
        config::get_millis("EXPECTED_DATE_TIMEOUT_MS", std::chrono::milliseconds{500});
    std::optional<http::ParsedUri> expected_date_uri;
    if (auto uri = config::get_optional("EXPECTED_DATE_URI")) {
      expected_date_uri = http::parse_http_uri(*uri);
      if (!expected_date_uri)
        throw config::ConfigError("EXPECTED_DATE_URI must look like http://host[:port], got '" +
                                  *uri + "'");
    } else {
      log::warn("EXPECTED_DATE_URI is not set: invoices are answered without expectedDate");
    }

    http::HttpClient client;
    std::unique_ptr<invoices::ExpectedDateClient> expected_dates;
    if (expected_date_uri)
      expected_dates =
          std::make_unique<invoices::ExpectedDateClient>(client, *expected_date_uri, timeout);
    const invoices::TutorialInvoices source;

    http::Router router;
    router.get("/api/invoices/:id",
               [&](http::Request& request, const http::PathParams& params) -> Task<http::Response> {
                 auto id = parse_id(params[0]);
                 if (auto* error = std::get_if<IdError>(&id))
                   co_return http::error_response(400, "invalid_invoice_id", error->message);
                 auto invoice = source.find(std::get<std::int64_t>(id));
                 if (!invoice)
                   co_return http::error_response(404, "invoice_not_found", "no such invoice");
                 std::optional<std::string> date;
                 if (expected_dates)
                   date = co_await expected_dates->lookup(invoice->id, request.request_id);
                 co_return http::json_response(200, invoices::invoice_json(*invoice, date));
               });
    http::Server server(options, [&](http::Request& r) { return router(r); });
    return server.run();
  });
}

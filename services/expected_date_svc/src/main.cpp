// expected_date_svc: tells when an invoice is expected to be paid (back end, no gateway route).
#include <variant>

#include "expected_date.hpp"
#include "tim/http/server.hpp"
#include "tim/ids.hpp"
#include "tim/router.hpp"

using namespace tim;

int main() {
  return http::run_service("expected_date_svc", [](http::ServerOptions& options) {
    const expected_date::TutorialRule predictor{expected_date::random_days()};
    http::Router router;
    router.get("/api/expected-date/:invoiceId",
               [&](http::Request&, const http::PathParams& params) -> Task<http::Response> {
                 auto id = parse_id(params[0]);
                 if (auto* error = std::get_if<IdError>(&id))
                   co_return http::error_response(400, "invalid_invoice_id", error->message);
                 const auto invoice_id = std::get<std::int64_t>(id);
                 const auto date = predictor.expected_date(invoice_id, expected_date::Clock::now());
                 co_return http::json_response(200,
                                               expected_date::expected_date_json(invoice_id, date));
               });
    http::Server server(options, [&](http::Request& r) { return router(r); });
    return server.run();
  });
}

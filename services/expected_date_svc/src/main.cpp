// expected_date_svc: tells when an invoice is expected to be paid (back end, no gateway route).
//   expected_date_svc [serve]         serve (PORT, MODEL_FILE, …)
//   expected_date_svc train …         learn a model file from paid invoices (CSV)
//   expected_date_svc evaluate …      measure a model on later invoices
//   expected_date_svc backtest …      measure the cash-in forecast week by week
//   expected_date_svc --help          all of these, and the environment with its defaults
#include <iostream>
#include <variant>
#include <vector>

#include "backtest/backtest.hpp"
#include "expected_date.hpp"
#include "model/cli.hpp"
#include "model_source.hpp"
#include "prediction_api.hpp"
#include "tim/cli.hpp"
#include "tim/config.hpp"
#include "tim/http/env_vars.hpp"
#include "tim/http/server.hpp"
#include "tim/ids.hpp"
#include "tim/router.hpp"

using namespace tim;

namespace {

int serve() {
  return http::run_service("expected_date_svc", [](http::ServerOptions& options) {
    const expected_date::TutorialRule tutorial_rule{expected_date::random_days()};
    expected_date::ModelSource models{config::get_string("MODEL_FILE", "")};
    http::Router router;
    // The tutorial's request: only an id is known, so the tutorial's rule answers.
    router.get(
        "/api/expected-date/:invoiceId",
        [&](http::Request&, const http::PathParams& params) -> Task<http::Response> {
          auto id = parse_id(params[0]);
          if (auto* error = std::get_if<IdError>(&id))
            co_return http::error_response(400, "invalid_invoice_id", error->message);
          const auto invoice_id = std::get<std::int64_t>(id);
          const auto date = tutorial_rule.expected_date(invoice_id, expected_date::Clock::now());
          co_return http::json_response(200, expected_date::expected_date_json(invoice_id, date));
        });
    // The real prediction: the caller hands over the invoice and the customer's paid history.
    router.post(
        "/api/expected-date/:invoiceId",
        [&](http::Request& request, const http::PathParams& params) -> Task<http::Response> {
          auto id = parse_id(params[0]);
          if (auto* error = std::get_if<IdError>(&id))
            co_return http::error_response(400, "invalid_invoice_id", error->message);
          auto parsed = expected_date::parse_prediction_request(request.body);
          if (auto* error = std::get_if<expected_date::RequestError>(&parsed))
            co_return http::json_response(400, expected_date::request_error_json(*error));
          auto& in = std::get<expected_date::PredictionRequest>(parsed);
          const auto today = std::chrono::floor<std::chrono::days>(expected_date::Clock::now());
          const auto as_of = in.as_of.value_or(today);
          auto [model, version] = models.current_versioned();
          const auto prediction =
              model ? expected_date::predict(*model, in.invoice, in.history, as_of)
                    : expected_date::predict_fallback(in.invoice, in.history, as_of);
          co_return http::json_response(
              200, expected_date::prediction_json(std::get<std::int64_t>(id), prediction,
                                                  model ? "trained" : "fallback rule", version));
        });
    // Many invoices in one call (invoices_svc's pages and forecasts): each answer is the one the
    // single call gives, all from one model.
    router.post("/api/expected-dates",
                [&](http::Request& request, const http::PathParams&) -> Task<http::Response> {
                  auto parsed = expected_date::parse_batch_request(request.body);
                  if (auto* error = std::get_if<expected_date::RequestError>(&parsed))
                    co_return http::json_response(400, expected_date::request_error_json(*error));
                  const auto& batch = std::get<expected_date::BatchRequest>(parsed);
                  const auto today =
                      std::chrono::floor<std::chrono::days>(expected_date::Clock::now());
                  auto [model, version] = models.current_versioned();
                  std::vector<expected_date::Prediction> predictions;
                  predictions.reserve(batch.items.size());
                  for (const auto& item : batch.items) {
                    const auto& in = item.request;
                    const auto as_of = in.as_of.value_or(today);
                    predictions.push_back(
                        model ? expected_date::predict(*model, in.invoice, in.history, as_of)
                              : expected_date::predict_fallback(in.invoice, in.history, as_of));
                  }
                  co_return http::json_response(
                      200, expected_date::batch_json(batch.items, predictions,
                                                     model ? "trained" : "fallback rule", version));
                });
    http::Server server(options, [&](http::Request& r) { return router(r); });
    server.set_readiness_check([&] { return http::Readiness{true, models.status()}; });
    return server.run();
  });
}

// What serve() reads, for --help; tests/functional/test_cli.py checks it against the code.
std::vector<cli::EnvVar> environment() {
  std::vector<cli::EnvVar> env = {
      {"MODEL_FILE", "", "model file from `train`, re-read when it changes (unset: fallback rule)"},
  };
  const auto server = http::server_env_vars();
  env.insert(env.end(), server.begin(), server.end());
  return env;
}

}  // namespace

int main(int argc, char** argv) {
  cli::Program program("expected_date_svc",
                       "TIM's predictor: tells when an invoice is expected to be paid.",
                       environment());
  program.default_command("serve", "Serve the predictions (the default)", serve);
  expected_date::add_model_commands(program, std::cout, std::cerr);
  expected_date::add_backtest_command(program, std::cout, std::cerr);
  return program.run(argc, argv);
}

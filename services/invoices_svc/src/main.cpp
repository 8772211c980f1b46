// invoices_svc: invoices kept in a store (SQLite or PostgreSQL), each answered with the date
// it is expected to be paid.
//   invoices_svc               serve the API
//   invoices_svc import FILE   load a CSV file into the store and print the report
#include <boost/json/serialize.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <string_view>

#include "api.hpp"
#include "expected_date_client.hpp"
#include "failpoints.hpp"
#include "importer.hpp"
#include "store_keeper.hpp"
#include "tim/config.hpp"
#include "tim/http/blocking.hpp"
#include "tim/http/server.hpp"
#include "tim/invoices/error.hpp"
#include "tim/log.hpp"
#include "tim/router.hpp"
#include "webhook_worker.hpp"
#include "webhooks_api.hpp"

using namespace tim;

namespace {

// The endpoint's batches are small (bodies are limited); the command's are large: every commit
// writes each index page it touched to the WAL again, and with 1 000-row batches a million rows
// took 90 s on SQLite instead of 19 s.
invoices::ImportOptions import_options_from_env(std::int64_t default_batch = 1000) {
  invoices::ImportOptions options;
  options.batch_size =
      static_cast<std::size_t>(config::get_int("IMPORT_BATCH", default_batch, 1, 100000));
  options.sample_currency = config::get_string("IMPORT_CURRENCY", "USD");
  return options;
}

// Exit 0: every row imported; 1: some rows rejected (the others imported); 2: could not run.
int import_command(const char* file) {
  try {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "cannot read " << file << "\n";
      return 2;
    }
    auto settings = invoices::StoreSettings::from_env();
    settings.seed_demo_data = false;  // an import is the data
    invoices::StoreConfig config;
    config.url = settings.url;
    config.pool_size = 1;
    config.bulk_load = true;
    config.timeout = settings.timeout;
    auto store = invoices::open_store(config);
    const auto report =
        invoices::import_csv(in, *store, import_options_from_env(50000),
                             invoices::to_instant(std::chrono::system_clock::now()));
    if (report.imported > 0) store->refresh_statistics();  // the planner sees the new shape
    std::cout << boost::json::serialize(invoices::report_to_json(report)) << "\n";
    return report.rejected_count == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "import failed: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "import") {
    if (argc != 3) {
      std::cerr << "usage: invoices_svc import FILE.csv\n";
      return 2;
    }
    return import_command(argv[2]);
  }
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
    invoices::failpoints::announce();
    auto settings = invoices::StoreSettings::from_env();
    const auto import_options = import_options_from_env();

    invoices::StoreKeeper keeper(settings);
    try {
      keeper.start();
    } catch (const invoices::Error& e) {
      // A wrong URL or a schema newer than this build: a configuration problem, not an outage.
      throw config::ConfigError("invoice store " + invoices::redact_url(settings.url) + ": " +
                                e.what());
    }

    http::HttpClient client(http::ClientOptions::from_env());
    std::unique_ptr<invoices::ExpectedDateClient> expected_dates;
    if (expected_date_uri)
      expected_dates =
          std::make_unique<invoices::ExpectedDateClient>(client, *expected_date_uri, timeout);

    http::Router router;
    http::Server server(options, [&](http::Request& r) { return router(r); });
    server.set_readiness_check([&keeper] {
      auto state = keeper.state();
      return http::Readiness{state.ready, std::move(state.detail)};
    });
    // Declared after the server, so destroyed first: its threads finish their store calls
    // while the server's executor still exists.
    http::BlockingPool pool(settings.threads);
    http::BlockingPool import_pool(settings.import_threads);
    invoices::ImportGate import_gate(
        static_cast<std::size_t>(config::get_int("IMPORT_MAX_PENDING", 4, 1, 1024)));
    invoices::ApiContext context{keeper,         pool,         expected_dates.get(),
                                 import_options, &import_pool, &import_gate};
    invoices::add_invoice_routes(router, context);
    const auto webhook_settings = invoices::webhooks::Settings::from_env();
    invoices::add_webhook_routes(router, context, webhook_settings);
    invoices::WebhookWorker webhook_worker(settings, webhook_settings);
    webhook_worker.start();
    return server.run();
  });
}

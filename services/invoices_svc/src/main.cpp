// invoices_svc: invoices kept in a store (SQLite or PostgreSQL), each answered with the date
// it is expected to be paid.
//   invoices_svc [serve]       serve the API
//   invoices_svc import [--quiet] FILE   load a CSV file into the store and print the report
//                                        (progress on stderr when it is a terminal)
//   invoices_svc --help        both, and the environment variables with their defaults
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string_view>

#include "api.hpp"
#include "expected_date_client.hpp"
#include "failpoints.hpp"
#include "importer.hpp"
#include "store_keeper.hpp"
#include "tim/cli.hpp"
#include "tim/config.hpp"
#include "tim/http/blocking.hpp"
#include "tim/http/env_vars.hpp"
#include "tim/http/server.hpp"
#include "tim/invoices/error.hpp"
#include "tim/log.hpp"
#include "tim/progress.hpp"
#include "tim/router.hpp"
#include "webhook_worker.hpp"
#include "webhooks_api.hpp"

using namespace tim;

namespace {

// The endpoint's batches are small (bodies are limited); the command's are large: every commit
// writes each index page it touched to the WAL again, and with 1 000-row batches a million rows
// took 90 s on SQLite instead of 19 s; 100 000 rather than 50 000 writes 11% fewer bytes.
invoices::ImportOptions import_options_from_env(std::int64_t default_batch = 1000) {
  invoices::ImportOptions options;
  options.batch_size =
      static_cast<std::size_t>(config::get_int("IMPORT_BATCH", default_batch, 1, 100000));
  options.sample_currency = config::get_string("IMPORT_CURRENCY", "USD");
  return options;
}

// Exit 0: every row imported; 1: some rows rejected (the others imported); 2: could not run.
// On a terminal (stderr) and without quiet, progress is redrawn on stderr and erased before
// the report, which is the same either way.
// What the command line passes to `import` (add an option here and in main()).
struct ImportArgs {
  std::string file;
  bool quiet = false;
};

int import_command(const ImportArgs& args) {
  const char* file = args.file.c_str();
  const bool quiet = args.quiet;
  try {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "cannot read " << file << "\n";
      return 2;
    }
    std::optional<ProgressLine> progress;
    auto options = import_options_from_env(100000);
    if (!quiet && ::isatty(STDERR_FILENO)) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(file, ec);  // 0: unknown (a pipe)
      progress.emplace(ec ? 0 : size, ProgressLine::Clock::now());
      options.on_progress = [&progress](const invoices::ImportProgress& p) {
        if (auto line = progress->update(p.bytes_read, p.rows, ProgressLine::Clock::now()))
          std::cerr << *line << std::flush;
      };
    }
    auto settings = invoices::StoreSettings::from_env();
    settings.seed_demo_data = false;  // an import is the data
    invoices::StoreConfig config;
    config.url = settings.url;
    config.pool_size = 1;
    config.bulk_load = true;
    config.timeout = settings.timeout;
    auto store = invoices::open_store(config);
    const auto report = invoices::import_csv(
        in, *store, options, invoices::to_instant(std::chrono::system_clock::now()));
    if (progress) std::cerr << progress->clear() << std::flush;
    // The planner sees the new shape; on SQLite this commit also syncs the import to disk.
    if (report.imported > 0) store->refresh_statistics();
    std::cout << boost::json::serialize(invoices::report_to_json(report)) << "\n";
    return report.rejected_count == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "import failed: " << e.what() << "\n";
    return 2;
  }
}

int serve() {
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
    invoices::PredictionCache prediction_cache(
        static_cast<std::size_t>(config::get_int("PREDICTION_CACHE_ENTRIES", 0, 0, 10'000'000)));
    if (expected_date_uri)
      expected_dates = std::make_unique<invoices::ExpectedDateClient>(
          client, *expected_date_uri, timeout, &prediction_cache,
          config::get_millis("EXPECTED_DATE_BATCH_TIMEOUT_MS", std::chrono::milliseconds{2000}));

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

// What serve() and import read, for --help; tests/functional/test_cli.py checks it against the
// code.
std::vector<cli::EnvVar> environment() {
  std::vector<cli::EnvVar> env = {
      {"DATA_DIR", "./data", "SQLite store directory (invoices.db), used without DATABASE_URL"},
      {"DATABASE_URL", "", "postgresql://user:password@host/db: the store on PostgreSQL"},
      {"SEED_DEMO_DATA", "true with DATA_DIR", "seed the tutorial's invoices into an empty store"},
      {"STORE_THREADS", "4", "threads (and connections) for store calls"},
      {"STORE_TIMEOUT_MS", "5000", "longest store call before 503"},
      {"STORE_PING_MS", "2000", "how often /readyz's store check runs"},
      {"IDEMPOTENCY_TTL_HOURS", "24", "how long an Idempotency-Key is remembered"},
      {"EXPECTED_DATE_URI", "", "expected_date_svc, http://host:port (unset: no expectedDate)"},
      {"EXPECTED_DATE_TIMEOUT_MS", "500", "longest wait for expected_date_svc"},
      {"EXPECTED_DATE_BATCH_TIMEOUT_MS", "2000",
       "longest wait for a batch of predictions (expand=expectedDate, the forecast)"},
      {"PREDICTION_CACHE_ENTRIES", "0", "predictions kept per invoice (LRU); 0: off"},
      {"IMPORT_THREADS", "1", "threads for POST /api/invoices/import"},
      {"IMPORT_MAX_PENDING", "4", "imports waiting at once; more get 429 import_busy"},
      {"IMPORT_BATCH", "1000 (import: 100000)", "rows per transaction of an import"},
      {"IMPORT_CURRENCY", "USD", "currency of imported rows that name none"},
      {"WEBHOOK_ALLOWED_HOSTS", "",
       "host, host:port or *, comma-separated: where webhooks may "
       "deliver (unset: subscribing is refused)"},
      {"WEBHOOK_RETRY_HOURS", "24", "how long a failing delivery is retried before it is failed"},
      {"WEBHOOK_RETRY_BASE_MS", "1000", "first retry delay (doubled each time, full jitter)"},
      {"WEBHOOK_RETRY_MAX_MS", "3600000", "longest retry delay"},
      {"WEBHOOK_TIMEOUT_MS", "10000", "longest wait for a receiver's answer"},
      {"WEBHOOK_POLL_MS", "500", "how often the delivery worker looks for new events"},
      {"WEBHOOK_BATCH", "32", "deliveries claimed and sent per round"},
      {"TIM_FAILPOINTS", "", "test builds only (-DTIM_FAILPOINTS=ON): faults to inject"},
  };
  for (auto list : {http::server_env_vars(), http::client_env_vars()})
    env.insert(env.end(), list.begin(), list.end());
  return env;
}

}  // namespace

int main(int argc, char** argv) {
  cli::Program program("invoices_svc",
                       "TIM's invoices: kept in SQLite or PostgreSQL, each answered with the date "
                       "it is expected to be paid.",
                       environment());
  program.default_command("serve", "Serve the invoices API (the default)", serve);
  ImportArgs import_args;
  auto& import = program.command(
      "import", "Load a CSV file into the store and print the report (exit 1: some rows rejected)",
      [&] { return import_command(import_args); });
  import.add_option("file", import_args.file, "CSV file (see docs/imports.md)")->required();
  import.add_flag("--quiet", import_args.quiet,
                  "no progress on stderr (it is shown only when stderr is a terminal)");
  return program.run(argc, argv);
}

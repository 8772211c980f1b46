// auth_svc: the gateway asks it about every routed request (Emissary's external auth).
// `auth_svc keys …` manages the API key file instead of serving.
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <stop_token>
#include <string_view>
#include <thread>
#include <vector>

#include "auth_handler.hpp"
#include "credential_store.hpp"
#include "credentials/keys_cli.hpp"
#include "tim/cli.hpp"
#include "tim/config.hpp"
#include "tim/http/env_vars.hpp"
#include "tim/http/server.hpp"
#include "tim/log.hpp"
#include "tim/metrics.hpp"

namespace {

// What serve() reads, for --help; tests/functional/test_cli.py checks it against the code.
std::vector<tim::cli::EnvVar> environment() {
  std::vector<tim::cli::EnvVar> env = {
      {"TOKEN", "", "the tutorial's shared token (one of TOKEN, KEYS_FILE, JWKS_FILE is needed)"},
      {"KEYS_FILE", "", "API key file (`auth_svc keys`), re-read when it changes"},
      {"JWKS_FILE", "", "JSON Web Key Set for bearer JWTs, re-read when it changes"},
      {"JWT_ISSUER", "", "required iss of a JWT (needed with JWKS_FILE)"},
      {"JWT_AUDIENCE", "", "required aud of a JWT (needed with JWKS_FILE)"},
      {"JWT_LEEWAY_SECONDS", "60", "clock skew allowed on exp and nbf"},
      {"JWT_MAX_BYTES", "8192", "longer bearer tokens are refused unread"},
      {"AUTH_FAILURE_BURST", "10", "failed attempts per client address before 429"},
      {"AUTH_FAILURE_REFILL_MS", "6000", "one more attempt allowed per this long"},
      {"AUTH_LIMITER_MAX_ADDRESSES", "10000", "client addresses the failure limiter tracks"},
      {"RELOAD_INTERVAL_MS", "1000", "how often KEYS_FILE and JWKS_FILE are checked for changes"},
  };
  const auto server = tim::http::server_env_vars();
  env.insert(env.end(), server.begin(), server.end());
  return env;
}

int serve() {
  return tim::http::run_service("auth_svc", [](tim::http::ServerOptions& options) {
    namespace auth = tim::auth;
    const auto settings = auth::settings_from_env();
    const bool has_token = settings.token && !settings.token->empty();
    if (!has_token && !settings.keys_file && !settings.jwks_file) {
      tim::log::error(
          "no credentials configured: refusing to start an auth service nobody can pass");
      std::fprintf(stderr, "auth_svc: set TOKEN, KEYS_FILE or JWKS_FILE\n");
      return 2;
    }
    const auto reload_every =
        tim::config::get_millis("RELOAD_INTERVAL_MS", std::chrono::milliseconds{1000});
    auto opened = auth::CredentialStore::open(settings);
    if (!opened) {
      tim::log::error("cannot load credentials", {{"error", std::string_view(opened.error())}});
      std::fprintf(stderr, "auth_svc: %s\n", opened.error().c_str());
      return 2;
    }
    auto& store = *opened.value();
    tim::log::info("credentials loaded", {{"detail", std::string_view(store.describe())}});
    auth::FailureLimiter limiter(settings.limiter);

    // Polls the files' stamps off the I/O threads; a changed file is re-read and swapped in.
    std::mutex wake_mutex;
    std::condition_variable_any wake;
    std::jthread reloader([&](std::stop_token stop) {
      std::unique_lock lock(wake_mutex);
      // wait_for returns the predicate (false) on timeout and on stop alike: check stop.
      while (!stop.stop_requested()) {
        wake.wait_for(lock, stop, reload_every, [] { return false; });
        if (stop.stop_requested()) break;
        for (const auto& e : store.poll()) {
          if (e.ok)
            tim::log::info("credentials reloaded", {{"file", std::string_view(e.variable)},
                                                    {"detail", std::string_view(e.message)}});
          else
            tim::log::error("credentials reload refused", {{"file", std::string_view(e.variable)},
                                                           {"error", std::string_view(e.message)}});
        }
      }
    });

    tim::http::Server server(
        options, [&](tim::http::Request& request) -> tim::Task<tim::http::Response> {
          const auto credentials = store.current();
          const auto decision =
              auth::decide(*credentials, limiter, request, std::chrono::system_clock::now());
          // allow: by credential kind; deny: by the error the answer carries. Both bounded sets.
          if (decision.allowed())
            tim::metrics::count_auth_decision("allow", tim::auth::to_string(decision.credential));
          else
            tim::metrics::count_auth_decision("deny", decision.error);
          // Names the subject or "unknown"; never the credential.
          tim::log::write(decision.allowed() ? tim::log::Level::debug : tim::log::Level::info,
                          "auth decision",
                          {{"status", std::int64_t{decision.status}},
                           {"subject", auth::log_subject(decision)},
                           {"credential", auth::to_string(decision.credential)},
                           {"detail", std::string_view(decision.detail)},
                           {"method", std::string_view(request.method)},
                           {"request_id", std::string_view(request.request_id)},
                           {"trace_id", request.trace.trace_id_hex()}});
          co_return auth::decision_response(decision);
        });
    server.set_readiness_check([&] { return tim::http::Readiness{true, store.describe()}; });
    return server.run();
  });
}

}  // namespace

int main(int argc, char** argv) {
  tim::cli::Program program("auth_svc",
                            "TIM's AuthService: the gateway asks it whether to admit each request.",
                            environment());
  program.default_command("serve", "Answer the gateway's auth checks (the default)", serve);
  tim::auth::add_keys_commands(program, std::cout, std::cerr);
  return program.run(argc, argv);
}

// The environment variables the shared server and client read, for each binary's --help.
// Defaults come from the option structs themselves, so --help shows what from_env falls back to.
#pragma once

#include <vector>

#include "tim/cli.hpp"

namespace tim::http {

// LOG_LEVEL and ServerOptions::from_env: every service that run_service starts reads these.
std::vector<cli::EnvVar> server_env_vars();
// ClientOptions::from_env: services that call others.
std::vector<cli::EnvVar> client_env_vars();

}  // namespace tim::http

// `auth_svc keys …`: create, list and revoke API keys in a key file.
#pragma once

#include <ostream>
#include <span>
#include <string_view>

#include "tim/cli.hpp"

namespace tim::auth {

// Adds `keys create|list|revoke` (CLI11) to a program: auth_svc's main and keys_main.
// The commands write to out and err, which must outlive the program.
void add_keys_commands(cli::Program& program, std::ostream& out, std::ostream& err);

// args are the command line after the program name, starting with "keys":
//   keys create --file KEYFILE --name NAME --scopes invoices:read,invoices:write
//   keys list   --file KEYFILE
//   keys revoke --file KEYFILE NAME
//   keys --help
// Options also take the --opt=value form. `create` prints the new key once, as the last line
// of `out`. Returns the exit status: 0 done, 1 refused (duplicate or unknown name, unknown
// scope, unreadable or broken key file — which is then left untouched), 2 bad usage.
int keys_main(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

}  // namespace tim::auth

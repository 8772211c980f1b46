// `expected_date_svc train|evaluate`: the offline commands. add_model_commands puts them on the
// binary's command line (CLI11); train_main/evaluate_main parse one on its own, for tests.
// args exclude the program name and the subcommand.
// Exit codes: 0 done, 1 failed (bad file, leakage refused), 2 bad arguments (usage printed).
// A new command: a struct for its options, a run_… function, and a few lines in
// add_model_commands (see the comment there).
#pragma once

#include <ostream>
#include <span>
#include <string_view>

#include "tim/cli.hpp"

namespace tim::expected_date {

// Adds train and evaluate to the program; they write to out and err, which must outlive it.
void add_model_commands(cli::Program& program, std::ostream& out, std::ostream& err);

// A date option checked while parsing (YYYY-MM-DD): a wrong one is a usage error (exit 2).
const CLI::Validator& iso_date_validator();

// train --csv FILE --out MODEL [--until YYYY-MM-DD]
int train_main(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);
// evaluate --csv FILE --model MODEL --test-from YYYY-MM-DD [--json]
int evaluate_main(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

}  // namespace tim::expected_date

// `expected_date_svc train|evaluate`: the offline commands, as plain functions so that main()
// only dispatches and tests can call them. args exclude the program name and the subcommand.
// Exit codes: 0 done, 1 failed (bad file, leakage refused), 2 bad arguments (usage printed).
#pragma once

#include <ostream>
#include <span>
#include <string_view>

namespace tim::expected_date {

// train --csv FILE --out MODEL [--until YYYY-MM-DD]
int train_main(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);
// evaluate --csv FILE --model MODEL --test-from YYYY-MM-DD [--json]
int evaluate_main(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

inline constexpr std::string_view kTrainUsage =
    "usage: expected_date_svc train --csv FILE --out MODEL [--until YYYY-MM-DD] [--quiet]\n"
    "  learns the model from the paid invoices in FILE: TIM's own export (GET\n"
    "  /api/invoices?format=csv) or IBM's accounts-receivable sample, told apart by the header;\n"
    "  --until: only invoices issued before this date (needed to evaluate on later ones);\n"
    "  progress on stderr when it is a terminal, unless --quiet\n";
inline constexpr std::string_view kEvaluateUsage =
    "usage: expected_date_svc evaluate --csv FILE --model MODEL --test-from YYYY-MM-DD [--json]\n"
    "       [--quiet]\n"
    "  tests on invoices issued on or after --test-from, walking forward; the model must have\n"
    "  been trained with --until on or before that date\n";

}  // namespace tim::expected_date

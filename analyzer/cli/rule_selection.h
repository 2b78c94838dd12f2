// --set RULE.KEY=VALUE and --disable RULE, shared by the subcommands that run
// rules (analyze, report). The engine resolves them (pgsift/config.h).
#pragma once

#include <CLI/CLI.hpp>

#include "pgsift/config.h"

namespace pgsift::cli {

// Adds --set and --disable to `cmd`, filling `flags`.
void AddRuleSelectionOptions(CLI::App* cmd, RuleFlags* flags);

}  // namespace pgsift::cli

// The CLI: the list of subcommands (analyzer/cli/), nothing else.
#include <CLI/CLI.hpp>
#include <vector>

#include "cli/commands.h"

int main(int argc, char** argv) {
  namespace cli = pgsift::cli;
  CLI::App app{"pgsift: PostgreSQL query-performance analyzer and regression guard"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pgsift 0.1.0");

  std::vector<cli::Command> commands = {
      cli::AddAnalyzeCommand(app),
      cli::AddFingerprintCommand(app),
      cli::AddSnapshotCommand(app),
      cli::AddReportCommand(app),
      cli::AddLintCommand(app),
      cli::AddBaselineCommand(app),
      cli::AddCheckCommand(app),
      cli::AddIndexesCommand(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? cli::kExitOk : cli::kExitError;
  }
  for (const cli::Command& c : commands) {
    if (*c.app) return c.run();
  }
  return cli::kExitError;
}

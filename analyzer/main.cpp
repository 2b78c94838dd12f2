// The CLI: the list of subcommands (analyzer/cli/), nothing else.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <new>
#include <typeinfo>
#include <vector>

#include "cli/commands.h"
#include "pgsift/db.h"
#include "pgsift/output.h"

namespace {

int Run(int argc, char** argv) {
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
  // The one catch: a bug must end with exit 2 and a message, not an abort.
  // Only the exception's type is printed: its text may quote input data.
  try {
    for (const cli::Command& c : commands) {
      if (!*c.app) continue;
      pgsift::SetPgsiftCommand(c.app->get_name());  // its sessions' application_name
      return c.run();
    }
  } catch (const std::bad_alloc&) {
    // Not cli::Fail: it builds its line in memory.
    std::cerr << "pgsift: out of memory\n";
    return cli::kExitError;
  } catch (const std::exception& e) {
    return cli::Fail("internal error (", typeid(e).name(), "); please report it");
  }
  return cli::kExitError;
}

}  // namespace

// Standard output goes through a checked buffer: a write that fails (disk
// full, a closed descriptor) ends with exit 2 and the reason, never with a
// silent 0. A reader that went away (`| head`) is still SIGPIPE (141), and
// quiet when SIGPIPE is ignored.
int main(int argc, char** argv) {
  pgsift::FdStreambuf out(STDOUT_FILENO);
  std::streambuf* previous = std::cout.rdbuf(&out);
  int rc = Run(argc, argv);
  bool ok = out.Flush();
  std::cout.rdbuf(previous);
  if (!ok) {
    if (out.error() == EPIPE) return 128 + 13;
    return pgsift::cli::Fail("cannot write standard output: ", std::strerror(out.error()));
  }
  return rc;
}

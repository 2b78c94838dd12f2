// The CLI: the list of subcommands (analyzer/cli/), nothing else.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
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

// Levenshtein distance of two short words.
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The first argument is not an option and names no command: a typo
// ("analyse") gets the command it most likely meant, anything else the list.
int UnknownCommand(const std::string& word, const std::vector<pgsift::cli::Command>& commands) {
  std::string best, names;
  size_t best_distance = 3;  // suggest within 2 edits
  for (const pgsift::cli::Command& c : commands) {
    const std::string& name = c.app->get_name();
    names += (names.empty() ? "" : ", ") + name;
    size_t d = EditDistance(word, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  if (word.size() > 64) return pgsift::cli::Fail("unknown command; commands: ", names);
  if (!best.empty()) return pgsift::cli::Fail("unknown command '", word, "'; did you mean '", best, "'?");
  return pgsift::cli::Fail("unknown command '", word, "'; commands: ", names);
}

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

  if (argc > 1 && argv[1][0] != '-') {
    std::string word = argv[1];
    bool known = false;
    for (const cli::Command& c : commands) known |= c.app->get_name() == word;
    if (!known) return UnknownCommand(word, commands);
  }
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

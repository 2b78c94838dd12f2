// Subcommands: each file in analyzer/cli/ adds one to the CLI11 app and
// returns what to run when it is chosen. main.cpp lists them, nothing else.
#pragma once

#include <algorithm>
#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/event.h"
#include "pgsift/output.h"

namespace pgsift::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;  // findings at or above --fail-on
inline constexpr int kExitError = 2;     // usage or runtime error

// The one way a command speaks on stderr: "WHO: " and the parts streamed
// (numbers as iostreams print them), one line. WHO is "pgsift", or
// "pgsift <command>" where a command names itself.
template <class... Parts>
void SayAs(std::string_view who, const Parts&... parts) {
  std::ostringstream line;
  line << who << ": ";
  (line << ... << parts);
  line << "\n";
  std::cerr << line.str();
}
template <class... Parts>
void Say(const Parts&... parts) {
  SayAs("pgsift", parts...);
}
// Say, and the exit code of an error.
template <class... Parts>
int Fail(const Parts&... parts) {
  Say(parts...);
  return kExitError;
}
template <class... Parts>
int FailAs(std::string_view who, const Parts&... parts) {
  SayAs(who, parts...);
  return kExitError;
}

// The one way a command writes an output: to stdout when path is empty or
// "-" (main checks the final flush), else to the file through a temporary
// file renamed over it, so a failed write leaves an existing file intact.
// Returns kExitOk, or prints "pgsift: cannot write PATH: REASON" and returns
// kExitError.
inline int WriteOutput(const std::string& path, std::string_view data) {
  if (path.empty() || path == "-") {
    std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
    return kExitOk;
  }
  Status written = WriteFileAtomically(path, data);
  return written.ok() ? kExitOk : Fail(written.error());
}

// --log-zone ABBR=OFFSET, repeatable, on every command that reads server
// logs: the offset the server's log_timezone has when it prints ABBR (an
// abbreviation pgsift does not know, or IST/CST, which have several).
inline void AddLogZoneOption(CLI::App* cmd) {
  cmd->add_option_function<std::vector<std::string>>(
      "--log-zone",
      [](const std::vector<std::string>& specs) {
        std::vector<std::string> names;
        for (const std::string& spec : specs) {
          if (std::string error = SetLogZone(spec); !error.empty()) throw CLI::ValidationError(error);
          std::string name = spec.substr(0, spec.find('='));
          if (std::find(names.begin(), names.end(), name) != names.end()) {
            throw CLI::ValidationError("--log-zone " + name + " is given twice: a log prints an abbreviation with "
                                       "one offset; give it once");
          }
          names.push_back(name);
        }
      },
      "ABBR=+HH:MM: the log's time zone abbreviation and its offset (IST=+02:00 for Israel; default: IST India, CST "
      "US Central, unknown ones UTC, and the summary says so)");
}

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;  // options live in state the closure owns
};

Command AddAnalyzeCommand(CLI::App& app);
Command AddFingerprintCommand(CLI::App& app);
Command AddSnapshotCommand(CLI::App& app);
Command AddReportCommand(CLI::App& app);
Command AddLintCommand(CLI::App& app);
Command AddBaselineCommand(CLI::App& app);
Command AddCheckCommand(CLI::App& app);
Command AddIndexesCommand(CLI::App& app);

}  // namespace pgsift::cli

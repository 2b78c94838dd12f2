// `pgsift baseline capture`: plans of the guarded queries, from a live
// database in a read-only session, into a baseline file meant to be committed.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "pgsift/scratch.h"

namespace pgsift::cli {

namespace {

struct CaptureState {
  ConnectOptions connect;
  std::string queries_path, output;
  bool analyze = false, show_values = false;
  int repeats = 5;
};

int Fail(const std::string& message) {
  std::cerr << "pgsift: " << message << "\n";
  return kExitError;
}

int RunCapture(const CaptureState& s) {
  std::ifstream in(s.queries_path, std::ios::binary);
  if (!in) return Fail(s.queries_path + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  auto queries = ReadQueriesFile(s.queries_path, text.str());
  if (!queries.ok()) return Fail(queries.error());
  PlanOptions options;
  options.analyze = s.analyze;
  options.repeats = s.repeats;
  options.show_values = s.show_values;
  auto baseline = CaptureBaseline(s.connect, *queries, options);
  if (!baseline.ok()) return Fail(baseline.error());
  std::string doc = WriteBaselineJson(*baseline);
  if (s.output.empty() || s.output == "-") {
    std::cout << doc << std::flush;
  } else {
    std::ofstream out(s.output, std::ios::binary);
    if (!(out << doc)) return Fail("cannot write " + s.output);
  }
  std::cerr << "pgsift: baseline of " << baseline->queries.size() << " queries from database " << baseline->database
            << " (PostgreSQL " << baseline->server_major << (s.analyze ? ", EXPLAIN ANALYZE" : ", EXPLAIN") << ")\n";
  return kExitOk;
}

}  // namespace

Command AddBaselineCommand(CLI::App& app) {
  auto s = std::make_shared<CaptureState>();
  CLI::App* cmd = app.add_subcommand("baseline", "Plan baselines of guarded queries (for pgsift check)");
  cmd->require_subcommand(1);
  CLI::App* capture = cmd->add_subcommand("capture", "EXPLAIN the guarded queries on a database (read-only session)");
  capture->add_option("--dsn", s->connect.dsn, "libpq connection string or URI (default: $DATABASE_URL, then PG* env)");
  capture
      ->add_option("--queries", s->queries_path,
                   "Queries file: SQL statements separated by ';', each optionally after '-- name: NAME' and "
                   "'-- params: v1, v2' lines")
      ->required();
  capture->add_option("-o,--output", s->output, "Baseline file to write (default: stdout)");
  capture->add_flag(
      "--analyze", s->analyze,
      "Also run EXPLAIN (ANALYZE, BUFFERS) --repeats times: median time and buffers (inside a rolled-back "
      "transaction)");
  capture->add_option("--repeats", s->repeats, "Runs per query with --analyze (default 5)")->check(CLI::Range(1, 100));
  capture->add_flag("--show-values", s->show_values, "Keep literals in plan conditions and values taken from logs");
  capture->add_option("--statement-timeout", s->connect.statement_timeout_ms, "Milliseconds per statement")
      ->default_val(60000);
  return {cmd, [s]() { return RunCapture(*s); }};
}

}  // namespace pgsift::cli

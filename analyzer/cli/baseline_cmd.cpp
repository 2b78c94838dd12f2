// `pgsift baseline capture`: plans of the guarded queries, from a live
// database in a read-only session, into a baseline file meant to be committed.
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "commands.h"
#include "pgsift/baseline.h"
#include "pgsift/fingerprint.h"
#include "pgsift/log_values.h"
#include "pgsift/migration.h"
#include "pgsift/scratch.h"

namespace pgsift::cli {

namespace {

struct CaptureState {
  ConnectOptions connect;
  std::string queries_path, output, analyze_path;
  size_t top = 20, pgss_top = 0;
  bool analyze = false, show_values = false;
  int repeats = 5;
  LogValuesOptions values;  // --values-from, --prefix
};

// Gives the automatically picked queries (analyze JSON, pg_stat_statements)
// the representative values of their executions in the logs. The values stay
// in memory; the baseline gets their tag. Says on stderr which queries are
// planned generically. Returns how many queries have parameters (the count
// planned with the values is known only after planning: values that do not
// fit fall back to the generic plan).
Result<size_t> AddLogValues(const LogValuesOptions& options, std::vector<GuardedQuery>* queries) {
  std::map<uint64_t, GuardedQuery*> wanted;
  for (GuardedQuery& q : *queries) {
    if (q.optional && q.name.starts_with("q_") && q.sql.find('$') != std::string::npos) {
      wanted[std::stoull(q.name.substr(2), nullptr, 16)] = &q;
    }
  }
  if (wanted.empty()) {
    Say("--values-from: no query taken from --from-analyze/--from-pgss has parameters");
    return size_t{0};
  }
  std::vector<uint64_t> fps;
  for (const auto& [fp, q] : wanted) fps.push_back(fp);
  auto found = CollectLogValues(options, fps);
  if (!found.ok()) return Err("--values-from: " + found.error());
  std::string generic;
  for (auto& [fp, q] : wanted) {
    auto it = found->find(fp);
    if (it == found->end()) {
      generic += (generic.empty() ? "" : ", ") + q->name;
      continue;
    }
    q->params = it->second.params;
    q->params_origin = "log";
    q->values_tag = it->second.tag;
  }
  if (!generic.empty()) Say("planned generically (no execution with parameters in the --values-from logs): ", generic);
  return wanted.size();
}

int RunCapture(const CaptureState& s) {
  if (s.queries_path.empty() && s.analyze_path.empty() && s.pgss_top == 0) {
    return Fail("baseline capture: give --queries, --from-analyze or --from-pgss");
  }
  std::vector<GuardedQuery> queries;
  if (!s.queries_path.empty()) {
    std::ifstream in(s.queries_path, std::ios::binary);
    if (!in) return Fail(s.queries_path + ": cannot read");
    std::ostringstream text;
    text << in.rdbuf();
    auto from_file = ReadQueriesFile(s.queries_path, text.str());
    if (!from_file.ok()) return Fail(from_file.error());
    queries = std::move(*from_file);
  }
  if (!s.analyze_path.empty()) {
    auto workload = LoadLintWorkload(s.analyze_path);
    if (!workload.ok()) return Fail(workload.error());
    std::vector<TopQuery> candidates;
    for (const WorkloadQuery& w : workload->queries) candidates.push_back({w.fingerprint, w.normalized, w.total_ms});
    for (GuardedQuery& q : TopGuardedQueries(std::move(candidates), s.top, "analyze JSON")) queries.push_back(q);
  }
  if (s.pgss_top > 0) {
    auto snap = TakeSnapshot(s.connect);
    if (!snap.ok()) return Fail(snap.error());
    std::vector<TopQuery> candidates;
    for (const PgssEntry& e : snap->entries) {
      if (!e.fallback) candidates.push_back({e.fingerprint, e.query, e.total_exec_time});
    }
    for (GuardedQuery& q : TopGuardedQueries(std::move(candidates), s.pgss_top, "pg_stat_statements")) {
      queries.push_back(q);
    }
  }
  // A fingerprint picked by two sources (or named in the queries file too)
  // is guarded once.
  std::set<std::string> names;
  std::erase_if(queries, [&](const GuardedQuery& q) { return !names.insert(q.name).second; });
  size_t with_parameters = 0;
  if (!s.values.paths.empty()) {
    auto added = AddLogValues(s.values, &queries);
    if (!added.ok()) return Fail(added.error());
    with_parameters = *added;
  }
  PlanOptions options;
  options.analyze = s.analyze;
  options.repeats = s.repeats;
  options.show_values = s.show_values;
  std::vector<std::string> skipped;
  auto baseline = CaptureBaseline(s.connect, queries, options, &skipped);
  if (!baseline.ok()) return Fail(baseline.error());
  for (const std::string& note : skipped) {
    bool generic = note.find(": planned generically") != std::string::npos;
    Say(generic ? "" : "skipped ", note);
  }
  if (with_parameters > 0) {
    // Counted in the baseline: a query whose values did not fit, or that
    // did not plan, did not use them.
    size_t with_values = 0;
    for (const BaselineEntry& e : baseline->queries) with_values += e.params_origin == "log";
    Say(with_values, " of ", with_parameters,
        " queries planned with representative values from the logs (the baseline holds only a tag)");
  }
  if (baseline->queries.empty()) {
    // A baseline that guards nothing would pass every check: no file.
    return Fail("baseline capture: no query could be planned (" + std::to_string(queries.size()) + " candidates" +
                (skipped.empty() ? "" : ", reasons above") + "); no baseline written");
  }
  std::string doc = WriteBaselineJson(*baseline);
  if (int written = WriteOutput(s.output, doc); written != kExitOk) return written;
  std::ostringstream refused;
  if (baseline->refused > 0) {
    refused << "; " << baseline->refused << " queries refused by the statement gate (not sent to the server)";
  }
  Say("baseline of ", baseline->queries.size(), " queries from database ", baseline->database, " (PostgreSQL ",
      baseline->server_major, s.analyze ? ", EXPLAIN ANALYZE" : ", EXPLAIN", ")", refused.str());
  return kExitOk;
}

}  // namespace

Command AddBaselineCommand(CLI::App& app) {
  auto s = std::make_shared<CaptureState>();
  CLI::App* cmd = app.add_subcommand("baseline", "Plan baselines of guarded queries (for pgsift check)");
  cmd->require_subcommand(1);
  CLI::App* capture = cmd->add_subcommand("capture", "EXPLAIN the guarded queries on a database (read-only session)");
  capture->add_option("--dsn", s->connect.dsn, "libpq connection string or URI (default: $DATABASE_URL, then PG* env)");
  capture->add_option("--queries", s->queries_path,
                      "Queries file: SQL statements separated by ';', each optionally after '-- name: NAME' and "
                      "'-- params: v1, v2' lines");
  capture->add_option("--from-analyze", s->analyze_path,
                      "Also guard the top --top queries (by total time) of a pgsift analyze JSON (generic plans unless "
                      "--values-from)");
  capture->add_option("--top", s->top, "Queries taken from --from-analyze (default 20)");
  capture->add_option(
      "--from-pgss", s->pgss_top,
      "Also guard the top N queries (by total time) of pg_stat_statements on --dsn (generic plans unless "
      "--values-from)");
  capture
      ->add_option("--values-from", s->values.paths,
                   "Server logs: plan the --from-analyze/--from-pgss queries with the values of a representative "
                   "(median-duration) execution; the values are never written, only a tag (pgsift check needs "
                   "the same logs to re-plan with them)")
      ->allow_extra_args(false);
  capture->add_option("--prefix", s->values.prefix, "log_line_prefix of stderr --values-from logs (default: inferred)");
  AddLogZoneOption(capture);
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

// `pgsift indexes`: the missing-index advisor. Logs give the queries, a
// schema file, migrations folder or live database gives the tables and
// indexes; with a database that has hypopg, every candidate is proven with a
// hypothetical index before it is suggested.
#include <iostream>
#include <memory>
#include <set>

#include "commands.h"
#include "pgsift/fingerprint.h"
#include "pgsift/indexes.h"
#include "pgsift/indexes_report.h"

namespace pgsift::cli {

namespace {

constexpr std::string_view kWho = "pgsift indexes";

struct IndexesState {
  IndexesRequest request;
  bool json = false;
  std::string dump_schema;
  CLI::Option* min_saving_option = nullptr;
};

int RunIndexesCommand(IndexesState& s) {
  s.request.min_saving_given = s.min_saving_option->count() > 0;
  Result<IndexesRun> run = pgsift::RunIndexes(s.request);
  if (!run.ok()) return FailAs(kWho, run.error());
  const IndexRunResult& r = run->result;
  if (!s.dump_schema.empty()) {
    if (int written = WriteOutput(s.dump_schema, SchemaToJson(r.schema)); written != kExitOk) return written;
  }
  if (!r.proof_error.empty()) SayAs(kWho, "not proven: ", r.proof_error);
  std::set<uint64_t> refused;
  for (const IndexCandidate& c : r.advisor.candidates) {
    for (const CandidateQuery& q : c.queries) {
      if (q.proof_refused && refused.insert(q.fingerprint).second) {
        SayAs(kWho, "query ", FingerprintHex(q.fingerprint), ": ", q.proof_error);
      }
    }
  }
  std::cout << (s.json ? IndexesJson(r, run->min_saving) : IndexesText(r));
  if (run->fail_level) {
    for (const Finding& f : r.findings) {
      if (f.severity >= *run->fail_level) return kExitFindings;
    }
  }
  return kExitOk;
}

}  // namespace

Command AddIndexesCommand(CLI::App& app) {
  auto s = std::make_shared<IndexesState>();
  CLI::App* cmd = app.add_subcommand(
      "indexes", "Missing-index advisor: CREATE INDEX CONCURRENTLY statements from logs, proven with HypoPG");
  cmd->add_option("logs", s->request.run.logs, "Server logs (stderr, csvlog, jsonlog; compressed ok; - for stdin)");
  cmd->add_option_function<std::string>(
      "--prefix", [s](const std::string& v) { s->request.run.prefix = v; },
      "log_line_prefix of stderr/syslog logs (default: detect)");
  AddLogZoneOption(cmd);
  cmd->add_option("--schema", s->request.run.schema_paths,
                  "Schema file (pg_dump --schema-only), migrations folder, or a --dump-schema JSON (offline: no proof);"
                  " repeat for several")
      ->allow_extra_args(false);
  cmd->add_option("--dsn", s->request.run.db.dsn,
                  "Database to read the schema from and prove candidates on (read-only)");
  cmd->add_flag("--db", s->request.use_env, "Connect through $DATABASE_URL, else the PG* environment");
  cmd->add_flag("--no-proof", s->request.no_proof, "Do not run the HypoPG proof even with a database");
  s->min_saving_option =
      cmd->add_option("--min-saving", s->request.min_saving,
                      "Plan cost saving a proven index must reach (0..1; default 0.5, or [rules.index-missing] "
                      "min_saving in .pgsift.toml)")
          ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--config", s->request.config_path,
                  "Settings file (default: ./.pgsift.toml if present): [rules] enable/disable, [rules.<id>] enabled, "
                  "severity, min_saving");
  cmd->add_option("--dump-schema", s->dump_schema,
                  "Also write the schema read (with live statistics) as JSON, for --schema FILE.json later");
  cmd->add_flag("--json", s->json, "JSON output (schema pgsift.indexes.v1)");
  cmd->add_option("--fail-on", s->request.fail_on,
                  "Exit 1 on a finding at or above: info, warning, error, none (default)");
  cmd->add_option("--statement-timeout", s->request.run.db.statement_timeout_ms, "Milliseconds per query")
      ->default_val(60000);
  cmd->add_option("-j,--jobs", s->request.run.jobs, "Parsing threads (0: one per core)")
      ->check(CLI::Range(0u, kMaxJobs));
  return {cmd, [s]() { return RunIndexesCommand(*s); }};
}

}  // namespace pgsift::cli

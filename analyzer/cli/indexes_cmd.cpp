// `pgsift indexes`: the missing-index advisor. Logs give the queries, a
// schema file, migrations folder or live database gives the tables and
// indexes; with a database that has hypopg, every candidate is proven with a
// hypothetical index before it is suggested.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "pgsift/fingerprint.h"
#include "pgsift/indexes.h"
#include "pgsift/report.h"
#include "report/findings_json.h"

namespace pgsift::cli {

namespace {

struct IndexesState {
  IndexRunOptions run;
  bool use_env = false;  // --db: connect through $DATABASE_URL / PG*
  bool no_proof = false;
  bool json = false;
  double min_saving = 0.5;
  std::string fail_on = "none";
  std::string dump_schema;
};

int Fail(const std::string& message) {
  std::cerr << "pgsift indexes: " << message << "\n";
  return kExitError;
}

nlohmann::ordered_json QueriesJson(const std::vector<CandidateQuery>& queries) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const CandidateQuery& q : queries) {
    nlohmann::ordered_json j;
    j["fingerprint"] = FingerprintHex(q.fingerprint);
    j["normalized"] = q.normalized;
    j["calls"] = q.calls;
    j["total_ms"] = q.total_ms;
    j["plans"] = q.plans;
    if (q.cost_before >= 0) {
      j["cost_before"] = q.cost_before;
      j["cost_after"] = q.cost_after;
      j["index_used"] = q.index_used;
    }
    if (!q.proof_error.empty()) j["proof_error"] = q.proof_error;
    out.push_back(std::move(j));
  }
  return out;
}

std::string Json(const IndexRunResult& r) {
  nlohmann::ordered_json doc;
  doc["schema"] = "pgsift.indexes.v1";
  doc["schema_source"] = r.schema.source;
  doc["proof"] = r.context.proof_ran ? "hypopg" : "none";
  if (!r.proof_error.empty()) doc["proof_error"] = r.proof_error;
  doc["queries_seen"] = r.advisor.queries_seen;
  doc["queries_unparsed"] = r.advisor.queries_unparsed;
  nlohmann::ordered_json cands = nlohmann::ordered_json::array();
  for (const IndexCandidate& c : r.advisor.candidates) {
    nlohmann::ordered_json j;
    j["statement"] = c.Statement();
    j["table"] = c.schema + "." + c.table;
    j["columns"] = c.columns;
    j["kinds"] = c.kinds;
    if (!c.foreign_key.empty()) j["foreign_key"] = c.foreign_key;
    j["total_ms"] = c.total_ms;
    j["score"] = c.score;
    if (r.context.proof_ran) {
      j["proven"] = c.proven;
      j["saving"] = c.saving;
    }
    j["queries"] = QueriesJson(c.queries);
    cands.push_back(std::move(j));
  }
  doc["candidates"] = std::move(cands);
  nlohmann::ordered_json fks = nlohmann::ordered_json::array();
  for (const UnindexedForeignKey& u : r.advisor.unindexed_fks) {
    nlohmann::ordered_json j;
    j["table"] = u.schema + "." + u.table;
    j["constraint"] = u.fk.name;
    j["columns"] = u.fk.columns;
    j["references"] = u.fk.ref_table;
    j["queries"] = QueriesJson(u.queries);
    fks.push_back(std::move(j));
  }
  doc["unindexed_foreign_keys"] = std::move(fks);
  doc["findings"] = FindingsToJson(r.findings);
  return doc.dump(2) + "\n";
}

int RunIndexes(IndexesState& s) {
  std::optional<Severity> fail_level = ParseSeverity(s.fail_on);
  if (!fail_level && s.fail_on != "none")
    return Fail("--fail-on " + s.fail_on + ": expected info, warning, error or none");
  s.run.live = !s.run.db.dsn.empty() || s.use_env;
  if (s.run.live && !s.run.schema_paths.empty())
    return Fail("give either --schema or a database (--dsn/--db), not both");
  if (!s.run.live && s.run.schema_paths.empty()) {
    return Fail("no schema: pass --schema FILE|DIR (pg_dump --schema-only, migrations) or a database (--dsn, --db)");
  }
  s.run.prove = !s.no_proof;
  s.run.advisor.min_saving = s.min_saving;
  auto rules = MakeIndexRules();
  std::vector<const IndexRule*> active;
  RuleOptions options;
  options.Set("min-saving", std::to_string(s.min_saving));
  for (auto& r : rules) {
    if (r->Info().id == "index-missing") {
      Status st = r->Configure(options);
      if (!st.ok()) return Fail(st.error());
    }
    active.push_back(r.get());
  }
  Result<IndexRunResult> r = RunIndexAdvisor(s.run, active);
  if (!r.ok()) return Fail(r.error());
  if (!s.dump_schema.empty()) {
    std::ofstream out(s.dump_schema, std::ios::binary);
    out << SchemaToJson(r->schema);
    if (!out) return Fail(s.dump_schema + ": cannot write");
  }
  if (!r->proof_error.empty()) std::cerr << "pgsift indexes: not proven: " << r->proof_error << "\n";
  if (s.json) {
    std::cout << Json(*r);
  } else {
    std::cout << RenderFindingsText(r->findings);
    // The findings above are in stable order; the plan of action is ranked.
    std::vector<std::string> ranked;
    for (const Finding& f : r->findings) {
      if (!f.fix.empty()) ranked.push_back(f.fix);
    }
    size_t rank = 0;
    for (const IndexCandidate& c : r->advisor.candidates) {
      if (std::find(ranked.begin(), ranked.end(), c.Statement()) == ranked.end()) continue;
      if (rank++ == 0) std::cout << "\nRanked by time the queries spent x saving:\n";
      char line[64];
      snprintf(line, sizeof line, "%3zu. %s  ", rank, FormatMs(c.total_ms).c_str());
      std::cout << line << c.Statement() << "\n";
    }
    std::cout << (r->findings.empty() ? "" : "\n") << r->findings.size() << " finding(s) from "
              << r->advisor.queries_seen << " queries (" << r->advisor.queries_on_known_tables
              << " on known tables), schema from " << r->schema.source << ", "
              << (r->context.proof_ran ? "proven with HypoPG" : "not proven (no HypoPG)") << "\n";
  }
  if (fail_level) {
    for (const Finding& f : r->findings) {
      if (f.severity >= *fail_level) return kExitFindings;
    }
  }
  return kExitOk;
}

}  // namespace

Command AddIndexesCommand(CLI::App& app) {
  auto s = std::make_shared<IndexesState>();
  CLI::App* cmd = app.add_subcommand(
      "indexes", "Missing-index advisor: CREATE INDEX CONCURRENTLY statements from logs, proven with HypoPG");
  cmd->add_option("logs", s->run.logs, "Server logs (stderr, csvlog, jsonlog; compressed ok; - for stdin)");
  cmd->add_option("--schema", s->run.schema_paths,
                  "Schema file (pg_dump --schema-only), migrations folder, or a --dump-schema JSON (offline: no proof);"
                  " repeat for several")
      ->allow_extra_args(false);
  cmd->add_option("--dsn", s->run.db.dsn, "Database to read the schema from and prove candidates on (read-only)");
  cmd->add_flag("--db", s->use_env, "Connect through $DATABASE_URL, else the PG* environment");
  cmd->add_flag("--no-proof", s->no_proof, "Do not run the HypoPG proof even with a database");
  cmd->add_option("--min-saving", s->min_saving, "Plan cost saving a proven index must reach (0..1)")
      ->default_val(0.5)
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--dump-schema", s->dump_schema,
                  "Also write the schema read (with live statistics) as JSON, for --schema FILE.json later");
  cmd->add_flag("--json", s->json, "JSON output (schema pgsift.indexes.v1)");
  cmd->add_option("--fail-on", s->fail_on, "Exit 1 on a finding at or above: info, warning, error, none (default)");
  cmd->add_option("--statement-timeout", s->run.db.statement_timeout_ms, "Milliseconds per query")->default_val(60000);
  cmd->add_option("-j,--jobs", s->run.jobs, "Parsing threads (0: one per core)");
  return {cmd, [s]() { return RunIndexes(*s); }};
}

}  // namespace pgsift::cli

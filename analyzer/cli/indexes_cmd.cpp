// `pgsift indexes`: the missing-index advisor. Logs give the queries, a
// schema file, migrations folder or live database gives the tables and
// indexes; with a database that has hypopg, every candidate is proven with a
// hypothetical index before it is suggested.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>

#include "cli/commands.h"
#include "pgsift/analyze.h"
#include "pgsift/config.h"
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
  std::string fail_on;
  std::string dump_schema;
  std::string config_path;
  CLI::Option* min_saving_option = nullptr;
};

int Fail(const std::string& message) {
  std::cerr << "pgsift indexes: " << message << "\n";
  return kExitError;
}

nlohmann::ordered_json EvidenceJson(const TableScanEvidence& e) {
  nlohmann::ordered_json j;
  j["relation"] = e.relation;
  j["plans"] = e.plans;
  j["seq_scans"] = e.seq_scans;
  j["index_scans"] = e.index_scans;
  j["other_reads"] = e.plans - std::min(e.plans, e.seq_scans + e.index_scans);  // Seq Scans without a filter, ...
  j["indexes_used"] = e.indexes_used;
  if (e.RemovedFraction() >= 0) {
    j["rows_removed"] = e.rows_removed;
    j["rows_returned"] = e.rows_returned;
    j["loops"] = e.loops;
    j["removed_fraction"] = e.RemovedFraction();
  }
  // Sums of times come in the parsing threads' order: rounded, so the JSON
  // is the same for any -j.
  if (e.TimeShare() >= 0) j["time_share"] = std::round(e.TimeShare() * 1e4) / 1e4;
  return j;
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
    if (q.evidence.plans > 0) j["plan_evidence"] = EvidenceJson(q.evidence);
    out.push_back(std::move(j));
  }
  return out;
}

std::string Json(const IndexRunResult& r, double s_min_saving) {
  nlohmann::ordered_json doc;
  doc["schema"] = "pgsift.indexes.v1";
  doc["schema_source"] = r.schema.source;
  doc["proof"] = r.context.proof_ran ? "hypopg" : "none";
  if (!r.proof_error.empty()) doc["proof_error"] = r.proof_error;
  doc["queries_seen"] = r.advisor.queries_seen;
  doc["queries_unparsed"] = r.advisor.queries_unparsed;
  doc["queries_refused"] = r.advisor.queries_refused;
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
    if (const SchemaTable* t = r.schema.Find(c.schema, c.table)) {
      double per_hour = IndexEntriesPerHour(*t, r.schema.stats_seconds);
      if (per_hour >= 0) j["write_index_entries_per_hour"] = per_hour;
    }
    j["opclasses"] = c.opclasses;
    if (c.plan_removed >= 0) j["plan_removed_fraction"] = c.plan_removed;
    j["plan_index_only"] = c.plan_index_only;
    j["plan_counter_evidence"] = c.PlanCounterEvidence(s_min_saving);
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

// The index rules with their .pgsift.toml settings ([rules] enable/disable,
// [rules.<id>] enabled, severity and options), as `pgsift lint` reads them;
// --min-saving on the command line wins over min_saving in the file.
Result<std::vector<const IndexRule*>> ConfigureIndexRules(const std::vector<std::unique_ptr<IndexRule>>& rules,
                                                          const Config& config, IndexesState& s,
                                                          std::map<std::string, Severity>* severities) {
  std::vector<const IndexRule*> active;
  for (const auto& rule : rules) {
    const std::string id(rule->Info().id);
    bool on = config.enable.empty() || std::count(config.enable.begin(), config.enable.end(), id);
    if (std::count(config.disable.begin(), config.disable.end(), id)) on = false;
    auto rc = config.rules.find(id);
    if (rc != config.rules.end() && rc->second.enabled) on = *rc->second.enabled;
    RuleOptions options = rc != config.rules.end() ? rc->second.options : RuleOptions{};
    if (id == "index-missing") {
      if (s.min_saving_option->count() > 0) {
        options.Set("min_saving", std::to_string(s.min_saving));
      } else {
        Result<double> from_file = options.GetDouble("min_saving", s.min_saving);
        if (!from_file.ok()) return Err(config.path + ": [rules.index-missing] " + from_file.error());
        s.min_saving = *from_file;
      }
    }
    Status configured = rule->Configure(options);
    if (!configured.ok()) return Err((config.path.empty() ? "" : config.path + ": ") + id + ": " + configured.error());
    if (rc != config.rules.end() && rc->second.severity) (*severities)[id] = *rc->second.severity;
    if (on) active.push_back(rule.get());
  }
  return active;
}

int RunIndexes(IndexesState& s) {
  Config config;
  std::string config_path = s.config_path;
  if (config_path.empty() && std::filesystem::exists(".pgsift.toml")) config_path = ".pgsift.toml";
  if (!config_path.empty()) {
    Result<Config> loaded = LoadConfig(config_path);
    if (!loaded.ok()) return Fail(loaded.error());
    config = std::move(*loaded);
  }
  if (s.fail_on.empty()) s.fail_on = "none";
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
  auto rules = MakeIndexRules();
  std::map<std::string, Severity> severities;
  Result<std::vector<const IndexRule*>> active = ConfigureIndexRules(rules, config, s, &severities);
  if (!active.ok()) return Fail(active.error());
  s.run.advisor.min_saving = s.min_saving;
  Result<IndexRunResult> r = RunIndexAdvisor(s.run, *active);
  if (!r.ok()) return Fail(r.error());
  // A configured severity replaces the rule's own (a finding the rule
  // lowered for weak plan evidence stays lower).
  for (Finding& f : r->findings) {
    auto sev = severities.find(f.rule_id);
    if (sev == severities.end()) continue;
    for (const auto& rule : rules) {
      if (rule->Info().id == f.rule_id && f.severity == rule->Info().severity) f.severity = sev->second;
    }
  }
  if (!severities.empty()) SortFindings(&r->findings);
  if (!s.dump_schema.empty()) {
    if (int written = WriteOutput(s.dump_schema, SchemaToJson(r->schema)); written != kExitOk) return written;
  }
  if (!r->proof_error.empty()) std::cerr << "pgsift indexes: not proven: " << r->proof_error << "\n";
  std::set<uint64_t> refused;
  for (const IndexCandidate& c : r->advisor.candidates) {
    for (const CandidateQuery& q : c.queries) {
      if (q.proof_refused && refused.insert(q.fingerprint).second) {
        std::cerr << "pgsift indexes: query " << FingerprintHex(q.fingerprint) << ": " << q.proof_error << "\n";
      }
    }
  }
  if (s.json) {
    std::cout << Json(*r, s.min_saving);
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
              << (r->context.proof_ran ? "proven with HypoPG" : "not proven (no HypoPG)");
    if (r->advisor.queries_refused > 0) {
      std::cout << ", " << r->advisor.queries_refused
                << " queries refused by the statement gate (not sent to the server)";
    }
    std::cout << "\n";
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
  s->min_saving_option =
      cmd->add_option("--min-saving", s->min_saving,
                      "Plan cost saving a proven index must reach (0..1; default 0.5, or [rules.index-missing] "
                      "min_saving in .pgsift.toml)")
          ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--config", s->config_path,
                  "Settings file (default: ./.pgsift.toml if present): [rules] enable/disable, [rules.<id>] enabled, "
                  "severity, min_saving");
  cmd->add_option("--dump-schema", s->dump_schema,
                  "Also write the schema read (with live statistics) as JSON, for --schema FILE.json later");
  cmd->add_flag("--json", s->json, "JSON output (schema pgsift.indexes.v1)");
  cmd->add_option("--fail-on", s->fail_on, "Exit 1 on a finding at or above: info, warning, error, none (default)");
  cmd->add_option("--statement-timeout", s->run.db.statement_timeout_ms, "Milliseconds per query")->default_val(60000);
  cmd->add_option("-j,--jobs", s->run.jobs, "Parsing threads (0: one per core)")->check(CLI::Range(0u, kMaxJobs));
  return {cmd, [s]() { return RunIndexes(*s); }};
}

}  // namespace pgsift::cli

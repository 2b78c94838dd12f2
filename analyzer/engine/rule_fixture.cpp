// Dispatches a fixture to its category's runner. Each category adds its
// runner here when its first rule lands.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>

#include "pgsift/indexes.h"
#include "pgsift/migration.h"
#include "pgsift/pgss_rules.h"
#include "pgsift/plan_rules.h"
#include "pgsift/rule.h"
#include "pgsift/statement_gate.h"
#include "pgsift/workload_rules.h"

namespace pgsift {

namespace {

// Migration fixtures name their context in the file name: `_pg10_` sets the
// target version, `_assume-tx` runs the file as if the tool wrapped it in a
// transaction. A `workload.json` (pgsift analyze JSON) and a `schema.sql`
// (or a `snapshot.json.gz`, pgsift snapshot) beside the fixtures are what
// --workload and --schema give the CLI.
// migration-unused-ignore runs with every migration rule, since an ignore
// is unused only if no rule's finding matched it.
Result<std::vector<Finding>> RunMigrationFixture(Rule& rule, const std::string& path) {
  auto* m = dynamic_cast<MigrationRule*>(&rule);
  if (m == nullptr) return Err(rule.Info().id + " is not a MigrationRule");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(path + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  std::string name = std::filesystem::path(path).filename().string();
  LintOptions options;
  std::smatch match;
  if (std::regex_search(name, match, std::regex("_pg([0-9]+)_"))) options.pg_version = std::stoi(match[1]);
  if (name.find("_assume-tx") != std::string::npos) options.assume_in_transaction = true;
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::optional<LintWorkload> workload;
  std::vector<std::string> workload_files;
  for (const char* name : {"workload.json", "snapshot.json.gz"}) {
    if (std::filesystem::exists(dir / name)) workload_files.push_back((dir / name).string());
  }
  if (!workload_files.empty()) {
    auto w = LoadLintWorkload(workload_files);
    if (!w.ok()) return Err(w.error());
    workload = std::move(*w);
    options.workload = &*workload;
  }
  IndexCatalog indexes;
  options.indexes = &indexes;
  ColumnCatalog columns;
  options.columns = &columns;
  if (std::filesystem::exists(dir / "schema.sql")) {
    std::ifstream schema(dir / "schema.sql", std::ios::binary);
    std::ostringstream schema_text;
    schema_text << schema.rdbuf();
    LoadedMigration s = LoadMigration((dir / "schema.sql").string(), schema_text.str(), options);
    if (!s.diagnostics.empty()) return Err("schema.sql: " + s.diagnostics.front().message);
  }
  LoadedMigration loaded = LoadMigration(path, text.str(), options);
  if (!loaded.diagnostics.empty()) {
    const LintDiagnostic& d = loaded.diagnostics.front();
    return Err(d.location.file + ":" + std::to_string(d.location.line) + ": " + d.message);
  }
  if (rule.Info().id != "migration-unused-ignore") return LintMigration(loaded, {m}, false);
  auto all = MakeMigrationRules();
  std::vector<const MigrationRule*> rules;
  for (const auto& r : all) rules.push_back(r.get());
  std::vector<Finding> out;
  for (Finding& f : LintMigration(loaded, rules, true)) {
    if (f.rule_id == rule.Info().id) out.push_back(std::move(f));
  }
  return out;
}

// pg_stat_statements fixtures: a snapshot (.json.gz) or an export of the
// view (.csv, .json); the window is every entry's counters since the reset.
Result<std::vector<Finding>> RunPgssFixture(Rule& rule, const std::string& path) {
  auto* p = dynamic_cast<PgssRule*>(&rule);
  if (p == nullptr) return Err(rule.Info().id + " is not a PgssRule");
  Result<Snapshot> snapshot = path.ends_with(".json.gz") ? ReadSnapshot(path) : ReadPgssExport(path);
  if (!snapshot.ok()) return Err(snapshot.error());
  return RunPgssRules(CumulativeWindow(*snapshot), {p});
}

// Index rules: a log fixture runs against the schema.sql beside it; a .sql
// fixture is a schema alone (no workload), so is a .json one (a live
// catalog from --dump-schema); a .json.gz fixture is a snapshot of a real
// server (statistics, no columns).
Result<std::vector<Finding>> RunIndexFixture(Rule& rule, const std::string& path) {
  auto* r = dynamic_cast<IndexRule*>(&rule);
  if (r == nullptr) return Err(rule.Info().id + " is not an IndexRule");
  IndexRunOptions options;
  options.jobs = 1;
  if (path.ends_with(".json.gz")) {
    // A `pgsift snapshot` of a real server: the live statistics, recorded.
    Result<Snapshot> snap = ReadSnapshot(path);
    if (!snap.ok()) return Err(snap.error());
    Schema schema = SchemaFromSnapshot(*snap);
    AdvisorResult result;
    IndexContext context;
    context.live = true;
    FindingList sink;
    r->Check(result, schema, context, sink);
    return sink.Sorted();
  }
  std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".sql" || ext == ".json") {
    options.schema_paths = {path};
  } else {
    options.logs = {path};
    options.schema_paths = {(std::filesystem::path(path).parent_path() / "schema.sql").string()};
  }
  Result<IndexRunResult> run = RunIndexAdvisor(options, {r});
  if (!run.ok()) return Err(run.error());
  return std::move(run->findings);
}

// Plan fixtures are directories of `pgsift baseline capture` files of one
// real server: baseline.json before a schema change and after.json after it
// (the queries that still plan), and an after.error with the capture's
// message when a query no longer plans. A baseline query the statement gate
// refuses is never compared, as in `check`.
Result<std::vector<Finding>> RunPlanFixture(Rule& rule, const std::string& path) {
  auto* p = dynamic_cast<PlanRule*>(&rule);
  if (p == nullptr) return Err(rule.Info().id + " is not a PlanRule");
  std::filesystem::path dir(path);
  auto read = [&](const char* name) -> Result<std::string> {
    std::ifstream in(dir / name, std::ios::binary);
    if (!in) return Err((dir / name).string() + ": cannot read");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  };
  auto before_text = read("baseline.json");
  if (!before_text.ok()) return Err(before_text.error());
  auto before = ReadBaselineJson(*before_text, (dir / "baseline.json").string());
  if (!before.ok()) return Err(before.error());
  Baseline after;
  if (std::filesystem::exists(dir / "after.json")) {
    auto after_text = read("after.json");
    if (!after_text.ok()) return Err(after_text.error());
    auto a = ReadBaselineJson(*after_text, (dir / "after.json").string());
    if (!a.ok()) return Err(a.error());
    after = std::move(*a);
  }
  std::string error = "not re-planned";
  if (std::filesystem::exists(dir / "after.error")) {
    auto e = read("after.error");
    if (!e.ok()) return Err(e.error());
    error = e->substr(0, e->find('\n'));
  }
  FindingList sink;
  for (const BaselineEntry& b : before->queries) {
    auto replan = std::find_if(after.queries.begin(), after.queries.end(),
                               [&](const BaselineEntry& a) { return a.name == b.name; });
    PlanOutcome o;
    if (Status gate = CheckUntrustedStatement(b.sql, StatementUse::kRolledBack); !gate.ok()) {
      o.before = &b;
      o.refused = gate.error();
    } else if (replan == after.queries.end()) {
      o.before = &b;
      o.error = error;
    } else {
      o = ComparePlanPair(b, *replan, CheckThresholds{});
    }
    p->Check(o, sink);
  }
  return sink.Sorted();
}

}  // namespace

Result<std::vector<Finding>> RunRuleOnFixture(Rule& rule, const std::string& path) {
  switch (rule.Info().input) {
    case RuleInput::kWorkload: {
      auto* w = dynamic_cast<WorkloadRule*>(&rule);
      if (w == nullptr) return Err(rule.Info().id + " is not a WorkloadRule");
      AnalyzeOptions options;
      options.inputs = {path};
      Result<AnalyzeResult> r = AnalyzeWithRules(options, {w});
      if (!r.ok()) return Err(r.error());
      if (!r->usable) return Err(path + ": nothing usable was read");
      return std::move(r->findings);
    }
    case RuleInput::kMigration:
      return RunMigrationFixture(rule, path);
    case RuleInput::kSchema:
      return RunIndexFixture(rule, path);
    case RuleInput::kPgss:
      return RunPgssFixture(rule, path);
    case RuleInput::kPlan:
      return RunPlanFixture(rule, path);
    case RuleInput::kDatabase:
      break;
  }
  return Err("no fixture runner for rule " + rule.Info().id + " (input " + path + ")");
}

}  // namespace pgsift

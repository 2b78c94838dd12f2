// The missing-index advisor: what each query filters, joins and sorts on
// (from its parse tree, resolved to base tables), the schema it runs
// against (offline from schema/migration files or live from a database),
// and the candidate indexes that follow, optionally proven with HypoPG.
//
// Everything here reads normalized query texts ($1, $2): no literal from a
// log is ever held or shown.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pgsift/analyze.h"
#include "pgsift/db_schema.h"
#include "pgsift/index_model.h"
#include "pgsift/query_predicates.h"
#include "pgsift/schema.h"
#include "pgsift/db.h"
#include "pgsift/finding.h"
#include "pgsift/plan.h"
#include "pgsift/result.h"
#include "pgsift/rule.h"
#include "pgsift/workload.h"

namespace pgsift {

// ---------------------------------------------------------------- schema

// A schema file, or a migrations folder (FindMigrationFiles order), or one
// schema JSON (SchemaToJson).
Result<Schema> LoadSchemaFiles(const std::vector<std::string>& paths);

// The schema as JSON (pgsift.schema.v1, `pgsift indexes --dump-schema`):
// a live catalog with its statistics, read back by LoadSchemaFiles for a
// .json path where the database is out of reach.
std::string SchemaToJson(const Schema& schema);
Result<Schema> SchemaFromJson(std::string_view text, const std::string& name);

// Tables and indexes with their statistics from a `pgsift snapshot` file
// (no columns, no index keys: enough for the statistics rules).
Schema SchemaFromSnapshot(const Snapshot& snapshot);
// A table's indexes as the snapshot model has them (for the logic the
// weekly report shares); unknown statistics become 0.
std::vector<IndexStats> IndexStatsOf(const SchemaTable& table);

// ---------------------------------------------------------------- plans

// Counts the LIKE patterns of one raw statement (literals, or $n looked up
// in "$1 = '...', $2 = ..." parameters) as fixed-prefix or not. NOT LIKE
// and ILIKE are not counted (no btree serves them).
void CountLikePatterns(std::string_view sql, std::string_view parameters, PlanEvidence* evidence);

// Adds what `plan` shows into `evidence`.
void AddPlanEvidence(const ExplainPlan& plan, PlanEvidence* evidence);

// The index advisor's PlanSink: parses each auto_explain plan (text or JSON)
// and keeps only the evidence (names and numbers; the plan is dropped).
// Thread-safe. Statements libpg_query could not parse are skipped.
class PlanEvidenceCollector : public PlanSink {
 public:
  void OnPlan(const Shape& shape, std::string_view plan, bool json) override;
  bool WantsStatements() const override { return true; }
  // Only statements whose normalized text has a LIKE are looked at.
  void OnStatement(const Shape& shape, std::string_view sql, std::string_view parameters) override;
  PlanEvidenceMap Take();

 private:
  std::mutex mu_;
  PlanEvidenceMap evidence_;
};

// ---------------------------------------------------------------- advisor

// Candidates from a workload's queries against `schema` (no I/O).
// `plans` (may be null): evidence by fingerprint from auto_explain plans.
AdvisorResult AdviseIndexes(const Workload& workload, const Schema& schema, const AdvisorOptions& options,
                            const PlanEvidenceMap* plans = nullptr);

// Orders candidates by score = time x saving (1 when unproven), then key.
void RankCandidates(AdvisorResult* result);

// Index rules (RuleInput::kSchema) read the advisor's result.
struct IndexContext {
  bool proof_ran = false;  // HypoPG proved (or refuted) the candidates
  bool live = false;       // the schema came from a database (stats known)
  // Why nothing was proven (proof_ran false): no database was given, or the
  // proof on the given one failed (e.g. HypoPG is not installed there).
  std::string no_proof = "no database with hypopg; pass --dsn";
};
class IndexRule : public Rule {
 public:
  virtual void Check(const AdvisorResult& result, const Schema& schema, const IndexContext& context,
                     FindingSink& sink) const = 0;
};
std::vector<std::unique_ptr<IndexRule>> MakeIndexRules();

// The whole advisor run: logs analyzed, the schema from files or a live
// database, candidates, the HypoPG proof when a database is given (and
// `prove`), and the rules' findings (sorted).
struct IndexRunOptions {
  std::vector<std::string> logs;          // server logs ("-": stdin)
  std::optional<std::string> prefix;      // their log_line_prefix (stderr, syslog); unset: detected
  std::vector<std::string> schema_paths;  // schema files or migration folders
  bool live = false;                      // read schema and prove on `db`
  ConnectOptions db;
  bool prove = true;
  AdvisorOptions advisor;
  unsigned jobs = 0;
};
struct IndexRunResult {
  AnalyzeResult analyze;  // input reports
  Schema schema;
  AdvisorResult advisor;
  IndexContext context;
  PlanEvidenceMap plans;    // from the logs' auto_explain plans
  std::string proof_error;  // why the proof did not run, if it did not
  std::vector<Finding> findings;
};
Result<IndexRunResult> RunIndexAdvisor(const IndexRunOptions& options, const std::vector<const IndexRule*>& rules);

// `pgsift indexes`: the advisor with the index rules that .pgsift.toml
// selects ([rules] enable/disable, [rules.<id>] enabled, severity, options;
// RuleSelection in config.h). --min-saving wins over [rules.index-missing]
// min_saving. Implemented in index_run.cpp.
struct IndexesRequest {
  IndexRunOptions run;   // `live` and `prove` are set from the fields below
  bool use_env = false;  // --db: connect through $DATABASE_URL / PG*
  bool no_proof = false;
  double min_saving = 0.5;
  bool min_saving_given = false;  // on the command line
  std::string fail_on;            // empty: none
  std::string config_path;        // empty: ./.pgsift.toml when it exists
};
struct IndexesRun {
  IndexRunResult result;               // findings with the configured severities
  std::optional<Severity> fail_level;  // nullopt: --fail-on none
  double min_saving = 0.5;             // the one the run used
};
Result<IndexesRun> RunIndexes(IndexesRequest request);

// Facts shared by the index rules: the queries helped (normalized), plans,
// the proof and the table's statistics.
void AddQueryFacts(const std::vector<CandidateQuery>& queries, Finding* finding);
// Index entries one more index on `table` takes per hour (inserts plus
// non-HOT updates over the statistics window); -1 when unknown (offline).
double IndexEntriesPerHour(const SchemaTable& table, int64_t stats_seconds);

// `stats_seconds` (Schema::stats_seconds) turns write counts into a rate.
void AddTableFacts(const SchemaTable* table, Finding* finding, int64_t stats_seconds = -1);
// "12 plans of 12 read appointments with a Seq Scan and a Filter; the filter
// removed 99.9% of ... rows read (12 loops), 95.0% of the plan time"; "" when
// no plan read the table.
std::string DescribePlanEvidence(const TableScanEvidence& evidence);

}  // namespace pgsift

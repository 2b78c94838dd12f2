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
#include "pgsift/db.h"
#include "pgsift/finding.h"
#include "pgsift/plan.h"
#include "pgsift/result.h"
#include "pgsift/rule.h"
#include "pgsift/workload.h"

namespace pgsift {

// How a column is used. Equality-like uses (kEquality, kIn, kIsNull, kJoin)
// may come in any order in a btree index; a range ends the usable prefix.
enum class ColumnOp : uint8_t { kEquality, kIn, kIsNull, kJoin, kRange, kLike, kSort, kGroup, kOther };
std::string_view ColumnOpName(ColumnOp op);
bool IsEqualityLike(ColumnOp op);

struct ColumnUse {
  std::string schema;  // "" when the query did not qualify the table
  std::string table;   // a base table (aliases, CTEs, subqueries resolved)
  // A column name, or a canonical expression such as "lower(email)" (the
  // form an expression index on it has, see CanonicalExpression).
  std::string column;
  bool expression = false;
  ColumnOp op = ColumnOp::kOther;
  bool operator==(const ColumnUse&) const = default;
};

struct QueryPredicates {
  bool ok = false;
  std::string error;                // parser message (no input text)
  std::vector<std::string> tables;  // base tables read or written, "schema.table" or "table"
  std::vector<ColumnUse> uses;      // in order of appearance, duplicates removed
  bool writes = false;              // INSERT/UPDATE/DELETE/MERGE
  bool limit = false;               // some SELECT has LIMIT / FETCH FIRST
};

// Answers whether `table` (schema may be "") has `column`; lets unqualified
// columns in a multi-table scope find their table. May be empty.
using ColumnLookup =
    std::function<bool(const std::string& schema, const std::string& table, const std::string& column)>;

// Columns used in WHERE, JOIN ... ON, ORDER BY and GROUP BY of every
// statement in `sql`, through aliases, CTEs (columns a CTE passes through
// unchanged) and subqueries (correlated references to outer tables too).
QueryPredicates ExtractPredicates(std::string_view sql, const ColumnLookup& lookup = {});

// ---------------------------------------------------------------- schema

struct SchemaIndex {
  std::string name;
  std::vector<std::string> columns;            // key columns; expressions in canonical form
  std::vector<std::string> opclasses;          // per key column; "" the default (may be shorter)
  std::vector<std::string> predicate_columns;  // columns in a partial index's WHERE
  bool partial = false;
  bool unique = false;
  bool primary = false;
  bool constraint = false;  // backs a PRIMARY KEY / UNIQUE / EXCLUDE constraint
  bool valid = true;        // pg_index.indisvalid (live only)
  std::string method = "btree";
  int64_t idx_scan = -1;    // -1: unknown (offline)
  int64_t size_bytes = -1;  // -1: unknown
  bool stats_only = false;  // from a snapshot: columns unknown
  // Equal keys on one table: the same index (live: catalog definition; offline:
  // method, uniqueness and columns of non-partial indexes).
  std::string definition_key;
};

struct ForeignKey {
  std::string name;
  std::vector<std::string> columns;
  std::string ref_table;  // "schema.table"
};

struct SchemaTable {
  std::string schema = "public";
  std::string name;
  std::vector<std::string> columns;
  std::vector<SchemaIndex> indexes;
  std::vector<ForeignKey> foreign_keys;
  // Statistics, -1 when unknown (offline schema).
  int64_t rows = -1, size_bytes = -1, seq_scan = -1, idx_scan = -1;
  int64_t n_tup_ins = -1, n_tup_upd = -1, n_tup_del = -1;
  int64_t n_tup_hot_upd = -1;  // updates that wrote no index entry (HOT)
  bool HasColumn(const std::string& column) const;
  std::string QualifiedName() const { return schema + "." + name; }
};

struct Schema {
  std::string source;  // "files" | "live"
  // The database's default collation (pg_database.datcollate); "" unknown
  // (offline). A LIKE prefix can use a plain btree only under C / POSIX.
  std::string collation;
  // Seconds the live statistics cover (since pg_stat_database.stats_reset,
  // else since the server started); -1 unknown. Turns counts into rates.
  int64_t stats_seconds = -1;
  std::map<std::string, SchemaTable> tables;  // by "schema.table"
  // `schema` "" means the search path, taken as public.
  const SchemaTable* Find(const std::string& schema, const std::string& table) const;
  SchemaTable* Find(const std::string& schema, const std::string& table);
  ColumnLookup Lookup() const;
};

// Applies the DDL in `sql` (CREATE TABLE, ALTER TABLE ADD COLUMN/CONSTRAINT,
// CREATE INDEX, DROP TABLE/INDEX, as pg_dump --schema-only or migrations
// write them). Other statements are ignored. A syntax error fails with
// file:line.
Status ApplySchemaSql(std::string_view sql, const std::string& file, Schema* schema);

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

// What the auto_explain plans of one query show about one table it reads.
// Names and figures only: no condition text (which may hold values).
struct TableScanEvidence {
  std::string relation;                   // as the plan names it; "" when no plan read the table
  uint64_t plans = 0;                     // plans that read the table
  uint64_t seq_scans = 0;                 // plans reading it with a Seq Scan and a Filter
  uint64_t index_scans = 0;               // plans reading it through an index
  std::vector<std::string> indexes_used;  // sorted, distinct
  uint64_t analyzed = 0;                  // of the Seq Scans: with actual rows (log_analyze)
  double rows_removed = 0;                // by those Seq Scans' filters, all loops
  double rows_returned = 0;               // by those Seq Scans, all loops
  double loops = 0;                       // of those Seq Scans
  double scan_ms = 0, plan_ms = 0;        // their time, and their plans' whole time
  // Share of the rows a Seq Scan read that its filter threw away; -1 unknown.
  double RemovedFraction() const;
  // Share of the plans' time spent in those Seq Scans; -1 unknown.
  double TimeShare() const;
  void Merge(const TableScanEvidence& other);
};

struct PlanEvidence {
  uint64_t plans = 0;
  uint64_t unreadable = 0;  // plans neither reader understood
  // LIKE patterns in the statements' raw texts and bind values: fixed
  // prefix ('abc%') or not ('%abc', a column, ...). Counts only.
  uint64_t like_prefix = 0, like_other = 0;
  bool LikePrefix() const { return like_prefix > 0 && like_other == 0; }
  std::map<std::string, TableScanEvidence> tables;  // by relation name
};
using PlanEvidenceMap = std::unordered_map<uint64_t, PlanEvidence>;  // by fingerprint

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

struct CandidateQuery {
  uint64_t fingerprint = 0;
  std::string normalized;  // DisplayText form, $n placeholders
  uint64_t calls = 0;
  double total_ms = 0;
  uint64_t plans = 0;
  // The plans' evidence on the candidate's table (relation "": none).
  TableScanEvidence evidence;
  // HypoPG proof (cost_before < 0: not proven).
  double cost_before = -1, cost_after = -1;
  bool index_used = false;
  std::string proof_error;
  // The statement gate refused the text (statement_gate.h): never sent to
  // the server; proof_error says why.
  bool proof_refused = false;
};

struct IndexCandidate {
  std::string schema, table;
  std::vector<std::string> columns;
  std::vector<std::string> kinds;       // per column: "equality", "range", "like-prefix", "sort", "group"
  std::vector<std::string> opclasses;   // per column, "" default ("text_pattern_ops" for a LIKE prefix)
  std::vector<CandidateQuery> queries;  // sorted by total time desc
  double total_ms = 0;                  // time the helped queries spent
  std::string foreign_key;              // the unindexed FK it serves, if any
  // HypoPG: best saving over the queries (0..1), -1 when not proven.
  double saving = -1;
  bool proven = false;
  // Plan evidence over the queries: the share of rows their Seq Scans on
  // the table filtered away (-1: no analyzed Seq Scan), and whether the
  // plans read the table through an index only (counter-evidence).
  double plan_removed = -1;
  bool plan_index_only = false;
  // total_ms x expected saving: the HypoPG saving when proven, else the
  // plans' removed share, else 0.1 when the plans use an index only, else 1.
  double score = 0;
  // The plans speak against the candidate: a Seq Scan filter kept most rows
  // (removed share < threshold) or the plans use an index already.
  bool PlanCounterEvidence(double threshold) const;
  // A column is a LIKE prefix: HypoPG's generic plans cannot prove it.
  bool LikePrefix() const;
  std::string Statement() const;  // CREATE INDEX CONCURRENTLY ...
  std::string Key() const;        // schema.table(col,col)
};

struct UnindexedForeignKey {
  std::string schema, table;
  ForeignKey fk;
  std::vector<CandidateQuery> queries;  // queries filtering or joining on it
  double total_ms = 0;
};

struct AdvisorOptions {
  double min_saving = 0.5;  // HypoPG threshold (also the plan evidence's)
  size_t max_columns = 3;
};

struct AdvisorResult {
  std::vector<IndexCandidate> candidates;  // ranked (score desc, key)
  std::vector<UnindexedForeignKey> unindexed_fks;
  uint64_t queries_seen = 0, queries_unparsed = 0, queries_on_known_tables = 0;
  // Distinct queries the HypoPG proof did not send: refused by the gate.
  uint64_t queries_refused = 0;
};

// Candidates from a workload's queries against `schema` (no I/O).
// `plans` (may be null): evidence by fingerprint from auto_explain plans.
AdvisorResult AdviseIndexes(const Workload& workload, const Schema& schema, const AdvisorOptions& options,
                            const PlanEvidenceMap* plans = nullptr);

// Orders candidates by score = time x saving (1 when unproven), then key.
void RankCandidates(AdvisorResult* result);

// Reads the live schema (tables, columns, indexes through pg_get_indexdef,
// foreign keys through pg_get_constraintdef, statistics) in a read-only,
// bounded session (see db.h). The password never appears in an error.
Result<Schema> ReadLiveSchema(const ConnectOptions& options);

// HypoPG proof: for each candidate and each query it helps, the generic
// plan's cost (PREPARE with plan_cache_mode = force_generic_plan, EXPLAIN
// EXECUTE with NULL arguments: no value from the logs is needed) without
// and with a hypothetical index. Sets cost_before/after, index_used and
// the candidate's saving. Fails when hypopg is not installed. Each query's
// text passes the statement gate (statement_gate.h, StatementUse::kPlanOnly)
// and is sent alone in one Parse message; a refused one is never sent
// (CandidateQuery::proof_refused, AdvisorResult::queries_refused).
Status ProveCandidates(const ConnectOptions& options, AdvisorResult* result);

// Index rules (RuleInput::kSchema) read the advisor's result.
struct IndexContext {
  bool proof_ran = false;  // HypoPG proved (or refuted) the candidates
  bool live = false;       // the schema came from a database (stats known)
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

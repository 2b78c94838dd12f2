// The index advisor's data: what plans show about the tables a query reads,
// and the candidate indexes with the queries they help and their HypoPG
// proof. engine/ (indexes.h) fills it; db/ (db_schema.h) adds the proof.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "pgsift/schema.h"

namespace pgsift {

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

// Column `i` of `c`'s key: "email", "lower(email)", "name text_pattern_ops";
// quoted as CREATE INDEX writes it when `quote`.
std::string KeyColumn(const IndexCandidate& c, size_t i, bool quote);

}  // namespace pgsift

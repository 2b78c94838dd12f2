// The data of a plan baseline: the queries to guard and their captured
// plans. analyzer/db/ fills it (CaptureBaseline, RunOnScratch); baseline.h
// reads, writes and compares it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/plan.h"

namespace pgsift {

// One query to guard, from a queries file (.sql), an analyze JSON or
// pg_stat_statements.
struct GuardedQuery {
  std::string name;  // unique; from "-- name:" or derived from the fingerprint
  std::string sql;   // as written (queries file) or normalized ($1, $2)
  // Sample parameter values as SQL expressions (queries file: "-- params:").
  // Empty while sql has $n: the generic plan is used (NULLs, forced generic).
  std::vector<std::string> params;
  // Where params came from: "queries-file" (user-written, kept in the
  // baseline), "log" (patient data: used to EXPLAIN, never written unless
  // --show-values) or "" (none).
  std::string params_origin;
  // params_origin "log": LogValues::tag of the values (never the values).
  std::string values_tag;
  std::string source;  // "file.sql:12", "analyze JSON", "pg_stat_statements"
  // Picked automatically (analyze JSON, pg_stat_statements): a statement
  // that cannot be prepared (utility statements, untyped parameters) is
  // skipped with a note instead of failing the capture.
  bool optional = false;
};

struct BaselineEntry {
  std::string name;
  std::string sql;                  // what is re-planned
  std::string display;              // normalized, for reports (no literals)
  std::string fingerprint;          // 16 hex digits of the libpg_query fingerprint
  std::vector<std::string> params;  // empty for log values unless --show-values
  std::string params_origin;
  // Planned with representative values from the logs (params_origin "log"):
  // their tag, and the generic plan too, which `check` compares with when it
  // is not given the same values (no --values-from, other logs).
  std::string values_tag;
  std::optional<PlanNode> generic_fallback;
  size_t param_count = 0;     // $n parameters the statement takes
  bool generic_plan = false;  // planned with plan_cache_mode = force_generic_plan
  std::string source;
  PlanNode plan;  // conditions already masked unless --show-values
  // ANALYZE runs only (repeats > 0): median execution time over the repeats
  // and the median shared buffers (hit + read) of the root node.
  int repeats = 0;
  double median_ms = -1;
  int64_t median_shared_blocks = -1;
  int64_t temp_blocks = -1;
};

struct Baseline {
  static constexpr std::string_view kFormat = "pgsift.baseline.v1";
  int server_major = 0;
  std::string database;  // name only
  // pg_control_system()'s system_identifier of the source's cluster ("" when
  // it could not be read): `check` lets migrations run cluster-wide
  // statements only on a scratch server of another cluster.
  std::string system_identifier;
  // How the plans' statistics came to be: "source" (captured from the
  // source itself), "template-copy", "schema-only+statistics",
  // "schema-only+sample", "schema-only". A baseline is always "source".
  std::string statistics = "source";
  std::map<std::string, std::string> settings;  // planner settings in effect
  // Row estimates (pg_class.reltuples) of every relation the plans read: what
  // `check` compares with the scratch database to say how close its
  // statistics are to the source's.
  std::map<std::string, int64_t> relation_rows;
  bool analyze = false;
  int repeats = 0;
  // Guarded queries the statement gate refused at capture (never sent to
  // the server, not in `queries`); written as "refused" when not 0.
  size_t refused = 0;
  std::vector<BaselineEntry> queries;  // sorted by name
};

}  // namespace pgsift

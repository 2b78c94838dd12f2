// The EXPLAIN plan model: a tree of PlanNode read from EXPLAIN (FORMAT JSON)
// output or from auto_explain's JSON plans (auto_explain.log_format = json).
// Shared by the baseline/check commands and the index advisor. Plain data; no
// I/O. Thread-compatible.
//
// Privacy: condition texts (filter, index_cond, ...), sort/group keys and
// query_text are copied verbatim from the server and can hold literal or
// bind-parameter values (patient data). Never print them without masking
// them first (sql::DisplayText for SQL; MaskPlanLiterals below for plan
// expressions) unless the user passed --show-values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/result.h"

namespace pgsift {

// Buffer counters of one node (EXPLAIN (ANALYZE, BUFFERS)); all zero when
// BUFFERS was off.
struct PlanBuffers {
  int64_t shared_hit = 0, shared_read = 0, shared_dirtied = 0, shared_written = 0;
  int64_t local_hit = 0, local_read = 0, local_dirtied = 0, local_written = 0;
  int64_t temp_read = 0, temp_written = 0;
  int64_t shared_total() const { return shared_hit + shared_read; }
};

struct PlanNode {
  std::string node_type;            // "Seq Scan", "Hash Join", "Index Only Scan", ...
  std::string parent_relationship;  // "Outer", "Inner", "SubPlan", "InitPlan", "Member", ""
  std::string subplan_name;         // "SubPlan 1", "InitPlan 1 (returns $0)", "CTE x"
  std::string relation;             // "Relation Name" (scans, ModifyTable)
  std::string schema;               // "Schema" (EXPLAIN VERBOSE only)
  std::string alias;
  std::string index_name;  // Index Scan / Index Only Scan / Bitmap Index Scan
  std::string cte_name, function_name;
  std::string join_type;       // "Inner", "Left", "Semi", "Anti", "Full", "Right"
  std::string strategy;        // Aggregate/SetOp: "Plain", "Sorted", "Hashed", "Mixed"
  std::string scan_direction;  // "Forward", "Backward", "NoMovement"
  std::string operation;       // ModifyTable: "Insert", "Update", "Delete"
  bool parallel_aware = false;
  int workers_planned = 0;  // Gather / Gather Merge

  double startup_cost = 0;
  double total_cost = 0;
  double plan_rows = 0;
  int64_t plan_width = 0;

  // Present only when the plan was run (EXPLAIN ANALYZE / auto_explain
  // log_analyze); "never executed" nodes have has_actual and loops == 0.
  bool has_actual = false;
  double actual_startup_ms = 0;
  double actual_total_ms = 0;  // per loop, as EXPLAIN prints it
  double actual_rows = 0;      // per loop
  double actual_loops = 0;
  int64_t rows_removed_by_filter = 0;
  int64_t rows_removed_by_join_filter = 0;
  int64_t rows_removed_by_index_recheck = 0;
  PlanBuffers buffers;

  // Expressions as the server printed them (may hold literals: see above).
  std::string filter, join_filter, index_cond, recheck_cond, hash_cond, merge_cond;
  std::vector<std::string> sort_key, group_key;

  std::vector<PlanNode> children;  // "Plans", in server order

  bool IsJoin() const;  // Nested Loop, Hash Join, Merge Join
  bool IsScan() const;  // any node reading a relation, index, function, CTE, values
};

struct ExplainPlan {
  PlanNode root;
  bool analyzed = false;     // actual times/rows present on the root
  double planning_ms = -1;   // "Planning Time"; -1 when absent
  double execution_ms = -1;  // "Execution Time"; -1 when absent
  std::string query_text;    // auto_explain's "Query Text" (may hold values)
};

// Reads one plan from EXPLAIN (FORMAT JSON) output (a one-element array of
// {"Plan": ...}) or from an auto_explain JSON plan (an object with "Query
// Text" and "Plan"). Unknown keys are ignored. An error names what is wrong
// (not JSON, no "Plan", a node without "Node Type") and never quotes the
// input.
Result<ExplainPlan> ReadExplainJson(std::string_view json);

// Reads one plan in EXPLAIN's text format, as auto_explain logs it by default
// (auto_explain.log_format = text; the lines after "Query Text: ..."), or as
// EXPLAIN [ANALYZE] prints it. Fills what the text shows: node types (the
// JSON model's names: "HashAggregate" is an Aggregate with strategy
// "Hashed", "Hash Left Join" a Hash Join of type Left, "Insert on t" a
// ModifyTable), relations, aliases, indexes, costs, actual figures, rows
// removed, conditions, sort and group keys, subplans. A leading tab per line
// (log continuation lines) is ignored. Unknown property lines are skipped.
// An error never quotes the input.
Result<ExplainPlan> ReadExplainText(std::string_view text);

// Calls f(node, depth) for every node, pre-order, children in server order.
template <typename F>
void WalkPlan(const PlanNode& node, F&& f, int depth = 0) {
  f(node, depth);
  for (const PlanNode& c : node.children) WalkPlan(c, f, depth + 1);
}

// The rows the top node of an auto_explain plan returned (the plan's body:
// text as the assembler keeps it, without "Query Text", or the JSON
// document), or nullopt when the plan was not run (log_analyze off) or the
// figure cannot be read. Cheap: reads only what it needs.
std::optional<double> PlanRootRows(std::string_view plan, bool json);

// `expr` (a plan condition such as "(patient_id = 42)") with every quoted
// string literal and every number outside identifiers replaced by "?":
// "((status = ?::text) AND (id < ?))". Column and index names survive.
std::string MaskPlanLiterals(std::string_view expr);

// Node fields copied into a baseline: shape, costs and rows; conditions and
// keys with literals masked (MaskPlanLiterals) unless show_values; actual
// times and per-node buffers dropped (they change from run to run).
PlanNode StablePlan(const PlanNode& plan, bool show_values);

// One line naming a node the way the diff shows it:
// "Index Scan using appointments_patient_id_idx on appointments a".
std::string DescribeNode(const PlanNode& node);

}  // namespace pgsift

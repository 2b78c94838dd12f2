// Reads EXPLAIN (FORMAT JSON) and auto_explain JSON plans into PlanNode trees.
// Plans are small (kilobytes), so the DOM parser is fine here.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "pgsift/plan_fields.h"
#include "pgsift/plan.h"

namespace pgsift {
namespace {

using Json = nlohmann::json;
using plan_fields::Number;
using plan_fields::String;

// A count from the plan; 0 when absent, not a number, or a float outside
// int64 (converting one is undefined behaviour).
int64_t Int(const Json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  double d = it->get<double>();
  return d > -9.2e18 && d < 9.2e18 ? static_cast<int64_t>(d) : 0;
}

Status ReadNode(const Json& o, int depth, PlanNode* n) {
  if (!o.is_object()) return Err("a plan node is not a JSON object");
  if (depth > 1000) return Err("plan nesting deeper than 1000 nodes");
  n->node_type = String(o, "Node Type");
  if (n->node_type.empty()) return Err("a plan node has no \"Node Type\"");
  for (const plan_fields::TextField& f : plan_fields::kText) n->*f.member = String(o, f.explain_key);
  for (const plan_fields::ListField& f : plan_fields::kLists) n->*f.member = plan_fields::Strings(o, f.explain_key);
  auto pa = o.find("Parallel Aware");
  n->parallel_aware = pa != o.end() && pa->is_boolean() && pa->get<bool>();
  n->workers_planned = static_cast<int>(std::clamp<int64_t>(Int(o, "Workers Planned"), 0, 1 << 20));
  n->startup_cost = Number(o, "Startup Cost");
  n->total_cost = Number(o, "Total Cost");
  n->plan_rows = Number(o, "Plan Rows");
  n->plan_width = Int(o, "Plan Width");
  n->has_actual = o.contains("Actual Loops");
  n->actual_startup_ms = Number(o, "Actual Startup Time");
  n->actual_total_ms = Number(o, "Actual Total Time");
  n->actual_rows = Number(o, "Actual Rows");
  n->actual_loops = Number(o, "Actual Loops");
  n->rows_removed_by_filter = Int(o, "Rows Removed by Filter");
  n->rows_removed_by_join_filter = Int(o, "Rows Removed by Join Filter");
  n->rows_removed_by_index_recheck = Int(o, "Rows Removed by Index Recheck");
  PlanBuffers& b = n->buffers;
  b.shared_hit = Int(o, "Shared Hit Blocks");
  b.shared_read = Int(o, "Shared Read Blocks");
  b.shared_dirtied = Int(o, "Shared Dirtied Blocks");
  b.shared_written = Int(o, "Shared Written Blocks");
  b.local_hit = Int(o, "Local Hit Blocks");
  b.local_read = Int(o, "Local Read Blocks");
  b.local_dirtied = Int(o, "Local Dirtied Blocks");
  b.local_written = Int(o, "Local Written Blocks");
  b.temp_read = Int(o, "Temp Read Blocks");
  b.temp_written = Int(o, "Temp Written Blocks");
  auto plans = o.find("Plans");
  if (plans != o.end()) {
    if (!plans->is_array()) return Err("\"Plans\" is not an array");
    n->children.resize(plans->size());
    for (size_t i = 0; i < plans->size(); ++i) {
      Status s = ReadNode((*plans)[i], depth + 1, &n->children[i]);
      if (!s.ok()) return s;
    }
  }
  return Ok{};
}

}  // namespace

bool PlanNode::IsJoin() const {
  return node_type == "Nested Loop" || node_type == "Hash Join" || node_type == "Merge Join";
}

bool PlanNode::IsScan() const {
  return node_type.ends_with(" Scan") || node_type == "Bitmap Heap Scan" || node_type == "Index Only Scan";
}

Result<ExplainPlan> ReadExplainJson(std::string_view text) {
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Err("EXPLAIN output is not valid JSON");
  // EXPLAIN (FORMAT JSON) prints a one-element array; auto_explain an object.
  if (doc.is_array()) {
    if (doc.size() != 1) return Err("EXPLAIN JSON array has " + std::to_string(doc.size()) + " plans, expected 1");
    doc = std::move(doc[0]);
  }
  if (!doc.is_object()) return Err("EXPLAIN JSON is not an object");
  auto plan = doc.find("Plan");
  if (plan == doc.end()) return Err("EXPLAIN JSON has no \"Plan\"");
  ExplainPlan out;
  Status s = ReadNode(*plan, 0, &out.root);
  if (!s.ok()) return Err(s.error());
  out.analyzed = out.root.has_actual;
  out.planning_ms = Number(doc, "Planning Time", -1);
  out.execution_ms = Number(doc, "Execution Time", -1);
  out.query_text = String(doc, "Query Text");
  return out;
}

std::string MaskPlanLiterals(std::string_view e) {
  std::string out;
  out.reserve(e.size());
  auto ident = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  for (size_t i = 0; i < e.size();) {
    char c = e[i];
    if (c == '\'') {  // string literal, '' escapes a quote
      size_t j = i + 1;
      while (j < e.size()) {
        if (e[j] == '\'') {
          if (j + 1 < e.size() && e[j + 1] == '\'') {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      out += '?';
      i = j + 1;
    } else if (c == '"') {  // quoted identifier: kept
      size_t j = e.find('"', i + 1);
      j = j == std::string_view::npos ? e.size() : j + 1;
      out.append(e.substr(i, j - i));
      i = j;
    } else if (c >= '0' && c <= '9' && (i == 0 || !ident(e[i - 1]))) {
      size_t j = i;
      while (j < e.size() && (ident(e[j]) || e[j] == '.')) ++j;
      out += '?';
      i = j;
    } else if (ident(c)) {  // identifier or keyword, digits included
      size_t j = i;
      while (j < e.size() && ident(e[j])) ++j;
      out.append(e.substr(i, j - i));
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

}  // namespace pgsift

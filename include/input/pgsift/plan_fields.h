// The text fields of a PlanNode with their keys in EXPLAIN (FORMAT JSON) and
// in a pgsift baseline file, and the JSON getters both readers use: one list
// for the EXPLAIN reader (plan_json.cpp) and the baseline reader and writer
// (engine/baseline.cpp). Numbers and flags stay with each reader: their
// ranges and defaults differ.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pgsift/plan.h"

namespace pgsift::plan_fields {

struct TextField {
  const char* explain_key;
  const char* baseline_key;
  std::string PlanNode::*member;
};

// Every text field but "Node Type", which each reader requires on its own.
inline constexpr TextField kText[] = {
    {"Parent Relationship", "parent_relationship", &PlanNode::parent_relationship},
    {"Subplan Name", "subplan_name", &PlanNode::subplan_name},
    {"Relation Name", "relation", &PlanNode::relation},
    {"Schema", "schema", &PlanNode::schema},
    {"Alias", "alias", &PlanNode::alias},
    {"Index Name", "index_name", &PlanNode::index_name},
    {"CTE Name", "cte_name", &PlanNode::cte_name},
    {"Function Name", "function_name", &PlanNode::function_name},
    {"Join Type", "join_type", &PlanNode::join_type},
    {"Strategy", "strategy", &PlanNode::strategy},
    {"Scan Direction", "scan_direction", &PlanNode::scan_direction},
    {"Operation", "operation", &PlanNode::operation},
    {"Filter", "filter", &PlanNode::filter},
    {"Join Filter", "join_filter", &PlanNode::join_filter},
    {"Index Cond", "index_cond", &PlanNode::index_cond},
    {"Recheck Cond", "recheck_cond", &PlanNode::recheck_cond},
    {"Hash Cond", "hash_cond", &PlanNode::hash_cond},
    {"Merge Cond", "merge_cond", &PlanNode::merge_cond},
};

struct ListField {
  const char* explain_key;
  const char* baseline_key;
  std::vector<std::string> PlanNode::*member;
};

inline constexpr ListField kLists[] = {
    {"Sort Key", "sort_key", &PlanNode::sort_key},
    {"Group Key", "group_key", &PlanNode::group_key},
};

// The string at `key`; empty when absent or not a string.
inline std::string String(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The number at `key`; `otherwise` when absent or not a number.
inline double Number(const nlohmann::json& o, const char* key, double otherwise = 0) {
  auto it = o.find(key);
  return it != o.end() && it->is_number() ? it->get<double>() : otherwise;
}

// The strings of the array at `key`; elements that are not strings are left out.
inline std::vector<std::string> Strings(const nlohmann::json& o, const char* key) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it == o.end() || !it->is_array()) return out;
  for (const nlohmann::json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace pgsift::plan_fields

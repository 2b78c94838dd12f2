// Baseline files: JSON with sorted keys and queries sorted by name, so that a
// capture of an unchanged database is byte-identical and diffs stay small.
#include "pgsift/baseline.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "pgsift/plan_fields.h"

namespace pgsift {
namespace {

using Json = nlohmann::json;
using plan_fields::Number;
using plan_fields::String;
using plan_fields::Strings;

void PutString(Json& o, const char* key, const std::string& v) {
  if (!v.empty()) o[key] = v;
}

Json NodeJson(const PlanNode& n) {
  Json o = Json::object();
  o["node_type"] = n.node_type;
  for (const plan_fields::TextField& f : plan_fields::kText) PutString(o, f.baseline_key, n.*f.member);
  for (const plan_fields::ListField& f : plan_fields::kLists) {
    if (!(n.*f.member).empty()) o[f.baseline_key] = n.*f.member;
  }
  if (n.parallel_aware) o["parallel_aware"] = true;
  if (n.workers_planned) o["workers_planned"] = n.workers_planned;
  o["startup_cost"] = n.startup_cost;
  o["total_cost"] = n.total_cost;
  o["plan_rows"] = n.plan_rows;
  o["plan_width"] = n.plan_width;
  if (!n.children.empty()) {
    Json kids = Json::array();
    for (const PlanNode& c : n.children) kids.push_back(NodeJson(c));
    o["children"] = std::move(kids);
  }
  return o;
}

bool GetBool(const Json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_boolean() && it->get<bool>();
}

// An integer field, clamped to [lo, hi]; `otherwise` when absent, not a
// number, or NaN. A float outside the target type is clamped before the
// conversion (converting it is undefined behaviour).
int64_t GetInt(const Json& o, const char* key, int64_t otherwise, int64_t lo, int64_t hi) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number()) return otherwise;
  if (it->is_number_unsigned()) {
    uint64_t u = it->get<uint64_t>();
    return u > static_cast<uint64_t>(hi) ? hi : std::max(static_cast<int64_t>(u), lo);
  }
  if (it->is_number_integer()) return std::clamp(it->get<int64_t>(), lo, hi);
  double d = it->get<double>();
  if (std::isnan(d)) return otherwise;
  if (d <= static_cast<double>(lo)) return lo;
  if (d >= static_cast<double>(hi)) return hi;
  return static_cast<int64_t>(d);
}

constexpr int64_t kIntMax = std::numeric_limits<int>::max();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

Status NodeFromJson(const Json& o, int depth, PlanNode* n) {
  if (!o.is_object() || depth > 1000) return Err("a plan node is not an object");
  n->node_type = String(o, "node_type");
  if (n->node_type.empty()) return Err("a plan node has no node_type");
  for (const plan_fields::TextField& f : plan_fields::kText) n->*f.member = String(o, f.baseline_key);
  for (const plan_fields::ListField& f : plan_fields::kLists) n->*f.member = Strings(o, f.baseline_key);
  n->parallel_aware = GetBool(o, "parallel_aware");
  n->workers_planned = static_cast<int>(GetInt(o, "workers_planned", 0, 0, kIntMax));
  n->startup_cost = Number(o, "startup_cost", 0);
  n->total_cost = Number(o, "total_cost", 0);
  n->plan_rows = Number(o, "plan_rows", 0);
  n->plan_width = GetInt(o, "plan_width", 0, kInt64Min, kInt64Max);
  auto kids = o.find("children");
  if (kids != o.end()) {
    if (!kids->is_array()) return Err("children is not an array");
    n->children.resize(kids->size());
    for (size_t i = 0; i < kids->size(); ++i) {
      Status s = NodeFromJson((*kids)[i], depth + 1, &n->children[i]);
      if (!s.ok()) return s;
    }
  }
  return Ok{};
}

}  // namespace

std::string WriteBaselineJson(const Baseline& b) {
  Json doc = Json::object();
  doc["format"] = std::string(Baseline::kFormat);
  doc["server_major"] = b.server_major;
  doc["database"] = b.database;
  if (!b.system_identifier.empty()) doc["system_identifier"] = b.system_identifier;
  doc["statistics"] = b.statistics;
  doc["settings"] = b.settings;
  doc["relation_rows"] = b.relation_rows;
  doc["analyze"] = b.analyze;
  doc["repeats"] = b.repeats;
  if (b.refused > 0) doc["refused"] = b.refused;
  std::vector<const BaselineEntry*> sorted;
  for (const BaselineEntry& e : b.queries) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* c) { return a->name < c->name; });
  Json queries = Json::array();
  for (const BaselineEntry* e : sorted) {
    Json q = Json::object();
    q["name"] = e->name;
    q["sql"] = e->sql;
    q["display"] = e->display;
    q["fingerprint"] = e->fingerprint;
    q["params"] = e->params;
    q["params_origin"] = e->params_origin;
    if (!e->values_tag.empty()) q["values_tag"] = e->values_tag;
    if (e->generic_fallback) q["generic_fallback_plan"] = NodeJson(*e->generic_fallback);
    q["param_count"] = e->param_count;
    q["generic_plan"] = e->generic_plan;
    q["source"] = e->source;
    q["total_cost"] = e->plan.total_cost;
    q["plan_rows"] = e->plan.plan_rows;
    q["plan"] = NodeJson(e->plan);
    if (e->repeats > 0) {
      q["repeats"] = e->repeats;
      q["median_ms"] = e->median_ms;
      q["median_shared_blocks"] = e->median_shared_blocks;
      q["temp_blocks"] = e->temp_blocks;
    }
    queries.push_back(std::move(q));
  }
  doc["queries"] = std::move(queries);
  return doc.dump(2) + "\n";
}

Result<Baseline> ReadBaselineJson(std::string_view text, const std::string& path) {
  Json doc = Json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Err(path + ": not a JSON baseline file");
  if (String(doc, "format") != Baseline::kFormat) {
    return Err(path + ": not a pgsift baseline (format " + std::string(Baseline::kFormat) + " expected)");
  }
  Baseline b;
  b.server_major = static_cast<int>(GetInt(doc, "server_major", 0, 0, kIntMax));
  b.database = String(doc, "database");
  b.system_identifier = String(doc, "system_identifier");
  b.statistics = String(doc, "statistics");
  auto settings = doc.find("settings");
  if (settings != doc.end() && settings->is_object()) {
    for (auto it = settings->begin(); it != settings->end(); ++it) {
      if (it->is_string()) b.settings[it.key()] = it->get<std::string>();
    }
  }
  auto rows = doc.find("relation_rows");
  if (rows != doc.end() && rows->is_object()) {
    for (auto it = rows->begin(); it != rows->end(); ++it) {
      if (it->is_number()) b.relation_rows[it.key()] = GetInt(*rows, it.key().c_str(), 0, kInt64Min, kInt64Max);
    }
  }
  b.analyze = GetBool(doc, "analyze");
  b.repeats = static_cast<int>(GetInt(doc, "repeats", 0, 0, kIntMax));
  b.refused = static_cast<size_t>(GetInt(doc, "refused", 0, 0, kInt64Max));
  auto queries = doc.find("queries");
  if (queries == doc.end() || !queries->is_array()) return Err(path + ": no queries array");
  for (const Json& q : *queries) {
    if (!q.is_object()) return Err(path + ": a query is not an object");
    BaselineEntry e;
    e.name = String(q, "name");
    if (e.name.empty()) return Err(path + ": a query has no name");
    e.sql = String(q, "sql");
    if (e.sql.empty()) return Err(path + ": query " + e.name + " has no sql");
    e.display = String(q, "display");
    e.fingerprint = String(q, "fingerprint");
    e.params = Strings(q, "params");
    e.params_origin = String(q, "params_origin");
    e.values_tag = String(q, "values_tag");
    auto fallback = q.find("generic_fallback_plan");
    if (fallback != q.end()) {
      e.generic_fallback.emplace();
      Status fs = NodeFromJson(*fallback, 0, &*e.generic_fallback);
      if (!fs.ok()) return Err(path + ": query " + e.name + ": " + fs.error());
    }
    e.param_count = static_cast<size_t>(GetInt(q, "param_count", 0, 0, kInt64Max));
    e.generic_plan = GetBool(q, "generic_plan");
    e.source = String(q, "source");
    auto plan = q.find("plan");
    if (plan == q.end()) return Err(path + ": query " + e.name + " has no plan");
    Status s = NodeFromJson(*plan, 0, &e.plan);
    if (!s.ok()) return Err(path + ": query " + e.name + ": " + s.error());
    e.repeats = static_cast<int>(GetInt(q, "repeats", 0, 0, kIntMax));
    e.median_ms = Number(q, "median_ms", -1);
    e.median_shared_blocks = GetInt(q, "median_shared_blocks", -1, kInt64Min, kInt64Max);
    e.temp_blocks = GetInt(q, "temp_blocks", -1, kInt64Min, kInt64Max);
    b.queries.push_back(std::move(e));
  }
  return b;
}

}  // namespace pgsift

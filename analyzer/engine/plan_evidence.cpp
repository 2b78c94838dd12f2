// Plan evidence for the index advisor: per query and table, did the plans
// read the table with a Seq Scan whose filter threw most rows away (an index
// would have skipped them), or through an index (the planner has one)?
// Only names and figures are kept; condition texts may hold values.
#include <algorithm>

#include "pgsift/indexes.h"

namespace pgsift {

void AddPlanEvidence(const ExplainPlan& plan, PlanEvidence* evidence) {
  ++evidence->plans;
  const PlanNode& root = plan.root;
  double plan_ms = root.has_actual ? root.actual_total_ms * std::max(1.0, root.actual_loops) : 0;
  if (plan.execution_ms > plan_ms) plan_ms = plan.execution_ms;
  std::map<std::string, TableScanEvidence> seen;  // this plan's tables
  // A Bitmap Index Scan names its index but not its table: the Bitmap Heap
  // Scan above it does.
  auto bitmap_indexes = [](const PlanNode& heap, std::vector<std::string>* out) {
    WalkPlan(heap, [&](const PlanNode& n, int) {
      if (n.node_type == "Bitmap Index Scan" && !n.index_name.empty()) out->push_back(n.index_name);
    });
  };
  WalkPlan(root, [&](const PlanNode& n, int) {
    if (n.relation.empty() || !n.IsScan()) return;
    TableScanEvidence& t = seen[n.relation];
    t.relation = n.relation;
    t.plans = 1;
    if (n.node_type == "Seq Scan") {
      if (n.filter.empty()) return;  // reads everything on purpose
      t.seq_scans = 1;
      if (n.has_actual) {
        double loops = std::max(1.0, n.actual_loops);
        ++t.analyzed;
        // EXPLAIN prints rows and rows removed per loop.
        t.rows_removed += static_cast<double>(n.rows_removed_by_filter) * loops;
        t.rows_returned += n.actual_rows * loops;
        t.loops += n.actual_loops;
        t.scan_ms += n.actual_total_ms * loops;
      }
    } else if (n.node_type == "Index Scan" || n.node_type == "Index Only Scan" || n.node_type == "Bitmap Heap Scan") {
      t.index_scans = 1;
      std::vector<std::string> names;
      if (!n.index_name.empty()) names.push_back(n.index_name);
      if (n.node_type == "Bitmap Heap Scan") bitmap_indexes(n, &names);
      for (const std::string& i : names) {
        TableScanEvidence one;
        one.indexes_used = {i};
        t.Merge(one);
      }
    }
  });
  for (auto& [name, t] : seen) {
    if (t.analyzed > 0) t.plan_ms = plan_ms;
    evidence->tables[name].Merge(t);
  }
}

namespace {

bool IdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool KeywordAt(std::string_view s, size_t i, std::string_view word) {
  if (i + word.size() > s.size() || (i > 0 && IdentChar(s[i - 1]))) return false;
  if (i + word.size() < s.size() && IdentChar(s[i + word.size()])) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    char c = s[i + k];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != word[k]) return false;
  }
  return true;
}

// The end of the quoted literal starting at `i` (a quote), '' escapes.
size_t LiteralEnd(std::string_view s, size_t i) {
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (s[j] != '\'') continue;
    if (j + 1 < s.size() && s[j + 1] == '\'') {
      ++j;
      continue;
    }
    return j;
  }
  return s.size();
}

// Whether the pattern literal at s[i] (a quote) starts with a fixed character.
bool PrefixPatternAt(std::string_view s, size_t i) {
  if (i + 1 >= s.size()) return false;
  char first = s[i + 1];
  return first != '%' && first != '_' && first != '\'' && first != '\\';
}

// The value of $n in "$1 = 'a', $2 = NULL": where its literal starts, or npos.
size_t ParameterLiteral(std::string_view parameters, std::string_view name) {
  for (size_t p = parameters.find(name); p != std::string_view::npos; p = parameters.find(name, p + 1)) {
    size_t after = p + name.size();
    if ((p > 0 && IdentChar(parameters[p - 1])) || (after < parameters.size() && IdentChar(parameters[after])))
      continue;
    if (parameters.substr(after, 3) != " = ") continue;
    return after + 3 < parameters.size() && parameters[after + 3] == '\'' ? after + 3 : std::string_view::npos;
  }
  return std::string_view::npos;
}

bool HasLike(std::string_view normalized) {
  for (size_t i = normalized.find_first_of("lL"); i != std::string_view::npos;
       i = normalized.find_first_of("lL", i + 1)) {
    if (KeywordAt(normalized, i, "LIKE")) return true;
  }
  return false;
}

}  // namespace

void CountLikePatterns(std::string_view s, std::string_view parameters, PlanEvidence* evidence) {
  bool negated = false;  // the last word was NOT
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == '\'') {
      i = LiteralEnd(s, i) + 1;
      continue;
    }
    if (c == '"') {
      size_t j = s.find('"', i + 1);
      i = j == std::string_view::npos ? s.size() : j + 1;
      continue;
    }
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      size_t j = s.find('\n', i);
      i = j == std::string_view::npos ? s.size() : j + 1;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t j = s.find("*/", i + 2);
      i = j == std::string_view::npos ? s.size() : j + 2;
      continue;
    }
    if (!IdentChar(c)) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < s.size() && IdentChar(s[end])) ++end;
    if (KeywordAt(s, i, "LIKE")) {
      size_t v = end;
      while (v < s.size() && (s[v] == ' ' || s[v] == '\n' || s[v] == '\t' || s[v] == '\r')) ++v;
      if (!negated) {
        bool prefix = false;
        if (v < s.size() && s[v] == '\'') {
          prefix = PrefixPatternAt(s, v);
        } else if (v < s.size() && s[v] == '$') {
          size_t e = v + 1;
          while (e < s.size() && s[e] >= '0' && s[e] <= '9') ++e;
          size_t lit = ParameterLiteral(parameters, s.substr(v, e - v));
          prefix = lit != std::string_view::npos && PrefixPatternAt(parameters, lit);
        }
        ++(prefix ? evidence->like_prefix : evidence->like_other);
      }
    }
    negated = KeywordAt(s, i, "NOT");
    i = end;
  }
}

void PlanEvidenceCollector::OnStatement(const Shape& shape, std::string_view sql, std::string_view parameters) {
  if (shape.fallback || shape.overflow || !HasLike(shape.normalized)) return;
  PlanEvidence one;
  CountLikePatterns(sql, parameters, &one);
  std::lock_guard<std::mutex> lock(mu_);
  PlanEvidence& e = evidence_[shape.fingerprint];
  e.like_prefix += one.like_prefix;
  e.like_other += one.like_other;
}

void PlanEvidenceCollector::OnPlan(const Shape& shape, std::string_view plan, bool json) {
  if (shape.fallback || shape.overflow) return;
  Result<ExplainPlan> p = json ? ReadExplainJson(plan) : ReadExplainText(plan);
  PlanEvidence one;
  if (p.ok()) {
    AddPlanEvidence(*p, &one);
  } else {
    one.unreadable = 1;
  }
  std::lock_guard<std::mutex> lock(mu_);
  PlanEvidence& e = evidence_[shape.fingerprint];
  e.plans += one.plans;
  e.unreadable += one.unreadable;
  for (const auto& [name, t] : one.tables) e.tables[name].Merge(t);
}

PlanEvidenceMap PlanEvidenceCollector::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::move(evidence_);
}

}  // namespace pgsift

// Reads EXPLAIN's text format (auto_explain's default) into the PlanNode
// model the JSON reader fills. The text is a tree drawn with indentation: a
// node line is "->  Description  (cost=...) (actual ...)" (the root has no
// arrow), its properties ("Filter: ...") are indented under it, and subplan
// labels ("SubPlan 1", "InitPlan 1 (returns $0)", "CTE x") precede their
// child. A node's parent is the nearest node above it drawn further left.
#include <charconv>
#include <cstdlib>
#include <string>
#include <vector>

#include "pgsift/plan.h"
#include "pgsift/text.h"

namespace pgsift {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Blanks before; blanks and a carriage return after (a piece of a plan line).
std::string_view TrimBlanks(std::string_view s) { return TrimRight(TrimLeft(s, " \t"), " \t\r"); }

double ToDouble(std::string_view s) {
  std::string buf(s);
  return std::strtod(buf.c_str(), nullptr);
}

// The value after `key` (e.g. "rows=") up to the next space or ')'.
std::string_view After(std::string_view s, std::string_view key) {
  size_t p = s.find(key);
  if (p == std::string_view::npos) return {};
  s.remove_prefix(p + key.size());
  size_t end = s.find_first_of(" )");
  return s.substr(0, end);
}

std::string Unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      out += s[i];
      if (s[i] == '"' && s[i + 1] == '"') ++i;
    }
    return out;
  }
  return std::string(s);
}

// "schema.table alias", "table alias", "table": into the node.
void SetRelation(std::string_view target, PlanNode* n) {
  target = TrimBlanks(target);
  std::string_view name = target, alias;
  // An identifier may be quoted and hold spaces: split on the first space
  // outside quotes.
  bool quoted = false;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == '"') quoted = !quoted;
    if (target[i] == ' ' && !quoted) {
      name = target.substr(0, i);
      alias = TrimBlanks(target.substr(i + 1));
      break;
    }
  }
  quoted = false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '"') quoted = !quoted;
    if (name[i] == '.' && !quoted) {
      n->schema = Unquote(name.substr(0, i));
      name = name.substr(i + 1);
      break;
    }
  }
  n->relation = Unquote(name);
  n->alias = alias.empty() ? n->relation : Unquote(alias);
}

// The description before the figures: "Index Scan Backward using i on t x".
void ParseDescription(std::string_view d, PlanNode* n) {
  if (StartsWith(d, "Parallel ")) {
    n->parallel_aware = true;
    d.remove_prefix(9);
  }
  static constexpr std::string_view kModify[] = {"Insert", "Update", "Delete", "Merge"};
  for (std::string_view op : kModify) {
    if (StartsWith(d, op) && StartsWith(d.substr(op.size()), " on ")) {
      n->node_type = "ModifyTable";
      n->operation = std::string(op);
      SetRelation(d.substr(op.size() + 4), n);
      return;
    }
  }
  size_t using_pos = d.find(" using ");
  if (using_pos != std::string_view::npos &&
      (d.substr(0, using_pos).ends_with("Scan") || d.substr(0, using_pos).ends_with("Backward"))) {
    std::string_view type = d.substr(0, using_pos);
    n->scan_direction = "Forward";
    if (type.ends_with(" Backward")) {
      type.remove_suffix(9);
      n->scan_direction = "Backward";
    }
    n->node_type = std::string(type);
    std::string_view rest = d.substr(using_pos + 7);
    size_t on = rest.find(" on ");
    n->index_name = Unquote(rest.substr(0, on));
    if (on != std::string_view::npos) SetRelation(rest.substr(on + 4), n);
    return;
  }
  size_t on = d.find(" on ");
  if (on != std::string_view::npos) {
    std::string_view type = d.substr(0, on), target = d.substr(on + 4);
    n->node_type = std::string(type);
    if (type == "Bitmap Index Scan") {
      n->index_name = Unquote(TrimBlanks(target));
    } else if (type == "CTE Scan") {
      SetRelation(target, n);
      n->cte_name = n->relation;
      n->relation.clear();
    } else if (type == "Function Scan") {
      SetRelation(target, n);
      n->function_name = n->relation;
      n->relation.clear();
    } else if (type == "Subquery Scan" || type == "Values Scan" || type == "WorkTable Scan" ||
               type == "Named Tuplestore Scan" || type == "Table Function Scan") {
      SetRelation(target, n);
      n->relation.clear();
    } else {
      SetRelation(target, n);
    }
    return;
  }
  // Joins: "Hash Left Join", "Nested Loop Anti Join", "Merge Join".
  static constexpr std::string_view kJoins[] = {"Hash", "Merge", "Nested Loop"};
  for (std::string_view j : kJoins) {
    if (!StartsWith(d, j)) continue;
    std::string_view rest = d.substr(j.size());
    if (j == "Nested Loop" && rest.empty()) {
      n->node_type = "Nested Loop";
      n->join_type = "Inner";
      return;
    }
    if (!rest.ends_with(" Join")) continue;
    rest.remove_suffix(5);
    n->node_type = j == "Nested Loop" ? "Nested Loop" : std::string(j) + " Join";
    n->join_type = rest.empty() ? "Inner" : std::string(TrimBlanks(rest));
    return;
  }
  struct Strategy {
    std::string_view text, type, strategy;
  };
  static constexpr Strategy kStrategies[] = {
      {"HashAggregate", "Aggregate", "Hashed"}, {"GroupAggregate", "Aggregate", "Sorted"},
      {"MixedAggregate", "Aggregate", "Mixed"}, {"Aggregate", "Aggregate", "Plain"},
      {"HashSetOp", "SetOp", "Hashed"},         {"SetOp", "SetOp", "Sorted"},
  };
  for (const Strategy& s : kStrategies) {
    if (StartsWith(d, s.text) && (d.size() == s.text.size() || d[s.text.size()] == ' ')) {
      n->node_type = std::string(s.type);
      n->strategy = std::string(s.strategy);
      return;
    }
  }
  n->node_type = std::string(d);
}

int64_t ToInt(std::string_view v) {
  int64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

// "(cost=0.29..8.30 rows=1 width=21) (actual time=0.01..0.02 rows=1 loops=1)"
void ParseFigures(std::string_view f, PlanNode* n) {
  size_t cost = f.find("(cost=");
  if (cost != std::string_view::npos) {
    std::string_view c = After(f.substr(cost), "cost=");
    size_t dots = c.find("..");
    if (dots != std::string_view::npos) {
      n->startup_cost = ToDouble(c.substr(0, dots));
      n->total_cost = ToDouble(c.substr(dots + 2));
    }
    std::string_view rest = f.substr(cost);
    rest = rest.substr(0, rest.find(')'));
    n->plan_rows = ToDouble(After(rest, "rows="));
    n->plan_width = ToInt(After(rest, "width="));
  }
  size_t actual = f.find("(actual ");
  if (actual != std::string_view::npos) {
    std::string_view a = f.substr(actual);
    a = a.substr(0, a.find(')') + 1);
    n->has_actual = true;
    std::string_view t = After(a, "time=");
    size_t dots = t.find("..");
    if (dots != std::string_view::npos) {
      n->actual_startup_ms = ToDouble(t.substr(0, dots));
      n->actual_total_ms = ToDouble(t.substr(dots + 2));
    }
    n->actual_rows = ToDouble(After(a, "rows="));
    n->actual_loops = ToDouble(After(a, "loops="));
  }
}

std::vector<std::string> SplitKeys(std::string_view v) {
  std::vector<std::string> out;
  int depth = 0;
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i <= v.size(); ++i) {
    if (i < v.size()) {
      char c = v[i];
      if (c == '\'') quoted = !quoted;
      if (quoted) continue;
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (!(c == ',' && depth == 0)) continue;
    }
    out.emplace_back(TrimBlanks(v.substr(start, i - start)));
    start = i + 1;
  }
  return out;
}

void SetProperty(std::string_view key, std::string_view value, PlanNode* n) {
  if (key == "Filter") {
    n->filter = std::string(value);
  } else if (key == "Join Filter") {
    n->join_filter = std::string(value);
  } else if (key == "Index Cond") {
    n->index_cond = std::string(value);
  } else if (key == "Recheck Cond") {
    n->recheck_cond = std::string(value);
  } else if (key == "Hash Cond") {
    n->hash_cond = std::string(value);
  } else if (key == "Merge Cond") {
    n->merge_cond = std::string(value);
  } else if (key == "Rows Removed by Filter") {
    n->rows_removed_by_filter = ToInt(value);
  } else if (key == "Rows Removed by Join Filter") {
    n->rows_removed_by_join_filter = ToInt(value);
  } else if (key == "Rows Removed by Index Recheck") {
    n->rows_removed_by_index_recheck = ToInt(value);
  } else if (key == "Sort Key") {
    n->sort_key = SplitKeys(value);
  } else if (key == "Group Key") {
    n->group_key = SplitKeys(value);
  } else if (key == "Workers Planned") {
    n->workers_planned = static_cast<int>(ToInt(value));
  } else if (key == "Buffers") {
    // "shared hit=3 read=1 dirtied=0, temp read=5 written=5"
    for (std::string_view part : SplitKeys(value)) {
      PlanBuffers& b = n->buffers;
      bool shared = StartsWith(part, "shared "), local = StartsWith(part, "local "), temp = StartsWith(part, "temp ");
      auto get = [&](std::string_view k) { return ToInt(After(part, k)); };
      if (shared) {
        b.shared_hit = get("hit="), b.shared_read = get("read="), b.shared_dirtied = get("dirtied="),
        b.shared_written = get("written=");
      } else if (local) {
        b.local_hit = get("hit="), b.local_read = get("read="), b.local_dirtied = get("dirtied="),
        b.local_written = get("written=");
      } else if (temp) {
        b.temp_read = get("read="), b.temp_written = get("written=");
      }
    }
  }
}

bool IsFigures(std::string_view line) {
  return line.find("(cost=") != std::string_view::npos || line.find("(actual ") != std::string_view::npos ||
         line.find("(never executed)") != std::string_view::npos;
}

struct Open {
  int indent;
  PlanNode* node;
};

}  // namespace

Result<ExplainPlan> ReadExplainText(std::string_view text) {
  ExplainPlan out;
  std::vector<Open> stack;
  std::string pending_label;
  int pending_indent = -1;
  size_t line_no = 0;
  bool have_root = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.front() == '\t') line.remove_prefix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t first = line.find_first_not_of(' ');
    if (first == std::string_view::npos) continue;
    int indent = static_cast<int>(first);
    std::string_view body = line.substr(first);
    bool arrow = StartsWith(body, "->  ");
    if (arrow || (!have_root && IsFigures(body))) {
      if (arrow) body.remove_prefix(4);
      PlanNode node;
      size_t figures = body.find("  (");
      if (figures == std::string_view::npos) figures = body.find(" (");
      ParseDescription(TrimBlanks(body.substr(0, figures)), &node);
      if (figures != std::string_view::npos) ParseFigures(body.substr(figures), &node);
      if (!have_root) {
        if (arrow) return Err("plan text line " + std::to_string(line_no) + ": a child node before the root");
        out.root = std::move(node);
        stack.push_back({-1, &out.root});
        have_root = true;
        continue;
      }
      if (stack.size() > 1000) return Err("plan nesting deeper than 1000 nodes");
      while (stack.size() > 1 && stack.back().indent >= indent) stack.pop_back();
      PlanNode* parent = stack.back().node;
      if (!pending_label.empty() && indent > pending_indent) {
        node.subplan_name = pending_label;
        node.parent_relationship = StartsWith(pending_label, "InitPlan") ? "InitPlan" : "SubPlan";
      } else if (parent->IsJoin()) {
        node.parent_relationship = parent->children.empty() ? "Outer" : "Inner";
      } else {
        node.parent_relationship = parent->children.empty() ? "Outer" : "Member";
      }
      pending_label.clear();
      parent->children.push_back(std::move(node));
      stack.push_back({indent, &parent->children.back()});
      continue;
    }
    if (!have_root) {
      // EXPLAIN without costs or figures is not what auto_explain writes.
      return Err("plan text line " + std::to_string(line_no) + ": no node with cost or actual figures");
    }
    if (StartsWith(body, "Planning Time: ") || StartsWith(body, "Execution Time: ")) {
      double ms = ToDouble(body.substr(body.find(": ") + 2));
      (StartsWith(body, "Planning") ? out.planning_ms : out.execution_ms) = ms;
      continue;
    }
    size_t colon = body.find(": ");
    if (colon == std::string_view::npos || StartsWith(body, "CTE ") || StartsWith(body, "SubPlan ") ||
        StartsWith(body, "InitPlan ")) {
      if (StartsWith(body, "SubPlan ") || StartsWith(body, "InitPlan ") || StartsWith(body, "CTE ")) {
        pending_label = std::string(body);
        pending_indent = indent;
        while (stack.size() > 1 && stack.back().indent >= indent) stack.pop_back();
      }
      continue;  // "Worker 0: ...", "Sort Method ...", labels
    }
    // A property belongs to the nearest node drawn left of it.
    while (stack.size() > 1 && stack.back().indent >= indent) stack.pop_back();
    SetProperty(body.substr(0, colon), TrimBlanks(body.substr(colon + 2)), stack.back().node);
  }
  if (!have_root) return Err("plan text has no node");
  out.analyzed = out.root.has_actual;
  return out;
}

}  // namespace pgsift

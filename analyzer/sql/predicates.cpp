// Predicate extraction from libpg_query's JSON parse tree. Each SELECT level
// gets a scope of its FROM items (base tables, subqueries, CTE references);
// a column reference is resolved in the innermost scope that knows its
// qualifier (or, unqualified, the only table that can have it), walking out
// for correlated subqueries. Subqueries and CTEs export the columns they pass
// through unchanged, so a filter on an outer alias lands on the base table.
#include "pgsift/canonical_expression.h"

#include <algorithm>
#include <map>
#include <optional>

#include "pgsift/query_predicates.h"
#include "pgsift/parse_tree.h"

namespace pgsift {

namespace {

using Json = nlohmann::json;
using sql::Member;
using sql::Sval;

std::string FunctionName(const Json& func_call) {
  std::string name;
  for (const Json& part : Member(func_call, "funcname")) {
    std::string p = Sval(part);
    if (p == "pg_catalog") continue;
    name += name.empty() ? p : "." + p;
  }
  return name;
}

struct BaseColumn {
  std::string schema, table, column;
  bool expression = false;
};

// A FROM item: a base table, or a derived table (subquery, CTE) that maps
// some of its output columns to base columns.
struct RangeItem {
  std::string name;  // alias, else relation name
  bool base = false;
  std::string schema, table;
  std::map<std::string, BaseColumn> outputs;  // derived: column -> base
};

struct Scope {
  std::vector<RangeItem> items;
  const Scope* parent = nullptr;
  std::map<std::string, RangeItem> ctes;  // visible CTEs of this level
};

class Extractor {
 public:
  explicit Extractor(const ColumnLookup& lookup) : lookup_(lookup) {}
  QueryPredicates out;

  void Statement(const Json& stmt) {
    if (!stmt.is_object() || stmt.empty()) return;
    const std::string kind = stmt.begin().key();
    const Json& n = stmt.begin().value();
    if (kind == "SelectStmt") {
      Select(n, nullptr);
    } else if (kind == "UpdateStmt" || kind == "DeleteStmt") {
      out.writes = true;
      Scope scope;
      WithClause(Member(n, "withClause"), &scope);
      scope.items.push_back(Relation(Member(n, "relation"), scope));
      for (const Json& f : Member(n, kind == "UpdateStmt" ? "fromClause" : "usingClause")) From(f, &scope);
      Where(Member(n, "whereClause"), scope);
    } else if (kind == "InsertStmt" || kind == "MergeStmt") {
      out.writes = true;
      AddTable(Member(n, "relation"));
      if (Member(n, "selectStmt").is_object()) Statement(n["selectStmt"]);
    } else if (kind == "ExplainStmt") {
      Statement(Member(n, "query"));
    }
  }

 private:
  const ColumnLookup& lookup_;

  void AddTable(const Json& rv) {
    std::string name = Member(rv, "relname").is_string() ? rv["relname"].get<std::string>() : "";
    if (name.empty()) return;
    std::string schema = Member(rv, "schemaname").is_string() ? rv["schemaname"].get<std::string>() : "";
    std::string q = schema.empty() ? name : schema + "." + name;
    if (std::find(out.tables.begin(), out.tables.end(), q) == out.tables.end()) out.tables.push_back(q);
  }

  const RangeItem* FindCte(const Scope& scope, const std::string& name) const {
    for (const Scope* s = &scope; s != nullptr; s = s->parent) {
      auto it = s->ctes.find(name);
      if (it != s->ctes.end()) return &it->second;
    }
    return nullptr;
  }

  RangeItem Relation(const Json& rv, const Scope& scope) {
    RangeItem item;
    std::string relname = Member(rv, "relname").is_string() ? rv["relname"].get<std::string>() : "";
    std::string schema = Member(rv, "schemaname").is_string() ? rv["schemaname"].get<std::string>() : "";
    const Json& alias = Member(Member(rv, "alias"), "aliasname");
    item.name = alias.is_string() ? alias.get<std::string>() : relname;
    if (schema.empty()) {
      if (const RangeItem* cte = FindCte(scope, relname)) {
        item.outputs = cte->outputs;
        return item;
      }
    }
    item.base = true;
    item.schema = schema;
    item.table = relname;
    AddTable(rv);
    return item;
  }

  void WithClause(const Json& with, Scope* scope) {
    for (const Json& c : Member(with, "ctes")) {
      const Json& cte = Member(c, "CommonTableExpr");
      std::string name = Member(cte, "ctename").is_string() ? cte["ctename"].get<std::string>() : "";
      RangeItem item;
      item.name = name;
      const Json& q = Member(cte, "ctequery");
      if (Member(q, "SelectStmt").is_object()) {
        item.outputs = Select(q["SelectStmt"], scope);
      } else {
        Statement(q);
      }
      // Column aliases of the CTE rename its outputs by position; only the
      // plain case (no aliases) is followed.
      if (!Member(cte, "aliascolnames").is_array())
        scope->ctes[name] = std::move(item);
      else
        scope->ctes[name] = RangeItem{name, false, "", "", {}};
    }
  }

  void From(const Json& node, Scope* scope) {
    if (Member(node, "RangeVar").is_object()) {
      scope->items.push_back(Relation(node["RangeVar"], *scope));
    } else if (Member(node, "JoinExpr").is_object()) {
      const Json& j = node["JoinExpr"];
      From(Member(j, "larg"), scope);
      From(Member(j, "rarg"), scope);
      pending_quals_.push_back(&Member(j, "quals"));
      for (const Json& u : Member(j, "usingClause")) {
        // USING (col): an equality on col in both sides.
        std::string col = Sval(u);
        for (const RangeItem& item : scope->items) AddUse(item, col, ColumnOp::kJoin);
      }
    } else if (Member(node, "RangeSubselect").is_object()) {
      const Json& rs = node["RangeSubselect"];
      RangeItem item;
      const Json& alias = Member(Member(rs, "alias"), "aliasname");
      item.name = alias.is_string() ? alias.get<std::string>() : "";
      const Json& sub = Member(rs, "subquery");
      // LATERAL subqueries see the items before them.
      if (Member(sub, "SelectStmt").is_object()) item.outputs = Select(sub["SelectStmt"], scope);
      scope->items.push_back(std::move(item));
    }
  }

  // Returns the output columns that are plain references to base columns.
  std::map<std::string, BaseColumn> Select(const Json& n, const Scope* parent) {
    std::map<std::string, BaseColumn> outputs;
    if (Member(n, "op").is_string() && n["op"].get<std::string>() != "SETOP_NONE") {
      Scope with_scope;
      with_scope.parent = parent;
      WithClause(Member(n, "withClause"), &with_scope);
      auto left = Select(Member(Member(n, "larg"), "SelectStmt"), &with_scope);
      Select(Member(Member(n, "rarg"), "SelectStmt"), &with_scope);
      return left;  // UNION outputs take the left side's names
    }
    Scope scope;
    scope.parent = parent;
    WithClause(Member(n, "withClause"), &scope);
    std::vector<const Json*> saved = std::move(pending_quals_);
    pending_quals_.clear();
    for (const Json& f : Member(n, "fromClause")) From(f, &scope);
    std::vector<const Json*> quals = std::move(pending_quals_);
    pending_quals_ = std::move(saved);
    for (const Json* q : quals) Where(*q, scope);
    Where(Member(n, "whereClause"), scope);
    Where(Member(n, "havingClause"), scope);
    if (Member(n, "limitCount").is_object()) out.limit = true;
    for (const Json& s : Member(n, "sortClause")) {
      const Json& node = Member(Member(s, "SortBy"), "node");
      if (auto col = Resolve(node, scope)) Add(*col, ColumnOp::kSort);
    }
    for (const Json& g : Member(n, "groupClause")) {
      if (auto col = Resolve(g, scope)) Add(*col, ColumnOp::kGroup);
    }
    // Subqueries in the select list are walked for their own predicates.
    for (const Json& t : Member(n, "targetList")) {
      const Json& rt = Member(t, "ResTarget");
      const Json& val = Member(rt, "val");
      Walk(val, scope);
      std::string name = Member(rt, "name").is_string() ? rt["name"].get<std::string>() : "";
      const Json& cr = Member(val, "ColumnRef");
      if (cr.is_object()) {
        const Json& fields = Member(cr, "fields");
        if (name.empty() && fields.is_array() && !fields.empty()) name = Sval(fields.back());
        if (fields.is_array() && !fields.empty() && Member(fields.back(), "A_Star").is_object()) {
          // SELECT * / t.*: every column of base items passes through.
          continue;
        }
      }
      if (auto col = Resolve(val, scope); col && !name.empty() && !col->expression) outputs[name] = *col;
    }
    for (const Json& v : Member(n, "valuesLists")) Walk(v, scope);
    return outputs;
  }

  // A column reference or a function of one column, resolved to its base.
  std::optional<BaseColumn> Resolve(const Json& node, const Scope& scope) {
    if (Member(node, "TypeCast").is_object()) return Resolve(Member(node["TypeCast"], "arg"), scope);
    if (Member(node, "FuncCall").is_object()) {
      const Json& fc = node["FuncCall"];
      const Json& args = Member(fc, "args");
      if (!args.is_array() || args.size() != 1) return std::nullopt;
      auto inner = Resolve(args[0], scope);
      if (!inner || inner->expression) return std::nullopt;
      inner->column = FunctionName(fc) + "(" + inner->column + ")";
      inner->expression = true;
      return inner;
    }
    const Json& cr = Member(node, "ColumnRef");
    if (!cr.is_object()) return std::nullopt;
    std::vector<std::string> parts;
    for (const Json& f : Member(cr, "fields")) {
      if (!Member(f, "String").is_object()) return std::nullopt;
      parts.push_back(Sval(f));
    }
    if (parts.empty() || parts.size() > 3) return std::nullopt;
    std::string column = parts.back();
    std::string qualifier = parts.size() >= 2 ? parts[parts.size() - 2] : "";
    for (const Scope* s = &scope; s != nullptr; s = s->parent) {
      std::vector<const RangeItem*> matches;
      for (const RangeItem& item : s->items) {
        if (!qualifier.empty()) {
          if (item.name == qualifier) matches.push_back(&item);
        } else if (!item.base) {
          if (item.outputs.count(column)) matches.push_back(&item);
        } else if (!lookup_ || lookup_(item.schema, item.table, column)) {
          matches.push_back(&item);
        }
      }
      // Unqualified and no schema to tell: only a single-table scope is sure.
      if (qualifier.empty() && !lookup_ && matches.size() > 1) return std::nullopt;
      if (matches.size() > 1) return std::nullopt;
      if (matches.size() == 1) {
        const RangeItem& item = *matches.front();
        if (item.base) return BaseColumn{item.schema, item.table, column, false};
        auto it = item.outputs.find(column);
        if (it == item.outputs.end()) return std::nullopt;
        return it->second;
      }
      if (!qualifier.empty()) continue;
      if (!s->items.empty() && !lookup_) return std::nullopt;  // not ours to guess
    }
    return std::nullopt;
  }

  void Add(const BaseColumn& col, ColumnOp op) {
    ColumnUse use{col.schema, col.table, col.column, col.expression, op};
    if (std::find(out.uses.begin(), out.uses.end(), use) == out.uses.end()) out.uses.push_back(std::move(use));
  }

  void AddUse(const RangeItem& item, const std::string& column, ColumnOp op) {
    if (item.base) {
      if (!lookup_ || lookup_(item.schema, item.table, column)) Add({item.schema, item.table, column, false}, op);
    } else if (auto it = item.outputs.find(column); it != item.outputs.end()) {
      Add(it->second, op);
    }
  }

  static bool IsValue(const Json& node) {
    if (Member(node, "TypeCast").is_object()) return IsValue(Member(node["TypeCast"], "arg"));
    return Member(node, "ParamRef").is_object() || Member(node, "A_Const").is_object();
  }

  static ColumnOp OperatorKind(const std::string& op) {
    if (op == "=") return ColumnOp::kEquality;
    if (op == "<" || op == ">" || op == "<=" || op == ">=") return ColumnOp::kRange;
    if (op == "~~") return ColumnOp::kLike;  // ILIKE (~~*): no btree prefix
    return ColumnOp::kOther;
  }

  void Comparison(const Json& lhs, const Json& rhs, ColumnOp op, const Scope& scope) {
    if (op == ColumnOp::kOther) {  // <>, @>, ...: no btree lookup; subqueries still count
      Walk(lhs, scope);
      Walk(rhs, scope);
      return;
    }
    auto l = Resolve(lhs, scope);
    auto r = Resolve(rhs, scope);
    if (l && r) {
      // column = column: a join condition (inner side of a nested loop).
      ColumnOp join_op = op == ColumnOp::kEquality ? ColumnOp::kJoin : op;
      Add(*l, join_op);
      Add(*r, join_op);
      return;
    }
    if (l && IsValue(rhs)) Add(*l, op);
    if (r && IsValue(lhs)) Add(*r, op);
    if (!l) Walk(lhs, scope);
    if (!r) Walk(rhs, scope);
  }

  void Where(const Json& node, const Scope& scope) {
    if (!node.is_object() || node.empty()) return;
    if (Member(node, "BoolExpr").is_object()) {
      const Json& b = node["BoolExpr"];
      bool negated = Member(b, "boolop").is_string() && b["boolop"].get<std::string>() == "NOT_EXPR";
      for (const Json& a : Member(b, "args")) {
        if (negated)
          Walk(a, scope);
        else
          Where(a, scope);
      }
      return;
    }
    if (Member(node, "A_Expr").is_object()) {
      const Json& e = node["A_Expr"];
      std::string kind = Member(e, "kind").is_string() ? e["kind"].get<std::string>() : "";
      std::string op;
      for (const Json& part : Member(e, "name")) op = Sval(part);
      const Json& lhs = Member(e, "lexpr");
      const Json& rhs = Member(e, "rexpr");
      if (kind == "AEXPR_OP") {
        Comparison(lhs, rhs, OperatorKind(op), scope);
      } else if (kind == "AEXPR_IN") {
        bool values = rhs.is_object() && Member(rhs, "List").is_object();
        if (auto l = Resolve(lhs, scope); l && op == "=" && values) Add(*l, ColumnOp::kIn);
        Walk(rhs, scope);
      } else if (kind == "AEXPR_OP_ANY") {
        if (auto l = Resolve(lhs, scope); l && op == "=") Add(*l, ColumnOp::kIn);
        Walk(rhs, scope);
      } else if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_BETWEEN_SYM") {
        if (auto l = Resolve(lhs, scope)) Add(*l, ColumnOp::kRange);
        Walk(rhs, scope);
      } else if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") {
        // ILIKE matches case-insensitively: no btree prefix serves it.
        if (auto l = Resolve(lhs, scope); l && kind == "AEXPR_LIKE" && op == "~~") Add(*l, ColumnOp::kLike);
      } else {
        Walk(node, scope);
      }
      return;
    }
    if (Member(node, "NullTest").is_object()) {
      const Json& t = node["NullTest"];
      std::string type = Member(t, "nulltesttype").is_string() ? t["nulltesttype"].get<std::string>() : "";
      if (auto col = Resolve(Member(t, "arg"), scope); col && type == "IS_NULL") Add(*col, ColumnOp::kIsNull);
      return;
    }
    Walk(node, scope);
  }

  // Anything else: look for subqueries (their own predicates, correlated to
  // this scope) without taking this level's columns as predicates.
  void Walk(const Json& node, const Scope& scope) {
    if (node.is_array()) {
      for (const Json& n : node) Walk(n, scope);
      return;
    }
    if (!node.is_object()) return;
    for (const auto& [key, value] : node.items()) {
      if (key == "SubLink") {
        const Json& sub = Member(value, "subselect");
        if (Member(sub, "SelectStmt").is_object()) {
          std::string type = Member(value, "subLinkType").is_string() ? value["subLinkType"].get<std::string>() : "";
          auto outputs = Select(sub["SelectStmt"], &scope);
          // x IN (SELECT col ...): a semi-join on x and col.
          if (type == "ANY_SUBLINK" && outputs.size() == 1) {
            if (auto l = Resolve(Member(value, "testexpr"), scope)) {
              Add(*l, ColumnOp::kJoin);
              Add(outputs.begin()->second, ColumnOp::kJoin);
            }
          }
        }
        continue;
      }
      if (key == "SelectStmt") {
        Select(value, &scope);
        continue;
      }
      Walk(value, scope);
    }
  }

  std::vector<const Json*> pending_quals_;
};

}  // namespace

namespace sql {

std::string CanonicalExpression(const Json& node) {
  if (Member(node, "TypeCast").is_object()) return CanonicalExpression(Member(node["TypeCast"], "arg"));
  if (Member(node, "ColumnRef").is_object()) {
    const Json& fields = Member(node["ColumnRef"], "fields");
    if (!fields.is_array() || fields.empty()) return "";
    return Sval(fields.back());
  }
  if (Member(node, "FuncCall").is_object()) {
    const Json& fc = node["FuncCall"];
    const Json& args = Member(fc, "args");
    if (!args.is_array() || args.size() != 1 || !Member(args[0], "ColumnRef").is_object()) return "";
    std::string inner = CanonicalExpression(args[0]);
    if (inner.empty()) return "";
    return FunctionName(fc) + "(" + inner + ")";
  }
  return "";
}

}  // namespace sql

std::string_view ColumnOpName(ColumnOp op) {
  switch (op) {
    case ColumnOp::kEquality:
      return "=";
    case ColumnOp::kIn:
      return "IN";
    case ColumnOp::kIsNull:
      return "IS NULL";
    case ColumnOp::kJoin:
      return "join";
    case ColumnOp::kRange:
      return "range";
    case ColumnOp::kLike:
      return "LIKE";
    case ColumnOp::kSort:
      return "ORDER BY";
    case ColumnOp::kGroup:
      return "GROUP BY";
    case ColumnOp::kOther:
      return "other";
  }
  return "other";
}

bool IsEqualityLike(ColumnOp op) {
  return op == ColumnOp::kEquality || op == ColumnOp::kIn || op == ColumnOp::kIsNull || op == ColumnOp::kJoin;
}

QueryPredicates ExtractPredicates(std::string_view sql, const ColumnLookup& lookup) {
  sql::PgParseStatements parsed = sql::ParseStatements(sql);
  Extractor x(lookup);
  if (!parsed.ok) {
    x.out.error = parsed.error;
    return std::move(x.out);
  }
  for (const Json& st : parsed.statements) x.Statement(Member(st, "stmt"));
  x.out.ok = true;
  return std::move(x.out);
}

}  // namespace pgsift

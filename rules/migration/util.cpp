#include "migration/util.h"

#include <algorithm>
#include <map>
#include <set>

namespace pgsift::migration {

std::string QualifiedName(const Json& range_var) {
  std::string schema = Str(range_var, "schemaname");
  return schema.empty() ? Str(range_var, "relname") : schema + "." + Str(range_var, "relname");
}

std::string RelName(const Json& range_var) { return Str(range_var, "relname"); }

std::string TypeBaseName(const Json& type_name) {
  const Json& names = Member(type_name, "names");
  if (!names.is_array() || names.empty()) return "";
  return Sval(names.back());
}

std::string TypeDisplay(const Json& type_name) {
  static const std::map<std::string, std::string> kSpelled = {
      {"int2", "smallint"},  {"int4", "integer"},        {"int8", "bigint"},
      {"bpchar", "char"},    {"float4", "real"},         {"float8", "double precision"},
      {"bool", "boolean"},   {"timestamp", "timestamp"}, {"timestamptz", "timestamptz"},
      {"varchar", "varchar"}};
  std::string out = TypeBaseName(type_name);
  if (auto it = kSpelled.find(out); it != kSpelled.end()) out = it->second;
  const Json& mods = Member(type_name, "typmods");
  if (mods.is_array() && !mods.empty()) {
    out += "(";
    bool first = true;
    for (const Json& m : mods) {
      const Json& c = Member(m, "A_Const");
      if (!first) out += ",";
      first = false;
      const Json& ival = Member(Member(c, "ival"), "ival");
      out += ival.is_number_integer() ? std::to_string(ival.get<int64_t>()) : "?";
    }
    out += ")";
  }
  return out;
}

std::vector<const Json*> AlterCmds(const MigrationStatement& st) {
  std::vector<const Json*> out;
  if (st.kind != "AlterTableStmt") return out;
  const Json& n = st.Node();
  std::string objtype = Str(n, "objtype");
  if (objtype != "OBJECT_TABLE" && !objtype.empty()) return out;
  for (const Json& c : Member(n, "cmds")) {
    const Json& cmd = Member(c, "AlterTableCmd");
    if (cmd.is_object()) out.push_back(&cmd);
  }
  return out;
}

std::vector<ColumnDefAt> ColumnDefs(const MigrationStatement& st) {
  std::vector<ColumnDefAt> out;
  if (st.kind == "CreateStmt") {
    std::string table = RelName(Member(st.Node(), "relation"));
    for (const Json& e : Member(st.Node(), "tableElts")) {
      const Json& def = Member(e, "ColumnDef");
      if (def.is_object()) out.push_back({&def, table, true});
    }
  }
  for (const Json* cmd : AlterCmds(st)) {
    if (Str(*cmd, "subtype") != "AT_AddColumn") continue;
    const Json& def = Member(Member(*cmd, "def"), "ColumnDef");
    if (def.is_object()) out.push_back({&def, RelName(Member(st.Node(), "relation")), false});
  }
  return out;
}

std::vector<const Json*> ColumnConstraints(const Json& column_def) {
  std::vector<const Json*> out;
  for (const Json& c : Member(column_def, "constraints")) {
    const Json& con = Member(c, "Constraint");
    if (con.is_object()) out.push_back(&con);
  }
  return out;
}

std::vector<TypedColumn> TypedColumns(const MigrationStatement& st) {
  std::vector<TypedColumn> out;
  for (const ColumnDefAt& c : ColumnDefs(st)) out.push_back({Str(*c.def, "colname"), &Member(*c.def, "typeName")});
  for (const Json* cmd : AlterCmds(st)) {
    if (Str(*cmd, "subtype") != "AT_AlterColumnType") continue;
    out.push_back({Str(*cmd, "name"), &Member(Member(Member(*cmd, "def"), "ColumnDef"), "typeName")});
  }
  return out;
}

std::string LockedTable(const MigrationStatement& st) {
  const Json& n = st.Node();
  if (st.kind == "AlterTableStmt") return RelName(Member(n, "relation"));
  if (st.kind == "CreateStmt") {
    // A new table's foreign keys lock the referenced tables (SHARE ROW
    // EXCLUSIVE) while the constraint is created.
    for (const Json& e : Member(n, "tableElts")) {
      std::vector<const Json*> cons;
      if (Member(e, "Constraint").is_object()) cons.push_back(&Member(e, "Constraint"));
      for (const Json* c : ColumnConstraints(Member(e, "ColumnDef"))) cons.push_back(c);
      for (const Json* c : cons) {
        if (Str(*c, "contype") == "CONSTR_FOREIGN") return RelName(Member(*c, "pktable"));
      }
    }
    return "";
  }
  if (st.kind == "IndexStmt") return Bool(n, "concurrent") ? "" : RelName(Member(n, "relation"));
  if (st.kind == "CreateTrigStmt") return RelName(Member(n, "relation"));  // SHARE ROW EXCLUSIVE
  if (st.kind == "RenameStmt") return RelName(Member(n, "relation"));
  if (st.kind == "ReindexStmt") {
    for (const Json& p : Member(n, "params")) {
      if (Str(Member(p, "DefElem"), "defname") == "concurrently") return "";
    }
    return RelName(Member(n, "relation"));
  }
  if (st.kind == "TruncateStmt") {
    const Json& rels = Member(n, "relations");
    return rels.is_array() && !rels.empty() ? RelName(Member(rels.front(), "RangeVar")) : "";
  }
  if (st.kind == "VacuumStmt" || st.kind == "ClusterStmt") {  // FULL / CLUSTER: ACCESS EXCLUSIVE
    std::optional<TableRewrite> rewrite = Rewrite(st, 15);
    return rewrite ? rewrite->table : "";
  }
  if (st.kind == "DropStmt" && Str(n, "removeType") == "OBJECT_TRIGGER") {
    // DROP TRIGGER name ON [schema.]table: ACCESS EXCLUSIVE on the table.
    const Json& objs = Member(n, "objects");
    if (!objs.is_array() || objs.empty()) return "";
    const Json& items = Member(Member(objs.front(), "List"), "items");
    return items.is_array() && items.size() >= 2 ? Sval(items[items.size() - 2]) : "";
  }
  if (st.kind == "DropStmt") {
    static const std::set<std::string> kRelations = {"OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_SEQUENCE",
                                                     "OBJECT_FOREIGN_TABLE"};
    std::string type = Str(n, "removeType");
    if (!kRelations.count(type) && !(type == "OBJECT_INDEX" && !Bool(n, "concurrent"))) return "";
    const Json& objs = Member(n, "objects");
    if (!objs.is_array() || objs.empty()) return "";
    const Json& items = Member(Member(objs.front(), "List"), "items");
    return items.is_array() && !items.empty() ? Sval(items.back()) : "";
  }
  return "";
}

std::optional<TableLock> BlockingLock(const MigrationStatement& st) {
  std::string table = LockedTable(st);
  if (table.empty()) return std::nullopt;
  if (st.kind == "IndexStmt") return TableLock{table, "SHARE", false};
  if (st.kind == "ReindexStmt") return TableLock{table, "SHARE", false};
  if (st.kind == "CreateStmt") return TableLock{table, "SHARE ROW EXCLUSIVE", false};
  if (st.kind == "CreateTrigStmt") return TableLock{table, "SHARE ROW EXCLUSIVE", false};
  if (st.kind == "AlterTableStmt") {
    bool only_fk = true, only_validate = true;
    for (const Json* cmd : AlterCmds(st)) {
      std::string sub = Str(*cmd, "subtype");
      if (sub != "AT_ValidateConstraint") only_validate = false;
      bool fk =
          sub == "AT_AddConstraint" && Str(Member(Member(*cmd, "def"), "Constraint"), "contype") == "CONSTR_FOREIGN";
      if (!fk) only_fk = false;
    }
    if (only_validate) return std::nullopt;  // SHARE UPDATE EXCLUSIVE
    if (only_fk) return TableLock{table, "SHARE ROW EXCLUSIVE", false};
  }
  return TableLock{table, "ACCESS EXCLUSIVE", true};
}

std::vector<std::string> ReferencedTables(const MigrationStatement& st) {
  std::vector<const Json*> cons;
  const Json& n = st.Node();
  if (st.kind == "CreateStmt") {
    for (const Json& e : Member(n, "tableElts")) {
      if (Member(e, "Constraint").is_object()) cons.push_back(&Member(e, "Constraint"));
      for (const Json* c : ColumnConstraints(Member(e, "ColumnDef"))) cons.push_back(c);
    }
  }
  for (const Json* cmd : AlterCmds(st)) {
    std::string sub = Str(*cmd, "subtype");
    if (sub == "AT_AddConstraint") cons.push_back(&Member(Member(*cmd, "def"), "Constraint"));
    if (sub == "AT_AddColumn") {
      for (const Json* c : ColumnConstraints(Member(Member(*cmd, "def"), "ColumnDef"))) cons.push_back(c);
    }
  }
  std::vector<std::string> out;
  for (const Json* c : cons) {
    if (Str(*c, "contype") != "CONSTR_FOREIGN") continue;
    std::string t = RelName(Member(*c, "pktable"));
    if (!t.empty() && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  return out;
}

std::vector<TableLock> TableLocks(const MigrationStatement& st) {
  std::vector<TableLock> out;
  if (st.kind != "CreateStmt") {
    if (std::optional<TableLock> lock = BlockingLock(st)) out.push_back(*lock);
  }
  for (const std::string& t : ReferencedTables(st)) {
    bool seen = std::any_of(out.begin(), out.end(), [&](const TableLock& l) { return l.table == t; });
    if (!seen) out.push_back(TableLock{t, "SHARE ROW EXCLUSIVE", false});
  }
  return out;
}

std::optional<TableLock> ExistingTableLock(const MigrationFile& file, size_t index) {
  const MigrationStatement& st = file.statements[index];
  // A new table's foreign key to itself locks nothing that exists.
  std::string created = st.kind == "CreateStmt" ? RelName(Member(st.Node(), "relation")) : "";
  std::optional<TableLock> out;
  for (TableLock& lock : TableLocks(st)) {
    if (lock.table == created || file.CreatedBefore(lock.table, index)) continue;
    if (!out || (lock.blocks_reads && !out->blocks_reads)) out = std::move(lock);
  }
  return out;
}

// Functions whose result is fixed for the statement (immutable or stable),
// so PostgreSQL 11+ stores the default once instead of rewriting the table.
static bool NonVolatile(const std::string& name) {
  static const std::set<std::string> kSafe = {"now",
                                              "statement_timestamp",
                                              "transaction_timestamp",
                                              "current_timestamp",
                                              "current_date",
                                              "localtimestamp",
                                              "lower",
                                              "upper",
                                              "btrim",
                                              "trim",
                                              "concat",
                                              "coalesce",
                                              "greatest",
                                              "least",
                                              "abs",
                                              "round",
                                              "length",
                                              "to_jsonb",
                                              "to_json",
                                              "jsonb_build_object",
                                              "json_build_object",
                                              "jsonb_build_array",
                                              "array_length",
                                              "make_interval",
                                              "make_date",
                                              "make_timestamp",
                                              "make_timestamptz",
                                              "timezone",
                                              "date_trunc",
                                              "md5"};
  return kSafe.count(name) > 0;
}

// The name of the first function call in `expr` that may be volatile.
std::string VolatileCall(const Json& expr) {
  if (expr.is_array()) {
    for (const Json& e : expr) {
      if (std::string f = VolatileCall(e); !f.empty()) return f;
    }
    return "";
  }
  if (!expr.is_object()) return "";
  for (const auto& [key, value] : expr.items()) {
    if (key == "FuncCall") {
      const Json& names = Member(value, "funcname");
      std::string name = names.is_array() && !names.empty() ? Sval(names.back()) : "";
      if (!NonVolatile(name)) return name;
    }
    if (std::string f = VolatileCall(value); !f.empty()) return f;
  }
  return "";
}

std::optional<TableRewrite> Rewrite(const MigrationStatement& st, int pg_version) {
  const Json& node = st.Node();
  if (st.kind == "VacuumStmt") {
    bool full = false;
    for (const Json& opt : Member(node, "options")) full |= Str(Member(opt, "DefElem"), "defname") == "full";
    if (!full) return std::nullopt;
    for (const Json& rel : Member(node, "rels")) {
      std::string table = RelName(Member(Member(rel, "VacuumRelation"), "relation"));
      if (!table.empty()) return TableRewrite{table, "VACUUM FULL"};
    }
    return std::nullopt;  // the whole database: not one table
  }
  if (st.kind == "ClusterStmt") {
    std::string table = RelName(Member(node, "relation"));
    if (table.empty()) return std::nullopt;
    return TableRewrite{table, "CLUSTER"};
  }
  if (st.kind != "AlterTableStmt") return std::nullopt;
  std::string table = RelName(Member(node, "relation"));
  for (const Json* cmd : AlterCmds(st)) {
    std::string sub = Str(*cmd, "subtype");
    if (sub == "AT_AlterColumnType") return TableRewrite{table, "ALTER COLUMN " + Str(*cmd, "name") + " TYPE"};
    if (sub == "AT_SetLogged" || sub == "AT_SetUnLogged") {
      return TableRewrite{table, sub == "AT_SetLogged" ? "SET LOGGED" : "SET UNLOGGED"};
    }
    if (sub == "AT_SetTableSpace") return TableRewrite{table, "SET TABLESPACE"};
    if (sub == "AT_SetAccessMethod") return TableRewrite{table, "SET ACCESS METHOD"};
  }
  for (const ColumnDefAt& col : ColumnDefs(st)) {
    if (col.in_create_table) continue;
    std::string column = Str(*col.def, "colname");
    for (const Json* con : ColumnConstraints(*col.def)) {
      std::string type = Str(*con, "contype");
      if (type == "CONSTR_GENERATED") return TableRewrite{col.table, "ADD COLUMN " + column + " GENERATED ... STORED"};
      if (type != "CONSTR_DEFAULT") continue;
      if (pg_version < 11) return TableRewrite{col.table, "ADD COLUMN " + column + " DEFAULT (before PostgreSQL 11)"};
      std::string fn = VolatileCall(Member(*con, "raw_expr"));
      if (!fn.empty()) return TableRewrite{col.table, "ADD COLUMN " + column + " DEFAULT " + fn + "()"};
    }
  }
  return std::nullopt;
}

}  // namespace pgsift::migration

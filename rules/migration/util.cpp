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

std::string SchemaName(const Json& range_var) { return Str(range_var, "schemaname"); }

QualifiedTable ObjectName(const Json& list_object) {
  const Json& items = Member(Member(list_object, "List"), "items");
  if (!items.is_array() || items.empty()) return {};
  return {items.size() >= 2 ? Sval(items[items.size() - 2]) : "", Sval(items.back())};
}

namespace {

// LockStmt.mode (lockdefs.h: AccessShareLock = 1 ... AccessExclusiveLock = 8).
const char* LockModeName(int mode) {
  static const char* kNames[] = {"",      "ACCESS SHARE",        "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
                                 "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"};
  return mode >= 1 && mode <= 8 ? kNames[mode] : "";
}

// The tables of LOCK TABLE and the mode it names (8 when none is named).
std::vector<QualifiedTable> LockStmtTables(const Json& n, int* mode) {
  const Json& m = Member(n, "mode");
  *mode = m.is_number_integer() ? m.get<int>() : 8;
  std::vector<QualifiedTable> out;
  for (const Json& r : Member(n, "relations")) {
    const Json& rv = Member(r, "RangeVar");
    if (!RelName(rv).empty()) out.push_back({SchemaName(rv), RelName(rv)});
  }
  return out;
}

}  // namespace

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

namespace {

QualifiedTable Rel(const Json& range_var) { return {SchemaName(range_var), RelName(range_var)}; }

QualifiedTable LockedRelation(const MigrationStatement& st) {
  const Json& n = st.Node();
  if (st.kind == "AlterTableStmt") return Rel(Member(n, "relation"));
  if (st.kind == "CreateStmt") {
    // A new table's foreign keys lock the referenced tables (SHARE ROW
    // EXCLUSIVE) while the constraint is created.
    for (const Json& e : Member(n, "tableElts")) {
      std::vector<const Json*> cons;
      if (Member(e, "Constraint").is_object()) cons.push_back(&Member(e, "Constraint"));
      for (const Json* c : ColumnConstraints(Member(e, "ColumnDef"))) cons.push_back(c);
      for (const Json* c : cons) {
        if (Str(*c, "contype") == "CONSTR_FOREIGN") return Rel(Member(*c, "pktable"));
      }
    }
    return {};
  }
  if (st.kind == "IndexStmt") return Bool(n, "concurrent") ? QualifiedTable{} : Rel(Member(n, "relation"));
  if (st.kind == "RefreshMatViewStmt") return Rel(Member(n, "relation"));
  if (st.kind == "CreateTrigStmt") return Rel(Member(n, "relation"));  // SHARE ROW EXCLUSIVE
  if (st.kind == "RenameStmt") {
    // ALTER INDEX ... RENAME: see StatementLocks (it depends on the version).
    return Str(n, "renameType") == "OBJECT_INDEX" ? QualifiedTable{} : Rel(Member(n, "relation"));
  }
  if (st.kind == "ReindexStmt") {
    for (const Json& p : Member(n, "params")) {
      if (Str(Member(p, "DefElem"), "defname") == "concurrently") return {};
    }
    return Rel(Member(n, "relation"));
  }
  if (st.kind == "TruncateStmt") {
    const Json& rels = Member(n, "relations");
    return rels.is_array() && !rels.empty() ? Rel(Member(rels.front(), "RangeVar")) : QualifiedTable{};
  }
  if (st.kind == "VacuumStmt" || st.kind == "ClusterStmt") {  // FULL / CLUSTER: ACCESS EXCLUSIVE
    std::optional<TableRewrite> rewrite = Rewrite(st, 15);
    return rewrite ? QualifiedTable{rewrite->schema, rewrite->table} : QualifiedTable{};
  }
  if (st.kind == "DropStmt" && Str(n, "removeType") == "OBJECT_TRIGGER") {
    // DROP TRIGGER name ON [schema.]table: ACCESS EXCLUSIVE on the table.
    const Json& objs = Member(n, "objects");
    if (!objs.is_array() || objs.empty()) return {};
    const Json& items = Member(Member(objs.front(), "List"), "items");
    if (!items.is_array() || items.size() < 2) return {};
    return {items.size() >= 3 ? Sval(items[items.size() - 3]) : "", Sval(items[items.size() - 2])};
  }
  if (st.kind == "DropStmt") {
    static const std::set<std::string> kRelations = {"OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_SEQUENCE",
                                                     "OBJECT_FOREIGN_TABLE"};
    std::string type = Str(n, "removeType");
    if (!kRelations.count(type) && !(type == "OBJECT_INDEX" && !Bool(n, "concurrent"))) return {};
    const Json& objs = Member(n, "objects");
    if (!objs.is_array() || objs.empty()) return {};
    return ObjectName(objs.front());
  }
  if (st.kind == "LockStmt") {  // LOCK TABLE: a mode below SHARE blocks no write
    int mode = 0;
    std::vector<QualifiedTable> tables = LockStmtTables(n, &mode);
    return mode >= 5 && !tables.empty() ? tables.front() : QualifiedTable{};
  }
  return {};
}

}  // namespace

std::string LockedTable(const MigrationStatement& st) { return LockedRelation(st).table; }

std::optional<TableLock> BlockingLock(const MigrationStatement& st) {
  QualifiedTable rel = LockedRelation(st);
  const std::string& table = rel.table;
  if (table.empty()) return std::nullopt;
  auto lock = [&](const char* mode, bool blocks_reads) { return TableLock{rel.schema, table, mode, blocks_reads}; };
  if (st.kind == "IndexStmt") return lock("SHARE", false);
  if (st.kind == "ReindexStmt") return lock("SHARE", false);
  if (st.kind == "CreateStmt") return lock("SHARE ROW EXCLUSIVE", false);
  if (st.kind == "CreateTrigStmt") return lock("SHARE ROW EXCLUSIVE", false);
  if (st.kind == "LockStmt") {
    int mode = 0;
    LockStmtTables(st.Node(), &mode);
    return lock(LockModeName(mode), mode == 8);
  }
  if (st.kind == "RefreshMatViewStmt") {
    // CONCURRENTLY: EXCLUSIVE (reads go on); else ACCESS EXCLUSIVE and a new file.
    if (Bool(st.Node(), "concurrent")) return lock("EXCLUSIVE", false);
    return lock("ACCESS EXCLUSIVE", true);
  }
  if (st.kind == "AlterTableStmt") {
    // Foreign keys and ENABLE/DISABLE TRIGGER take SHARE ROW EXCLUSIVE (reads
    // go on); VALIDATE CONSTRAINT and DETACH PARTITION ... CONCURRENTLY
    // SHARE UPDATE EXCLUSIVE (nothing waits).
    static const std::set<std::string> kTriggerToggles = {
        "AT_EnableTrig",     "AT_EnableAlwaysTrig", "AT_EnableReplicaTrig", "AT_DisableTrig",
        "AT_EnableTrigAll",  "AT_DisableTrigAll",   "AT_EnableTrigUser",    "AT_DisableTrigUser"};
    bool only_share_row = true, only_share_update = true;
    for (const Json* cmd : AlterCmds(st)) {
      std::string sub = Str(*cmd, "subtype");
      bool detach_concurrently =
          sub == "AT_DetachPartition" && Bool(Member(Member(*cmd, "def"), "PartitionCmd"), "concurrent");
      if (sub != "AT_ValidateConstraint" && !detach_concurrently) only_share_update = false;
      bool fk =
          sub == "AT_AddConstraint" && Str(Member(Member(*cmd, "def"), "Constraint"), "contype") == "CONSTR_FOREIGN";
      if (!fk && !kTriggerToggles.count(sub)) only_share_row = false;
    }
    if (only_share_update) return std::nullopt;
    if (only_share_row) return lock("SHARE ROW EXCLUSIVE", false);
  }
  return lock("ACCESS EXCLUSIVE", true);
}

std::vector<std::string> ReferencedTables(const MigrationStatement& st) {
  std::vector<std::string> out;
  for (const QualifiedTable& t : ReferencedRelations(st)) {
    if (std::find(out.begin(), out.end(), t.table) == out.end()) out.push_back(t.table);
  }
  return out;
}

std::vector<QualifiedTable> ReferencedRelations(const MigrationStatement& st) {
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
  std::vector<QualifiedTable> out;
  for (const Json* c : cons) {
    if (Str(*c, "contype") != "CONSTR_FOREIGN") continue;
    QualifiedTable t{SchemaName(Member(*c, "pktable")), RelName(Member(*c, "pktable"))};
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const QualifiedTable& o) { return o.table == t.table && o.schema == t.schema; });
    if (!t.table.empty() && !seen) out.push_back(t);
  }
  return out;
}

std::vector<TableLock> TableLocks(const MigrationStatement& st) {
  std::vector<TableLock> out;
  if (st.kind != "CreateStmt") {
    if (std::optional<TableLock> lock = BlockingLock(st)) out.push_back(*lock);
  }
  if (st.kind == "LockStmt" && !out.empty()) {  // LOCK TABLE a, b: each in the mode
    int mode = 0;
    std::vector<QualifiedTable> tables = LockStmtTables(st.Node(), &mode);
    for (size_t i = 1; i < tables.size(); ++i) {
      out.push_back(TableLock{tables[i].schema, tables[i].table, out.front().mode, out.front().blocks_reads});
    }
  }
  for (const QualifiedTable& t : ReferencedRelations(st)) {
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const TableLock& l) { return l.table == t.table && l.schema == t.schema; });
    if (!seen) out.push_back(TableLock{t.schema, t.table, "SHARE ROW EXCLUSIVE", false});
  }
  return out;
}

bool DoBodyUnread(const MigrationFile& file, size_t index) {
  const MigrationStatement& st = file.statements[index];
  if (st.kind != "DoStmt") return false;
  return std::any_of(file.unparsed.begin(), file.unparsed.end(), [&](const MigrationFile::Unparsed& u) {
    return u.statement.offset == st.offset && u.error.rfind("DO body: ", 0) == 0;
  });
}

std::optional<QualifiedTable> IndexTable(const MigrationFile& file, const std::string& schema,
                                         const std::string& index_name, size_t index) {
  std::string key = RelationKey(schema, index_name);
  for (size_t i = index; i-- > 0;) {
    const MigrationStatement& st = file.statements[i];
    if (st.kind != "IndexStmt" || Str(st.Node(), "idxname") != index_name) continue;
    const Json& rel = Member(st.Node(), "relation");  // an index is made in its table's schema
    if (RelationKey(SchemaName(rel), index_name) == key) return QualifiedTable{SchemaName(rel), RelName(rel)};
  }
  if (file.indexes != nullptr) {
    if (auto it = file.indexes->find(key); it != file.indexes->end()) {
      return QualifiedTable{it->second.schema, it->second.table};
    }
  }
  return std::nullopt;
}

std::vector<TableLock> StatementLocks(const MigrationFile& file, size_t index) {
  const MigrationStatement& st = file.statements[index];
  const Json& n = st.Node();
  if (st.kind == "DoStmt") {
    if (!DoBodyUnread(file, index)) return {};
    TableLock lock{"", "", "ACCESS EXCLUSIVE", true};
    lock.unknown = true;
    return {lock};
  }
  if (st.kind == "RenameStmt" && Str(n, "renameType") == "OBJECT_INDEX") {
    if (file.pg_version >= 12) return {};  // SHARE UPDATE EXCLUSIVE on the index: blocks no query
    return {TableLock{SchemaName(Member(n, "relation")), RelName(Member(n, "relation")), "ACCESS EXCLUSIVE", true}};
  }
  std::vector<TableLock> out = TableLocks(st);
  if (st.kind == "AlterTableStmt") {
    // ATTACH/DETACH PARTITION lock the partition ACCESS EXCLUSIVE; ATTACH
    // takes only SHARE UPDATE EXCLUSIVE on the parent from PostgreSQL 12.
    bool only_attach = true;
    std::vector<QualifiedTable> partitions;
    for (const Json* cmd : AlterCmds(st)) {
      std::string sub = Str(*cmd, "subtype");
      if (sub != "AT_AttachPartition") only_attach = false;
      if (sub != "AT_AttachPartition" && sub != "AT_DetachPartition") continue;
      const Json& pc = Member(Member(*cmd, "def"), "PartitionCmd");
      if (!Bool(pc, "concurrent")) partitions.push_back({SchemaName(Member(pc, "name")), RelName(Member(pc, "name"))});
    }
    if (only_attach && !partitions.empty() && file.pg_version >= 12) out.clear();
    for (const QualifiedTable& p : partitions) {
      bool seen = std::any_of(out.begin(), out.end(),
                              [&](const TableLock& l) { return l.table == p.table && l.schema == p.schema; });
      if (!p.table.empty() && !seen) out.push_back(TableLock{p.schema, p.table, "ACCESS EXCLUSIVE", true});
    }
  }
  if (st.kind == "DropStmt" && Str(n, "removeType") == "OBJECT_INDEX" && !Bool(n, "concurrent")) {
    // DROP INDEX locks the index's table: name the table where it is known.
    out.clear();
    for (const Json& obj : Member(n, "objects")) {
      QualifiedTable name = ObjectName(obj);
      if (name.table.empty()) continue;
      QualifiedTable on = IndexTable(file, name.schema, name.table, index).value_or(name);
      TableLock lock{on.schema, on.table, "ACCESS EXCLUSIVE", true};
      bool seen = std::any_of(out.begin(), out.end(),
                              [&](const TableLock& l) { return l.table == lock.table && l.schema == lock.schema; });
      if (!seen) out.push_back(std::move(lock));
    }
  }
  return out;
}

std::optional<TableLock> ExistingTableLock(const MigrationFile& file, size_t index) {
  const MigrationStatement& st = file.statements[index];
  // A new table's foreign key to itself locks nothing that exists.
  std::string created = st.kind == "CreateStmt" ? RelName(Member(st.Node(), "relation")) : "";
  std::optional<TableLock> out;
  for (TableLock& lock : StatementLocks(file, index)) {
    if (!lock.unknown && (lock.table == created || file.CreatedBefore(lock.table, index))) continue;
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

namespace {

std::vector<int64_t> Typmods(const Json& type_name) {
  std::vector<int64_t> out;
  for (const Json& m : Member(type_name, "typmods")) {
    const Json& c = Member(m, "A_Const");
    if (!c.contains("ival")) return {-1};  // not a plain integer: unknown
    const Json& ival = Member(Member(c, "ival"), "ival");
    out.push_back(ival.is_number_integer() ? ival.get<int64_t>() : 0);  // 0 is left out of the tree
  }
  return out;
}

// The rewrite of statement `index` (of `file` when given: it knows the types
// before an ALTER COLUMN TYPE).
std::optional<TableRewrite> RewriteOf(const MigrationStatement& st, int pg_version, const MigrationFile* file,
                                      size_t index) {
  const Json& node = st.Node();
  if (st.kind == "VacuumStmt") {
    bool full = false;
    for (const Json& opt : Member(node, "options")) full |= Str(Member(opt, "DefElem"), "defname") == "full";
    if (!full) return std::nullopt;
    for (const Json& rel : Member(node, "rels")) {
      std::string table = RelName(Member(Member(rel, "VacuumRelation"), "relation"));
      if (!table.empty()) return TableRewrite{table, "VACUUM FULL", ""};
    }
    return std::nullopt;  // the whole database: not one table
  }
  if (st.kind == "ClusterStmt") {
    std::string table = RelName(Member(node, "relation"));
    if (table.empty()) return std::nullopt;
    return TableRewrite{table, "CLUSTER", ""};
  }
  if (st.kind == "RefreshMatViewStmt") {  // a new file, filled by the view's query
    std::string view = RelName(Member(node, "relation"));
    if (view.empty() || Bool(node, "concurrent")) return std::nullopt;
    return TableRewrite{view, "REFRESH MATERIALIZED VIEW", ""};
  }
  if (st.kind != "AlterTableStmt") return std::nullopt;
  std::string table = RelName(Member(node, "relation"));
  for (const Json* cmd : AlterCmds(st)) {
    std::string sub = Str(*cmd, "subtype");
    if (sub == "AT_AlterColumnType") {
      std::string column = Str(*cmd, "name");
      const Json& def = Member(Member(*cmd, "def"), "ColumnDef");
      if (file != nullptr && !Member(def, "raw_default").is_object()) {  // no USING
        auto before = file->types_before.find({index, column});
        if (before != file->types_before.end() && KeepsStoredValues(before->second, Member(def, "typeName"))) continue;
      }
      return TableRewrite{table, "ALTER COLUMN " + column + " TYPE", ""};
    }
    if (sub == "AT_SetLogged" || sub == "AT_SetUnLogged") {
      return TableRewrite{table, sub == "AT_SetLogged" ? "SET LOGGED" : "SET UNLOGGED", ""};
    }
    if (sub == "AT_SetTableSpace") return TableRewrite{table, "SET TABLESPACE", ""};
    if (sub == "AT_SetAccessMethod") return TableRewrite{table, "SET ACCESS METHOD", ""};
  }
  for (const ColumnDefAt& col : ColumnDefs(st)) {
    if (col.in_create_table) continue;
    std::string column = Str(*col.def, "colname");
    static const std::set<std::string> kSerial = {"smallserial", "serial", "bigserial", "serial2", "serial4", "serial8"};
    std::string base = TypeBaseName(Member(*col.def, "typeName"));
    if (kSerial.count(base)) return TableRewrite{col.table, "ADD COLUMN " + column + " " + base, ""};
    for (const Json* con : ColumnConstraints(*col.def)) {
      std::string type = Str(*con, "contype");
      if (type == "CONSTR_GENERATED") return TableRewrite{col.table, "ADD COLUMN " + column + " GENERATED ... STORED", ""};
      if (type == "CONSTR_IDENTITY") return TableRewrite{col.table, "ADD COLUMN " + column + " GENERATED AS IDENTITY", ""};
      if (type != "CONSTR_DEFAULT") continue;
      if (pg_version < 11) return TableRewrite{col.table, "ADD COLUMN " + column + " DEFAULT (before PostgreSQL 11)", ""};
      std::string fn = VolatileCall(Member(*con, "raw_expr"));
      if (!fn.empty()) return TableRewrite{col.table, "ADD COLUMN " + column + " DEFAULT " + fn + "()", ""};
    }
  }
  return std::nullopt;
}

}  // namespace

// The schema of the table a rewrite names, as written.
static std::string RewriteSchema(const MigrationStatement& st) {
  if (st.kind == "VacuumStmt") {
    for (const Json& rel : Member(st.Node(), "rels")) {
      const Json& r = Member(Member(rel, "VacuumRelation"), "relation");
      if (!RelName(r).empty()) return SchemaName(r);
    }
    return "";
  }
  return SchemaName(Member(st.Node(), "relation"));
}

std::optional<TableRewrite> Rewrite(const MigrationStatement& st, int pg_version) {
  std::optional<TableRewrite> r = RewriteOf(st, pg_version, nullptr, 0);
  if (r) r->schema = RewriteSchema(st);
  return r;
}

std::optional<TableRewrite> Rewrite(const MigrationFile& file, size_t index) {
  std::optional<TableRewrite> r = RewriteOf(file.statements[index], file.pg_version, &file, index);
  if (r) r->schema = RewriteSchema(file.statements[index]);
  return r;
}

bool KeepsStoredValues(const Json& before, const Json& after) {
  if (Member(before, "arrayBounds").is_array() || Member(after, "arrayBounds").is_array()) return false;
  std::string from = TypeBaseName(before), to = TypeBaseName(after);
  std::vector<int64_t> from_mods = Typmods(before), to_mods = Typmods(after);
  if (from.empty() || to.empty()) return false;
  if (from == to && from_mods == to_mods && (from_mods.empty() || from_mods[0] >= 0)) return true;
  bool from_string = from == "varchar" || from == "text";
  if (from_string && to == "text") return true;  // varchar(n) → text: binary-coercible
  if (from_string && to == "varchar") {
    if (to_mods.empty()) return true;                                      // unconstrained varchar
    return from == "varchar" && from_mods.size() == 1 && to_mods.size() == 1 &&  // varchar(m) → varchar(n ≥ m)
           from_mods[0] >= 0 && from_mods[0] <= to_mods[0];
  }
  if (from == "varbit" && to == "varbit") {
    return to_mods.empty() || (from_mods.size() == 1 && to_mods.size() == 1 && from_mods[0] >= 0 &&
                               from_mods[0] <= to_mods[0]);
  }
  if (from == "numeric" && to == "numeric") {
    if (to_mods.empty()) return true;  // numeric(p,s) → numeric
    if (from_mods.empty() || from_mods[0] < 0) return false;
    int64_t from_scale = from_mods.size() > 1 ? from_mods[1] : 0, to_scale = to_mods.size() > 1 ? to_mods[1] : 0;
    return from_scale == to_scale && from_mods[0] <= to_mods[0];  // more digits, same scale
  }
  return false;
}

}  // namespace pgsift::migration

// The column types of migration lint (lint_load.h).
#include "lint_load.h"

#include <set>

#include "pgsift/parse_tree.h"

namespace pgsift {

namespace {

using Json = nlohmann::json;
using sql::Member;
using sql::Str;

const Json* ColumnType(const Json& def) {
  const Json& type = Member(Member(def, "ColumnDef"), "typeName");
  return type.is_object() ? &type : nullptr;
}

}  // namespace

void ResolveColumnTypes(MigrationFile* file, ColumnCatalog* catalog) {
  // This file's columns so far, over the catalog; a table created or dropped
  // here no longer has the catalog's columns.
  std::map<std::pair<std::string, std::string>, Json> local;
  std::set<std::string> replaced;
  auto find = [&](const std::string& table, const std::string& column) -> const Json* {
    if (auto it = local.find({table, column}); it != local.end()) return &it->second;
    if (replaced.count(table) || catalog == nullptr) return nullptr;
    auto t = catalog->find(table);
    if (t == catalog->end()) return nullptr;
    auto c = t->second.find(column);
    return c == t->second.end() ? nullptr : &c->second;
  };
  auto forget = [&](const std::string& table) {
    replaced.insert(table);
    for (auto it = local.lower_bound({table, ""}); it != local.end() && it->first.first == table;) it = local.erase(it);
  };
  for (size_t i = 0; i < file->statements.size(); ++i) {
    const MigrationStatement& st = file->statements[i];
    const Json& n = st.Node();
    if (st.kind == "CreateStmt") {
      std::string table = Str(Member(n, "relation"), "relname");
      forget(table);
      for (const Json& e : Member(n, "tableElts")) {
        if (const Json* type = ColumnType(e)) local[{table, Str(e["ColumnDef"], "colname")}] = *type;
      }
    } else if (st.kind == "DropStmt" && Str(n, "removeType") == "OBJECT_TABLE") {
      for (const Json& obj : Member(n, "objects")) {
        const Json& items = Member(Member(obj, "List"), "items");
        if (items.is_array() && !items.empty()) forget(sql::Sval(items.back()));
      }
    } else if (st.kind == "AlterTableStmt") {
      std::string table = Str(Member(n, "relation"), "relname");
      for (const Json& c : Member(n, "cmds")) {
        const Json& cmd = Member(c, "AlterTableCmd");
        std::string sub = Str(cmd, "subtype");
        if (sub == "AT_AddColumn") {
          if (const Json* type = ColumnType(Member(cmd, "def"))) {
            local[{table, Str(Member(Member(cmd, "def"), "ColumnDef"), "colname")}] = *type;
          }
        } else if (sub == "AT_AlterColumnType") {
          std::string column = Str(cmd, "name");
          if (const Json* before = find(table, column)) file->types_before[{i, column}] = *before;
          if (const Json* type = ColumnType(Member(cmd, "def"))) local[{table, column}] = *type;
        }
      }
    }
  }
  if (catalog == nullptr) return;
  for (const std::string& table : replaced) catalog->erase(table);
  for (auto& [key, type] : local) (*catalog)[key.first][key.second] = std::move(type);
}

}  // namespace pgsift

// The schema the advisor compares candidates with, from DDL: schema files
// (pg_dump --schema-only), migration folders, and the live reader, which
// hands pg_get_indexdef/pg_get_constraintdef texts to the same code so that
// offline and live schemas describe indexes identically.
#include "pgsift/schema.h"

#include <algorithm>
#include <string_view>

#include "pgsift/canonical_expression.h"
#include "pgsift/parse_tree.h"

namespace pgsift {

bool SchemaTable::HasColumn(const std::string& column) const {
  return std::find(columns.begin(), columns.end(), column) != columns.end();
}

const SchemaTable* Schema::Find(const std::string& schema, const std::string& table) const {
  auto it = tables.find((schema.empty() ? "public" : schema) + "." + table);
  return it == tables.end() ? nullptr : &it->second;
}

SchemaTable* Schema::Find(const std::string& schema, const std::string& table) {
  auto it = tables.find((schema.empty() ? "public" : schema) + "." + table);
  return it == tables.end() ? nullptr : &it->second;
}

ColumnLookup Schema::Lookup() const {
  return [this](const std::string& schema, const std::string& table, const std::string& column) {
    const SchemaTable* t = Find(schema, table);
    return t != nullptr && t->HasColumn(column);
  };
}


namespace {

using Json = nlohmann::json;

using sql::Member;
using sql::Str;
using sql::Sval;

std::vector<std::string> Names(const Json& list) {
  std::vector<std::string> out;
  for (const Json& k : list) out.push_back(Sval(k));
  return out;
}

std::string SchemaOf(const Json& rv) {
  std::string s = Str(rv, "schemaname");
  return s.empty() ? "public" : s;
}

void CollectColumns(const Json& node, std::vector<std::string>* out) {
  if (node.is_array()) {
    for (const Json& n : node) CollectColumns(n, out);
  } else if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "ColumnRef") {
        std::string c = sql::CanonicalExpression(Json{{"ColumnRef", value}});
        if (!c.empty() && std::find(out->begin(), out->end(), c) == out->end()) out->push_back(c);
        continue;
      }
      CollectColumns(value, out);
    }
  }
}

SchemaTable& TableFor(Schema* schema, const Json& rv) {
  std::string s = SchemaOf(rv);
  std::string name = Str(rv, "relname");
  SchemaTable& t = schema->tables[s + "." + name];
  t.schema = s;
  t.name = name;
  return t;
}

void AddIndex(SchemaTable* t, SchemaIndex index) {
  // Offline, two indexes are the same when method, uniqueness and key agree
  // (partial ones are left out: their predicates are not compared). The live
  // reader replaces this with the catalog's definition key.
  if (!index.partial) {
    index.definition_key = index.method + (index.unique ? "|unique|" : "||");
    for (size_t i = 0; i < index.columns.size(); ++i) {
      std::string opclass = i < index.opclasses.size() ? index.opclasses[i] : "";
      index.definition_key += index.columns[i] + (opclass.empty() ? "" : " " + opclass) + ",";
    }
  }
  if (index.name.empty()) {
    index.name = t->name + "_";
    for (const std::string& c : index.columns) index.name += c + "_";
    index.name += index.primary ? "pkey" : index.unique ? "key" : "idx";
  }
  std::erase_if(t->indexes, [&](const SchemaIndex& i) { return i.name == index.name; });
  t->indexes.push_back(std::move(index));
}

void AddConstraint(SchemaTable* t, const Json& con, const std::string& column) {
  std::string type = Str(con, "contype");
  std::vector<std::string> keys = Names(Member(con, "keys"));
  if (keys.empty() && !column.empty()) keys = {column};
  if ((type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE") && !Str(con, "indexname").empty()) {
    // ADD CONSTRAINT c UNIQUE USING INDEX i: the index becomes unique (or the
    // primary key) and takes the constraint's name; it names no key columns.
    std::string using_index = Str(con, "indexname");
    auto it =
        std::find_if(t->indexes.begin(), t->indexes.end(), [&](const SchemaIndex& i) { return i.name == using_index; });
    if (it == t->indexes.end()) return;
    SchemaIndex index = std::move(*it);
    t->indexes.erase(it);
    index.unique = true;
    index.primary = type == "CONSTR_PRIMARY";
    if (!Str(con, "conname").empty()) index.name = Str(con, "conname");
    AddIndex(t, std::move(index));
  } else if (type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE") {
    SchemaIndex index;
    index.name = Str(con, "conname");
    index.columns = keys;
    index.primary = type == "CONSTR_PRIMARY";
    index.unique = true;
    index.constraint = true;
    if (index.name.empty()) {
      index.name = t->name + (index.primary ? "_pkey" : keys.empty() ? "_key" : "_" + keys.front() + "_key");
    }
    AddIndex(t, std::move(index));
  } else if (type == "CONSTR_FOREIGN") {
    ForeignKey fk;
    fk.name = Str(con, "conname");
    fk.columns = Names(Member(con, "fk_attrs"));
    if (fk.columns.empty() && !column.empty()) fk.columns = {column};
    const Json& pk = Member(con, "pktable");
    fk.ref_table = SchemaOf(pk) + "." + Str(pk, "relname");
    if (fk.name.empty() && !fk.columns.empty()) fk.name = t->name + "_" + fk.columns.front() + "_fkey";
    std::erase_if(t->foreign_keys, [&](const ForeignKey& f) { return f.name == fk.name; });
    t->foreign_keys.push_back(std::move(fk));
  }
}

void AddColumn(SchemaTable* t, const Json& def) {
  std::string name = Str(def, "colname");
  if (!t->HasColumn(name)) t->columns.push_back(name);
  for (const Json& c : Member(def, "constraints")) AddConstraint(t, Member(c, "Constraint"), name);
}

void Apply(const std::string& kind, const Json& n, Schema* schema) {
  if (kind == "CreateStmt") {
    SchemaTable& t = TableFor(schema, Member(n, "relation"));
    for (const Json& e : Member(n, "tableElts")) {
      if (Member(e, "ColumnDef").is_object()) AddColumn(&t, e["ColumnDef"]);
      if (Member(e, "Constraint").is_object()) AddConstraint(&t, e["Constraint"], "");
    }
  } else if (kind == "AlterTableStmt") {
    const Json& rv = Member(n, "relation");
    if (!schema->Find(SchemaOf(rv), Str(rv, "relname"))) return;
    SchemaTable& t = TableFor(schema, rv);
    for (const Json& c : Member(n, "cmds")) {
      const Json& cmd = Member(c, "AlterTableCmd");
      std::string sub = Str(cmd, "subtype");
      const Json& def = Member(cmd, "def");
      if (sub == "AT_AddConstraint" && Member(def, "Constraint").is_object()) {
        AddConstraint(&t, def["Constraint"], "");
      } else if (sub == "AT_AddColumn" && Member(def, "ColumnDef").is_object()) {
        AddColumn(&t, def["ColumnDef"]);
      } else if (sub == "AT_DropColumn") {
        std::erase(t.columns, Str(cmd, "name"));
      } else if (sub == "AT_DropConstraint") {
        std::string name = Str(cmd, "name");
        std::erase_if(t.foreign_keys, [&](const ForeignKey& f) { return f.name == name; });
        std::erase_if(t.indexes, [&](const SchemaIndex& i) { return i.name == name; });
      }
    }
  } else if (kind == "IndexStmt") {
    const Json& rv = Member(n, "relation");
    SchemaTable& t = TableFor(schema, rv);
    SchemaIndex index;
    index.name = Str(n, "idxname");
    index.unique = Member(n, "unique").is_boolean() && n["unique"].get<bool>();
    index.primary = Member(n, "primary").is_boolean() && n["primary"].get<bool>();
    index.method = Str(n, "accessMethod");
    if (index.method.empty()) index.method = "btree";
    for (const Json& p : Member(n, "indexParams")) {
      const Json& e = Member(p, "IndexElem");
      std::string col = Str(e, "name");
      if (col.empty()) col = sql::CanonicalExpression(Member(e, "expr"));
      // An expression we cannot name still takes its place in the key.
      index.columns.push_back(col.empty() ? "(expression)" : col);
      std::string opclass;
      for (const Json& part : Member(e, "opclass")) opclass = Sval(part);  // schema-qualified: the last part
      index.opclasses.push_back(opclass);
    }
    if (Member(n, "whereClause").is_object()) {
      index.partial = true;
      CollectColumns(n["whereClause"], &index.predicate_columns);
    }
    AddIndex(&t, std::move(index));
  } else if (kind == "RenameStmt") {
    const Json& rv = Member(n, "relation");
    SchemaTable* t = schema->Find(SchemaOf(rv), Str(rv, "relname"));
    if (t == nullptr) return;
    std::string type = Str(n, "renameType");
    std::string to = Str(n, "newname");
    if (type == "OBJECT_COLUMN") {
      std::string from = Str(n, "subname");
      std::replace(t->columns.begin(), t->columns.end(), from, to);
      for (SchemaIndex& i : t->indexes) std::replace(i.columns.begin(), i.columns.end(), from, to);
      for (ForeignKey& fk : t->foreign_keys) std::replace(fk.columns.begin(), fk.columns.end(), from, to);
    } else if (type == "OBJECT_TABLE") {
      SchemaTable moved = std::move(*t);
      schema->tables.erase(moved.QualifiedName());
      moved.name = to;
      schema->tables[moved.QualifiedName()] = std::move(moved);
    }
  } else if (kind == "DropStmt") {
    std::string type = Str(n, "removeType");
    for (const Json& obj : Member(n, "objects")) {
      std::vector<std::string> parts = Names(Member(obj, "List").is_object() ? obj["List"]["items"] : Json::array());
      if (parts.empty()) continue;
      std::string name = parts.back();
      std::string s = parts.size() >= 2 ? parts[parts.size() - 2] : "public";
      if (type == "OBJECT_TABLE") {
        schema->tables.erase(s + "." + name);
      } else if (type == "OBJECT_INDEX") {
        for (auto& [key, t] : schema->tables) {
          if (t.schema == s) std::erase_if(t.indexes, [&](const SchemaIndex& i) { return i.name == name; });
        }
      }
    }
  }
}

uint32_t LineOf(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<uint32_t>(std::count(text.begin(), text.begin() + static_cast<ptrdiff_t>(offset), '\n'));
}

}  // namespace

std::string WithoutMetaCommands(std::string_view text) {
  std::string out(text);
  size_t line = 0;
  while (line < out.size()) {
    size_t end = out.find('\n', line);
    if (end == std::string::npos) end = out.size();
    size_t first = out.find_first_not_of(" \t", line);
    if (first < end && out[first] == '\\')
      std::fill(out.begin() + static_cast<ptrdiff_t>(first), out.begin() + static_cast<ptrdiff_t>(end), ' ');
    line = end + 1;
  }
  return out;
}

Status ApplySchemaSql(std::string_view raw, const std::string& file, Schema* schema) {
  std::string text = WithoutMetaCommands(raw);
  for (const sql::ParsedChunk& chunk : sql::SplitAndParse(text)) {
    if (!chunk.ok) {
      return Err(file + ":" + std::to_string(LineOf(text, chunk.error_offset)) + ": " + chunk.error);
    }
    for (const Json& st : chunk.statements) {
      const Json& stmt = Member(st, "stmt");
      if (!stmt.is_object() || stmt.empty()) continue;
      Apply(stmt.begin().key(), stmt.begin().value(), schema);
    }
  }
  return Ok{};
}

}  // namespace pgsift

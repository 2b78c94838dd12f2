// Schemas from files (schema dumps, migration folders, schema JSON) and from
// snapshots; the DDL itself is read by ApplySchemaSql (aggregate/schema.cpp).
#include <algorithm>
#include <fstream>
#include <sstream>

#include "pgsift/indexes.h"
#include "pgsift/migration.h"

namespace pgsift {

Schema SchemaFromSnapshot(const Snapshot& snap) {
  Schema schema;
  schema.source = "snapshot";
  for (const TableStats& ts : snap.tables) {
    SchemaTable& t = schema.tables[ts.schema + "." + ts.name];
    t.schema = ts.schema;
    t.name = ts.name;
    t.rows = ts.n_live_tup;
    t.size_bytes = ts.size_bytes;
    t.seq_scan = ts.seq_scan;
    t.idx_scan = ts.idx_scan;
    t.n_tup_ins = ts.n_tup_ins;
    t.n_tup_upd = ts.n_tup_upd;
    t.n_tup_del = ts.n_tup_del;
  }
  for (const IndexStats& x : snap.indexes) {
    SchemaTable& t = schema.tables[x.schema + "." + x.table];
    t.schema = x.schema;
    t.name = x.table;
    SchemaIndex i;
    i.name = x.name;
    i.unique = x.unique;
    i.primary = x.primary;
    i.idx_scan = x.idx_scan;
    i.size_bytes = x.size_bytes;
    i.definition_key = x.definition_key;
    i.stats_only = true;
    t.indexes.push_back(std::move(i));
  }
  return schema;
}

std::vector<IndexStats> IndexStatsOf(const SchemaTable& t) {
  std::vector<IndexStats> out;
  for (const SchemaIndex& i : t.indexes) {
    IndexStats s;
    s.schema = t.schema;
    s.table = t.name;
    s.name = i.name;
    s.idx_scan = std::max<int64_t>(i.idx_scan, 0);
    s.size_bytes = std::max<int64_t>(i.size_bytes, 0);
    s.unique = i.unique;
    s.primary = i.primary;
    s.definition_key = i.valid ? i.definition_key : "";
    out.push_back(std::move(s));
  }
  return out;
}

Result<Schema> LoadSchemaFiles(const std::vector<std::string>& paths) {
  if (paths.size() == 1 && paths[0].ends_with(".json")) {
    std::ifstream in(paths[0], std::ios::binary);
    if (!in) return Err(paths[0] + ": cannot read");
    std::ostringstream text;
    text << in.rdbuf();
    return SchemaFromJson(text.str(), paths[0]);
  }
  Result<std::vector<std::string>> files = FindMigrationFiles(paths);
  if (!files.ok()) return Err(files.error());
  if (files->empty()) return Err("no .sql schema or migration files under the given --schema paths");
  Schema schema;
  schema.source = "files";
  for (const std::string& path : *files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Err(path + ": cannot read");
    std::ostringstream text;
    text << in.rdbuf();
    std::string sql = text.str();
    sql.resize(FindMigrationSections(sql).up_end);  // not a dbmate/goose down section
    BlankByteOrderMark(&sql);
    Status s = ApplySchemaSql(sql, path, &schema);
    if (!s.ok()) return Err(s.error());
  }
  return schema;
}

}  // namespace pgsift

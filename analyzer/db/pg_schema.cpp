// The live schema for the index advisor: catalog rows turned into the DDL
// the offline reader understands (pg_get_indexdef, pg_get_constraintdef), so
// a live schema and a pg_dump of it describe indexes the same way, plus the
// statistics only a server has.
#include <pqxx/pqxx>

#include "pgsift/db_schema.h"
#include "session.h"

namespace pgsift {

namespace {

std::string Text(const pqxx::field& f) { return f.is_null() ? std::string() : std::string(f.c_str()); }
int64_t Int(const pqxx::field& f) { return f.is_null() ? 0 : f.as<int64_t>(); }

constexpr const char* kUserTables =
    "c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    " AND n.nspname NOT LIKE 'pg_toast%'";

}  // namespace

Result<Schema> ReadLiveSchema(const ConnectOptions& options) {
  return db::WithSession(options, [&](pqxx::nontransaction& tx, const std::string& where) -> Result<Schema> {
    Schema schema;
    schema.source = "live";
    schema.collation =
        Text(tx.exec1(db::Own("SELECT datcollate FROM pg_database WHERE datname = current_database()"))[0]);
    for (const pqxx::row& row : tx.exec(
             db::Own(std::string("SELECT n.nspname, c.relname, a.attname FROM pg_class c"
                                 " JOIN pg_namespace n ON n.oid = c.relnamespace"
                                 " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
                                 " WHERE ") +
                     kUserTables + " ORDER BY 1, 2, a.attnum"))) {
      SchemaTable& t = schema.tables[Text(row[0]) + "." + Text(row[1])];
      t.schema = Text(row[0]);
      t.name = Text(row[1]);
      t.columns.push_back(Text(row[2]));
    }
    // Indexes and foreign keys through the offline reader.
    std::string ddl;
    struct IndexExtra {
      std::string key, name;
      bool valid, primary;
      int64_t scans, size;
      bool constraint;
      std::string definition_key;
    };
    std::vector<IndexExtra> extras;
    for (const pqxx::row& row : tx.exec(db::Own(
             std::string("SELECT n.nspname, c.relname, i.relname, pg_get_indexdef(x.indexrelid), x.indisvalid,"
                         " x.indisprimary, coalesce(s.idx_scan, 0), pg_relation_size(x.indexrelid),"
                         " md5(concat_ws('|', x.indkey::text, x.indclass::text, x.indcollation::text, x.indisunique,"
                         " am.amname, pg_get_expr(x.indexprs, x.indrelid), pg_get_expr(x.indpred, x.indrelid))),"
                         " EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid"
                         " AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))"
                         " FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid"
                         " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam"
                         " JOIN pg_namespace n ON n.oid = c.relnamespace"
                         " LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid WHERE ") +
             kUserTables + " ORDER BY 1, 2, 3"))) {
      ddl += Text(row[3]) + ";\n";
      extras.push_back({Text(row[0]) + "." + Text(row[1]), Text(row[2]), Text(row[4]) == "t", Text(row[5]) == "t",
                        Int(row[6]), Int(row[7]), Text(row[9]) == "t", Text(row[8])});
    }
    for (const pqxx::row& row :
         tx.exec(db::Own(std::string("SELECT format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', n.nspname, c.relname,"
                                     " k.conname, pg_get_constraintdef(k.oid))"
                                     " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
                                     " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'f' AND ") +
                         kUserTables + " ORDER BY n.nspname, c.relname, k.conname"))) {
      ddl += Text(row[0]) + ";\n";
    }
    Status applied = ApplySchemaSql(ddl, "(catalog)", &schema);
    if (!applied.ok()) return Err(where + ": " + applied.error());
    for (const IndexExtra& e : extras) {
      auto it = schema.tables.find(e.key);
      if (it == schema.tables.end()) continue;
      for (SchemaIndex& i : it->second.indexes) {
        if (i.name != e.name) continue;
        i.valid = e.valid;
        i.primary = e.primary;
        i.constraint = e.constraint;
        i.idx_scan = e.scans;
        i.size_bytes = e.size;
        i.definition_key = e.definition_key;
      }
    }
    for (const pqxx::row& row : tx.exec(
             db::Own("SELECT t.schemaname, t.relname, greatest(c.reltuples::bigint, t.n_live_tup),"
                     " pg_total_relation_size(t.relid), t.seq_scan, coalesce(t.idx_scan, 0), t.n_tup_ins, t.n_tup_upd,"
                     " t.n_tup_del, t.n_tup_hot_upd FROM pg_stat_user_tables t JOIN pg_class c ON c.oid = t.relid"))) {
      auto it = schema.tables.find(Text(row[0]) + "." + Text(row[1]));
      if (it == schema.tables.end()) continue;
      SchemaTable& t = it->second;
      t.rows = Int(row[2]);
      t.size_bytes = Int(row[3]);
      t.seq_scan = Int(row[4]);
      t.idx_scan = Int(row[5]);
      t.n_tup_ins = Int(row[6]);
      t.n_tup_upd = Int(row[7]);
      t.n_tup_del = Int(row[8]);
      t.n_tup_hot_upd = Int(row[9]);
    }
    pqxx::row window = tx.exec1(
        db::Own("SELECT floor(extract(epoch FROM now() - coalesce(stats_reset, pg_postmaster_start_time())))::bigint"
                " FROM pg_stat_database WHERE datname = current_database()"));
    schema.stats_seconds = window[0].is_null() ? -1 : Int(window[0]);
    return schema;
  });
}

}  // namespace pgsift

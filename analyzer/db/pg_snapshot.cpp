// Snapshots of a live server: pg_stat_statements, table and index
// statistics, settings (read through db::WithSession).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <pqxx/pqxx>
#include <set>
#include <string>

#include "pgsift/db.h"
#include "session.h"

namespace pgsift {
namespace {

std::string Text(const pqxx::field& f) { return f.is_null() ? std::string() : std::string(f.c_str()); }
int64_t Int(const pqxx::field& f) { return f.is_null() ? 0 : f.as<int64_t>(); }

// Runs pgsift's own SQL (tagged with kPgsiftTag).
class Session {
 public:
  explicit Session(pqxx::nontransaction& tx) : tx_(tx) {}
  pqxx::result Exec(const std::string& sql) { return tx_.exec(db::Own(sql)); }
  pqxx::row Exec1(const std::string& sql) { return tx_.exec1(db::Own(sql)); }
  std::string QuoteName(const std::string& name) { return tx_.quote_name(name); }

 private:
  pqxx::nontransaction& tx_;
};

// extversion ("1.10") is at least major.minor.
bool ExtensionAtLeast(const std::string& extversion, int major, int minor) {
  int have_major = 0, have_minor = 0;
  if (std::sscanf(extversion.c_str(), "%d.%d", &have_major, &have_minor) < 1) return false;
  return have_major > major || (have_major == major && have_minor >= minor);
}

std::string PgssSql(const std::string& quoted_schema, bool all_databases) {
  return "SELECT s.*, d.datname, u.rolname FROM " + quoted_schema +
         ".pg_stat_statements s LEFT JOIN pg_database d ON d.oid = s.dbid"
         " LEFT JOIN pg_roles u ON u.oid = s.userid" +
         (all_databases ? "" : " WHERE d.datname = current_database()");
}

void ReadPgss(Session& tx, const std::string& schema, bool all_databases, Snapshot* s) {
  pqxx::result r = tx.Exec(PgssSql(tx.QuoteName(schema), all_databases));
  std::vector<std::string> names;
  for (pqxx::row::size_type i = 0; i < r.columns(); ++i) names.emplace_back(r.column_name(i));
  for (const std::string& n : names) {
    std::string_view canonical = CanonicalPgssColumn(n);
    if (!canonical.empty() && canonical != "user" && canonical != "database") s->columns.emplace_back(canonical);
  }
  std::sort(s->columns.begin(), s->columns.end());
  for (const pqxx::row& row : r) {
    PgssEntry e;
    for (size_t i = 0; i < names.size(); ++i) {
      auto set = SetPgssColumn(&e, names[i], Text(row[static_cast<pqxx::row::size_type>(i)]));
      if (!set.ok()) throw std::runtime_error("pg_stat_statements: " + set.error());
    }
    s->entries.push_back(std::move(e));
  }
}

void ReadRelations(Session& tx, Snapshot* s) {
  for (const pqxx::row& row :
       tx.Exec("SELECT t.schemaname, t.relname, t.seq_scan, t.seq_tup_read, t.idx_scan, t.idx_tup_fetch,"
               " t.n_tup_ins, t.n_tup_upd, t.n_tup_del, t.n_live_tup, t.n_dead_tup, io.heap_blks_read,"
               " io.heap_blks_hit, io.idx_blks_read, io.idx_blks_hit, pg_total_relation_size(t.relid)"
               " FROM pg_stat_user_tables t JOIN pg_statio_user_tables io USING (relid)")) {
    TableStats t;
    t.schema = Text(row[0]);
    t.name = Text(row[1]);
    int64_t* fields[] = {&t.seq_scan,      &t.seq_tup_read,  &t.idx_scan,     &t.idx_tup_fetch, &t.n_tup_ins,
                         &t.n_tup_upd,     &t.n_tup_del,     &t.n_live_tup,   &t.n_dead_tup,    &t.heap_blks_read,
                         &t.heap_blks_hit, &t.idx_blks_read, &t.idx_blks_hit, &t.size_bytes};
    for (int i = 0; i < 14; ++i) *fields[i] = Int(row[i + 2]);
    s->tables.push_back(std::move(t));
  }
  for (const pqxx::row& row :
       tx.Exec("SELECT i.schemaname, i.relname, i.indexrelname, i.idx_scan, i.idx_tup_read, i.idx_tup_fetch,"
               " io.idx_blks_read, io.idx_blks_hit, pg_relation_size(i.indexrelid), x.indisunique, x.indisprimary,"
               " md5(concat_ws('|', x.indkey::text, x.indclass::text, x.indcollation::text, x.indisunique,"
               " am.amname, pg_get_expr(x.indexprs, x.indrelid), pg_get_expr(x.indpred, x.indrelid)))"
               " FROM pg_stat_user_indexes i JOIN pg_statio_user_indexes io USING (indexrelid)"
               " JOIN pg_index x ON x.indexrelid = i.indexrelid JOIN pg_class c ON c.oid = i.indexrelid"
               " JOIN pg_am am ON am.oid = c.relam")) {
    IndexStats x;
    x.schema = Text(row[0]);
    x.table = Text(row[1]);
    x.name = Text(row[2]);
    x.idx_scan = Int(row[3]);
    x.idx_tup_read = Int(row[4]);
    x.idx_tup_fetch = Int(row[5]);
    x.idx_blks_read = Int(row[6]);
    x.idx_blks_hit = Int(row[7]);
    x.size_bytes = Int(row[8]);
    x.unique = Text(row[9]) == "t";
    x.primary = Text(row[10]) == "t";
    x.definition_key = Text(row[11]);
    s->indexes.push_back(std::move(x));
  }
}

}  // namespace

Result<Snapshot> TakeSnapshot(const ConnectOptions& options) {
  return db::WithSession(options, [&](pqxx::nontransaction& raw, const std::string& where) -> Result<Snapshot> {
    Session tx(raw);
    Snapshot s;
    s.source = "live";
    pqxx::row info = tx.Exec1(
        "SELECT current_setting('server_version_num')::int, current_setting('server_version'),"
        " current_database(), pg_database_size(current_database()),"
        " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
    s.server_version_num = info[0].as<int>();
    s.server_version = Text(info[1]);
    s.database = Text(info[2]);
    s.database_size_bytes = Int(info[3]);
    s.captured_at = Text(info[4]);
    s.datname = s.database;
    s.database_oid = static_cast<uint32_t>(
        Int(tx.Exec1("SELECT oid::bigint FROM pg_database WHERE datname = current_database()")[0]));
    // pg_control_system() is 9.6+ and may be revoked: then the server is not
    // recorded (a report cannot check it).
    if (s.server_version_num >= 90600) {
      try {
        s.system_identifier = Text(tx.Exec1("SELECT system_identifier::text FROM pg_control_system()")[0]);
      } catch (const pqxx::sql_error&) {
        s.system_identifier.clear();
      }
    }
    if (s.server_version_num < 90500) {
      return Err(where + ": server version " + s.server_version + " is older than 9.5, which pgsift does not read");
    }
    if (!options.statements) {
      ReadRelations(tx, &s);
      NormalizeSnapshot(&s);
      return s;
    }
    pqxx::result ext = tx.Exec(
        "SELECT e.extversion, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_stat_statements'");
    if (ext.empty() && options.statements_optional) {
      ReadRelations(tx, &s);
      NormalizeSnapshot(&s);
      return s;
    }
    if (ext.empty()) {
      return Err(where + ": pg_stat_statements is not installed in database " + s.database +
                 " (add it to shared_preload_libraries and run CREATE EXTENSION pg_stat_statements)");
    }
    s.pgss_version = Text(ext[0][0]);
    std::string schema = Text(ext[0][1]);
    ReadPgss(tx, schema, options.all_databases, &s);
    // The extension's installed version decides, not the server's: after
    // pg_upgrade without ALTER EXTENSION ... UPDATE, a 14+ server may keep
    // an older pg_stat_statements.
    if (ExtensionAtLeast(s.pgss_version, 1, 9)) {
      pqxx::row ri = tx.Exec1(
          "SELECT dealloc, to_char(stats_reset AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
          " FROM " +
          tx.QuoteName(schema) + ".pg_stat_statements_info");
      s.dealloc = Int(ri[0]);
      s.stats_reset = Text(ri[1]);
    }
    ReadRelations(tx, &s);
    for (const pqxx::row& row :
         tx.Exec("SELECT name, setting, coalesce(unit, '') FROM pg_settings WHERE name IN ("
                 "'shared_buffers', 'work_mem', 'maintenance_work_mem', 'effective_cache_size', 'random_page_cost',"
                 " 'max_connections', 'default_statistics_target', 'track_io_timing', 'jit',"
                 " 'pg_stat_statements.max', 'pg_stat_statements.track', 'pg_stat_statements.track_utility',"
                 " 'pg_stat_statements.track_planning', 'log_min_duration_statement')")) {
      s.settings[Text(row[0])] = MakeSettingValue(Text(row[1]), Text(row[2]));
    }
    if (!options.include_pgsift) s.pgsift_left_out = DropPgsiftEntries(&s);
    NormalizeSnapshot(&s);
    return s;
  });
}

}  // namespace pgsift

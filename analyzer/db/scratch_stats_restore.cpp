// The source's statistics on a PostgreSQL 18+ scratch server, through
// pg_restore_relation_stats() and pg_restore_attribute_stats(): they need
// the MAINTAIN privilege on the table, which its owner (the role that loaded
// the schema) has, not a superuser. They take the pg_stats fields as text,
// as name/value pairs, and convert them with the column's own type; a value
// one of them cannot take is a WARNING (which may quote it: this
// connection's notices are never printed) and a false result.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "pq_conn.h"
#include "scratch_stats.h"

namespace pgsift::db {
namespace {

// A pg_stats column, the restore function's argument of the same name and
// its type; range statistics are in pg_stats from PostgreSQL 17.
struct StatsField {
  const char* name;
  const char* type;
  int since;
};
constexpr StatsField kFields[] = {
    {"null_frac", "real", 0},
    {"avg_width", "int4", 0},
    {"n_distinct", "real", 0},
    {"most_common_vals", "text", 0},
    {"most_common_freqs", "real[]", 0},
    {"histogram_bounds", "text", 0},
    {"correlation", "real", 0},
    {"most_common_elems", "text", 0},
    {"most_common_elem_freqs", "real[]", 0},
    {"elem_count_histogram", "real[]", 0},
    {"range_length_histogram", "text", 170000},
    {"range_empty_frac", "real", 170000},
    {"range_bounds_histogram", "text", 170000},
};

using ColumnKey = std::tuple<std::string, std::string, std::string>;  // schema, table, column
using StatsRows = std::map<std::pair<ColumnKey, std::string>, std::vector<std::optional<std::string>>>;

size_t FieldCount(int version) {
  size_t n = 0;
  for (const StatsField& f : kFields) n += version >= f.since ? 1 : 0;
  return n;
}

// pg_stats as text: (schema, table, column, inherited) -> the fields.
StatsRows ReadStats(PGconn* c, size_t fields, const std::string& where) {
  std::string sql = "SELECT schemaname::text, tablename::text, attname::text, inherited::text";
  for (size_t i = 0; i < fields; ++i) sql += std::string(", ") + kFields[i].name + "::text";
  sql +=
      " FROM pg_stats WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE "
      "'pg\\_toast%' ORDER BY 1, 2, 3, 4";
  PgResult r = Exec(c, sql, PGRES_TUPLES_OK, "reading pg_stats of " + where);
  StatsRows out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    std::vector<std::optional<std::string>> row;
    for (size_t f = 0; f < fields; ++f) {
      int col = static_cast<int>(f) + 4;
      if (PQgetisnull(r.get(), i, col)) {
        row.push_back(std::nullopt);
      } else {
        row.push_back(std::string(PQgetvalue(r.get(), i, col)));
      }
    }
    out[{{PQgetvalue(r.get(), i, 0), PQgetvalue(r.get(), i, 1), PQgetvalue(r.get(), i, 2)},
         PQgetvalue(r.get(), i, 3)}] = std::move(row);
  }
  return out;
}

void IgnoreNotice(void*, const char*) {}

// One column: the sample's statistics cleared, the source's restored, in
// one transaction; false (and the sample's kept) when the scratch server
// did not take every value.
bool RestoreColumn(PGconn* dst, const ColumnKey& key, const std::string& inherited, int version,
                   const std::vector<std::optional<std::string>>& values) {
  std::vector<std::string> params = {std::get<0>(key), std::get<1>(key), std::get<2>(key), inherited,
                                     std::to_string(version)};
  std::string sql =
      "SELECT pg_catalog.pg_restore_attribute_stats('schemaname', $1::text, 'relname', $2::text, 'attname', "
      "$3::text, 'inherited', $4::bool, 'version', $5::int4";
  for (size_t f = 0; f < values.size(); ++f) {
    if (!values[f]) continue;
    params.push_back(*values[f]);
    sql += std::string(", '") + kFields[f].name + "', $" + std::to_string(params.size()) + "::" + kFields[f].type;
  }
  sql += ")";
  Exec(dst, "BEGIN", PGRES_COMMAND_OK, "restoring column statistics");
  bool taken = false;
  try {
    ExecWithheld(dst, "SELECT pg_catalog.pg_clear_attribute_stats($1::text, $2::text, $3::text, $4::bool)",
                 {params[0], params[1], params[2], params[3]}, PGRES_TUPLES_OK, "clearing column statistics");
    PgResult r = ExecWithheld(dst, sql, params, PGRES_TUPLES_OK, "restoring column statistics");
    taken = PQntuples(r.get()) == 1 && std::string(PQgetvalue(r.get(), 0, 0)) == "t";
  } catch (const std::runtime_error&) {
    taken = false;
  }
  PgResult end(PQexec(dst, taken ? "COMMIT" : "ROLLBACK"));
  return taken && PQresultStatus(end.get()) == PGRES_COMMAND_OK;
}

}  // namespace

void RestoreSourceStatistics(PGconn* src, PGconn* dst, const std::vector<SampledTable>& tables, SourceStatsStats* out) {
  out->restore_functions = true;
  PQsetNoticeProcessor(dst, IgnoreNotice, nullptr);
  SetUpStatsSessions(src, dst);
  int version = PQserverVersion(src);
  for (const SampledTable& t : tables) {
    if (t.rows == 0 || t.source_tuples < 0) continue;
    // relpages = the file's pages, so the planner's estimate is the source's.
    PgResult r = ExecWithheld(
        dst,
        "SELECT pg_catalog.pg_restore_relation_stats('schemaname', n.nspname::text, 'relname', c.relname::text, "
        "'version', $2::int4, 'relpages', s.pages, 'reltuples', $3::real, 'relallvisible', "
        "floor($4::float8 * s.pages)::int4) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, "
        "LATERAL (SELECT greatest(1, pg_relation_size(c.oid) / current_setting('block_size')::bigint)::int4 AS pages) "
        "s WHERE c.oid = $1::regclass",
        {t.name, std::to_string(version), std::to_string(t.source_tuples), std::to_string(t.allvisible_frac)},
        PGRES_TUPLES_OK, "restoring the row count of " + t.name);
    if (PQntuples(r.get()) != 1 || std::string(PQgetvalue(r.get(), 0, 0)) != "t") {
      throw std::runtime_error("pg_restore_relation_stats did not take the row count of " + t.name);
    }
    ++out->tables;
  }
  // The scratch database's columns (an expression index's statistics are
  // not a table's).
  PgResult cols = Exec(dst,
                       "SELECT n.nspname::text, c.relname::text, a.attname::text FROM pg_attribute a JOIN pg_class c "
                       "ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', "
                       "'p', 'm') AND a.attnum > 0 AND NOT a.attisdropped",
                       PGRES_TUPLES_OK, "reading the scratch database's columns");
  std::set<ColumnKey> scratch;
  for (int i = 0; i < PQntuples(cols.get()); ++i) {
    scratch.insert({PQgetvalue(cols.get(), i, 0), PQgetvalue(cols.get(), i, 1), PQgetvalue(cols.get(), i, 2)});
  }
  size_t fields = std::min(FieldCount(version), FieldCount(PQserverVersion(dst)));
  StatsRows source = ReadStats(src, fields, "the source");
  std::vector<std::pair<ColumnKey, std::string>> written;
  for (const auto& [key, values] : source) {
    if (!scratch.count(key.first)) continue;
    if (RestoreColumn(dst, key.first, key.second, version, values)) {
      ++out->columns;
      written.push_back(key);
    } else {
      ++out->columns_failed;
    }
  }
  // What the planner will read now, compared with the source's.
  StatsRows after = ReadStats(dst, fields, "the scratch database");
  for (const auto& key : written) {
    auto it = after.find(key);
    if (it == after.end() || it->second != source.at(key)) ++out->columns_differ;
  }
}

}  // namespace pgsift::db

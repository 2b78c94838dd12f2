// Source-statistics mode of the sampled scratch database: grown heap files,
// and before PostgreSQL 18 pg_class row counts and pg_statistic from the
// source's pg_stats (see scratch_stats.h for why each step is needed).
#include "scratch_stats.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>
#include <tuple>

#include "pq_conn.h"

namespace pgsift::db {
namespace {

constexpr uint64_t kBatchPages = 16384;  // 128 MB of 8 kB pages per rolled-back INSERT

uint64_t Pages(PGconn* c, const std::string& table) {
  PgResult r = ExecWithheld(c, "SELECT pg_relation_size($1::regclass) / current_setting('block_size')::bigint", {table},
                            PGRES_TUPLES_OK, "reading the size of " + table);
  return std::stoull(PQgetvalue(r.get(), 0, 0));
}

// The operators ANALYZE gives each column's slots: taken from what the
// scratch database's own ANALYZE wrote, else from the type's default btree
// operator class ('=' strategy 3, '<' strategy 1; a hash class for '=' when
// there is no btree one), as the type cache resolves them (domains by their
// base type, arrays, enums and ranges by the polymorphic classes, binary
// coercible types like varchar by the preferred type's: text).
const char* kScratchColumns = R"SQL(
WITH slots AS (
  SELECT s.starelid, s.staattnum, v.k, v.op FROM pg_statistic s,
    LATERAL (VALUES (s.stakind1, s.staop1), (s.stakind2, s.staop2), (s.stakind3, s.staop3),
                    (s.stakind4, s.staop4), (s.stakind5, s.staop5)) v(k, op)
  WHERE NOT s.stainherit AND v.op <> 0),
cols AS (
  SELECT c.oid AS relid, format('%I.%I', n.nspname, c.relname) AS rel, a.attname, a.attnum, a.atttypid,
         a.attcollation, b.oid AS base, b.typcategory AS cat, b.typtype AS typtype
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
  WHERE c.relkind IN ('r', 'p', 'm') AND a.attnum > 0 AND NOT a.attisdropped
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%')
SELECT c.rel, c.attname, c.relid, c.attnum, c.atttypid, c.attcollation,
  COALESCE((SELECT s.op FROM slots s WHERE s.starelid = c.relid AND s.staattnum = c.attnum AND s.k = 1 LIMIT 1),
           (SELECT e.amopopr FROM slots s JOIN pg_amop l ON l.amopopr = s.op AND l.amopmethod = 403
              JOIN pg_amop e ON e.amopfamily = l.amopfamily AND e.amoplefttype = l.amoplefttype
               AND e.amoprighttype = l.amoprighttype AND e.amopstrategy = 3
            WHERE s.starelid = c.relid AND s.staattnum = c.attnum AND s.k IN (2, 3) LIMIT 1),
           (SELECT o.amopopr FROM pg_amop o WHERE o.amopfamily = bt.opcfamily AND o.amoplefttype = bt.opcintype
              AND o.amoprighttype = bt.opcintype AND o.amopstrategy = 3),
           (SELECT o.amopopr FROM pg_amop o WHERE o.amopfamily = h.opcfamily AND o.amoplefttype = h.opcintype
              AND o.amoprighttype = h.opcintype AND o.amopstrategy = 1), 0),
  COALESCE((SELECT s.op FROM slots s WHERE s.starelid = c.relid AND s.staattnum = c.attnum AND s.k IN (2, 3)
              LIMIT 1),
           (SELECT l.amopopr FROM slots s JOIN pg_amop e ON e.amopopr = s.op AND e.amopmethod = 403
              JOIN pg_amop l ON l.amopfamily = e.amopfamily AND l.amoplefttype = e.amoplefttype
               AND l.amoprighttype = e.amoprighttype AND l.amopstrategy = 1
            WHERE s.starelid = c.relid AND s.staattnum = c.attnum AND s.k = 1 LIMIT 1),
           (SELECT o.amopopr FROM pg_amop o WHERE o.amopfamily = bt.opcfamily AND o.amoplefttype = bt.opcintype
              AND o.amoprighttype = bt.opcintype AND o.amopstrategy = 1), 0)
FROM cols c
LEFT JOIN LATERAL (
  SELECT o.opcfamily, o.opcintype FROM pg_opclass o JOIN pg_am m ON m.oid = o.opcmethod
  WHERE m.amname = 'btree' AND o.opcdefault AND (o.opcintype = c.base
    OR (o.opcintype = 'anyarray'::regtype AND c.cat = 'A') OR (o.opcintype = 'anyenum'::regtype AND c.typtype = 'e')
    OR (o.opcintype = 'anyrange'::regtype AND c.typtype = 'r')
    OR EXISTS (SELECT 1 FROM pg_cast k WHERE k.castsource = c.base AND k.casttarget = o.opcintype
                 AND k.castmethod = 'b' AND k.castcontext = 'i'))
  ORDER BY o.opcintype = c.base DESC, (SELECT p.typispreferred FROM pg_type p WHERE p.oid = o.opcintype) DESC
  LIMIT 1) bt ON true
LEFT JOIN LATERAL (
  SELECT o.opcfamily, o.opcintype FROM pg_opclass o JOIN pg_am m ON m.oid = o.opcmethod
  WHERE m.amname = 'hash' AND o.opcdefault AND (o.opcintype = c.base
    OR (o.opcintype = 'anyarray'::regtype AND c.cat = 'A') OR (o.opcintype = 'anyenum'::regtype AND c.typtype = 'e')
    OR EXISTS (SELECT 1 FROM pg_cast k WHERE k.castsource = c.base AND k.casttarget = o.opcintype
                 AND k.castmethod = 'b' AND k.castcontext = 'i'))
  ORDER BY o.opcintype = c.base DESC, (SELECT p.typispreferred FROM pg_type p WHERE p.oid = o.opcintype) DESC
  LIMIT 1) h ON true
)SQL";

// pg_stats as text, one row per (table, column, inherited). Columns 3-9 are
// the fields copied and compared afterwards.
const char* kPgStats =
    "SELECT format('%I.%I', schemaname, tablename), attname, inherited::text, null_frac::text, avg_width::text, "
    "n_distinct::text, most_common_vals::text, most_common_freqs::text, histogram_bounds::text, "
    "correlation::text, (most_common_elems IS NOT NULL OR elem_count_histogram IS NOT NULL)::text "
    "FROM pg_stats WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
    "AND schemaname NOT LIKE 'pg\\_toast%' ORDER BY 1, 2, 3";
constexpr int kFirstField = 3, kLastField = 9;

struct ColumnInfo {
  std::string relid, attnum, type, collation, eq, lt;
};

using StatsKey = std::tuple<std::string, std::string, std::string>;  // table, column, inherited

std::map<StatsKey, std::vector<std::optional<std::string>>> ReadPgStats(PGconn* c, const std::string& where) {
  PgResult r = Exec(c, kPgStats, PGRES_TUPLES_OK, "reading pg_stats of " + where);
  std::map<StatsKey, std::vector<std::optional<std::string>>> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    std::vector<std::optional<std::string>> row;
    for (int f = 0; f < PQnfields(r.get()); ++f) {
      if (PQgetisnull(r.get(), i, f)) {
        row.push_back(std::nullopt);
      } else {
        row.push_back(std::string(PQgetvalue(r.get(), i, f)));
      }
    }
    out[{*row[0], *row[1], *row[2]}] = std::move(row);
  }
  return out;
}

// Writes one column's pg_statistic row (in its own transaction: a value the
// scratch server does not take fails this column only).
bool WriteColumn(PGconn* dst, const ColumnInfo& col, const std::vector<std::optional<std::string>>& s) {
  std::vector<std::string> params = {col.relid,          col.attnum,         s[2].value_or("false"),
                                     s[3].value_or("0"), s[4].value_or("0"), s[5].value_or("0")};
  std::string names = "starelid, staattnum, stainherit, stanullfrac, stawidth, stadistinct";
  std::string values = "$1::oid, $2::int2, $3::bool, $4::real, $5::int4, $6::real";
  auto param = [&](const std::string& v) {
    params.push_back(v);
    return "$" + std::to_string(params.size());
  };
  int slot = 0;
  // pg_statistic has the slots' collations (stacollN) from PostgreSQL 12.
  bool coll = PQserverVersion(dst) >= 120000;
  auto add_slot = [&](int kind, const std::string& op, const std::string& numbers, const std::string& vals) {
    ++slot;
    std::string n = std::to_string(slot);
    names += ", stakind" + n + ", staop" + n + (coll ? ", stacoll" + n : "");
    values += ", " + std::to_string(kind) + ", " + op + "::oid" + (coll ? ", " + col.collation + "::oid" : "");
    if (!numbers.empty()) {
      names += ", stanumbers" + n;
      values += ", " + numbers;
    }
    if (!vals.empty()) {
      names += ", stavalues" + n;
      values += ", " + vals;
    }
  };
  const std::optional<std::string>&mcv = s[6], &freqs = s[7], &hist = s[8], &corr = s[9];
  if (mcv && freqs && col.eq != "0") {
    add_slot(1, col.eq, param(*freqs) + "::real[]",
             "array_in(" + param(*mcv) + "::cstring, " + col.type + "::oid, -1)");
  }
  if (hist && col.lt != "0") {
    add_slot(2, col.lt, "", "array_in(" + param(*hist) + "::cstring, " + col.type + "::oid, -1)");
  }
  if (corr && col.lt != "0") add_slot(3, col.lt, "ARRAY[" + param(*corr) + "::real]", "");
  Exec(dst, "BEGIN", PGRES_COMMAND_OK, "writing pg_statistic");
  try {
    // The slots the scratch database's ANALYZE wrote that pg_stats cannot
    // give (array element, range statistics) stay, after the copied ones.
    PgResult kinds = ExecWithheld(dst,
                                  "SELECT stakind1, stakind2, stakind3, stakind4, stakind5 FROM pg_statistic WHERE "
                                  "starelid = $1::oid AND staattnum = $2::int2 AND stainherit = $3::bool",
                                  {params[0], params[1], params[2]}, PGRES_TUPLES_OK, "reading pg_statistic");
    std::vector<int> kept;
    for (int f = 0; PQntuples(kinds.get()) == 1 && f < 5; ++f) {
      int kind = std::stoi(PQgetvalue(kinds.get(), 0, f));
      if (kind > 3) kept.push_back(f + 1);
    }
    for (int old : kept) {
      if (slot == 5) break;
      std::string n = std::to_string(++slot), o = std::to_string(old);
      for (const char* field : {"stakind", "staop", "stacoll", "stanumbers", "stavalues"}) {
        if (!coll && std::string(field) == "stacoll") continue;
        names += std::string(", ") + field + n;
        values += std::string(", old.") + field + o;
      }
    }
    for (int i = slot + 1; i <= 5; ++i) {
      std::string n = std::to_string(i);
      names += ", stakind" + n + ", staop" + n + (coll ? ", stacoll" + n : "");
      values += coll ? ", 0, 0, 0" : ", 0, 0";
    }
    ExecWithheld(dst,
                 "WITH old AS (DELETE FROM pg_statistic WHERE starelid = $1::oid AND staattnum = $2::int2 AND "
                 "stainherit = $3::bool RETURNING *) INSERT INTO pg_statistic (" +
                     names + ") SELECT " + values + " FROM (SELECT 1) AS one LEFT JOIN old ON true",
                 params, PGRES_COMMAND_OK, "writing pg_statistic");
  } catch (const std::runtime_error&) {
    PgResult r(PQexec(dst, "ROLLBACK"));
    return false;
  }
  Exec(dst, "COMMIT", PGRES_COMMAND_OK, "writing pg_statistic");
  return true;
}

}  // namespace

void DisableAutovacuum(PGconn* dst, const std::vector<SampledTable>& tables) {
  // vacuum_truncate is PostgreSQL 12+; before, no autovacuum means no
  // truncation either (nothing else vacuums the copy).
  std::string truncate = PQserverVersion(dst) >= 120000 ? ", vacuum_truncate = false" : "";
  for (const SampledTable& t : tables) {
    Exec(dst, "ALTER TABLE " + t.name + " SET (autovacuum_enabled = false" + truncate + ")", PGRES_COMMAND_OK,
         "turning autovacuum off for " + t.name);
  }
}

void GrowHeaps(PGconn* src, PGconn* dst, std::vector<SampledTable>* tables, uint64_t cap_mb, SourceStatsStats* out) {
  PgResult bs = Exec(dst, "SELECT current_setting('block_size')::bigint", PGRES_TUPLES_OK, "reading block_size");
  uint64_t block = std::stoull(PQgetvalue(bs.get(), 0, 0));
  uint64_t budget = cap_mb * 1024 * 1024 / block, grown = 0;
  for (SampledTable& t : *tables) {
    PgResult r = ExecWithheld(src,
                              "SELECT pg_relation_size(c.oid) / current_setting('block_size')::bigint, c.relpages, "
                              "c.reltuples, c.relallvisible FROM pg_class c WHERE c.oid = $1::regclass",
                              {t.name}, PGRES_TUPLES_OK, "reading the size of " + t.name);
    double src_pages = std::stod(PQgetvalue(r.get(), 0, 0)), relpages = std::stod(PQgetvalue(r.get(), 0, 1)),
           reltuples = std::stod(PQgetvalue(r.get(), 0, 2)), allvis = std::stod(PQgetvalue(r.get(), 0, 3));
    // What the source's planner estimates (estimate_rel_size).
    t.source_tuples = reltuples < 0 ? -1 : relpages > 0 ? reltuples / relpages * src_pages : reltuples;
    t.allvisible_frac = relpages > 0 ? std::min(1.0, allvis / relpages) : 0;
    if (t.rows == 0) {
      if (reltuples > 0) ++out->empty_samples;
      continue;
    }
    uint64_t sample_pages = std::max<uint64_t>(1, Pages(dst, t.name)), cur = sample_pages;
    uint64_t want = static_cast<uint64_t>(src_pages), target = std::min(want, cur + budget);
    std::string insert = "INSERT INTO " + t.name + " (" + t.cols + ") OVERRIDING SYSTEM VALUE SELECT " + t.cols +
                         " FROM (SELECT " + t.cols + " FROM ONLY " + t.name +
                         " WHERE ctid < $3::tid) AS s, generate_series(1, $1::bigint) AS pgsift_copies(pgsift_copy) "
                         "LIMIT $2::bigint";
    // Rows per page of the copies: the sample's at first, then as the latest
    // batch measured; one page's worth more than needed, so every batch
    // crosses into a new page. The sample's file may hold empty pages (from
    // PostgreSQL 16 COPY extends a file many pages at a time) that the first
    // copies fill without growing it: a density measured over them is too
    // high, and a heap grown past the source's size costs every scan more
    // (measured: 5% more pages on PostgreSQL 18). So the first batch goes
    // half way, the second a fifth of what is left (its density, measured on
    // new pages only, is the true one), the next the rest, 2% short.
    double per_page = static_cast<double>(t.rows) / static_cast<double>(sample_pages);
    int stalled = 0, round = 0;
    while (cur < target && stalled < 2) {
      uint64_t gap = target - cur;
      uint64_t batch = std::min(round == 0 ? (gap + 1) / 2 : round == 1 ? (gap + 4) / 5 : gap, kBatchPages);
      double share = round < 2 ? 1.0 : 0.98;
      ++round;
      auto rows = static_cast<uint64_t>(std::ceil(static_cast<double>(batch) * per_page * share + per_page));
      uint64_t copies = (rows + t.rows - 1) / t.rows;
      Exec(dst, "BEGIN", PGRES_COMMAND_OK, "growing " + t.name);
      try {
        // The sample's pages only (a TID range scan): every page after them
        // holds dead copies.
        ExecWithheld(dst, insert,
                     {std::to_string(copies), std::to_string(rows), "(" + std::to_string(sample_pages) + ",0)"},
                     PGRES_COMMAND_OK, "growing the heap of " + t.name + " (rolled-back copies of the sample)");
      } catch (const std::runtime_error&) {
        PgResult rb(PQexec(dst, "ROLLBACK"));
        throw;
      }
      Exec(dst, "ROLLBACK", PGRES_COMMAND_OK, "growing " + t.name);
      uint64_t now = Pages(dst, t.name);
      stalled = now <= cur ? stalled + 1 : 0;
      if (now > cur) per_page = static_cast<double>(rows) / static_cast<double>(now - cur);
      cur = std::max(cur, now);
    }
    uint64_t added = cur - sample_pages;
    grown += added;
    budget = budget > added ? budget - added : 0;
    ++(cur >= want ? out->heaps_full : target < want ? out->heaps_capped : out->heaps_short);
  }
  out->grown_mb = grown * block / (1024 * 1024);
}

void CopySourceStatistics(PGconn* src, PGconn* dst, const std::vector<SampledTable>& tables, SourceStatsStats* out) {
  for (const SampledTable& t : tables) {
    if (t.rows == 0 || t.source_tuples < 0) continue;
    // relpages = the file's pages, so the planner's estimate is the source's.
    ExecWithheld(dst,
                 "UPDATE pg_class SET relpages = greatest(1, pg_relation_size(oid) / "
                 "current_setting('block_size')::bigint)::int4, reltuples = $2::real, relallvisible = "
                 "floor($3::float8 * greatest(1, pg_relation_size(oid) / current_setting('block_size')::bigint))::int4 "
                 "WHERE oid = $1::regclass",
                 {t.name, std::to_string(t.source_tuples), std::to_string(t.allvisible_frac)}, PGRES_COMMAND_OK,
                 "setting the row count of " + t.name);
    ++out->tables;
  }
  SetUpStatsSessions(src, dst);
  PgResult cols = Exec(dst, kScratchColumns, PGRES_TUPLES_OK, "reading the scratch database's columns");
  std::map<std::pair<std::string, std::string>, ColumnInfo> scratch;
  for (int i = 0; i < PQntuples(cols.get()); ++i) {
    auto v = [&](int f) { return std::string(PQgetvalue(cols.get(), i, f)); };
    scratch[{v(0), v(1)}] = {v(2), v(3), v(4), v(5), v(6), v(7)};
  }
  auto source = ReadPgStats(src, "the source");
  std::vector<StatsKey> written;
  for (const auto& [key, row] : source) {
    auto it = scratch.find({std::get<0>(key), std::get<1>(key)});
    if (it == scratch.end()) continue;  // an expression index's statistics
    if (row[10] == "true") ++out->element_stats_skipped;
    if (WriteColumn(dst, it->second, row)) {
      ++out->columns;
      written.push_back(key);
    } else {
      ++out->columns_failed;
    }
  }
  // What the planner will read now, compared with the source's.
  auto after = ReadPgStats(dst, "the scratch database");
  for (const StatsKey& key : written) {
    auto it = after.find(key);
    const auto& want = source.at(key);
    bool same = it != after.end();
    for (int f = kFirstField; same && f <= kLastField; ++f) same = it->second[f] == want[f];
    if (!same) ++out->columns_differ;
  }
}

std::string DescribeSourceStats(const SourceStatsStats& st, size_t tables) {
  auto n = [](size_t count, const char* one, const char* many) {
    return std::to_string(count) + " " + (count == 1 ? one : many);
  };
  std::string s = "then the source's statistics (--source-stats): row counts of " + n(st.tables, "table", "tables") +
                  " from pg_class, heap files grown to the source's size with rolled-back rows (" +
                  std::to_string(st.heaps_full) + " of " + std::to_string(tables) + " at the source's size";
  if (st.heaps_capped) s += ", " + std::to_string(st.heaps_capped) + " stopped by --grow-cap-mb";
  if (st.heaps_short) s += ", " + std::to_string(st.heaps_short) + " short of it (the copies stopped growing the file)";
  s += ", " + std::to_string(st.grown_mb) + " MB)";
  if (st.one_row_tables) s += ", " + n(st.one_row_tables, "table", "tables") + " the sample missed given one row";
  if (st.empty_samples) s += ", " + n(st.empty_samples, "table", "tables") + " with no sampled row left as ANALYZEd";
  s += "; column statistics of " + n(st.columns, "column", "columns") + " from the source's pg_stats";
  if (st.columns_failed) s += ", " + n(st.columns_failed, "column", "columns") + " not taken by the scratch server";
  if (st.columns_differ) s += ", " + n(st.columns_differ, "column", "columns") + " differing after the copy";
  if (st.element_stats_skipped) {
    s += ", " + n(st.element_stats_skipped, "column's", "columns'") + " array element statistics the sample's";
  }
  s += " (extended and expression-index statistics not copied); ";
  s += st.restore_functions ? "written with pg_restore_relation_stats() and pg_restore_attribute_stats() "
                              "(PostgreSQL 18+, as the tables' owner)"
                            : "written into pg_class and pg_statistic (before PostgreSQL 18, as a superuser)";
  return s;
}

}  // namespace pgsift::db

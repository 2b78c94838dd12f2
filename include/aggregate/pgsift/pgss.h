// pg_stat_statements entries, database snapshots and deltas between them.
//
// A Snapshot is what `pgsift snapshot` stores (gzip JSON, schema
// pgsift.snapshot.v1): the view's rows, table and index statistics, a few
// settings and the server version. It never holds pg_stat_statements' raw
// query text: utility statements keep their literals there, so every entry
// carries the Fingerprinter's normalized text instead.
//
// Plain data: rules (e.g. an N+1 suspect rule) may read PgssEntry directly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/result.h"

namespace pgsift {

// One row of pg_stat_statements: the union of the columns of versions 9.5
// to 17 (pg_stat_statements 1.3 to 1.11), under their newest names. The
// version each column appeared in is noted; older names map as follows:
//   total_time/min_time/max_time/mean_time/stddev_time (9.5-12)
//       -> *_exec_time (13+)
//   blk_read_time/blk_write_time (9.5-16) -> shared_blk_*_time (17+)
//       (they always timed shared blocks only; 17 added local_blk_*_time).
// A column the server does not have stays 0 (see Snapshot::columns for which
// ones were present). Times are milliseconds, as the view reports them.
struct PgssEntry {
  uint32_t userid = 0;   // 9.5
  uint32_t dbid = 0;     // 9.5
  int64_t queryid = 0;   // 9.5 (null for other users' rows without privilege: 0)
  bool toplevel = true;  // 14
  std::string user;      // pg_roles.rolname, joined by the live reader
  std::string database;  // pg_database.datname, joined by the live reader
  // libpg_query fingerprint and normalized text of the query text (never the
  // raw text). fallback: libpg_query could not parse it.
  uint64_t fingerprint = 0;
  bool fallback = false;
  std::string query;

  int64_t plans = 0;                   // 13
  double total_plan_time = 0;          // 13
  double min_plan_time = 0;            // 13
  double max_plan_time = 0;            // 13
  double mean_plan_time = 0;           // 13
  double stddev_plan_time = 0;         // 13
  int64_t calls = 0;                   // 9.5
  double total_exec_time = 0;          // 9.5 as total_time, 13 renamed
  double min_exec_time = 0;            // 9.5 as min_time
  double max_exec_time = 0;            // 9.5 as max_time
  double mean_exec_time = 0;           // 9.5 as mean_time
  double stddev_exec_time = 0;         // 9.5 as stddev_time
  int64_t rows = 0;                    // 9.5
  int64_t shared_blks_hit = 0;         // 9.5
  int64_t shared_blks_read = 0;        // 9.5
  int64_t shared_blks_dirtied = 0;     // 9.5
  int64_t shared_blks_written = 0;     // 9.5
  int64_t local_blks_hit = 0;          // 9.5
  int64_t local_blks_read = 0;         // 9.5
  int64_t local_blks_dirtied = 0;      // 9.5
  int64_t local_blks_written = 0;      // 9.5
  int64_t temp_blks_read = 0;          // 9.5
  int64_t temp_blks_written = 0;       // 9.5
  double shared_blk_read_time = 0;     // 9.5 as blk_read_time, 17 renamed
  double shared_blk_write_time = 0;    // 9.5 as blk_write_time, 17 renamed
  double local_blk_read_time = 0;      // 17
  double local_blk_write_time = 0;     // 17
  double temp_blk_read_time = 0;       // 15
  double temp_blk_write_time = 0;      // 15
  int64_t wal_records = 0;             // 13
  int64_t wal_fpi = 0;                 // 13
  int64_t wal_bytes = 0;               // 13 (numeric in the view)
  int64_t wal_buffers_full = 0;        // 18
  int64_t jit_functions = 0;           // 15
  double jit_generation_time = 0;      // 15
  int64_t jit_inlining_count = 0;      // 15
  double jit_inlining_time = 0;        // 15
  int64_t jit_optimization_count = 0;  // 15
  double jit_optimization_time = 0;    // 15
  int64_t jit_emission_count = 0;      // 15
  double jit_emission_time = 0;        // 15
  int64_t jit_deform_count = 0;        // 17
  double jit_deform_time = 0;          // 17
  std::string stats_since;             // 17 (timestamptz as text)
  std::string minmax_stats_since;      // 17
  // The text started with kPgsiftTag: one of pgsift's own statements
  // (known while reading the raw text only; not stored in a snapshot).
  bool pgsift = false;

  // 18
  int64_t parallel_workers_to_launch = 0;
  int64_t parallel_workers_launched = 0;
};

// Maps one view column (any version's name) onto an entry. `value` is the
// column's text ("" for NULL). Returns false for a column we do not know
// (it is ignored) and an Error for a known numeric column that does not
// parse. "query" is fingerprinted and normalized here; the raw text is not
// kept.
Result<bool> SetPgssColumn(PgssEntry* entry, std::string_view column, std::string_view value);

// The canonical (newest) name of a column, or "" when unknown.
std::string_view CanonicalPgssColumn(std::string_view column);

struct TableStats {
  std::string schema, name;
  int64_t seq_scan = 0, seq_tup_read = 0, idx_scan = 0, idx_tup_fetch = 0;
  int64_t n_tup_ins = 0, n_tup_upd = 0, n_tup_del = 0, n_live_tup = 0, n_dead_tup = 0;
  int64_t heap_blks_read = 0, heap_blks_hit = 0, idx_blks_read = 0, idx_blks_hit = 0;
  int64_t size_bytes = 0;
};

struct IndexStats {
  std::string schema, table, name;
  int64_t idx_scan = 0, idx_tup_read = 0, idx_tup_fetch = 0;
  int64_t idx_blks_read = 0, idx_blks_hit = 0;
  int64_t size_bytes = 0;
  bool unique = false, primary = false;
  // md5 of what makes two indexes the same (columns, operator classes,
  // expressions, predicate, uniqueness), without the name: equal keys on
  // one table are duplicates. The definition itself is not stored.
  std::string definition_key;
};

// One pg_settings row as a snapshot stores it: `setting` and `unit` as the
// server gives them (shared_buffers: "32768", "8kB") and the value in bytes
// (memory units) or milliseconds (time units): 268435456 bytes, which is
// 256MB. Unitless settings have neither.
struct SettingValue {
  std::string setting;
  std::string unit;
  std::optional<int64_t> bytes;
  std::optional<double> ms;
};
// Fills bytes or ms from setting and unit; a unit pg_settings does not use,
// or a setting that is not a number, leaves them unset.
SettingValue MakeSettingValue(std::string setting, std::string unit);

inline constexpr std::string_view kSnapshotSchema = "pgsift.snapshot.v1";

struct Snapshot {
  std::string source;          // "live" | "csv" | "json": how the rows were read
  std::string captured_at;     // server's now() (ISO 8601, UTC); "" for exports
  int server_version_num = 0;  // 0 when unknown (exports)
  std::string server_version;
  std::string pgss_version;  // extension version, e.g. "1.10"
  std::string database;      // the database connected to (or snapshot --label)
  // Which server and database the rows came from (live snapshots; empty/0 for
  // exports and older snapshots): pg_control_system().system_identifier as
  // decimal text (64-bit: exact for JavaScript readers), current_database()
  // (the real name, even under --label) and its pg_database oid. A report
  // refuses snapshots whose server or database differ.
  std::string system_identifier;
  std::string datname;
  uint32_t database_oid = 0;
  int64_t database_size_bytes = 0;
  std::string stats_reset;           // pg_stat_statements_info.stats_reset (14+)
  int64_t dealloc = 0;               // pg_stat_statements_info.dealloc (14+)
  std::vector<std::string> columns;  // canonical pgss columns present
  std::vector<PgssEntry> entries;    // sorted by (dbid, userid, queryid, toplevel)
  std::vector<TableStats> tables;
  std::vector<IndexStats> indexes;
  std::map<std::string, SettingValue> settings;  // name -> value
  int64_t pgsift_left_out = 0;                   // entries of pgsift's own statements left out
};

// Removes the entries of pgsift's own statements (PgssEntry::pgsift); returns
// how many.
int64_t DropPgsiftEntries(Snapshot* snapshot);

// Sorts entries and tables for deterministic output.
void NormalizeSnapshot(Snapshot* snapshot);

// gzip JSON. Write fails only on I/O; Read reports the file and what is wrong.
Status WriteSnapshot(const Snapshot& snapshot, const std::string& path);
Result<Snapshot> ReadSnapshot(const std::string& path);
std::string SnapshotToJson(const Snapshot& snapshot);
Result<Snapshot> SnapshotFromJson(std::string_view json, const std::string& name);

// A CSV (header row, e.g. psql \copy ... csv header) or JSON (array of
// objects, e.g. json_agg) export of pg_stat_statements from any version
// 9.5-17. Errors name the file and line (CSV) or element (JSON).
Result<Snapshot> ReadPgssExport(const std::string& path);
Result<Snapshot> ParsePgssCsv(std::string_view text, const std::string& name);
Result<Snapshot> ParsePgssJson(std::string_view text, const std::string& name);

// Counters summed over entries (one fingerprint, or a whole snapshot).
struct PgssTotals {
  int64_t calls = 0;
  double exec_ms = 0;
  double plan_ms = 0;
  int64_t rows = 0;
  int64_t shared_blks_hit = 0;
  int64_t shared_blks_read = 0;
  int64_t temp_blks_written = 0;
  void Add(const PgssEntry& e);
  void Add(const PgssTotals& t);
  double mean_ms() const { return calls > 0 ? exec_ms / static_cast<double>(calls) : 0; }
  // shared_blks_hit / (hit + read); -1 when no blocks were touched.
  double hit_ratio() const;
};

struct FingerprintDelta {
  uint64_t fingerprint = 0;
  bool fallback = false;
  std::string query;      // normalized
  std::string databases;  // comma-separated database names (or dbids)
  PgssTotals before;      // cumulative counters in `from`
  PgssTotals window;      // what happened between the snapshots
  bool in_from = false;   // some entry of this fingerprint was in `from`
  bool in_to = false;
  bool reset = false;  // an entry's counters went down: counted from zero
};

struct SnapshotDelta {
  // A reset between the snapshots: pg_stat_statements_info.stats_reset
  // changed, or counters of entries present in both went down. Entries
  // reset are counted from zero (their `to` values are the window).
  bool reset = false;
  std::string reset_reason;
  uint64_t entries_reset = 0;
  uint64_t matched_by_key = 0;            // (queryid, userid, dbid, toplevel)
  uint64_t matched_by_fingerprint = 0;    // ids changed (server move, upgrade)
  PgssTotals window;                      // sum over all fingerprints
  std::vector<FingerprintDelta> queries;  // sorted by window exec time desc, fingerprint
};

SnapshotDelta ComputeDelta(const Snapshot& from, const Snapshot& to);

}  // namespace pgsift

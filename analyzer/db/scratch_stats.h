// Internal to analyzer/db/: the source-statistics mode of the sampled scratch
// database (check --sample PCT --source-stats). The planner scales
// pg_class.reltuples by the table's real file size (estimate_rel_size), on
// every version, so:
//  1. before the sample is loaded, every table gets autovacuum_enabled=false
//     and vacuum_truncate=false (nothing may clean or shrink it later);
//  2. after the sample, before the indexes: the heap file is grown towards
//     the source's size with copies of the sample inserted in transactions
//     that are rolled back (their dead tuples stay in the file), bounded by a
//     size cap;
//  3. after ANALYZE, the source's statistics: the row count (so that the
//     planner's estimate, reltuples / relpages x file pages, is the
//     source's) and the source's pg_stats of every column. How depends on
//     the scratch server's version (UsesRestoreFunctions):
//     - PostgreSQL 18+: pg_restore_relation_stats() and
//       pg_restore_attribute_stats() (scratch_stats_restore.cpp), which need
//       only the MAINTAIN privilege the role creating the tables has: no
//       superuser. Every pg_stats field is restored, array element and range
//       statistics too. Without step 2 these calls alone give worse plans
//       (0 pages in the file: 0 rows);
//     - before: pg_class and pg_statistic are written directly
//       (CopySourceStatistics), which needs a superuser on the scratch
//       server; the slots pg_stats cannot give there (array element and
//       range statistics) stay the sample's.
// The statistics values are table data: they go from the source to the
// scratch server as query parameters and never into a message; the scratch
// session keeps them out of the server's log too (QuietParameters).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

// libpq's connection type (as libpq-fe.h declares it), so that this header
// needs no libpq headers.
typedef struct pg_conn PGconn;

namespace pgsift::db {

struct SampledTable {
  std::string name;   // format('%I.%I')
  std::string cols;   // the non-generated columns, quoted, comma-separated
  uint64_t rows = 0;  // sampled rows
  // Filled by GrowHeaps, used by CopySourceStatistics.
  double source_tuples = -1;  // the source planner's estimate (-1: never analyzed there)
  double allvisible_frac = 0;
};

struct SourceStatsStats {
  size_t tables = 0;                 // pg_class row counts set from the source
  size_t heaps_full = 0;             // heap grown to the source's page count
  size_t heaps_capped = 0;           // stopped by the size cap
  size_t heaps_short = 0;            // the copies stopped growing the file
  size_t empty_samples = 0;          // rows at the source, none in the sample: left as ANALYZE saw them
  size_t one_row_tables = 0;         // the sample missed them: one row copied instead
  uint64_t grown_mb = 0;             // dead space written in total
  size_t columns = 0;                // pg_statistic rows written from the source's pg_stats
  size_t columns_failed = 0;         // a column whose values the scratch server did not take
  size_t columns_differ = 0;         // written, but pg_stats then differs from the source's
  size_t element_stats_skipped = 0;  // columns whose array element statistics stay the sample's
  bool restore_functions = false;    // written with pg_restore_*_stats (PostgreSQL 18+)
};

// True when the scratch server has pg_restore_relation_stats() and
// pg_restore_attribute_stats() (PostgreSQL 18+): the path without superuser.
bool UsesRestoreFunctions(PGconn* dst);

// Throws unless the scratch session's role is a superuser (the path before
// PostgreSQL 18).
void RequireSuperuser(PGconn* dst);

// Keeps the statistics values, sent as query parameters, out of the scratch
// server's log: a superuser turns statement logging off for the session;
// another role sets what it may (log_parameter_max_length = 0 needs a
// superuser or GRANT SET ON PARAMETER) and, if the server would still log
// this session's statements with their parameters (log_statement,
// log_min_duration_statement, their sampling, auto_explain), throws, saying
// what to grant. Also sets the text I/O of the values (DateStyle,
// extra_float_digits...) identical on both sessions.
void SetUpStatsSessions(PGconn* src, PGconn* dst);
void QuietParameters(PGconn* dst);  // the scratch session's part of it

// Step 1, on the scratch database right after the source's pre-data schema.
void DisableAutovacuum(PGconn* dst, const std::vector<SampledTable>& tables);

// Step 2: after the sample's rows, before the indexes and constraints.
void GrowHeaps(PGconn* src, PGconn* dst, std::vector<SampledTable>* tables, uint64_t cap_mb, SourceStatsStats* out);

// Step 3: after the scratch database's ANALYZE, before PostgreSQL 18 (a
// superuser).
void CopySourceStatistics(PGconn* src, PGconn* dst, const std::vector<SampledTable>& tables, SourceStatsStats* out);

// Step 3 on PostgreSQL 18+: the row counts and every column's pg_stats
// through the restore functions, as the tables' owner.
void RestoreSourceStatistics(PGconn* src, PGconn* dst, const std::vector<SampledTable>& tables, SourceStatsStats* out);

// The report's words for what was copied (of `tables` sampled tables).
std::string DescribeSourceStats(const SourceStatsStats& st, size_t tables);

}  // namespace pgsift::db

// Internal to analyzer/db/: the source-statistics mode of the sampled scratch
// database (check --sample PCT --source-stats). PostgreSQL 15 has no function
// to load statistics, and its planner scales pg_class.reltuples by the
// table's real file size (estimate_rel_size), so:
//  1. before the sample is loaded, every table gets autovacuum_enabled=false
//     and vacuum_truncate=false (nothing may clean or shrink it later);
//  2. after the sample, before the indexes: the heap file is grown towards
//     the source's size with copies of the sample inserted in transactions
//     that are rolled back (their dead tuples stay in the file), bounded by a
//     size cap;
//  3. after ANALYZE: pg_class.reltuples is set so that the planner's
//     estimate (reltuples / relpages x file pages) is the source's, and
//     pg_statistic gets the source's pg_stats (null fraction, width,
//     n_distinct, most common values and frequencies, histogram,
//     correlation) with the operators ANALYZE would use; the slots pg_stats
//     cannot give (array element and range statistics) stay the sample's.
// Writing pg_class and pg_statistic needs a superuser on the scratch server.
// The statistics values are table data: they go from the source to the
// scratch server as query parameters and never into a message.
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
};

// Throws unless the scratch session's role is a superuser.
void RequireSuperuser(PGconn* dst);

// Step 1, on the scratch database right after the source's pre-data schema.
void DisableAutovacuum(PGconn* dst, const std::vector<SampledTable>& tables);

// Step 2: after the sample's rows, before the indexes and constraints.
void GrowHeaps(PGconn* src, PGconn* dst, std::vector<SampledTable>* tables, uint64_t cap_mb, SourceStatsStats* out);

// Step 3: after the scratch database's ANALYZE.
void CopySourceStatistics(PGconn* src, PGconn* dst, const std::vector<SampledTable>& tables, SourceStatsStats* out);

// The report's words for what was copied (of `tables` sampled tables).
std::string DescribeSourceStats(const SourceStatsStats& st, size_t tables);

}  // namespace pgsift::db

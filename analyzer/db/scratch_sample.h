// Internal to analyzer/db/: the sample mode of the scratch database. The
// source's schema (pg_dump --schema-only) and a TABLESAMPLE of every table's
// rows, streamed with COPY, into an empty database; foreign keys are added
// NOT VALID (a sample of a child table references rows the parent's sample
// lacks); then ANALYZE. The source is only read, in a read-only session, and
// may have other sessions (unlike CREATE DATABASE ... TEMPLATE).
#pragma once

#include <cstdint>
#include <string>

#include "scratch_stats.h"
#include "pgsift/db.h"

namespace pgsift::db {

struct SampleRequest {
  double percent = 0;  // 0 < percent <= 100
  std::string pg_dump = "pg_dump";
  // The source-statistics mode (scratch_stats.h): grown heaps, pg_class and
  // pg_statistic from the source.
  bool source_stats = false;
  uint64_t grow_cap_mb = 1024;  // dead space written to grow the heaps, in total
};

struct SampleStats {
  size_t tables = 0;
  uint64_t rows = 0;
  size_t foreign_keys_not_valid = 0;
  SourceStatsStats source_stats;
};

// Loads request.percent of the source's rows into the empty database at
// `scratch_dsn` (and with request.source_stats, the source's statistics).
// Throws std::runtime_error (message without passwords or table data) on
// failure.
SampleStats LoadSample(const ConnectOptions& source, const std::string& scratch_dsn, const SampleRequest& request);

}  // namespace pgsift::db

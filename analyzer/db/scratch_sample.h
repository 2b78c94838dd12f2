// Internal to analyzer/db/: the sample mode of the scratch database. The
// source's schema (pg_dump --schema-only) and a TABLESAMPLE of every table's
// rows, streamed with COPY, into an empty database; foreign keys are added
// NOT VALID (a sample of a child table references rows the parent's sample
// lacks); then ANALYZE. The source is only read, in a read-only session, and
// may have other sessions (unlike CREATE DATABASE ... TEMPLATE).
#pragma once

#include <cstdint>
#include <string>

#include "pgsift/db.h"

namespace pgsift::db {

struct SampleStats {
  size_t tables = 0;
  uint64_t rows = 0;
  size_t foreign_keys_not_valid = 0;
};

// Loads `percent` (0 < percent <= 100) of the source's rows into the empty
// database at `scratch_dsn`. Throws std::runtime_error (message without
// passwords) on failure.
SampleStats LoadSample(const ConnectOptions& source, const std::string& scratch_dsn, double percent,
                       const std::string& pg_dump);

}  // namespace pgsift::db

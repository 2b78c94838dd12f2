// Internal to analyzer/db/: the lock and rewrite trace of `pgsift check`.
// While a migration file is applied, after each of its statements and in
// the same session (so inside the migration's own transaction), pgsift
// reads pg_locks for its own backend and the relfilenode of every relation
// that existed before the file. Those reads are pgsift's own statements
// (db::Own); the migration's statements are sent as before. They hold
// ACCESS SHARE on catalogs (pg_class, pg_locks' function) until the
// migration commits, which no migration statement conflicts with.
#pragma once

#include <pqxx/pqxx>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "pgsift/scratch.h"

namespace pgsift::db {

class MigrationTracer {
 public:
  // Reads the relations that exist before the file (outside any transaction).
  // `file_transaction`: pgsift runs the whole file in one transaction.
  // Each statement's trace is appended to out->trace; out->existing is set.
  MigrationTracer(pqxx::nontransaction& tx, const MigrationFile& file, bool file_transaction,
                  AppliedFile* out);
  // Before statement `index` runs: in an autocommit file, a statement that
  // may run in a transaction block and is not inside the file's own BEGIN
  // gets a transaction of its own (BEGIN now, COMMIT in After), exactly the
  // implicit transaction PostgreSQL would give it, so its locks can be read.
  void Before(size_t index);
  // After statement `index` succeeded in `ms` milliseconds.
  void After(size_t index, double ms);

 private:
  struct Rel {
    TracedRelation rel;
    int64_t filenode = 0, bytes = 0;
    bool valid = true;  // an index's pg_index.indisvalid
  };
  static bool IsIndex(const Rel& r) { return r.rel.kind == 'i' || r.rel.kind == 'I'; }
  // Indexes created, dropped and newly invalid since the last statement.
  void DiffIndexes(const std::map<int64_t, Rel>& now, bool reset, StatementTrace* t);
  std::map<int64_t, Rel> ReadRelations(bool sizes);
  std::set<std::pair<int64_t, std::string>> ReadLocks();

  pqxx::nontransaction& tx_;
  const MigrationFile& file_;
  int server_version_ = 0;
  bool in_transaction_ = false;  // a transaction is open in the session
  bool wrapped_ = false;         // ... opened by pgsift for the current statement
  int transaction_ = 0;
  std::map<int64_t, Rel> existing_;                      // oid -> relation before the file
  std::map<int64_t, int64_t> filenodes_;                 // oid -> relfilenode now
  std::set<std::pair<int64_t, std::string>> held_;       // (oid, mode) before this statement
  std::map<int64_t, TracedIndex> indexes_;               // oid -> every index now (also the file's own)
  AppliedFile* out_;
};

}  // namespace pgsift::db

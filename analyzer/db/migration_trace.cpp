// The lock and rewrite trace of `pgsift check` (see migration_trace.h).
#include "migration_trace.h"

#include <algorithm>
#include <cctype>

#include "session.h"

namespace pgsift::db {

namespace {

bool HasWord(std::string_view text, std::string_view upper_word) {
  auto it = std::search(text.begin(), text.end(), upper_word.begin(), upper_word.end(),
                        [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; });
  return it != text.end();
}

std::string TransactionKind(const MigrationStatement& s) {
  const nlohmann::json& n = s.Node();
  return n.is_object() && n.contains("kind") && n["kind"].is_string() ? n["kind"].get<std::string>() : "";
}

// Whether PostgreSQL accepts the statement inside a transaction block, so
// pgsift may give it the transaction autocommit would have given it
// implicitly. Session settings are left alone (nothing to lock), and so is
// anything that may manage transactions itself (CALL, a DO with COMMIT).
bool Wrappable(const MigrationStatement& s, int server_version) {
  static const std::set<std::string> kNever = {
      "TransactionStmt",      "VacuumStmt",           "CreatedbStmt",           "DropdbStmt",
      "AlterSystemStmt",      "CreateTableSpaceStmt", "DropTableSpaceStmt",     "CreateSubscriptionStmt",
      "DropSubscriptionStmt", "CallStmt",             "VariableSetStmt",        "DiscardStmt"};
  if (kNever.count(s.kind) || HasWord(s.text, "CONCURRENTLY")) return false;
  if (s.kind == "AlterEnumStmt" && server_version < 120000) return false;  // ADD VALUE in a block: 12+
  const nlohmann::json& n = s.Node();
  if (s.kind == "ClusterStmt" && !(n.is_object() && n.contains("relation"))) return false;  // CLUSTER of all tables
  if (s.kind == "ReindexStmt" && n.is_object() && n.value("kind", "") != "REINDEX_OBJECT_TABLE" &&
      n.value("kind", "") != "REINDEX_OBJECT_INDEX")
    return false;  // SCHEMA, DATABASE, SYSTEM
  if (s.kind == "DoStmt" && (HasWord(s.text, "COMMIT") || HasWord(s.text, "ROLLBACK"))) return false;
  return true;
}

}  // namespace

MigrationTracer::MigrationTracer(pqxx::nontransaction& tx, const MigrationFile& file, bool file_transaction,
                                 AppliedFile* out)
    : tx_(tx), file_(file), out_(out) {
  server_version_ = tx_.exec1(Own("SELECT current_setting('server_version_num')::int"))[0].as<int>();
  existing_ = ReadRelations(/*sizes=*/true);
  for (const auto& [oid, r] : existing_) {
    filenodes_[oid] = r.filenode;
    out_->existing[r.rel.Key()] = r.rel;  // by schema: public.patients is not archive.patients
    if (IsIndex(r)) indexes_[oid] = TracedIndex{r.rel, r.bytes, r.valid};
  }
  // The names the lint's unqualified ones stand for: this session's path.
  for (const pqxx::row& row : tx_.exec(Own("SELECT unnest(current_schemas(false))"))) {
    out_->search_path.push_back(row[0].c_str());
  }
  // Foreign keys: a write to the referencing table checks the referenced one.
  int64_t last = -1;
  for (const pqxx::row& row :
       tx_.exec(Own("SELECT c.oid::bigint, c.conrelid::bigint, c.confrelid::bigint, a.attname"
                    " FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)"
                    " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum"
                    " WHERE c.contype = 'f' ORDER BY c.oid, k.n"))) {
    int64_t from = row[1].as<int64_t>(), to = row[2].as<int64_t>();
    if (!existing_.count(from) || !existing_.count(to)) continue;
    if (row[0].as<int64_t>() != last) out_->foreign_keys.push_back({existing_[from].rel.Key(), existing_[to].rel.Key(), {}});
    last = row[0].as<int64_t>();
    out_->foreign_keys.back().columns.push_back(row[3].c_str());
  }
  if (file_transaction) {  // the caller's BEGIN follows
    in_transaction_ = true;
    transaction_ = 1;
  }
}

std::map<int64_t, MigrationTracer::Rel> MigrationTracer::ReadRelations(bool sizes) {
  // Every relation of the user's schemas; pg_relation_size takes ACCESS
  // SHARE on each, so sizes are read only outside the migration's transaction.
  pqxx::result r = tx_.exec(Own(
      std::string("SELECT c.oid::bigint, n.nspname, c.relname, c.relkind::text, c.relfilenode::bigint, "
                  "coalesce(t.relname, ''), ") +
      (sizes ? "pg_relation_size(c.oid)" : "0::bigint") + ", coalesce(i.indisvalid, true)" +
      " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
      " LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid"
      " WHERE c.relkind IN ('r', 'p', 'm', 'i', 'I', 'v', 'f') AND n.nspname <> 'information_schema'"
      " AND n.nspname NOT LIKE 'pg\\_%'"));
  std::map<int64_t, Rel> out;
  for (const pqxx::row& row : r) {
    Rel rel;
    rel.rel.schema = row[1].c_str();
    rel.rel.name = row[2].c_str();
    rel.rel.kind = row[3].c_str()[0];
    rel.filenode = row[4].as<int64_t>();
    rel.rel.table = row[5].c_str();
    rel.bytes = row[6].as<int64_t>();
    rel.valid = row[7].as<bool>();
    out[row[0].as<int64_t>()] = std::move(rel);
  }
  return out;
}

std::set<std::pair<int64_t, std::string>> MigrationTracer::ReadLocks() {
  pqxx::result r = tx_.exec(
      Own("SELECT relation::bigint, mode FROM pg_locks WHERE locktype = 'relation' AND pid = pg_backend_pid()"
          " AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
  std::set<std::pair<int64_t, std::string>> out;
  for (const pqxx::row& row : r) {
    int64_t oid = row[0].as<int64_t>();
    if (existing_.count(oid)) out.insert({oid, row[1].c_str()});
  }
  return out;
}

void MigrationTracer::DiffIndexes(const std::map<int64_t, Rel>& now, bool reset, StatementTrace* t) {
  std::map<int64_t, TracedIndex> next;
  for (const auto& [oid, rel] : now) {
    if (!IsIndex(rel)) continue;
    auto was = indexes_.find(oid);
    TracedIndex index{rel.rel, was == indexes_.end() ? 0 : was->second.bytes, rel.valid};
    if (!reset && was == indexes_.end()) t->indexes_created.push_back(index);
    if (!reset && !rel.valid && (was == indexes_.end() || was->second.valid)) t->indexes_invalid.push_back(index);
    next[oid] = std::move(index);
  }
  for (const auto& [oid, index] : indexes_) {
    if (!reset && !next.count(oid)) t->indexes_dropped.push_back(index);
  }
  indexes_ = std::move(next);
}

void MigrationTracer::Before(size_t index) {
  const MigrationStatement& s = file_.statements[index];
  if (in_transaction_ || !Wrappable(s, server_version_)) return;
  tx_.exec(Own("BEGIN"));
  in_transaction_ = true;
  wrapped_ = true;
  ++transaction_;
  held_.clear();
}

void MigrationTracer::After(size_t index, double ms) {
  const MigrationStatement& s = file_.statements[index];
  StatementTrace t;
  t.statement = index;
  t.ms = ms;
  bool reset_files = false;  // a ROLLBACK brings the old relfilenodes back: no rewrite
  if (s.kind == "TransactionStmt") {
    std::string kind = TransactionKind(s);
    if ((kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") && !in_transaction_) {
      in_transaction_ = true;
      ++transaction_;
      held_.clear();
    } else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK" || kind == "TRANS_STMT_PREPARE") {
      t.transaction = in_transaction_ ? transaction_ : 0;
      t.ends_transaction = in_transaction_;
      t.rolled_back = kind != "TRANS_STMT_COMMIT";
      reset_files = t.rolled_back;
      in_transaction_ = false;
      held_.clear();
    } else if (kind == "TRANS_STMT_ROLLBACK_TO") {
      reset_files = true;  // what came after the savepoint is undone
    }
  }
  if (in_transaction_) {
    t.locks_seen = true;
    t.transaction = transaction_;
    std::set<std::pair<int64_t, std::string>> now = ReadLocks();
    for (const auto& [oid, mode] : now) {
      TracedLock lock{existing_[oid].rel, mode, true};
      if (!held_.count({oid, mode})) t.acquired.push_back(lock);
      t.held.push_back(std::move(lock));
    }
    held_ = std::move(now);
  } else if (t.ends_transaction) {
    t.locks_seen = true;
  }
  std::map<int64_t, Rel> now = ReadRelations(/*sizes=*/false);
  std::vector<int64_t> changed;
  for (const auto& [oid, rel] : existing_) {
    auto it = now.find(oid);
    auto was = filenodes_.find(oid);
    if (it == now.end()) {
      if (was != filenodes_.end() && !reset_files) t.dropped.push_back(rel.rel);
      filenodes_.erase(oid);
      continue;
    }
    if (!reset_files && (was == filenodes_.end() || was->second != it->second.filenode)) {
      if (was != filenodes_.end()) changed.push_back(oid);  // a dropped relation back: not a rewrite
    }
    filenodes_[oid] = it->second.filenode;
  }
  DiffIndexes(now, reset_files, &t);
  if (wrapped_) {
    tx_.exec(Own("COMMIT"));
    in_transaction_ = false;
    wrapped_ = false;
    t.ends_transaction = true;
    held_.clear();
  }
  for (int64_t oid : changed) {
    TracedRewrite w;
    w.relation = existing_[oid].rel;
    w.bytes_before = existing_[oid].bytes;
    w.bytes_after = tx_.exec1(Own("SELECT pg_relation_size(" + std::to_string(oid) + "::oid)"))[0].as<int64_t>();
    t.rewrites.push_back(std::move(w));
  }
  // The size of each index created or left invalid (an existing one too:
  // its ACCESS SHARE is pgsift's, dropped from held_ below).
  bool sized = false;
  for (auto* list : {&t.indexes_created, &t.indexes_invalid}) {
    for (TracedIndex& index : *list) {
      if (index.index.kind != 'i') continue;  // a partitioned index has no storage
      for (const auto& [oid, known] : indexes_) {
        if (known.index.schema != index.index.schema || known.index.name != index.index.name) continue;
        index.bytes = tx_.exec1(Own("SELECT pg_relation_size(" + std::to_string(oid) + "::oid)"))[0].as<int64_t>();
        indexes_[oid].bytes = index.bytes;
        sized = true;
      }
    }
  }
  // pg_relation_size held ACCESS SHARE: not the next statement's lock.
  if ((!changed.empty() || sized) && in_transaction_) held_ = ReadLocks();
  out_->invalid_indexes.clear();
  for (const auto& [oid, index] : indexes_) {
    if (!index.valid) out_->invalid_indexes.push_back(index);
  }
  out_->trace.push_back(std::move(t));
}

}  // namespace pgsift::db

// Live EXPLAIN through libpqxx: baseline capture (read-only session) and the
// scratch database of `pgsift check` (migrations applied, queries re-planned).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <pqxx/pqxx>
#include <set>

#include "pgsift/fingerprint.h"
#include "pgsift/scratch.h"
#include "pgsift/statement_gate.h"
#include "migration_trace.h"
#include "plan_choice.h"
#include "scratch_guard.h"
#include "scratch_sample.h"
#include "server_message.h"
#include "session.h"

namespace pgsift {
namespace {

// The server's primary message only (libpq adds "LINE n: <sql>" and DETAIL
// lines), its values redacted unless `show_values` (db/server_message.h).
std::string PrimaryMessage(const std::exception& e, bool show_values = false) {
  return db::ServerMessage(e, show_values);
}

void Setup(pqxx::nontransaction& tx, const ConnectOptions& options, bool writable) {
  for (const std::string& sql : SessionSetupSql(options, writable)) tx.exec(sql);
}

// The cluster's pg_control_system().system_identifier, "" when this role
// may not read it.
std::string SystemIdentifier(pqxx::nontransaction& tx) {
  try {
    return tx.exec1(db::Own("SELECT system_identifier::text FROM pg_control_system()"))[0].c_str();
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception&) {
    return "";
  }
}

int ServerVersionNum(pqxx::nontransaction& tx) {
  return tx.exec1(db::Own("SELECT current_setting('server_version_num')::int"))[0].as<int>();
}

std::map<std::string, std::string> PlannerSettings(pqxx::nontransaction& tx) {
  std::map<std::string, std::string> out;
  pqxx::result r = tx.exec(
      db::Own("SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name LIKE 'enable\\_%' OR name IN ("
              "'seq_page_cost', 'random_page_cost', 'cpu_tuple_cost', 'cpu_index_tuple_cost', 'cpu_operator_cost',"
              " 'effective_cache_size', 'work_mem', 'default_statistics_target', 'jit', 'from_collapse_limit',"
              " 'join_collapse_limit', 'max_parallel_workers_per_gather', 'random_page_cost') ORDER BY name"));
  for (const pqxx::row& row : r) out[row[0].c_str()] = row[1].is_null() ? "" : row[1].c_str();
  return out;
}

// reltuples of each named relation (resolved on the search_path); -1 when
// the relation is missing or was never analyzed.
std::map<std::string, int64_t> RelationRows(pqxx::nontransaction& tx, const std::set<std::string>& names) {
  std::map<std::string, int64_t> out;
  for (const std::string& name : names) {
    pqxx::row r = tx.exec1(db::Own("SELECT coalesce((SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(" +
                                   tx.quote(tx.quote_name(name)) + ")), -1)"));
    out[name] = r[0].as<int64_t>();
  }
  return out;
}

std::set<std::string> PlanRelations(const std::vector<BaselineEntry>& entries) {
  std::set<std::string> out;
  for (const BaselineEntry& e : entries) {
    WalkPlan(e.plan, [&](const PlanNode& n, int) {
      if (!n.relation.empty()) out.insert(n.schema.empty() ? n.relation : n.schema + "." + n.relation);
    });
  }
  return out;
}

int64_t Median(std::vector<int64_t> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double MedianMs(std::vector<double> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The sample parameters as EXECUTE arguments: each must be one SQL literal
// (statement_gate.h), re-quoted by this connection, never sent as written.
Result<std::vector<std::string>> QuotedParams(pqxx::nontransaction& tx, const std::vector<std::string>& params) {
  std::vector<std::string> out;
  for (size_t i = 0; i < params.size(); ++i) {
    Result<SqlLiteral> lit = ParseUntrustedLiteral(params[i]);
    if (!lit.ok()) return Err("parameter $" + std::to_string(i + 1) + " is " + lit.error());
    switch (lit->kind) {
      case SqlLiteral::Kind::kNull:
        out.emplace_back("NULL");
        break;
      case SqlLiteral::Kind::kString:
        out.push_back(tx.quote(lit->text));
        break;
      case SqlLiteral::Kind::kNumber:
      case SqlLiteral::Kind::kBool:
        out.push_back(lit->text);  // digits, sign, '.', exponent; true/false
        break;
    }
  }
  return out;
}

// Plans one query: the statement alone in one Parse message (a protocol
// prepared statement, after the gate), then EXPLAIN EXECUTE with the sample
// parameters (custom plan) or with NULLs as its generic plan when there are
// none (plan_choice.h: plan_cache_mode from 12, the plan cache's own choice
// before). Each EXPLAIN runs inside a transaction that is always rolled
// back, so EXPLAIN ANALYZE of a data-modifying query changes nothing: the
// gate is asked for StatementUse::kRolledBack. `read_only` (capture) begins
// each of those transactions READ ONLY explicitly, so a function that turned
// default_transaction_read_only off in the session cannot make the next one
// writable. A statement or a parameter the gate refuses is never sent;
// `*refused` says so (the error is then the value-free refusal).
Result<BaselineEntry> PlanQuery(pqxx::nontransaction& tx, int server_version_num, Fingerprinter& fp,
                                const GuardedQuery& q, const PlanOptions& options, bool read_only, bool* refused) {
  static constexpr const char* kStatement = "pgsift_q";
  *refused = false;
  BaselineEntry e;
  e.name = q.name;
  e.sql = q.sql;
  const Shape& shape = fp.Fingerprint(q.sql);
  e.display = shape.normalized;
  e.fingerprint = FingerprintHex(shape.fingerprint);
  e.params_origin = q.params_origin;
  e.values_tag = q.values_tag;
  e.source = q.source;
  bool keep_params = q.params_origin == "queries-file" || options.show_values;
  Status gate = CheckUntrustedStatement(q.sql, StatementUse::kRolledBack);
  Result<std::vector<std::string>> quoted = QuotedParams(tx, q.params);
  if (!gate.ok() || !quoted.ok()) {
    *refused = true;
    return Err("query " + q.name + " (fingerprint " + e.fingerprint +
               ") not sent to the server: " + (gate.ok() ? quoted.error() : gate.error()));
  }
  pqxx::connection_base& conn = tx.conn();
  // Every way out deallocates the statement on its own, so a failure here
  // cannot leave it behind for the next query.
  auto unprepare = [&] {
    try {
      conn.unprepare(kStatement);
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const std::exception&) {
    }
  };
  auto prepare = [&] {
    unprepare();
    conn.prepare(kStatement, q.sql);
    conn.prepare_now(kStatement);
  };
  try {
    prepare();
    e.param_count = tx.exec1(db::Own(
                          "SELECT coalesce(cardinality(parameter_types), 0) FROM pg_prepared_statements"
                          " WHERE name = " +
                          tx.quote(kStatement)))[0]
                        .as<size_t>();
    if (!q.params.empty() && q.params.size() != e.param_count) {
      unprepare();
      return Err(std::to_string(q.params.size()) + " parameter values given, the statement takes " +
                 std::to_string(e.param_count));
    }
    std::string args;
    e.generic_plan = e.param_count > 0 && q.params.empty();
    for (size_t i = 0; i < e.param_count; ++i) {
      // Log values arrive as SQL literals too (ParseLogParameters).
      std::string v = e.generic_plan ? "NULL" : (*quoted)[i];
      args += (i ? ", " : "") + v;
    }
    if (keep_params) e.params = q.params;
    std::string execute = std::string("EXECUTE ") + kStatement + (args.empty() ? "" : "(" + args + ")");
    db::ChoosePlan(tx, server_version_num, execute, e.generic_plan);
    std::string explain =
        std::string("EXPLAIN (FORMAT JSON") + (options.analyze ? ", ANALYZE, BUFFERS" : "") + ") " + execute;
    int runs = options.analyze ? std::max(1, options.repeats) : 1;
    std::vector<double> times;
    std::vector<int64_t> blocks, temp;
    for (int i = 0; i < runs; ++i) {
      if (db::NeedsFreshStatement(server_version_num, e.generic_plan, i)) prepare();
      tx.exec(db::Own(read_only ? "BEGIN READ ONLY" : "BEGIN"));
      pqxx::result r = tx.exec(db::Own(explain));
      tx.exec(db::Own("ROLLBACK"));
      std::string json;
      for (const pqxx::row& row : r) json += row[0].c_str();
      auto plan = ReadExplainJson(json);
      if (!plan.ok()) {
        db::EndPlanChoice(tx, server_version_num);
        unprepare();
        return Err(plan.error());
      }
      if (i == 0) e.plan = StablePlan(plan->root, options.show_values);
      if (options.analyze) {
        times.push_back(plan->execution_ms);
        blocks.push_back(plan->root.buffers.shared_total());
        temp.push_back(plan->root.buffers.temp_read + plan->root.buffers.temp_written);
      }
    }
    if (options.analyze) {
      e.repeats = runs;
      e.median_ms = MedianMs(times);
      e.median_shared_blocks = Median(blocks);
      e.temp_blocks = Median(temp);
    }
    db::EndPlanChoice(tx, server_version_num);
    unprepare();
    return e;
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception& ex) {
    std::string msg = PrimaryMessage(ex, options.show_values);
    try {
      tx.exec(db::Own("ROLLBACK"));  // outside a transaction block: a warning only
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const std::exception&) {
    }
    db::EndPlanChoice(tx, server_version_num);
    unprepare();
    return Err(msg);
  }
}

std::string FormatPercent(double p) {
  std::string s = std::to_string(p);
  s.erase(s.find_last_not_of('0') + 1);
  if (s.ends_with('.')) s.pop_back();
  return s + "%";
}

bool ContainsNoCase(std::string_view text, std::string_view word) {
  auto it = std::search(text.begin(), text.end(), word.begin(), word.end(),
                        [](char a, char b) { return std::toupper(static_cast<unsigned char>(a)) == b; });
  return it != text.end();
}

// Statements PostgreSQL refuses inside a transaction block, and files that
// manage their own transactions: such files run statement by statement.
bool NeedsAutocommit(const MigrationFile& file) {
  static const std::set<std::string> kKinds = {
      "TransactionStmt",      "VacuumStmt",         "CreatedbStmt",           "DropdbStmt",          "AlterSystemStmt",
      "CreateTableSpaceStmt", "DropTableSpaceStmt", "CreateSubscriptionStmt", "DropSubscriptionStmt"};
  for (const MigrationStatement& s : file.statements) {
    if (s.in_plpgsql) continue;
    if (kKinds.count(s.kind) || ContainsNoCase(s.text, "CONCURRENTLY")) return true;
  }
  return false;
}

// Applies one file; returns the first failure.
std::optional<LintDiagnostic> ApplyFile(pqxx::nontransaction& tx, const MigrationFile& file, AppliedFile* applied,
                                        bool show_values) {
  applied->path = file.path;
  // As the migration tool runs it: one transaction when its layout wraps the
  // file in one (Flyway, diesel, dbmate, goose, --assume-in-transaction) or
  // sends it as one multi-statement query (golang-migrate); else statement
  // by statement as psql does, each autocommitted (the tracer gives each the
  // implicit transaction it would get), and an explicit BEGIN ... COMMIT.
  applied->in_transaction =
      (file.assume_in_transaction || file.implicit_multi_statement_transaction) && !NeedsAutocommit(file);
  // Reads the relations that exist before the file: what the trace watches.
  db::MigrationTracer tracer(tx, file, applied->in_transaction, applied);
  if (applied->in_transaction) tx.exec(db::Own("BEGIN"));
  for (size_t i = 0; i < file.statements.size(); ++i) {
    const MigrationStatement& s = file.statements[i];
    if (s.in_plpgsql) continue;  // part of a DO body, sent with the DO
    try {
      tracer.Before(i);
      auto start = std::chrono::steady_clock::now();
      tx.exec(s.text);
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      ++applied->statements;
      tracer.After(i, ms);
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const std::exception& ex) {
      std::string msg = PrimaryMessage(ex, show_values);
      try {
        tx.exec(db::Own("ROLLBACK"));
      } catch (const pqxx::broken_connection&) {
        throw;
      } catch (const std::exception&) {
      }
      Location where = s.location;
      where.file = file.path;
      return LintDiagnostic{where, msg + (applied->in_transaction ? " (the file was rolled back)" : "")};
    }
  }
  if (applied->in_transaction) tx.exec(db::Own("COMMIT"));
  return std::nullopt;
}

// `dsn` pointing at database `db` instead (URI path or a later dbname=,
// which libpq lets win).
std::string WithDatabase(const std::string& dsn, const std::string& db) {
  if (dsn.starts_with("postgres://") || dsn.starts_with("postgresql://")) {
    size_t start = dsn.find("://") + 3;
    size_t query = dsn.find('?', start);
    size_t slash = dsn.find('/', start);
    std::string head = dsn.substr(0, slash != std::string::npos && slash < query ? slash : query);
    std::string tail = query == std::string::npos ? "" : dsn.substr(query);
    return head + "/" + db + tail;
  }
  return dsn + (dsn.empty() ? "" : " ") + "dbname='" + db + "'";
}

std::string SignalName(int sig) {
  switch (sig) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "signal " + std::to_string(sig);
  }
}

// Throws once InterruptGuard took a signal: the run stops and drops its copy.
void StopIfInterrupted() {
  if (int sig = db::InterruptSignal()) throw std::runtime_error("interrupted by " + SignalName(sig));
}

// Drops database `name` on the server of `tx`: WITH (FORCE) from PostgreSQL
// 13, before that other sessions ended first and a plain DROP. Throws.
void DropScratchDatabase(pqxx::nontransaction& tx, const std::string& name) {
  for (const std::string& sql : db::DropDatabaseSql(ServerVersionNum(tx), tx.quote_name(name), tx.quote(name)))
    tx.exec(sql);
}

// A database pgsift creates as a copy of the source (CREATE DATABASE ...
// TEMPLATE: same data, same statistics), marks as its own (a comment with
// its pid and host) and drops when done. Leftovers of pgsift processes on
// this host that are gone (killed with SIGKILL, a crash) are dropped first.
class TemplateCopy {
 public:
  TemplateCopy(const ConnectOptions& source, db::InterruptGuard* guard) : source_(source), guard_(guard) {}
  ~TemplateCopy() { Drop(); }  // a last resort: RunOnScratch drops and reports
  // Creates the copy; returns its DSN. The source must have no other
  // sessions (PostgreSQL refuses to copy a database in use).
  std::string Create(bool empty = false) {
    std::string dsn = ResolveDsn(source_);
    std::string db;
    {
      pqxx::connection conn(dsn);
      pqxx::nontransaction tx(conn);
      Setup(tx, source_, /*writable=*/false);
      db = tx.exec1(pgsift::db::Own("SELECT current_database()"))[0].c_str();
    }
    admin_dsn_ = WithDatabase(dsn, db == "postgres" ? "template1" : "postgres");
    pqxx::connection conn(admin_dsn_);
    pqxx::nontransaction tx(conn);
    Setup(tx, source_, /*writable=*/true);
    DropStale(tx);
    StopIfInterrupted();
    std::string name = "pgsift_scratch_" + std::to_string(::getpid());
    // Empty (sample mode): template0, so the source may have other sessions.
    tx.exec(db::Own("CREATE DATABASE " + tx.quote_name(name) + " TEMPLATE " + tx.quote_name(empty ? "template0" : db)));
    name_ = name;
    source_db_ = db;
    if (guard_ != nullptr) guard_->Watch(admin_dsn_, name_, source_);
    tx.exec(db::Own("COMMENT ON DATABASE " + tx.quote_name(name) + " IS " +
                    tx.quote(db::ScratchComment(::getpid(), db::HostName()))));
    StopIfInterrupted();
    return WithDatabase(dsn, name);
  }
  // Drops the copy: "" when it is gone (or was never made), else why not.
  std::string Drop() {
    if (name_.empty()) return "";
    std::string name = name_;
    name_.clear();
    try {
      pqxx::connection conn(admin_dsn_);
      pqxx::nontransaction tx(conn);
      Setup(tx, source_, /*writable=*/true);
      DropScratchDatabase(tx, name);
      return "";
    } catch (const std::exception& e) {
      return "could not drop the scratch database " + name +
             " (it holds a copy of the source's data; drop it: " + "DROP DATABASE \"" + name +
             "\"): " + PrimaryMessage(e);
    }
  }
  const std::string& source_db() const { return source_db_; }
  const std::string& name() const { return name_; }
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  void DropStale(pqxx::nontransaction& tx) {
    pqxx::result r =
        tx.exec(db::Own("SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database"
                        " WHERE shobj_description(oid, 'pg_database') LIKE " +
                        tx.quote(std::string(db::kScratchMarker) + " pid=%") + " ORDER BY datname"));
    std::string host = db::HostName();
    for (const pqxx::row& row : r) {
      std::string name = row[0].c_str();
      db::ScratchMark mark = db::ReadScratchMark(row[1].c_str());
      if (!db::IsStale(mark, host, ::getpid(), db::ProcessAlive)) continue;
      try {
        DropScratchDatabase(tx, name);
      } catch (const std::exception& e) {
        throw std::runtime_error("the stale scratch database " + name + " (left by pgsift process " +
                                 std::to_string(mark.pid) +
                                 " on this host, which is gone) could not be dropped: " + PrimaryMessage(e));
      }
      notes_.push_back("dropped the stale scratch database " + name + " (left by pgsift process " +
                       std::to_string(mark.pid) + " on this host, which is gone)");
    }
  }

  ConnectOptions source_;
  db::InterruptGuard* guard_;
  std::string admin_dsn_, name_, source_db_;
  std::vector<std::string> notes_;
};

// Re-plans every baseline query (log-valued ones with options.log_values,
// else generically, named in `fallback`); a query that does not plan gets its
// message in `errors`, one the statement gate refuses (a baseline file is
// untrusted: it may have been edited) its reason in `refused`.
void ReplanAll(pqxx::nontransaction& tx, const ScratchOptions& options, const Baseline& baseline,
               const PlanOptions& plan_options, std::vector<BaselineEntry>* out,
               std::map<std::string, std::string>* errors, std::set<std::string>* fallback,
               std::map<std::string, std::string>* refused) {
  Fingerprinter fp;
  int version = ServerVersionNum(tx);
  for (const BaselineEntry& old_e : baseline.queries) {
    GuardedQuery q;
    q.name = old_e.name;
    q.sql = old_e.sql;
    q.params = old_e.params;
    q.params_origin = old_e.params_origin;
    q.values_tag = old_e.values_tag;
    q.source = old_e.source;
    if (old_e.params_origin == "log") {
      auto values = options.log_values.find(old_e.name);
      if (values != options.log_values.end()) {
        q.params = values->second;
      } else {
        q.params.clear();
        q.params_origin.clear();
        q.values_tag.clear();
        fallback->insert(q.name);
      }
    }
    if (!old_e.generic_plan && old_e.param_count > 0 && q.params.empty() && !fallback->count(q.name)) {
      (*errors)[q.name] =
          "the baseline holds no parameter values for this query (captured from logs "
          "without --show-values); re-capture with a queries file";
      continue;
    }
    bool was_refused = false;
    auto e = PlanQuery(tx, version, fp, q, plan_options, /*read_only=*/false, &was_refused);
    if (was_refused) {
      (*refused)[q.name] = e.error();
      continue;
    }
    if (!e.ok() && q.params_origin == "log" && !plan_options.show_values) {
      // The server's message may quote a log value ("invalid input syntax
      // for type bigint: ..."): say only whether the generic plan works.
      GuardedQuery generic = q;
      generic.params.clear();
      generic.params_origin.clear();
      auto g = PlanQuery(tx, version, fp, generic, plan_options, /*read_only=*/false, &was_refused);
      e = Err(g.ok() ? std::string("plans generically but not with the capture's log values (the server's message is "
                                   "withheld: it may quote a value; --show-values shows it)")
                     : g.error());
    }
    if (!e.ok()) {
      (*errors)[q.name] = e.error();
      continue;
    }
    out->push_back(std::move(e).value());
  }
}

}  // namespace

Result<Baseline> CaptureBaseline(const ConnectOptions& source, const std::vector<GuardedQuery>& queries,
                                 const PlanOptions& options, std::vector<std::string>* skipped) {
  std::string dsn = ResolveDsn(source);
  std::string where = dsn.empty() ? "the PG* environment" : RedactDsn(dsn);
  try {
    pqxx::connection conn(dsn);
    pqxx::nontransaction tx(conn);
    Setup(tx, source, /*writable=*/false);
    Baseline b;
    int version = ServerVersionNum(tx);
    b.server_major = version / 10000;
    b.database = tx.exec1(db::Own("SELECT current_database()"))[0].c_str();
    b.system_identifier = SystemIdentifier(tx);
    b.settings = PlannerSettings(tx);
    b.analyze = options.analyze;
    b.repeats = options.analyze ? std::max(1, options.repeats) : 0;
    Fingerprinter fp;
    for (const GuardedQuery& q : queries) {
      bool refused = false;
      auto e = PlanQuery(tx, version, fp, q, options, /*read_only=*/true, &refused);
      if (refused) {
        // Never sent; skipped even from a queries file, and counted.
        ++b.refused;
        if (skipped) skipped->push_back(e.error());
        continue;
      }
      if (!e.ok() && q.params_origin == "log") {
        // Values of another arity (an IN list of the same fingerprint) or
        // type: the generic plan, said so.
        GuardedQuery generic = q;
        generic.params.clear();
        generic.params_origin.clear();
        generic.values_tag.clear();
        if (skipped) skipped->push_back(q.name + ": planned generically, the log values do not fit");
        e = PlanQuery(tx, version, fp, generic, options, /*read_only=*/true, &refused);
      }
      if (!e.ok() && q.optional) {
        if (skipped) skipped->push_back(q.name + ": " + e.error());
        continue;
      }
      if (!e.ok()) return Err(q.source + ": query " + q.name + " does not plan: " + e.error());
      if (e->params_origin == "log") {
        // The generic plan too: what `check` compares with when it lacks the values.
        GuardedQuery generic = q;
        generic.params.clear();
        generic.params_origin.clear();
        generic.values_tag.clear();
        PlanOptions plan_only = options;
        plan_only.analyze = false;
        auto g = PlanQuery(tx, version, fp, generic, plan_only, /*read_only=*/true, &refused);
        if (g.ok()) e->generic_fallback = std::move(g->plan);
      }
      b.queries.push_back(std::move(e).value());
    }
    std::sort(b.queries.begin(), b.queries.end(), [](const auto& a, const auto& c) { return a.name < c.name; });
    b.relation_rows = RelationRows(tx, PlanRelations(b.queries));
    return b;
  } catch (const std::exception& e) {
    return Err(RedactError(where + ": " + PrimaryMessage(e), dsn));
  }
}

namespace {

// The first statement of `migrations` that acts on the whole cluster, as a
// diagnostic with its file and line.
std::optional<LintDiagnostic> FirstClusterWide(const std::vector<LoadedMigration>& migrations) {
  for (const LoadedMigration& m : migrations) {
    for (const MigrationStatement& s : m.file.statements) {
      auto what = db::ClusterWideStatement(s);
      if (!what) continue;
      Location where = s.location;
      where.file = m.file.path;
      return LintDiagnostic{
          where, "refusing to apply " + *what +
                     ": it acts on the whole cluster, and the scratch database is on the source's cluster (or one "
                     "not proven to be another: the baseline records no other system_identifier), so it would "
                     "change the real server; nothing was applied"};
    }
  }
  return std::nullopt;
}

Result<ScratchRun> RunOnScratchWith(std::optional<TemplateCopy>& copy, db::InterruptGuard* guard,
                                    const ScratchOptions& options, const std::vector<LoadedMigration>& migrations,
                                    const Baseline& baseline, const PlanOptions& plan_options) {
  ConnectOptions connect = options.connect;
  std::string statistics =
      "scratch database as given (--scratch-dsn): plans are only as close to production as "
      "its data and statistics";
  if (!options.create_from.dsn.empty() || options.create_from_env) {
    copy.emplace(options.create_from, guard);
    try {
      connect.dsn = copy->Create(options.sample_percent > 0);
      if (options.sample_percent > 0) {
        db::SampleRequest request;
        request.percent = options.sample_percent;
        request.pg_dump = options.pg_dump;
        request.source_stats = options.source_stats;
        request.grow_cap_mb = options.grow_cap_mb;
        db::SampleStats st = db::LoadSample(options.create_from, connect.dsn, request);
        statistics = "sample of " + copy->source_db() + ": " + FormatPercent(options.sample_percent) +
                     " of every table's rows (TABLESAMPLE BERNOULLI, REPEATABLE), " + std::to_string(st.rows) +
                     " rows in " + std::to_string(st.tables) + " tables, schema from pg_dump" +
                     (st.foreign_keys_not_valid
                          ? ", " + std::to_string(st.foreign_keys_not_valid) +
                                (st.foreign_keys_not_valid == 1 ? " foreign key" : " foreign keys") + " NOT VALID"
                          : std::string()) +
                     (options.source_stats ? ", ANALYZEd, " + db::DescribeSourceStats(st.source_stats, st.tables)
                                           : std::string(", ANALYZEd: row estimates scale with the sample"));
      }
    } catch (const std::exception& e) {
      std::string dsn = ResolveDsn(options.create_from);
      return Err(RedactError("creating the scratch copy of " + (dsn.empty() ? "the PG* database" : RedactDsn(dsn)) +
                                 ": " + PrimaryMessage(e),
                             dsn));
    }
    if (options.sample_percent <= 0) {
      statistics = "template copy of " + copy->source_db() + " (same data and statistics as the source)";
    }
  } else if (!options.confirmed) {
    return Err(
        "refusing to apply migrations: pass --scratch-is-disposable to confirm that the --scratch-dsn database is "
        "a throw-away copy (never production)");
  }
  std::string dsn = ResolveDsn(connect);
  std::string where = dsn.empty() ? "the PG* environment" : RedactDsn(dsn);
  try {
    ScratchRun run;
    run.statistics = statistics;
    {
      pqxx::connection conn(dsn);
      pqxx::nontransaction tx(conn);
      Setup(tx, connect, /*writable=*/true);
      // A confirmed --scratch-dsn that names the baseline's own database is
      // most likely the source itself: nothing is ever applied there.
      std::string scratch_db = tx.exec1(db::Own("SELECT current_database()"))[0].c_str();
      if (!copy && scratch_db == baseline.database) {
        return Err("refusing to apply migrations: the scratch database " + scratch_db +
                   " has the name of the baseline's source database; use a copy with another name or "
                   "--create-scratch-from");
      }
      if (!copy) {
        // --scratch-is-disposable is a claim; the database must prove it:
        // pgsift's own marker, or the one the user sets once.
        std::string comment =
            tx.exec1(db::Own("SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database"
                             " WHERE datname = current_database()"))[0]
                .c_str();
        if (!db::ReadScratchMark(comment).disposable) {
          return Err("refusing to apply migrations: nothing shows that the scratch database " + scratch_db +
                     " is disposable (--scratch-is-disposable needs the database to carry the marker comment "
                     "'pgsift:scratch'). If it is a throw-away database, mark it once: COMMENT ON DATABASE " +
                     tx.quote_name(scratch_db) + " IS 'pgsift:scratch';");
        }
      }
      run.server_major = ServerVersionNum(tx) / 10000;
      // Cluster-wide statements only on another cluster than the source's.
      std::string cluster = SystemIdentifier(tx);
      bool other_cluster =
          !copy && !cluster.empty() && !baseline.system_identifier.empty() && cluster != baseline.system_identifier;
      if (!other_cluster) {
        if (auto refused = FirstClusterWide(migrations)) {
          run.migration_error = std::move(refused);
          return run;
        }
      }
    }
    {
      // Costs, time and buffers are compared with this database before the
      // migrations: same machine, same data, same load, minutes apart (the
      // baseline's were measured elsewhere, maybe on a sample of it).
      pqxx::connection conn(dsn);
      pqxx::nontransaction tx(conn);
      Setup(tx, connect, /*writable=*/true);
      std::map<std::string, std::string> errors;
      std::set<std::string> fallback;
      std::map<std::string, std::string> refused;
      ReplanAll(tx, options, baseline, plan_options, &run.before, &errors, &fallback, &refused);
    }
    for (const LoadedMigration& m : migrations) {
      StopIfInterrupted();
      // A fresh session per file: what one file SETs (search_path, enable_*,
      // timeouts), its temp tables and prepared statements never reach the
      // next file or the re-planning.
      pqxx::connection file_conn(dsn);
      pqxx::nontransaction file_tx(file_conn);
      Setup(file_tx, connect, /*writable=*/true);
      // The migration is the user's own SQL, read as the database reads it
      // (a legacy database may keep standard_conforming_strings off).
      file_tx.exec(db::Own("RESET standard_conforming_strings"));
      file_tx.exec(db::Own("RESET client_encoding"));
      AppliedFile applied;
      std::optional<LintDiagnostic> err = ApplyFile(file_tx, m.file, &applied, plan_options.show_values);
      run.applied.push_back(applied);
      if (err) {
        err->message = RedactError(err->message, dsn);
        run.migration_error = std::move(err);
        return run;
      }
    }
    StopIfInterrupted();
    pqxx::connection conn(dsn);
    pqxx::nontransaction tx(conn);
    Setup(tx, connect, /*writable=*/true);
    run.settings = PlannerSettings(tx);
    std::set<std::string> relations;
    for (const auto& [name, rows] : baseline.relation_rows) relations.insert(name);
    run.relation_rows = RelationRows(tx, relations);
    ReplanAll(tx, options, baseline, plan_options, &run.replans, &run.errors, &run.generic_fallback, &run.refused);
    return run;
  } catch (const std::exception& e) {
    return Err(RedactError(where + ": " + PrimaryMessage(e), dsn));
  }
}

}  // namespace

Result<ScratchRun> RunOnScratch(const ScratchOptions& options, const std::vector<LoadedMigration>& migrations,
                                const Baseline& baseline, const PlanOptions& plan_options) {
  bool create = !options.create_from.dsn.empty() || options.create_from_env;
  // SIGINT, SIGTERM, SIGHUP end the copy's sessions; the run unwinds to here
  // and drops it. Declared first: it outlives the copy.
  std::optional<db::InterruptGuard> guard;
  if (create) guard.emplace();
  std::optional<TemplateCopy> copy;
  Result<ScratchRun> run =
      RunOnScratchWith(copy, guard ? &*guard : nullptr, options, migrations, baseline, plan_options);
  std::vector<std::string> notes;
  std::string not_dropped;
  if (copy) {
    notes = copy->notes();
    not_dropped = copy->Drop();
  }
  if (int sig = db::InterruptSignal()) {
    return Err("interrupted by " + SignalName(sig) +
               (copy && not_dropped.empty() ? "; the scratch database was dropped" : "") +
               (not_dropped.empty() ? "" : "; " + not_dropped));
  }
  if (!not_dropped.empty()) return Err((run.ok() ? "" : run.error() + "; ") + not_dropped);
  if (run.ok()) run->notes.insert(run->notes.begin(), notes.begin(), notes.end());
  return run;
}

int ScratchInterruptSignal() { return db::InterruptSignal(); }

}  // namespace pgsift

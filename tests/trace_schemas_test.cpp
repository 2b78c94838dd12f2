// Issue 24's stranger findings: the workload's tables are schema-qualified
// and a WITH query's name is no table (lint --workload, check --workload);
// the trace resolves the lint's unqualified names by the session's
// search_path; writes through a foreign key wait for ACCESS EXCLUSIVE on the
// referenced table; LOCK TABLE is in the lint's lock model.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pgsift/analyze.h"
#include "pgsift/check_trace.h"
#include "pgsift/migration.h"

namespace pgsift {
namespace {

// A pgsift analyze JSON of these normalized texts over 10 s.
LintWorkload Workload(const std::vector<std::pair<std::string, uint64_t>>& queries) {
  nlohmann::json doc = {{"schema", kAnalyzeSchema},
                        {"summary", {{"first_seen", "2026-12-07T02:00:00Z"}, {"last_seen", "2026-12-07T02:00:10Z"}}},
                        {"queries", nlohmann::json::array()}};
  int n = 0;
  for (const auto& [text, calls] : queries) {
    doc["queries"].push_back({{"normalized", text}, {"calls", calls}, {"fingerprint", std::to_string(++n)}});
  }
  std::string path = (std::filesystem::temp_directory_path() / ("pgsift_trace_schemas_" + std::to_string(::getpid()) + ".json")).string();
  std::ofstream(path) << doc.dump();
  auto w = LoadLintWorkload(path);
  std::remove(path.c_str());
  EXPECT_TRUE(w.ok());
  return w.ok() ? *w : LintWorkload{};
}

std::vector<size_t> QueriesOf(const LintWorkload& w, const std::string& key) {
  auto it = w.queries_by_table.find(key);
  return it == w.queries_by_table.end() ? std::vector<size_t>{} : it->second;
}

TEST(WorkloadTables, SchemaQualifiedAndWithQueriesAreNotTables) {
  LintWorkload w = Workload({
      {"SELECT name FROM archive.patients WHERE id = $1", 100},                          // 0
      {"WITH patients AS (SELECT $1 AS id) SELECT * FROM patients WHERE id = $2", 100},  // 1
      {"SELECT * FROM patients WHERE id = $1", 30},                                      // 2
      // A non-recursive WITH query's own body reads the table of that name.
      {"WITH patients AS (SELECT * FROM patients WHERE id = $1) SELECT * FROM patients", 5},  // 3
      {"WITH RECURSIVE t AS (SELECT $1 AS n UNION ALL SELECT n + $2 FROM t WHERE n < $3) SELECT * FROM t", 3},
      {"INSERT INTO appointments (patient_id) VALUES ($1)", 50},  // 5
      {"UPDATE appointments SET notes = $1 WHERE id = $2", 7},    // 6
      {"SELECT * FROM \"Patients\"", 2},                          // 7
  });
  EXPECT_EQ(QueriesOf(w, "archive.patients"), std::vector<size_t>{0});
  EXPECT_EQ(QueriesOf(w, "public.patients"), (std::vector<size_t>{2, 3}));
  EXPECT_EQ(QueriesOf(w, "public.Patients"), std::vector<size_t>{7});
  EXPECT_TRUE(QueriesOf(w, "public.t").empty());
  EXPECT_TRUE(QueriesOf(w, "patients").empty());  // never unqualified
  ASSERT_EQ(w.queries.size(), 8u);
  EXPECT_EQ(w.queries[5].sets_columns.at("public.appointments"), std::set<std::string>{"*"});
  EXPECT_EQ(w.queries[6].sets_columns.at("public.appointments"), std::set<std::string>{"notes"});
  EXPECT_TRUE(w.queries[2].sets_columns.empty());
}

std::vector<Finding> Lint(const std::string& sql, const LintWorkload& w, IndexCatalog* indexes,
                          const std::string& rule) {
  LintOptions options;
  options.workload = &w;
  options.indexes = indexes;
  LoadedMigration m = LoadMigration("m.sql", sql, options);
  auto rules = MakeMigrationRules();
  std::vector<const MigrationRule*> active;
  for (const auto& r : rules) active.push_back(r.get());
  std::vector<Finding> out;
  for (Finding& f : LintMigration(m, active, false)) {
    if (f.rule_id == rule) out.push_back(std::move(f));
  }
  return out;
}

TEST(WorkloadTables, HotTableAndUsedIndexCountOnlyTheirOwnSchema) {
  LintWorkload w = Workload({{"SELECT name FROM archive.patients WHERE name = $1", 100},
                             {"WITH patients AS (SELECT $1 AS name) SELECT * FROM patients WHERE name = $2", 100},
                             {"SELECT * FROM patients WHERE name = $1", 31}});
  IndexCatalog none;
  auto hot = Lint("ALTER TABLE public.patients ADD COLUMN q int;", w, &none, "migration-locks-hot-table");
  ASSERT_EQ(hot.size(), 1u);
  EXPECT_NE(hot[0].message.find("3.10/s"), std::string::npos) << hot[0].message;  // 31 calls / 10 s, no CTE
  hot = Lint("ALTER TABLE patients ADD COLUMN q int;", w, &none, "migration-locks-hot-table");
  ASSERT_EQ(hot.size(), 1u);
  EXPECT_NE(hot[0].message.find("3.10/s"), std::string::npos) << hot[0].message;
  hot = Lint("ALTER TABLE archive.patients ADD COLUMN q int;", w, &none, "migration-locks-hot-table");
  ASSERT_EQ(hot.size(), 1u);
  EXPECT_NE(hot[0].message.find("10/s"), std::string::npos) << hot[0].message;

  // The index catalog is by schema too (as --schema or --dsn give it).
  IndexCatalog indexes;
  LintOptions schema_options;
  schema_options.indexes = &indexes;
  LoadMigration("schema.sql",
                "CREATE SCHEMA archive;\n"
                "CREATE TABLE archive.patients (id int PRIMARY KEY, name text);\n"
                "CREATE INDEX archive_name_idx ON archive.patients (name);\n"
                "CREATE TABLE patients (id int PRIMARY KEY, name text);\n"
                "CREATE INDEX patients_name_idx ON patients (name);\n",
                schema_options);
  ASSERT_TRUE(indexes.count("archive.archive_name_idx"));
  ASSERT_TRUE(indexes.count("public.patients_name_idx"));
  // archive's index serves archive's 100 calls, not public's 31.
  IndexCatalog copy = indexes;
  auto used = Lint("DROP INDEX CONCURRENTLY archive.archive_name_idx;", w, &copy, "migration-drops-used-index");
  ASSERT_EQ(used.size(), 1u);
  EXPECT_NE(used[0].message.find("(100 calls)"), std::string::npos) << used[0].message;
  LintWorkload public_only = Workload({{"SELECT * FROM patients WHERE name = $1", 31}});
  copy = indexes;
  EXPECT_TRUE(Lint("DROP INDEX CONCURRENTLY archive.archive_name_idx;", public_only, &copy,
                   "migration-drops-used-index")
                  .empty());
  copy = indexes;
  EXPECT_EQ(Lint("DROP INDEX CONCURRENTLY patients_name_idx;", public_only, &copy, "migration-drops-used-index").size(),
            1u);
  copy = indexes;
  EXPECT_TRUE(Lint("ALTER TABLE archive.patients ADD COLUMN z int;", public_only, &copy, "migration-locks-hot-table")
                  .empty());
}

TEST(LockTableStatement, TakesTheModeItNames) {
  LoadedMigration m = LoadMigration("m.sql",
                                    "BEGIN;\n"
                                    "LOCK TABLE appointments IN SHARE MODE;\n"
                                    "LOCK TABLE a, archive.b;\n"
                                    "LOCK TABLE c IN ROW EXCLUSIVE MODE;\n"
                                    "COMMIT;\n",
                                    LintOptions{});
  ASSERT_EQ(m.file.statements.size(), 5u);
  LintPrediction p = PredictStatement(m.file, 1);
  ASSERT_EQ(p.locks.size(), 1u);
  EXPECT_EQ(p.locks[0].table, "appointments");
  EXPECT_EQ(p.locks[0].mode, "SHARE");
  EXPECT_FALSE(p.locks[0].blocks_reads);
  p = PredictStatement(m.file, 2);  // no mode named: ACCESS EXCLUSIVE
  ASSERT_EQ(p.locks.size(), 2u);
  EXPECT_EQ(p.locks[1].schema, "archive");
  EXPECT_EQ(p.locks[1].table, "b");
  EXPECT_EQ(p.locks[1].mode, "ACCESS EXCLUSIVE");
  EXPECT_TRUE(p.locks[1].blocks_reads);
  EXPECT_TRUE(PredictStatement(m.file, 3).locks.empty());  // blocks no write
  // Without lock_timeout, a strong LOCK TABLE is a finding.
  LintWorkload none;
  IndexCatalog indexes;
  auto f = Lint("BEGIN;\nLOCK TABLE patients IN ACCESS EXCLUSIVE MODE;\nCOMMIT;\n", none, &indexes,
                "migration-require-lock-timeout");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].location.line, 2u);
}

TracedRelation Rel(const std::string& schema, const std::string& name) { return {schema, name, 'r', ""}; }

StatementTrace Took(const TracedRelation& r, const std::string& mode) {
  StatementTrace t;
  t.locks_seen = true;
  t.transaction = 1;
  t.ends_transaction = true;
  t.held = t.acquired = {TracedLock{r, mode, true}};
  t.ms = 5;
  return t;
}

TEST(TraceSchemas, UnqualifiedNameResolvesByTheSessionsSearchPath) {
  LoadedMigration m = LoadMigration("m.sql", "ALTER TABLE patients ADD COLUMN k2 int;\n", LintOptions{});
  AppliedFile a;
  for (const char* s : {"archive", "public"}) a.existing[std::string(s) + ".patients"] = Rel(s, "patients");
  a.search_path = {"public"};
  a.trace = {Took(Rel("public", "patients"), "AccessExclusiveLock")};
  std::vector<Finding> findings;
  FileTrace t = BuildFileTrace(m.file, a, &findings);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].tables, std::vector<std::string>{"patients"});
  EXPECT_EQ(t.rows[0].verdict, "confirmed");
  EXPECT_TRUE(findings.empty());
  // archive first on the path: the same text means archive.patients.
  a.search_path = {"archive", "public"};
  a.trace = {Took(Rel("archive", "patients"), "AccessExclusiveLock")};
  t = BuildFileTrace(m.file, a, &findings);
  EXPECT_EQ(t.rows[0].tables, std::vector<std::string>{"archive.patients"});
  EXPECT_EQ(t.rows[0].verdict, "confirmed");
}

TEST(TraceSchemas, ForeignKeyWritesWaitForExclusiveLocksOfTheReferencedTable) {
  LintWorkload w = Workload({{"INSERT INTO appointments (patient_id) VALUES ($1)", 500},
                             {"UPDATE appointments SET notes = $1 WHERE id = $2", 70},
                             {"UPDATE appointments SET patient_id = $1 WHERE id = $2", 20},
                             {"SELECT * FROM patients WHERE id = $1", 100},
                             {"INSERT INTO archive.appointments (patient_id) VALUES ($1)", 900}});
  LoadedMigration m = LoadMigration("m.sql", "ALTER TABLE patients ADD COLUMN k2 int;\n", LintOptions{});
  AppliedFile a;
  for (const char* t : {"patients", "appointments"}) a.existing[std::string("public.") + t] = Rel("public", t);
  a.existing["archive.appointments"] = Rel("archive", "appointments");
  a.search_path = {"public"};
  a.foreign_keys = {{"public.appointments", "public.patients", {"patient_id"}},
                    {"archive.appointments", "archive.patients", {"patient_id"}}};
  a.trace = {Took(Rel("public", "patients"), "AccessExclusiveLock")};
  std::vector<Finding> findings;
  FileTrace t = BuildFileTrace(m.file, a, &findings, TraceWorkload{&w, 0});
  ASSERT_EQ(t.rows[0].waits.size(), 1u);
  const WorkloadWait& wait = t.rows[0].waits[0];
  EXPECT_DOUBLE_EQ(wait.reads_per_s, 10);
  EXPECT_DOUBLE_EQ(wait.writes_per_s, 52);  // 50 INSERTs and 2 key UPDATEs of appointments
  EXPECT_DOUBLE_EQ(wait.fk_writes_per_s, 52);
  EXPECT_EQ(wait.write_shapes, 2u);
  EXPECT_EQ(wait.via_foreign_keys, std::vector<std::string>{"appointments"});
  EXPECT_NE(DescribeWait(wait, 0).find("52 writes/s into appointments, whose foreign key check waits"),
            std::string::npos)
      << DescribeWait(wait, 0);
  // SHARE (CREATE INDEX) does not conflict with the check's ROW SHARE.
  LoadedMigration ci = LoadMigration("m.sql", "CREATE INDEX ON patients (id);\n", LintOptions{});
  a.trace = {Took(Rel("public", "patients"), "ShareLock")};
  t = BuildFileTrace(ci.file, a, &findings, TraceWorkload{&w, 0});
  ASSERT_EQ(t.rows[0].waits.size(), 1u);
  EXPECT_DOUBLE_EQ(t.rows[0].waits[0].writes_per_s, 0);
}

}  // namespace
}  // namespace pgsift

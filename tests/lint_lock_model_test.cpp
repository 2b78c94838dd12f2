// The lint's lock model where `check`'s trace found it wrong (issue 22), and
// the lock timeline it predicts per transaction (lock_timeline.h), shown in
// text and SARIF at the statement that takes the strongest lock.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "pgsift/check_trace.h"
#include "pgsift/lint_report.h"
#include "pgsift/lock_timeline.h"
#include "pgsift/migration.h"
#include "test_util.h"

namespace {

using pgsift::Finding;
using pgsift::LintOptions;
using pgsift::LoadMigration;

std::vector<Finding> LintAll(const pgsift::LoadedMigration& loaded) {
  auto rules = pgsift::MakeMigrationRules();
  std::vector<const pgsift::MigrationRule*> active;
  for (const auto& r : rules) active.push_back(r.get());
  return pgsift::LintMigration(loaded, active, false);
}

std::vector<Finding> Of(const std::vector<Finding>& findings, const std::string& rule) {
  std::vector<Finding> out;
  for (const Finding& f : findings) {
    if (f.rule_id == rule) out.push_back(f);
  }
  return out;
}

std::string Timeline(const Finding& f) {
  for (const auto& [k, v] : f.facts) {
    if (k == pgsift::kLockTimelineFact) return v;
  }
  return "";
}

// A real Prisma migration (trigger.dev, fixtures/corpus): BEGIN; an enum
// swapped under ACCESS EXCLUSIVE on "WorkflowRun" for six statements; COMMIT.
const char* kCorpusFile =
    "corpus/trigger.dev/internal-packages/database/prisma/migrations/"
    "20230105115719_remove_interrupted_state_from_runs/migration.sql";

TEST(LockTimeline, CorpusTransactionHoldsAccessExclusiveAcrossSixStatements) {
  std::string path = pgsift::testing::Fixture(kCorpusFile);
  auto loaded = LoadMigration(path, pgsift::testing::Slurp(path), LintOptions{});
  ASSERT_TRUE(loaded.diagnostics.empty());
  auto timeline = pgsift::PredictLockTimeline(loaded.file);
  ASSERT_EQ(timeline.size(), 1u);  // the UPDATE before BEGIN locks no table against reads or writes
  const pgsift::TransactionLocks& t = timeline[0];
  EXPECT_EQ(t.transaction, 2);
  ASSERT_EQ(t.spans.size(), 1u);
  EXPECT_EQ(t.spans[0].table, "WorkflowRun");
  EXPECT_EQ(t.spans[0].mode, "ACCESS EXCLUSIVE");
  EXPECT_TRUE(t.spans[0].blocks_reads);
  EXPECT_EQ(t.spans[0].from_line, 13u);  // ALTER COLUMN "status" DROP DEFAULT
  EXPECT_EQ(t.spans[0].to_line, 19u);    // COMMIT
  EXPECT_EQ(t.spans[0].statements, 6);   // DROP DEFAULT, TYPE, two RENAMEs, DROP TYPE, SET DEFAULT
  EXPECT_EQ(loaded.file.statements[t.strongest].location.line, 13u);
  EXPECT_TRUE(t.HeldAcross());

  // Text: the fact on the findings of line 13, and on no other line.
  auto findings = LintAll(loaded);
  const std::string want =
      "held to the end of its transaction: WorkflowRun ACCESS EXCLUSIVE (blocks reads and writes) from line 13 to "
      "line 19, 6 statements";
  size_t with = 0;
  for (const Finding& f : findings) {
    std::string got = Timeline(f);
    if (f.location.line == 13) {
      EXPECT_EQ(got, want) << f.rule_id;
      ++with;
    } else {
      EXPECT_EQ(got, "") << f.rule_id << " at line " << f.location.line;
    }
  }
  ASSERT_GT(with, 0u);
  std::string text = pgsift::RenderFindingsText(findings);
  EXPECT_NE(text.find("\n  lock timeline: " + want + "\n"), std::string::npos) << text;

  // SARIF: in the message and as a result property.
  pgsift::LintReport report;
  report.files = {path};
  report.findings = findings;
  auto sarif = nlohmann::json::parse(pgsift::LintSarif(report));
  size_t in_sarif = 0;
  for (const auto& r : sarif["runs"][0]["results"]) {
    bool at13 = r["locations"][0]["physicalLocation"]["region"]["startLine"] == 13;
    EXPECT_EQ(r.contains("properties"), at13);
    if (!at13) continue;
    EXPECT_EQ(r["properties"]["lockTimeline"], want);
    EXPECT_NE(r["message"]["text"].get<std::string>().find("lock timeline: " + want), std::string::npos);
    ++in_sarif;
  }
  EXPECT_EQ(in_sarif, with);
}

TEST(LockTimeline, StatementsOutsideATransactionBlockHoldNothingAcross) {
  auto loaded = LoadMigration("m.sql",
                              "ALTER TABLE orders ADD COLUMN a text;\n"
                              "ALTER TABLE orders ADD COLUMN b text;\n",
                              LintOptions{});
  auto timeline = pgsift::PredictLockTimeline(loaded.file);
  ASSERT_EQ(timeline.size(), 2u);
  EXPECT_EQ(timeline[0].spans[0].statements, 1);
  EXPECT_EQ(timeline[0].spans[0].to_line, 1u);
  EXPECT_FALSE(timeline[1].HeldAcross());
  for (const Finding& f : LintAll(loaded)) EXPECT_EQ(Timeline(f), "") << f.rule_id;

  // The same two statements where the tool wraps the file (Flyway): one
  // transaction to the end of the file; a table made in the file is left out.
  LintOptions wrapped;
  wrapped.assume_in_transaction = true;
  auto flyway = LoadMigration("V2__m.sql",
                              "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN c text;\n"
                              "ALTER TABLE orders ADD COLUMN a text;\nCREATE INDEX i ON customers (name);\n"
                              "ALTER TABLE orders ADD COLUMN b text;\n",
                              wrapped);
  timeline = pgsift::PredictLockTimeline(flyway.file);
  ASSERT_EQ(timeline.size(), 1u);
  ASSERT_EQ(timeline[0].spans.size(), 2u);
  EXPECT_EQ(pgsift::DescribeLockSpan(timeline[0].spans[0]),
            "orders ACCESS EXCLUSIVE (blocks reads and writes) from line 3 to the end of the file, 3 statements");
  EXPECT_EQ(pgsift::DescribeLockSpan(timeline[0].spans[1]),
            "customers SHARE (blocks writes) from line 4 to the end of the file, 2 statements");
}

std::optional<pgsift::LintPrediction> Predict(const std::string& sql, size_t index, LintOptions options = {}) {
  auto loaded = LoadMigration("m.sql", sql, options);
  if (!loaded.diagnostics.empty() || index >= loaded.file.statements.size()) return std::nullopt;
  return pgsift::PredictStatement(loaded.file, index);
}

TEST(LintLockModel, SerialAndIdentityColumnsRewriteTheTable) {
  for (const char* sql : {"ALTER TABLE events ADD COLUMN id bigserial;",
                          "ALTER TABLE events ADD COLUMN id serial PRIMARY KEY;",
                          "ALTER TABLE events ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;",
                          "ALTER TABLE events ADD COLUMN id uuid DEFAULT gen_random_uuid();"}) {
    auto p = Predict(sql, 0);
    ASSERT_TRUE(p) << sql;
    ASSERT_EQ(p->rewrites.size(), 1u) << sql;
    EXPECT_EQ(p->rewrites[0].table, "events") << sql;
  }
  auto p = Predict("ALTER TABLE events ADD COLUMN n bigint DEFAULT 0;", 0);
  EXPECT_TRUE(p->rewrites.empty());
}

TEST(LintLockModel, DropIndexCreatedInTheFileLocksItsTable) {
  auto p = Predict("CREATE INDEX CONCURRENTLY tmp_idx ON orders (status);\nDROP INDEX tmp_idx;", 1);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->locks.size(), 1u);
  EXPECT_EQ(p->locks[0].table, "orders");
  EXPECT_EQ(p->locks[0].mode, "ACCESS EXCLUSIVE");
  // On a table the file made, nothing that exists is locked.
  p = Predict("CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;", 2);
  EXPECT_TRUE(p->locks.empty());
}

TEST(LintLockModel, RenamingAnIndexLocksNoTableSincePostgres12) {
  const char* sql = "ALTER INDEX patients_dob_idx RENAME TO patients_birth_date_idx;";
  auto p = Predict(sql, 0);
  EXPECT_TRUE(p->locks.empty());
  LintOptions pg11;
  pg11.pg_version = 11;
  p = Predict(sql, 0, pg11);
  ASSERT_EQ(p->locks.size(), 1u);
  EXPECT_EQ(p->locks[0].mode, "ACCESS EXCLUSIVE");
  // Renaming a table or a column still takes ACCESS EXCLUSIVE.
  EXPECT_EQ(Predict("ALTER TABLE patients RENAME COLUMN dob TO birth_date;", 0)->locks.size(), 1u);
}

TEST(LintLockModel, TypeChangesThatKeepTheValuesRewriteNothing) {
  // The old types from --schema (or an earlier file): LintOptions::columns.
  pgsift::ColumnCatalog columns;
  LintOptions options;
  options.columns = &columns;
  LoadMigration("schema.sql",
                "CREATE TABLE clinics (id bigint, name varchar(100), code varchar(10), fee numeric(10, 2), "
                "note text, n integer);",
                options);
  struct Case {
    const char* change;
    bool rewrites;
  } cases[] = {{"name TYPE varchar(200)", false}, {"name TYPE text", false},
               {"name TYPE varchar", false},      {"fee TYPE numeric(12, 2)", false},
               {"fee TYPE numeric", false},       {"name TYPE varchar(50)", true},
               {"note TYPE varchar(2000)", true}, {"fee TYPE numeric(12, 3)", true},
               {"n TYPE bigint", true},           {"name TYPE varchar(200) USING lower(name)", true},
               {"id TYPE bigint", false}};
  for (const Case& c : cases) {
    std::string sql = std::string("ALTER TABLE clinics ALTER COLUMN ") + c.change + ";";
    pgsift::ColumnCatalog before = columns;  // each case from the schema's types
    LintOptions each;
    each.columns = &before;
    auto p = Predict(sql, 0, each);
    ASSERT_TRUE(p) << sql;
    EXPECT_EQ(!p->rewrites.empty(), c.rewrites) << sql;
    EXPECT_EQ(p->locks.size(), 1u) << sql;  // ACCESS EXCLUSIVE either way
  }
  // Unknown old type: a rewrite is predicted.
  EXPECT_FALSE(Predict("ALTER TABLE other ALTER COLUMN name TYPE varchar(200);", 0, options)->rewrites.empty());
  // The same file: a column added, then widened.
  auto p = Predict("ALTER TABLE orders ADD COLUMN code varchar(20);\n"
                   "ALTER TABLE orders ALTER COLUMN code TYPE varchar(40);",
                   1);
  EXPECT_TRUE(p->rewrites.empty());
  // Each file's columns count for the next one.
  LoadMigration("002.sql", "ALTER TABLE clinics ALTER COLUMN name TYPE varchar(300);", options);
  EXPECT_TRUE(Predict("ALTER TABLE clinics ALTER COLUMN name TYPE varchar(250);", 0, options)->rewrites.size());
}

TEST(LintLockModel, DoBlockWithACollatedVariableIsReadAndItsLocksPredicted) {
  const char* sql =
      "DO $$\nDECLARE\n  last_name text COLLATE \"C\" := NULL;\nBEGIN\n"
      "  ALTER TABLE visits ADD COLUMN IF NOT EXISTS note text;\nEND\n$$;\n";
  auto loaded = LoadMigration("m.sql", sql, LintOptions{});
  EXPECT_TRUE(loaded.file.unparsed.empty());
  auto p = pgsift::PredictStatement(loaded.file, 0);
  ASSERT_EQ(p.locks.size(), 1u);
  EXPECT_EQ(p.locks[0].table, "visits");
  auto findings = Of(LintAll(loaded), "migration-require-lock-timeout");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].location.line, 5u);
}

TEST(LintLockModel, DoBlockWhoseBodyCannotBeReadTakesUnknownLocks) {
  // A body pgsift cannot compile (as if it needed the catalog): its locks
  // are unknown, reported as such, never as none.
  auto loaded = LoadMigration("m.sql", "DO $$\nBEGIN\n  PERFORM 1;\nEND\n$$;\n", LintOptions{});
  ASSERT_EQ(loaded.file.statements.size(), 2u);  // the DO and its PERFORM
  loaded.file.statements.resize(1);               // as if its body had not been read
  loaded.file.unparsed.push_back({loaded.file.statements[0], "DO body: needs the catalog"});
  auto timeline = pgsift::PredictLockTimeline(loaded.file);
  ASSERT_EQ(timeline.size(), 1u);
  EXPECT_EQ(timeline[0].spans[0].table, "(DO block: locks unknown)");
  EXPECT_EQ(timeline[0].spans[0].mode, "ACCESS EXCLUSIVE");
  auto findings = LintAll(loaded);
  auto lock = Of(findings, "migration-require-lock-timeout");
  ASSERT_EQ(lock.size(), 1u);
  EXPECT_NE(lock[0].message.find("DO block, whose locks are unknown"), std::string::npos) << lock[0].message;
  EXPECT_EQ(Of(findings, "migration-require-statement-timeout").size(), 1u);
  EXPECT_EQ(Of(findings, "migration-statement-not-parsed").size(), 1u);
  // check's trace gets no table to confirm: its "lint missed" shows what was taken.
  EXPECT_TRUE(pgsift::PredictStatement(loaded.file, 0).locks.empty());
}

}  // namespace

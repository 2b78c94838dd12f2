// BuildFileTrace (engine/check_trace.cpp): how traced locks and rewrites are
// set against the lint's predictions and made into a timeline. The traces
// here are what the live test (tests/integration/check_trace_live.py) reads
// from a real server, written out so each verdict's edge is pinned.
#include "pgsift/check_trace.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "pgsift/check_report.h"
#include "pgsift/migration.h"

namespace pgsift {
namespace {

TracedRelation Table(const std::string& name) { return {"public", name, 'r', ""}; }

AppliedFile Applied(std::vector<StatementTrace> trace) {
  AppliedFile a;
  a.in_transaction = true;
  a.trace = std::move(trace);
  for (const char* t : {"orders", "customers"}) a.existing[t] = Table(t);
  a.existing["orders_customer_idx"] = {"public", "orders_customer_idx", 'i', "orders"};
  return a;
}

StatementTrace Step(size_t i, std::vector<TracedLock> held, std::vector<TracedLock> acquired, int tx = 1) {
  StatementTrace t;
  t.statement = i;
  t.locks_seen = true;
  t.transaction = tx;
  t.held = std::move(held);
  t.acquired = std::move(acquired);
  t.ms = 2;
  return t;
}

TracedLock Lock(const std::string& table, const std::string& mode) { return {Table(table), mode, true}; }

TEST(CheckTrace, ConfirmedMissedAndTooStrict) {
  LoadedMigration m = LoadMigration("m.sql",
                                    "ALTER TABLE orders ALTER COLUMN id TYPE bigint;\n"
                                    "SELECT archive();\n"
                                    "ALTER TABLE orders SET (fillfactor = 90);\n",
                                    LintOptions{});
  ASSERT_EQ(m.file.statements.size(), 3u);
  StatementTrace rewrite = Step(0, {Lock("orders", "AccessExclusiveLock")}, {Lock("orders", "AccessExclusiveLock")});
  rewrite.rewrites.push_back({Table("orders"), 8192, 16384});
  AppliedFile a = Applied({rewrite,
                           Step(1, {Lock("orders", "AccessExclusiveLock"), Lock("customers", "ExclusiveLock")},
                                {Lock("customers", "ExclusiveLock")}),
                           Step(2, {Lock("orders", "ShareUpdateExclusiveLock")}, {})});
  // Statement 3 sees ShareUpdateExclusive only (as if alone in its transaction).
  a.trace[2].transaction = 2;
  a.trace[1].ends_transaction = true;
  std::vector<Finding> findings;
  FileTrace t = BuildFileTrace(m.file, a, &findings);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].verdict, "confirmed");
  EXPECT_EQ(t.rows[0].mode, "ACCESS EXCLUSIVE");
  EXPECT_TRUE(t.rows[0].blocks_reads);
  EXPECT_EQ(t.rows[1].verdict, "lint missed");
  EXPECT_EQ(t.rows[1].tables, std::vector<std::string>{"customers"});
  EXPECT_TRUE(t.rows[1].blocks_writes);
  EXPECT_FALSE(t.rows[1].blocks_reads);
  EXPECT_EQ(t.rows[2].verdict, "lint too strict");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule_id, "migration-trace-lint-missed");
  EXPECT_EQ(findings[0].location.line, 2u);
  // orders blocked from line 1 and customers from line 2, both to line 2.
  ASSERT_EQ(t.timeline.size(), 2u);
  EXPECT_EQ(t.timeline[1].table, "orders");
  EXPECT_EQ(t.timeline[1].from_line, 1u);
  EXPECT_EQ(t.timeline[1].to_line, 2u);
  EXPECT_EQ(t.timeline[0].table, "customers");
  EXPECT_EQ(t.timeline[0].from_line, 2u);
}

TEST(CheckTrace, UnpredictedRewriteIsMissedAndNewTablesDoNotCount) {
  LoadedMigration m = LoadMigration("m.sql",
                                    "CREATE TABLE notes (id int);\n"
                                    "ALTER TABLE notes ALTER COLUMN id TYPE bigint;\n"
                                    "SELECT rebuild_orders();\n",
                                    LintOptions{});
  StatementTrace hidden = Step(2, {}, {});
  hidden.rewrites.push_back({Table("orders"), 8192, 8192});
  AppliedFile a = Applied({Step(0, {}, {}), Step(1, {}, {}), hidden});
  std::vector<Finding> findings;
  FileTrace t = BuildFileTrace(m.file, a, &findings);
  EXPECT_EQ(t.rows[0].verdict, "");
  EXPECT_EQ(t.rows[1].verdict, "");  // a table of this file: nothing predicted that counts
  EXPECT_EQ(t.rows[2].verdict, "lint missed");
  EXPECT_EQ(findings.size(), 1u);
}

TEST(CheckTrace, DropIndexLocksItsTable) {
  LoadedMigration m = LoadMigration("m.sql", "DROP INDEX orders_customer_idx;\n", LintOptions{});
  AppliedFile a = Applied({Step(0, {Lock("orders", "AccessExclusiveLock")}, {Lock("orders", "AccessExclusiveLock")})});
  std::vector<Finding> findings;
  FileTrace t = BuildFileTrace(m.file, a, &findings);
  EXPECT_EQ(t.rows[0].verdict, "confirmed");
  EXPECT_TRUE(findings.empty());
}

TEST(CheckTrace, MarkdownOfACleanMigrationIsOneLine) {
  LoadedMigration m = LoadMigration("m.sql", "CREATE TABLE notes (id int);\n", LintOptions{});
  CheckReport r;
  std::vector<Finding> findings;
  r.traces.push_back(BuildFileTrace(m.file, Applied({Step(0, {}, {})}), &findings));
  std::string md = CheckMarkdown(r);
  std::string trace = md.substr(md.find("### Lock trace"));
  EXPECT_EQ(trace.find("| line |"), std::string::npos) << trace;
  EXPECT_LE(std::count(trace.begin(), trace.end(), '\n'), 4) << trace;
}

}  // namespace
}  // namespace pgsift

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
  for (const char* t : {"orders", "customers"}) a.existing[std::string("public.") + t] = Table(t);
  a.existing["public.orders_customer_idx"] = {"public", "orders_customer_idx", 'i', "orders"};
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

// A workload of three queries over 100 s: 5 reads/s of orders, 2 writes/s
// and 3 reads/s of customers (the live test reads them from a real snapshot).
LintWorkload Rates() {
  LintWorkload w;
  w.window_seconds = 100;
  w.queries_from = "w.json";
  auto add = [&](const char* table, uint64_t calls, bool writes) {
    WorkloadQuery q;
    q.calls = calls;
    q.calls_per_second = static_cast<double>(calls) / w.window_seconds;
    q.writes = writes;
    w.queries_by_table[std::string("public.") + table].push_back(w.queries.size());
    w.queries.push_back(q);
  };
  add("orders", 500, false);
  add("customers", 200, true);
  add("customers", 300, false);
  return w;
}

TEST(CheckTrace, WorkloadWaitsLastToTheEndOfTheTransactionScaledBySample) {
  LoadedMigration m = LoadMigration("m.sql",
                                    "ALTER TABLE orders ADD COLUMN note text;\n"
                                    "SELECT lock_customers();\n"
                                    "SELECT 1;\n",
                                    LintOptions{});
  AppliedFile a = Applied({Step(0, {Lock("orders", "AccessExclusiveLock")}, {Lock("orders", "AccessExclusiveLock")}),
                           Step(1, {Lock("orders", "AccessExclusiveLock"), Lock("customers", "ShareLock")},
                                {Lock("customers", "ShareLock")}),
                           Step(2, {Lock("orders", "AccessExclusiveLock"), Lock("customers", "ShareLock")}, {})});
  a.trace[0].ms = 1;
  a.trace[1].ms = 10;
  a.trace[2].ms = 100;
  LintWorkload w = Rates();
  std::vector<Finding> findings;
  FileTrace t = BuildFileTrace(m.file, a, &findings, TraceWorkload{&w, 10});
  ASSERT_EQ(t.rows.size(), 3u);
  // orders: ACCESS EXCLUSIVE from line 1 to the file's end (111 ms), x10.
  ASSERT_EQ(t.rows[0].waits.size(), 1u);
  const WorkloadWait& o = t.rows[0].waits[0];
  EXPECT_EQ(o.table, "orders");
  EXPECT_TRUE(o.blocks_reads);
  EXPECT_DOUBLE_EQ(o.reads_per_s, 5);
  EXPECT_DOUBLE_EQ(o.measured_ms, 111);
  EXPECT_DOUBLE_EQ(o.wait_ms, 1110);
  // customers: SHARE blocks its 2 writes/s, not its 3 reads/s, 110 ms x10.
  ASSERT_EQ(t.rows[1].waits.size(), 1u);
  const WorkloadWait& c = t.rows[1].waits[0];
  EXPECT_FALSE(c.blocks_reads);
  EXPECT_DOUBLE_EQ(c.WaitingPerSecond(), 2);
  EXPECT_DOUBLE_EQ(c.wait_ms, 1100);
  EXPECT_TRUE(t.rows[2].waits.empty());  // took nothing new
  EXPECT_NE(t.workload.find("scaled by 10 from a 10% sample"), std::string::npos) << t.workload;
  // The lint missed the function's lock: its finding says who would wait.
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("with the workload, customers: 2 writes/s (1 query) would wait up to 1.10 s "
                                     "(scaled from a 10% sample: 110.0 ms measured), ~2.20 queued; reads go on"),
            std::string::npos)
      << findings[0].message;
  // Its own transaction: the statement alone.
  a.trace[0].ends_transaction = true;
  for (StatementTrace& s : a.trace) s.transaction = s.statement == 0 ? 1 : 2;
  findings.clear();
  t = BuildFileTrace(m.file, a, &findings, TraceWorkload{&w, 0});
  EXPECT_DOUBLE_EQ(t.rows[0].waits[0].wait_ms, 1);
  EXPECT_EQ(t.workload.find("sample"), std::string::npos);
  // Without a window there are no rates.
  w.window_seconds = 0;
  t = BuildFileTrace(m.file, a, &findings, TraceWorkload{&w, 0});
  EXPECT_TRUE(t.rows[0].waits.empty());
  EXPECT_NE(t.workload.find("no time window"), std::string::npos);
}

TEST(CheckTrace, AccessExclusiveOnAnIndexBlocksItsTablesReads) {
  LoadedMigration m = LoadMigration("m.sql", "REINDEX INDEX orders_customer_idx;\n", LintOptions{});
  TracedLock index{{"public", "orders_customer_idx", 'i', "orders"}, "AccessExclusiveLock", true};
  AppliedFile a = Applied({Step(0, {Lock("orders", "ShareLock"), index}, {Lock("orders", "ShareLock"), index})});
  LintWorkload w = Rates();
  std::vector<Finding> findings;
  FileTrace t = BuildFileTrace(m.file, a, &findings, TraceWorkload{&w, 0});
  EXPECT_EQ(t.rows[0].mode, "SHARE");
  EXPECT_TRUE(t.rows[0].blocks_reads);
  ASSERT_EQ(t.rows[0].waits.size(), 1u);
  EXPECT_DOUBLE_EQ(t.rows[0].waits[0].WaitingPerSecond(), 5);  // orders' reads wait too
}

TEST(CheckTrace, IndexesCreatedDroppedRebuiltAndInvalid) {
  LoadedMigration m = LoadMigration("m.sql",
                                    "CREATE INDEX orders_total_idx ON orders (total);\n"
                                    "ALTER TABLE orders ALTER COLUMN id TYPE bigint;\n"
                                    "CREATE INDEX events_at_idx ON ONLY events (at);\n",
                                    LintOptions{});
  auto index = [](const char* name, const char* table, int64_t bytes, bool valid, char kind = 'i') {
    return TracedIndex{{"public", name, kind, table}, bytes, valid};
  };
  AppliedFile a = Applied({Step(0, {}, {}), Step(1, {}, {}), Step(2, {}, {})});
  a.trace[0].indexes_created.push_back(index("orders_total_idx", "orders", 16384, true));
  a.trace[1].indexes_dropped.push_back(index("orders_pkey", "orders", 8192, true));
  a.trace[1].indexes_created.push_back(index("orders_pkey", "orders", 16384, true));
  a.trace[1].indexes_dropped.push_back(index("orders_total_idx", "orders", 16384, true));
  a.trace[2].indexes_created.push_back(index("events_at_idx", "events", 0, false, 'I'));
  a.trace[2].indexes_invalid.push_back(index("events_at_idx", "events", 0, false, 'I'));
  a.invalid_indexes.push_back(index("events_at_idx", "events", 0, false, 'I'));
  std::vector<Finding> findings;
  FileTrace t = BuildFileTrace(m.file, a, &findings);
  ASSERT_EQ(t.rows[0].indexes.size(), 1u);
  EXPECT_EQ(t.rows[0].indexes[0].change, "created");
  EXPECT_EQ(t.rows[0].indexes[0].bytes, 16384);
  ASSERT_EQ(t.rows[1].indexes.size(), 2u);
  EXPECT_EQ(t.rows[1].indexes[0].change, "dropped");
  EXPECT_EQ(t.rows[1].indexes[0].index, "orders_total_idx");
  EXPECT_EQ(t.rows[1].indexes[1].change, "rebuilt");
  EXPECT_EQ(t.rows[1].indexes[1].index, "orders_pkey");
  ASSERT_EQ(t.rows[2].indexes.size(), 2u);
  EXPECT_FALSE(t.rows[2].indexes[0].valid);
  EXPECT_EQ(t.rows[2].indexes[1].change, "invalid");
  ASSERT_EQ(t.invalid_at_end.size(), 1u);
  EXPECT_EQ(t.invalid_at_end[0].table, "events");
  CheckReport r;
  r.traces.push_back(t);
  std::string text = CheckText(r);
  EXPECT_NE(text.find("index created orders_total_idx on orders (16 kB)"), std::string::npos) << text;
  EXPECT_NE(text.find("invalid after the file: invalid events_at_idx on events (no storage)"), std::string::npos)
      << text;
  std::string md = CheckMarkdown(r);
  EXPECT_NE(md.find("Indexes: 2 created, 1 dropped, 1 invalid"), std::string::npos) << md;
}

}  // namespace
}  // namespace pgsift

// The HTML report's plans, locks, errors by SQLSTATE over time and queries
// by type, on the real PG15 log of fixtures/logs (fixtures/make_logs.sh)
// and on the bounded, order-free stores behind them (KeptPlans, LockWaits).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "pgsift/analyze_html.h"
#include "pgsift/kept_plans.h"
#include "pgsift/lock_waits.h"
#include "pgsift/workload_rules.h"
#include "test_util.h"

namespace pgsift {
namespace {

HtmlModel ClinicModel() {
  auto rules = MakeWorkloadRules();
  std::vector<WorkloadRule*> active;
  for (auto& r : rules) active.push_back(r.get());
  AnalyzeOptions o;
  o.inputs = {testing::Fixture("logs/clinic.stderr.log")};
  auto r = AnalyzeWithRules(o, active);
  EXPECT_TRUE(r.ok());
  return r.ok() ? BuildHtmlModel(*r, HtmlModelOptions{}) : HtmlModel{};
}

// make_logs.sh ran auto_explain (text and JSON, log_analyze on): each
// drill-down shows the slowest plans of its query, at most kMaxPlans,
// slowest first, conditions with their values masked.
TEST(AnalyzeHtmlDrill, SlowestPlansRedacted) {
  HtmlModel m = ClinicModel();
  size_t with_plans = 0;
  std::string all;
  for (const HtmlQuery& q : m.queries) {
    if (q.slowest_plans.empty()) continue;
    ++with_plans;
    EXPECT_LE(q.slowest_plans.size(), std::min<size_t>(KeptPlans::kMaxPlans, q.plans)) << q.id;
    for (size_t i = 1; i < q.slowest_plans.size(); ++i) {
      EXPECT_GE(q.slowest_plans[i - 1].duration_ms, q.slowest_plans[i].duration_ms);
    }
    for (const HtmlPlan& p : q.slowest_plans) all += p.text;
  }
  EXPECT_GE(with_plans, 3u);
  // Filter: ((starts_at >= '2024-01-05 00:00:00+00'::timestamp with time zone) AND (status <> 'cancelled'::text))
  EXPECT_NE(all.find("(starts_at >= ?::timestamp with time zone) AND (status <> ?::text)"), std::string::npos) << all;
  EXPECT_NE(all.find("Rows Removed by Filter: 38200"), std::string::npos);
  EXPECT_NE(all.find("Hash Cond: (a.patient_id = p.id)"), std::string::npos);
  EXPECT_NE(all.find("(actual time="), std::string::npos);
  for (const char* value : {"2024-01-05", "'cancelled'", "patient_id = 30)", "patient_id = 32)", "id = 101)"}) {
    EXPECT_EQ(all.find(value), std::string::npos) << value << " is in a plan";
  }
}

KeptPlan Plan(double ms, const std::string& structure, int64_t t) {
  KeptPlan p;
  p.duration_ms = ms;
  p.structure = structure;
  p.text = structure + " " + std::to_string(ms);
  p.time_us = t;
  return p;
}

// One plan per structure (its slowest), the kMaxPlans slowest structures,
// whatever the order plans came in or how the log was split.
TEST(AnalyzeHtmlDrill, KeptPlansAreBoundedAndOrderFree) {
  std::vector<KeptPlan> plans;
  for (int i = 0; i < 40; ++i) plans.push_back(Plan((i * 37) % 101, "shape" + std::to_string(i % 5), i));
  plans.push_back(Plan(50, "shape0", 99));  // a tie in duration with another structure
  auto texts = [](const KeptPlans& k) {
    std::vector<std::string> v;
    for (const KeptPlan& p : k.plans()) v.push_back(p.text);
    return v;
  };
  KeptPlans forward, backward, merged;
  for (const KeptPlan& p : plans) forward.Add(p);
  for (auto it = plans.rbegin(); it != plans.rend(); ++it) backward.Add(*it);
  for (size_t cut : {size_t{7}, size_t{20}, size_t{33}}) {
    KeptPlans a, b;
    for (size_t i = 0; i < plans.size(); ++i) (i < cut ? a : b).Add(plans[i]);
    b.Merge(a);
    EXPECT_EQ(texts(b), texts(forward)) << cut;
  }
  EXPECT_EQ(texts(backward), texts(forward));
  ASSERT_EQ(forward.plans().size(), KeptPlans::kMaxPlans);
  // The slowest of each structure: shape i%5 with (i*37)%101 largest.
  std::map<std::string, double> slowest;
  for (const KeptPlan& p : plans) slowest[p.structure] = std::max(slowest[p.structure], p.duration_ms);
  std::vector<double> top;
  for (const auto& [s, ms] : slowest) top.push_back(ms);
  std::sort(top.rbegin(), top.rend());
  for (size_t i = 0; i < KeptPlans::kMaxPlans; ++i) EXPECT_EQ(forward.plans()[i].duration_ms, top[i]);
  EXPECT_FALSE(forward.Wants(top[KeptPlans::kMaxPlans - 1] - 1));
}

TEST(AnalyzeHtmlDrill, PlanTextIsBounded) {
  ExplainPlan plan;
  PlanNode* n = &plan.root;
  for (int i = 0; i < 100; ++i) {
    n->node_type = "Nested Loop";
    n->filter = "(name = 'x" + std::string(500, 'y') + "')";
    n->children.emplace_back();
    n = &n->children.back();
  }
  n->node_type = "Seq Scan";
  KeptPlan k;
  RenderKeptPlan(plan, &k);
  EXPECT_TRUE(k.truncated);
  EXPECT_LE(std::count(k.text.begin(), k.text.end(), '\n'), static_cast<long>(KeptPlans::kMaxLines) + 1);
  EXPECT_LE(k.text.size(), (KeptPlans::kMaxLines + 1) * (KeptPlans::kMaxLineBytes + 8));
  EXPECT_EQ(k.text.find("yyy"), std::string::npos);  // the literal is masked, not cut
}

TEST(AnalyzeHtmlDrill, LockWaitMessages) {
  LockWait w;
  // fixtures/logs/clinic.stderr.log line 206-207.
  ASSERT_TRUE(ParseLockWait("process 4715 still waiting for ShareLock on transaction 738 after 100.399 ms",
                            "Process holding the lock: 4712. Wait queue: 4715.", &w));
  EXPECT_EQ(w.pid, "4715");
  EXPECT_EQ(w.lock, "ShareLock on transaction");
  EXPECT_EQ(w.blockers, "4712");
  EXPECT_EQ(w.queue, 1u);
  EXPECT_DOUBLE_EQ(w.wait_ms, 100.399);
  ASSERT_TRUE(ParseLockWait(
      "process 88 still waiting for AccessExclusiveLock on relation 16384 of database 5 after 1000.2 ms",
      "Processes holding the lock: 12, 13. Wait queue: 88, 90.", &w));
  EXPECT_EQ(w.lock, "AccessExclusiveLock on relation");
  EXPECT_EQ(w.blockers, "12, 13");
  EXPECT_EQ(w.queue, 2u);
  ASSERT_TRUE(ParseLockWait("process 9 still waiting for ExclusiveLock on tuple (0,1) of relation 1 of database 5 "
                            "after 5.000 ms",
                            "", &w));
  EXPECT_EQ(w.lock, "ExclusiveLock on tuple");
  EXPECT_EQ(w.blockers, "");
  EXPECT_FALSE(ParseLockWait("process x still waiting for ShareLock after 1 ms", "", &w));
  LockWaits a, b, all;
  for (int i = 0; i < 200; ++i) {
    LockWait x = w;
    x.wait_ms = (i * 13) % 97;
    x.pid = std::to_string(i);
    (i % 3 ? a : b).Add(x);
    all.Add(x);
  }
  a.Merge(b);
  ASSERT_EQ(a.longest.size(), LockWaits::kMaxKept);
  for (size_t i = 0; i < a.longest.size(); ++i) EXPECT_EQ(a.longest[i].pid, all.longest[i].pid);
  EXPECT_EQ(a.count, 200u);
}

// The lock wait make_logs.sh provoked (billing held the invoice row), with
// its blocker and the waiting query; errors by SQLSTATE per interval add up
// to the error groups; every statement counted under one type.
TEST(AnalyzeHtmlDrill, LocksErrorsOverTimeAndTypes) {
  HtmlModel m = ClinicModel();
  ASSERT_FALSE(m.longest_lock_waits.empty());
  const HtmlLockWait& l = m.longest_lock_waits.front();
  EXPECT_EQ(l.blockers, "4712");
  EXPECT_EQ(l.lock, "ShareLock on transaction");
  EXPECT_FALSE(l.query.empty());
  bool waiting_query = false;
  for (const HtmlQuery& q : m.queries) {
    if (q.id == l.query) waiting_query = q.lock_waits > 0 && q.normalized.starts_with("UPDATE invoices");
  }
  EXPECT_TRUE(waiting_query);
  std::map<std::string, uint64_t> groups, buckets;
  for (const HtmlErrorGroup& e : m.errors_by_message) groups[e.sqlstate] += e.count;
  for (const HtmlBucket& b : m.timeline) {
    for (const auto& [state, n] : b.errors_by_sqlstate) buckets[state] += n;
  }
  EXPECT_EQ(buckets, groups);
  EXPECT_GE(buckets.size(), 4u);
  std::map<std::string, uint64_t> types;
  uint64_t sum = 0;
  for (const HtmlCount& c : m.queries_by_type) types[c.name] = c.count, sum += c.count;
  EXPECT_EQ(sum, m.calls);
  for (const char* t : {"SELECT", "INSERT", "UPDATE", "DDL", "TCL"}) EXPECT_GT(types[t], 0u) << t;
}

}  // namespace
}  // namespace pgsift

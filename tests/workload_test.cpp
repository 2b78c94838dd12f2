#include "pgsift/workload.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include "pgsift/analyze.h"
#include "pgsift/analyze_output.h"
#include "test_util.h"

namespace pgsift {
namespace {

using testing::Fixture;

TEST(DurationSketch, QuantilesStayWithinTheStatedRelativeError) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(1.0, 2.0);
  std::vector<double> values;
  DurationSketch a, b;
  for (int i = 0; i < 100000; ++i) {
    double v = dist(rng);
    values.push_back(v);
    (i % 2 ? a : b).Add(v);
  }
  a.Merge(b);
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.95, 0.99, 0.999}) {
    double exact = values[static_cast<size_t>(std::ceil(q * values.size())) - 1];
    double got = a.Quantile(q);
    EXPECT_LE(std::abs(got - exact) / exact, DurationSketch::kRelativeError + 1e-9) << "q=" << q;
  }
  EXPECT_EQ(a.count(), 100000u);
  DurationSketch zeros;
  zeros.Add(0);
  zeros.Add(0);
  zeros.Add(5);
  EXPECT_EQ(zeros.Quantile(0.5), 0);
  EXPECT_NEAR(zeros.Quantile(1.0), 5, 0.05);
}

// Issue 18: "ANALYZE; p95 539ms max 535ms". A bucket's representative value
// may lie past the largest duration in it; small counts are exact and every
// quantile stays within [min, max].
TEST(DurationSketch, SmallCountsAreExactAndQuantilesStayWithinMinMax) {
  DurationSketch one;
  one.Add(535.0);
  EXPECT_EQ(one.Quantile(0.95), 535.0);
  EXPECT_EQ(one.Quantile(0.5), 535.0);
  // Ten durations: nearest rank, exactly (p50 = 5th smallest, p95 = 10th).
  DurationSketch ten, ten_a, ten_b;
  std::vector<double> values = {12.5, 3.25, 7.0, 539.0, 1.5, 2.75, 100.0, 0.0, 41.0, 535.0};
  for (size_t i = 0; i < values.size(); ++i) {
    ten.Add(values[i]);
    (i % 2 ? ten_a : ten_b).Add(values[i]);
  }
  ten_a.Merge(ten_b);
  for (const DurationSketch* s : {&ten, &ten_a}) {
    EXPECT_EQ(s->Quantile(0.5), 7.0);
    EXPECT_EQ(s->Quantile(0.95), 539.0);
    EXPECT_EQ(s->Quantile(0.1), 0.0);
  }
  // Many calls of about one duration: past the exact values, still <= max.
  DurationSketch many;
  for (int i = 0; i < 1000; ++i) many.Add(i % 2 ? 535.0 : 534.0);
  EXPECT_LE(many.Quantile(0.95), 535.0);
  EXPECT_GE(many.Quantile(0.95), 534.0);
  EXPECT_GE(many.Quantile(0.01), 534.0);
}

TEST(Timestamp, ReadsTheFormsPostgresWrites) {
  const int64_t t = 1622134800LL * 1000000;  // 2021-05-27 17:00:00 UTC
  EXPECT_EQ(ParseLogTimestamp("2021-05-27 17:00:00 UTC"), t);
  EXPECT_EQ(ParseLogTimestamp("2021-05-27 17:00:00.250 UTC"), t + 250000);
  EXPECT_EQ(ParseLogTimestamp("2021-05-27 20:00:00 MSK"), t);
  EXPECT_EQ(ParseLogTimestamp("2021-05-27 19:00:00 CEST"), t);
  EXPECT_EQ(ParseLogTimestamp("2021-05-27 20:00:00 +03"), t);
  EXPECT_EQ(ParseLogTimestamp("2021-05-27 22:30:00 +05:30"), t);
  EXPECT_EQ(ParseLogTimestamp("2021-05-27T17:00:00.000+00:00"), t);
  EXPECT_EQ(ParseLogTimestamp("1622134800.000"), t);
  bool unknown = false;
  EXPECT_EQ(ParseLogTimestamp("2021-05-27 17:00:00 XYZT", &unknown), t);
  EXPECT_TRUE(unknown);
  EXPECT_EQ(ParseLogTimestamp("Jan 16 13:40:40"), kNoTime);
  EXPECT_EQ(FormatIsoTime(t + 250000), "2021-05-27T17:00:00.250Z");
}

std::string QueriesJson(const AnalyzeResult& r) {
  std::ostringstream out;
  WriteAnalyzeJson(r, TableOptions{}, out);
  std::string s = out.str();
  return s.substr(s.find("\"queries\""));
}

// Per-thread workloads merge to the same result in any order, and equal to
// reading everything in one pass: what parallel reading will rely on.
TEST(Workload, MergeIsOrderIndependentAndEqualsOnePass) {
  std::vector<std::string> files = {Fixture("logs/clinic.stderr.log"), Fixture("pgbadger/light.postgres.log.bz2"),
                                    Fixture("logs/clinic.json")};
  AnalyzeOptions all;
  all.inputs = files;
  auto whole = Analyze(all);
  ASSERT_TRUE(whole.ok());
  std::vector<AnalyzeResult> parts;
  for (size_t i = 0; i < files.size(); ++i) {
    AnalyzeOptions one;
    one.inputs = files;  // same input indices, so first-seen order is comparable
    for (size_t k = 0; k < files.size(); ++k) {
      if (k != i) one.inputs[k] = Fixture("pgbadger/begin_end.log");  // no queries: only keeps the index
    }
    auto r = Analyze(one);
    ASSERT_TRUE(r.ok());
    parts.push_back(std::move(r.value()));
  }
  AnalyzeResult forward, backward;
  for (size_t i = 0; i < parts.size(); ++i) forward.workload.Merge(parts[i].workload);
  for (size_t i = parts.size(); i-- > 0;) backward.workload.Merge(parts[i].workload);
  EXPECT_EQ(QueriesJson(forward), QueriesJson(backward));
  EXPECT_EQ(QueriesJson(forward), QueriesJson(*whole));
  EXPECT_EQ(forward.workload.summary.calls, whole->workload.summary.calls);
}

// Per-thread workloads merge in whatever order the threads finish: the sums
// must not depend on it to the last bit (a 1 GiB log at -j2 printed a
// mean_ms of 31.882 or 31.883 from run to run when they were doubles).
TEST(Workload, DurationSumsDoNotDependOnTheMergeOrder) {
  const double durations[] = {0.1, 0.2, 0.3, 11.796, 2.33, 1e-3};
  std::vector<Workload> parts(std::size(durations));
  for (size_t i = 0; i < parts.size(); ++i) {
    WorkloadBuilder b(&parts[i], Filters{});
    Event e;
    e.kind = EventKind::kQuery;
    e.sql = "SELECT name FROM patients WHERE id = $1";
    e.database = "clinic";
    e.duration_ms = durations[i];
    e.time_us = int64_t{1800000000} * 1000000;
    b.OnEvent(e);
  }
  std::vector<size_t> order(parts.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  Workload first;
  for (size_t i : order) first.Merge(parts[i]);
  const QueryStats& q0 = first.queries.begin()->second;
  EXPECT_EQ(q0.calls, parts.size());
  while (std::next_permutation(order.begin(), order.end())) {
    Workload w;
    for (size_t i : order) w.Merge(parts[i]);
    const QueryStats& q = w.queries.begin()->second;
    ASSERT_EQ(q.total_ms(), q0.total_ms());
    ASSERT_EQ(q.mean_ms(), q0.mean_ms());
    ASSERT_EQ(q.by_database.at("clinic").total_ms(), q0.by_database.at("clinic").total_ms());
    ASSERT_EQ(q.hourly.begin()->second.total_ms(), q0.hourly.begin()->second.total_ms());
    ASSERT_EQ(w.summary.total_ms(), first.summary.total_ms());
  }
}

// The per-query breakdown cache (last database/user/application/hour) must
// count exactly what the maps alone would: keys alternating call by call,
// and a copy of the workload taken mid-stream keeps its own counts.
TEST(Workload, BreakdownsCountEveryKeyWhenTheyAlternate) {
  Workload w;
  WorkloadBuilder b(&w, Filters{});
  const std::string dbs[] = {"clinic", "billing"}, users[] = {"web", "web", "report"}, apps[] = {"a", "b", "c", "d"};
  const int64_t hour = int64_t{3600} * 1000000;
  Workload snapshot;
  for (int i = 0; i < 120; ++i) {
    Event e;
    e.kind = EventKind::kQuery;
    e.sql = "SELECT name FROM patients WHERE id = $1";
    e.duration_ms = 1;
    e.database = dbs[i % 2];
    e.user = users[i % 3];
    e.application = apps[(i / 5) % 4];
    e.time_us = int64_t{1800000000} * 1000000 + (i % 7 < 3 ? 0 : hour);
    b.OnEvent(e);
    if (i == 59) snapshot = w;
  }
  ASSERT_EQ(w.queries.size(), 1u);
  const QueryStats& q = w.queries.begin()->second;
  EXPECT_EQ(q.by_database.at("clinic").calls, 60u);
  EXPECT_EQ(q.by_database.at("billing").calls, 60u);
  EXPECT_EQ(q.by_user.at("web").calls, 80u);
  EXPECT_EQ(q.by_user.at("report").calls, 40u);
  for (const char* app : {"a", "b", "c", "d"}) EXPECT_EQ(q.by_application.at(app).calls, 30u) << app;
  ASSERT_EQ(q.hourly.size(), 2u);
  EXPECT_EQ(q.hourly.begin()->second.calls + q.hourly.rbegin()->second.calls, 120u);
  EXPECT_EQ(w.summary.by_database.at("clinic").calls, 60u);
  EXPECT_EQ(w.summary.by_user.at("report").calls, 40u);
  // The copy saw 60 calls; feeding the original afterwards did not reach it.
  const QueryStats& s = snapshot.queries.begin()->second;
  EXPECT_EQ(s.by_database.at("clinic").calls + s.by_database.at("billing").calls, 60u);
  // And a builder on the copy counts into the copy only.
  WorkloadBuilder b2(&snapshot, Filters{});
  Event e;
  e.kind = EventKind::kQuery;
  e.sql = "SELECT name FROM patients WHERE id = $1";
  e.database = "clinic";
  b2.OnEvent(e);
  EXPECT_EQ(snapshot.queries.begin()->second.by_database.at("clinic").calls, 31u);
  EXPECT_EQ(q.by_database.at("clinic").calls, 60u);
}

}  // namespace
}  // namespace pgsift

// IST and CST have several meanings: read as India's and US Central's, and
// said so; --log-zone (SetLogZone) gives the server's. Unknown zones are UTC.
TEST(Timestamp, DoubtfulZonesAreNamedAndCanBeGiven) {
  const int64_t t = 1622134800LL * 1000000;  // 2021-05-27 17:00:00 UTC
  bool unknown = false;
  std::string_view doubtful;
  EXPECT_EQ(pgsift::ParseLogTimestamp("2021-05-27 22:30:00 IST", &unknown, &doubtful), t);
  EXPECT_FALSE(unknown);
  EXPECT_EQ(doubtful, "IST");
  doubtful = {};
  EXPECT_EQ(pgsift::ParseLogTimestamp("2021-05-27 19:00:00 CEST", &unknown, &doubtful), t);
  EXPECT_TRUE(doubtful.empty());
  EXPECT_EQ(pgsift::ParseLogTimestamp("2021-05-27 17:00:00 QQT", &unknown, &doubtful), t);
  EXPECT_TRUE(unknown);
  EXPECT_EQ(doubtful, "QQT");
  EXPECT_TRUE(pgsift::LookUpZone("IST").others.find("Israel") != std::string_view::npos);
  EXPECT_FALSE(pgsift::LookUpZone("QQT").known);

  EXPECT_EQ(pgsift::SetLogZone("QQT=+02:00"), "");
  doubtful = {};
  EXPECT_EQ(pgsift::ParseLogTimestamp("2021-05-27 19:00:00 QQT", &unknown, &doubtful), t);
  EXPECT_FALSE(unknown);
  EXPECT_TRUE(doubtful.empty());
  EXPECT_TRUE(pgsift::LookUpZone("QQT").given);
  EXPECT_EQ(pgsift::SetLogZone("QQT=-0530"), "");
  EXPECT_EQ(pgsift::ParseLogTimestamp("2021-05-27 11:30:00 QQT"), t);
  EXPECT_EQ(pgsift::SetLogZone("QQT=-3:30"), "");  // as Newfoundland's offset is often written
  EXPECT_EQ(pgsift::ParseLogTimestamp("2021-05-27 13:30:00 QQT"), t);
  for (const char* bad : {"QQT", "QQT=", "qqt=+02:00", "QQT=+2:0", "QQT=+16:00", "=+02:00", "QQT=2h", "QQT=+2:60"}) {
    EXPECT_NE(pgsift::SetLogZone(bad), "") << bad;
  }
}

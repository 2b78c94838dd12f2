// The model behind `pgsift analyze --html`, on the real PG15 logs of
// fixtures/logs (fixtures/make_logs.sh): a JSON golden of the model, the same
// model from the stderr, csv and json logs of the one run and from any
// number of threads, the bounded timeline, redacted error messages, and no
// literal of the log in the HTML. PGSIFT_UPDATE_GOLDEN=1 rewrites the golden
// (review the diff).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pgsift/analyze_html.h"
#include "pgsift/timeline.h"
#include "pgsift/workload_rules.h"
#include "test_util.h"

namespace pgsift {
namespace {

using testing::Fixture;

using testing::Slurp;

AnalyzeResult AnalyzeLog(const std::string& log, unsigned jobs = 1, size_t piece_bytes = 0) {
  auto rules = MakeWorkloadRules();
  std::vector<WorkloadRule*> active;
  for (auto& r : rules) active.push_back(r.get());
  AnalyzeOptions o;
  o.inputs = {Fixture(log)};
  o.jobs = jobs;
  o.piece_bytes = piece_bytes;
  auto r = AnalyzeWithRules(o, active);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? std::move(*r) : AnalyzeResult{};
}

std::string ModelJson(const AnalyzeResult& r) {
  HtmlModelOptions options;
  options.base_names = true;
  std::ostringstream out;
  WriteHtmlModelJson(BuildHtmlModel(r, options), out);
  return out.str();
}

TEST(AnalyzeHtml, ModelGoldenOfTheClinicLog) {
  std::string actual = ModelJson(AnalyzeLog("logs/clinic.stderr.log"));
  std::string path = Fixture("html/clinic.model.json");
  if (std::getenv("PGSIFT_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::string expected = Slurp(path);
  ASSERT_FALSE(expected.empty()) << "missing golden " << path << " (PGSIFT_UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(actual, expected) << "golden html/clinic.model.json differs";
}

// What the workload of make_logs.sh did, as the model must show it.
TEST(AnalyzeHtml, ModelShowsWhatTheWorkloadDid) {
  HtmlModel m = BuildHtmlModel(AnalyzeLog("logs/clinic.stderr.log"), HtmlModelOptions{});
  EXPECT_GT(m.calls, 100u);
  EXPECT_EQ(m.step_seconds, 1);  // a run of seconds: one bucket per second
  EXPECT_GE(m.timeline.size(), 4u);
  EXPECT_EQ(m.busiest_seconds, 60);
  EXPECT_GT(m.busiest_calls, 0u);
  EXPECT_FALSE(m.latency.empty());
  EXPECT_GE(m.lock_waits, 1u);       // the billing session held the row
  EXPECT_GE(m.temp_files, 1u);       // the sort with work_mem = 64kB
  EXPECT_EQ(m.checkpoints, 2u);      // "checkpoint complete" twice
  EXPECT_GT(m.autovacuum, 0u);
  EXPECT_GT(m.sessions, 5u);
  EXPECT_FALSE(m.vacuum.empty());
  uint64_t p99_buckets = 0;
  for (const HtmlBucket& b : m.timeline) p99_buckets += b.p99_ms > 0;
  EXPECT_GT(p99_buckets, 0u);
  std::map<std::string, std::string> messages;
  for (const HtmlErrorGroup& e : m.errors_by_message) messages[e.sqlstate] = e.message;
  EXPECT_EQ(messages["22012"], "division by zero");
  EXPECT_EQ(messages["42P01"], "relation \"patient_notes\" does not exist at character N");
  EXPECT_EQ(messages["23505"], "duplicate key value violates unique constraint \"patients_pkey\"");
  EXPECT_EQ(messages["42601"], "syntax error at or near ? at character N");
  // Every error group names the query that raised it (make_logs.sh logs statements).
  for (const HtmlErrorGroup& e : m.errors_by_message) {
    ASSERT_FALSE(e.queries.empty());
    EXPECT_FALSE(e.queries.front().first.empty()) << e.message;
  }
  bool linked = false;
  for (const HtmlFinding& f : m.findings) linked |= !f.query.empty();
  EXPECT_TRUE(linked) << "no finding is linked to its query";
}

// The three log formats of one run, and any number of threads reading it in
// small pieces, give the same model.
TEST(AnalyzeHtml, SameModelFromEveryFormatAndThreadCount) {
  // Not compared across formats: input names, record counts, log line
  // numbers in findings' facts, and error messages (stderr appends the
  // error's position, "at character N"; csv and json log it apart).
  auto without_inputs = [](std::string json) {
    nlohmann::json j = nlohmann::json::parse(json);
    for (const char* key : {"inputs", "findings", "errors"}) j.erase(key);
    j["overview"].erase("records");
    return j;
  };
  nlohmann::json stderr_model = without_inputs(ModelJson(AnalyzeLog("logs/clinic.stderr.log")));
  EXPECT_EQ(without_inputs(ModelJson(AnalyzeLog("logs/clinic.csv"))), stderr_model);
  EXPECT_EQ(without_inputs(ModelJson(AnalyzeLog("logs/clinic.json"))), stderr_model);
  EXPECT_EQ(ModelJson(AnalyzeLog("logs/clinic.stderr.log", 3, 4096)), ModelJson(AnalyzeLog("logs/clinic.stderr.log")));
}

TEST(AnalyzeHtml, NoLiteralOfTheLogInTheHtml) {
  std::ostringstream html;
  WriteAnalyzeHtml(BuildHtmlModel(AnalyzeLog("logs/clinic.stderr.log"), HtmlModelOptions{}), html);
  std::string s = html.str();
  std::string log = Slurp(Fixture("logs/clinic.stderr.log"));
  // Literals the workload wrote into its statements (make_logs.sh).
  for (const char* literal : {"山田太郎", "Иван Петров", "Zoë", "called, ok", "@clinic.example", "85.50", "duplicate'",
                              "2024-01-05", "'cancelled'"}) {
    ASSERT_NE(log.find(literal), std::string::npos) << literal << " is not in the log: the test proves nothing";
    EXPECT_EQ(s.find(literal), std::string::npos) << literal << " is in the HTML";
  }
  for (const char* section : {"id=\"overview\"", "id=\"over-time\"", "id=\"queries\"", "id=\"errors\"",
                              "id=\"findings\"", "id=\"sessions\"", "id=\"vacuum\"", "id=\"missing\""}) {
    EXPECT_NE(s.find(section), std::string::npos) << section;
  }
}

TEST(AnalyzeHtml, RedactsValuesInServerMessages) {
  EXPECT_EQ(RedactServerMessage("invalid input syntax for type integer: \"4711abc\""),
            "invalid input syntax for type integer: ?");
  EXPECT_EQ(RedactServerMessage("value \"山田\" is out of range for type smallint"),
            "value ? is out of range for type smallint");
  EXPECT_EQ(RedactServerMessage("new row for relation \"patients\" violates check constraint \"dob_check\""),
            "new row for relation \"patients\" violates check constraint \"dob_check\"");
  EXPECT_EQ(RedactServerMessage("invalid input value for enum mood: 'sad'"), "invalid input value for enum mood: ?");
  EXPECT_EQ(RedactServerMessage("date/time field value out of range: 1951-07-23"),
            "date/time field value out of range: N");
  EXPECT_EQ(RedactServerMessage("ungültige Eingabesyntax für Typ integer: »4711«"),
            "ungültige Eingabesyntax für Typ integer: ?");
  EXPECT_EQ(RedactServerMessage("column \"x2\" does not exist\nLINE 1: select x2"), "column \"x2\" does not exist");
  EXPECT_EQ(RedactServerMessage("unterminated quoted string at or near \"'abc"), "unterminated quoted string at or near ?");
}

// Text an application raised (RAISE EXCEPTION 'patient % not found') is free
// text: not shown. With no SQLSTATE, only the server's common messages are.
TEST(AnalyzeHtml, RaisedMessagesAreNotShown) {
  EXPECT_EQ(ShownServerMessage("P0001", "patient Yamada Taro not found"),
            "(raised by application code: not shown, it may hold values)");
  EXPECT_EQ(ShownServerMessage("U0042", "chart of Yamada Taro locked"),
            "(raised by application code: not shown, it may hold values)");
  EXPECT_EQ(ShownServerMessage("unknown", "patient Yamada Taro not found"),
            "(not shown: no SQLSTATE in the log, and not one of the server's common messages)");
  EXPECT_EQ(ShownServerMessage("22012", "division by zero"), "division by zero");
  EXPECT_EQ(ShownServerMessage("unknown", "duplicate key value violates unique constraint \"patients_pkey\""),
            "duplicate key value violates unique constraint \"patients_pkey\"");
  EXPECT_EQ(ShownServerMessage("23505", "doppelter Schlüsselwert verletzt Unique-Constraint »patients_pkey«"),
            "doppelter Schlüsselwert verletzt Unique-Constraint ?");
}

// Coarsening keeps the timeline bounded, and merging pieces in any order
// gives what one builder over all events gives.
TEST(AnalyzeHtml, TimelineIsBoundedAndMergesExactly) {
  const int64_t t0 = 1'700'000'000'000'000;
  Timeline all, a, b;
  for (int64_t i = 0; i < 3 * 24 * 3600; i += 7) {  // three days, every 7 s
    int64_t t = t0 + i * 1'000'000;
    for (Timeline* tl : {&all, i % 2 ? &a : &b}) {
      TimeBucket* bucket = tl->At(t);
      ++bucket->calls;
      bucket->latency.Add(static_cast<double>(i % 100));
    }
  }
  EXPECT_LE(all.buckets().size(), Timeline::kMaxBuckets);
  EXPECT_EQ(all.step_seconds(), 600);  // 432 ten-minute buckets; 4320 minutes would be too many
  Timeline ab = a, ba = b;
  ab.Merge(b);
  ba.Merge(a);
  for (const Timeline* m : {&ab, &ba}) {
    ASSERT_EQ(m->step_seconds(), all.step_seconds());
    ASSERT_EQ(m->buckets().size(), all.buckets().size());
    for (const auto& [start, bucket] : all.buckets()) {
      EXPECT_EQ(m->buckets().at(start).calls, bucket.calls);
      EXPECT_EQ(m->buckets().at(start).latency.Quantile(0.95), bucket.latency.Quantile(0.95));
    }
  }
}

TEST(AnalyzeHtml, LatencyHistogramQuantiles) {
  LatencyHistogram h;
  for (int i = 1; i <= 100; ++i) h.Add(i);
  EXPECT_NEAR(h.Quantile(0.5), 50, 50 * 0.2);
  EXPECT_NEAR(h.Quantile(0.99), 99, 99 * 0.2);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(LatencyHistogram{}.Quantile(0.5), 0);
}

}  // namespace
}  // namespace pgsift

namespace pgsift {
namespace {

// Overview percentiles are nearest-rank values of the query durations the
// log holds (they were the histogram's bin middles: one 1.000 ms query
// showed p95 1.2 ms), and a bucket's lie within what it holds.
TEST(AnalyzeHtml, PercentilesAreTheLogsDurations) {
  const std::string log = "rules/workload-n-plus-one/err_simple_stderr.log";
  std::vector<double> durations;  // every "duration: N ms  statement:" of the log
  std::istringstream in(testing::Slurp(testing::Fixture(log)));
  for (std::string line; std::getline(in, line);) {
    size_t d = line.find("duration: ");
    if (d == std::string::npos || line.find(" ms  statement: ", d) == std::string::npos) continue;
    durations.push_back(std::stod(line.substr(d + 10)));
  }
  ASSERT_GT(durations.size(), 32u);  // past the sketch's exact range
  std::sort(durations.begin(), durations.end());
  auto rank = [&](double q) {
    size_t k = static_cast<size_t>(std::ceil(q * static_cast<double>(durations.size())));
    return durations[std::max<size_t>(k, 1) - 1];
  };
  AnalyzeResult r = AnalyzeLog(log);
  ASSERT_EQ(r.workload.summary.calls, durations.size());
  HtmlModel m = BuildHtmlModel(r, HtmlModelOptions{});
  for (auto [q, got] : {std::pair{0.50, m.p50_ms}, std::pair{0.95, m.p95_ms}, std::pair{0.99, m.p99_ms}}) {
    EXPECT_NEAR(got, rank(q), rank(q) * 0.01 + 0.001) << "p" << q * 100;
  }
  for (const HtmlBucket& b : m.timeline) {
    if (b.calls == 0) continue;
    EXPECT_GE(b.p50_ms, durations.front() - 0.001);
    EXPECT_LE(b.p99_ms, durations.back() + 0.001);
  }
  LatencyHistogram one;
  one.Add(1.0);
  EXPECT_EQ(one.Quantile(0.95), 1.0);  // was 1.19
  one.Add(2.627);
  EXPECT_LE(one.Quantile(0.99), 2.627);
  EXPECT_GE(one.Quantile(0.01), 1.0);
}

}  // namespace
}  // namespace pgsift

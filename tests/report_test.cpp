// The weekly report over real PG15 snapshots (fixtures/pgss/): Markdown and
// JSON goldens, the CLI, and that no planted value reaches any output.
// PGSIFT_UPDATE_GOLDEN=1 rewrites the goldens (review the diff: users see it).
#include "pgsift/report.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "pgsift/analyze_output.h"
#include "test_util.h"

namespace pgsift {
namespace {

using testing::Fixture;

using testing::Slurp;

Snapshot Load(const std::string& name) {
  auto s = ReadSnapshot(Fixture("pgss/" + name));
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error());
  return s.ok() ? *s : Snapshot{};
}

void ExpectGolden(const std::string& actual, const std::string& name) {
  std::string path = Fixture("pgss/" + name);
  if (std::getenv("PGSIFT_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::string expected = Slurp(path);
  ASSERT_FALSE(expected.empty()) << "missing golden " << path << " (PGSIFT_UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(actual, expected) << "golden " << name << " differs";
}

std::string RunPgsift(const std::string& args, int* exit_code) {
  std::string cmd = std::string(PGSIFT_BINARY) + " " + args + " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

TEST(Report, MarkdownAndJsonGoldens) {
  Snapshot a = Load("a.json.gz"), b = Load("b.json.gz"), c = Load("c.json.gz");
  Report ab = BuildReport(a, b, nullptr, nullptr, 0, ReportOptions{});
  ExpectGolden(RenderReportMarkdown(ab), "report_a_b.md");
  ExpectGolden(RenderReportJson(ab), "report_a_b.json");
  Report bc = BuildReport(b, c, nullptr, nullptr, 0, ReportOptions{});
  ExpectGolden(RenderReportMarkdown(bc), "report_b_c.md");
  // Week over week: c's window against the a->b window.
  Report wow = BuildReport(b, c, &a, nullptr, 0, ReportOptions{});
  ExpectGolden(RenderReportJson(wow), "report_b_c_prev_a.json");
}

TEST(Report, SectionsFromTheRealSnapshots) {
  Report r = BuildReport(Load("a.json.gz"), Load("b.json.gz"), nullptr, nullptr, 0, ReportOptions{});
  ASSERT_EQ(r.regressions.size(), 1u);
  EXPECT_EQ(r.regressions[0].query, "SELECT sum(amount_cents) FROM invoices WHERE patient_id = $1");
  ASSERT_EQ(r.vanished.size(), 1u);
  EXPECT_EQ(r.vanished[0].query, "SELECT count(*) FROM patients WHERE clinic_id = $1");
  bool dashboard_new = false;
  for (const auto& q : r.new_queries) dashboard_new |= q.query.starts_with("SELECT status, count(*) FROM appointments");
  EXPECT_TRUE(dashboard_new);
  EXPECT_EQ(r.baseline, "cumulative");
  ASSERT_EQ(r.duplicate_indexes.size(), 1u);  // make_snapshots.sh creates the same index twice
  ASSERT_EQ(r.duplicate_indexes[0].size(), 2u);
  EXPECT_EQ(r.duplicate_indexes[0][1].name, "appointments_patient_idx");
  EXPECT_FALSE(r.reset);
  // Thresholds: a higher relative bar or more calls than there were hides it.
  ReportOptions strict;
  strict.min_calls = 401;
  EXPECT_TRUE(BuildReport(Load("a.json.gz"), Load("b.json.gz"), nullptr, nullptr, 0, strict).regressions.empty());
  ReportOptions abs;
  abs.regress_abs_ms = 1e6;
  EXPECT_TRUE(BuildReport(Load("a.json.gz"), Load("b.json.gz"), nullptr, nullptr, 0, abs).regressions.empty());
}

TEST(Report, PreviousWindowBaseline) {
  Snapshot a = Load("a.json.gz"), b = Load("b.json.gz"), c = Load("c.json.gz");
  Report r = BuildReport(b, c, &a, nullptr, 0, ReportOptions{});
  EXPECT_EQ(r.baseline, "previous");
  EXPECT_EQ(r.before.calls, ComputeDelta(a, b).window.calls);
  EXPECT_TRUE(r.reset);
}

TEST(Report, WithLogsHasLoadAndFindingsSections) {
  AnalyzeOptions options;
  options.inputs = {Fixture("logs/clinic.stderr.log")};
  auto logs = Analyze(options);
  ASSERT_TRUE(logs.ok()) << logs.error();
  Report r = BuildReport(Load("a.json.gz"), Load("b.json.gz"), nullptr, &*logs, 0, ReportOptions{});
  ASSERT_FALSE(r.load_by_hour.empty());
  uint64_t calls = 0;
  for (const auto& [hour, b] : r.load_by_hour) calls += b.calls;
  EXPECT_GT(calls, 0u);
  std::string md = RenderReportMarkdown(r);
  EXPECT_NE(md.find("| Day (UTC) | Calls |"), std::string::npos);
  // No workload rule was passed (rules_run 0): only the pg_stat_statements rules ran, with nothing to find.
  EXPECT_NE(md.find("1 rules ran; no findings."), std::string::npos);
  std::string html = RenderReportHtml(r);
  EXPECT_NE(html.find("id=\"chart-load\""), std::string::npos);
  EXPECT_NE(html.find("id=\"chart-top\""), std::string::npos);
  auto json = nlohmann::json::parse(RenderReportJson(r));
  EXPECT_TRUE(json["has_logs"].get<bool>());
  EXPECT_EQ(json["rules_run"], 1);
  EXPECT_TRUE(json["findings"].is_array());
}

TEST(Report, HtmlIsSelfContained) {
  std::string html =
      RenderReportHtml(BuildReport(Load("a.json.gz"), Load("b.json.gz"), nullptr, nullptr, 0, ReportOptions{}));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // only the SVG namespace
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
}

TEST(ReportCli, FormatsMatchTheLibraryAndLeakNoCanary) {
  std::string dir = ::testing::TempDir();
  std::string a = Fixture("pgss/a.json.gz"), b = Fixture("pgss/b.json.gz");
  int code = -1;
  std::string md = RunPgsift("report --from " + a + " --to " + b, &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(md, Slurp(Fixture("pgss/report_a_b.md")));
  for (const char* fmt : {"json", "html", "md"}) {
    std::string out = dir + "/report." + fmt;
    RunPgsift(std::string("report --from ") + Fixture("report_window/clinic.from.json.gz") + " --to " +
                  Fixture("report_window/clinic.to.json.gz") + " --logs " + Fixture("report_window/clinic.stderr.log") +
                  " --format " + fmt + " -o " + out,
              &code);
    EXPECT_EQ(code, 0) << fmt;
    std::string text = Slurp(out);
    EXPECT_GT(text.size(), 1000u) << fmt;
    EXPECT_EQ(text.find("CANARY"), std::string::npos) << fmt;
  }
  // A snapshot made from the raw export (which holds the canaries).
  std::string snap = dir + "/export.json.gz";
  std::string said = RunPgsift("snapshot --from-export " + Fixture("pgss/pgss_15.csv") + " -o " + snap, &code);
  EXPECT_EQ(code, 0) << said;
  EXPECT_EQ(said.find("CANARY"), std::string::npos);
  auto s = ReadSnapshot(snap);
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(SnapshotToJson(*s).find("CANARY"), std::string::npos);
}

TEST(ReportCli, BadInputsExitTwoWithTheFileName) {
  int code = -1;
  std::string snap = RunPgsift(
      "snapshot --dsn postgresql://app:pw_s3cret@127.0.0.1:1/clinic -o " + ::testing::TempDir() + "/never.json.gz",
      &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(snap.find("user=app password=*** dbname=clinic host=127.0.0.1 port=1"), std::string::npos) << snap;
  EXPECT_EQ(snap.find("pw_s3cret"), std::string::npos) << snap;
  std::string out = RunPgsift("report --from /nonexistent/a.json.gz --to " + Fixture("pgss/b.json.gz"), &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("--from: /nonexistent/a.json.gz"), std::string::npos) << out;
  out = RunPgsift("report --from " + Fixture("pgss/pgss_15.csv") + " --to " + Fixture("pgss/b.json.gz"), &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("pgss_15.csv: not a JSON object"), std::string::npos) << out;
  EXPECT_EQ(out.find("CANARY"), std::string::npos);
  out = RunPgsift("report --from " + Fixture("pgss/a.json.gz") + " --to " + Fixture("pgss/b.json.gz") + " --format pdf",
                  &code);
  EXPECT_EQ(code, 2);
}

// Errors week over week: --prev-logs gives the previous window's count.
// The window's log (report_window: snapshots and log of one run of the
// clinic workload, 4 errors) against another run's csvlog (4) and against
// the N+1 fixture log (none).
TEST(ReportCli, PrevLogsGiveTheErrorTrend) {
  int code = -1;
  std::string window = "report --from " + Fixture("report_window/clinic.from.json.gz") + " --to " +
                       Fixture("report_window/clinic.to.json.gz") + " --logs " +
                       Fixture("report_window/clinic.stderr.log");
  std::string out = RunPgsift(window + " --prev-logs " + Fixture("logs/clinic.csv"), &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("| Errors (from logs) | 4 | 4 | +0% |"), std::string::npos) << out;
  out = RunPgsift(
      window + " --prev-logs " + Fixture("rules/workload-n-plus-one/err_simple_stderr.log") + " --format json", &code);
  EXPECT_EQ(code, 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["log_errors"], 4);
  EXPECT_EQ(j["before_log_errors"], 0);
  out = RunPgsift(window + " --format html --prev-logs " + Fixture("logs/clinic.csv"), &code);
  EXPECT_NE(out.find("previous window 4 (+0%)"), std::string::npos);
  out = RunPgsift("report --from " + Fixture("pgss/a.json.gz") + " --to " + Fixture("pgss/b.json.gz") +
                      " --prev-logs " + Fixture("logs/clinic.csv"),
                  &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("--prev-logs needs --logs"), std::string::npos) << out;
}

// pg_stat_statements rules take --set and --disable like analyze: the
// reception lookup (800 calls, one row each) is a suspect below the default
// min_calls only when told so.
TEST(ReportCli, RuleOptionsReachThePgssRules) {
  int code = -1;
  std::string window = "report --from " + Fixture("pgss/a.json.gz") + " --to " + Fixture("pgss/b.json.gz");
  std::string out = RunPgsift(window, &code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(out.find("pgss-n-plus-one-suspect"), std::string::npos) << out;
  out = RunPgsift(window + " --set pgss-n-plus-one-suspect.min_calls=500", &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("info[pgss-n-plus-one-suspect] possible N+1: patients looked up by id 800 times"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("CANARY"), std::string::npos);
  out = RunPgsift(window + " --set pgss-n-plus-one-suspect.min_calls=500 --disable pgss-n-plus-one-suspect", &code);
  EXPECT_EQ(code, 0);
  EXPECT_NE(out.find("0 rules ran; no findings."), std::string::npos) << out;
  out = RunPgsift(window + " --set pgss-n-plus-one-suspect.min_calls=0", &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("pgss-n-plus-one-suspect: min_calls must be at least 1"), std::string::npos) << out;
  out = RunPgsift(window + " --disable no-such-rule", &code);
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("--disable no-such-rule: unknown rule"), std::string::npos) << out;
}

}  // namespace
}  // namespace pgsift

namespace pgsift {
namespace {

Report Partial(const std::string& from, const std::string& to, const std::string& label) {
  Report r = BuildReport(Load(from), Load(to), nullptr, nullptr, 0, ReportOptions{});
  r.database = label;
  // Through the file format, as a scheduler would hand it over.
  std::string path = ::testing::TempDir() + "/partial-" + label + ".json";
  std::ofstream(path, std::ios::binary) << RenderReportJson(r, /*partial=*/true);
  auto back = ReadPartialReport(path);
  EXPECT_TRUE(back.ok()) << (back.ok() ? "" : back.error());
  return back.ok() ? *back : Report{};
}

TEST(Fleet, MergesPartialsInAnyOrder) {
  // Two windows of the captured database stand in for two clinics.
  Report north = Partial("a.json.gz", "b.json.gz", "clinic-north");
  Report south = Partial("b.json.gz", "c.json.gz", "clinic-south");
  ASSERT_FALSE(north.all.empty());
  FleetReport f = BuildFleetReport({north, south});
  EXPECT_EQ(RenderFleetMarkdown(f), RenderFleetMarkdown(BuildFleetReport({south, north})));
  ExpectGolden(RenderFleetMarkdown(f), "fleet.md");
  ExpectGolden(RenderFleetJson(f), "fleet.json");
  ASSERT_EQ(f.databases.size(), 2u);
  EXPECT_EQ(f.databases[0].label, "clinic-north");
  EXPECT_EQ(f.window.calls, north.window.calls + south.window.calls);
  // The same fingerprint in both databases is one fleet row.
  bool reception_in_both = false;
  for (const FleetQuery& q : f.top) {
    if (q.query == "SELECT full_name, born FROM patients WHERE id = $1") reception_in_both = q.databases == 2;
  }
  EXPECT_TRUE(reception_in_both);
  ASSERT_EQ(f.regressions.size(), 1u);
  EXPECT_EQ(f.regressions[0].where, std::vector<std::string>{"clinic-north"});
  std::string html = RenderFleetHtml(f);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  // Charts: load per database and the fleet's top queries, with legends.
  for (const char* chart : {"id=\"chart-fleet-load\"", "id=\"chart-fleet-top\"", "class=\"legend\"",
                            "<nav class=\"top\""}) {
    EXPECT_NE(html.find(chart), std::string::npos) << chart;
  }
}

TEST(Fleet, RejectsWhatIsNotAPartial) {
  auto full = ReadPartialReport(Fixture("pgss/report_a_b.json"));
  ASSERT_FALSE(full.ok());
  EXPECT_NE(full.error().find("report_a_b.json: not a partial report"), std::string::npos);
  auto other = ReadPartialReport(Fixture("pgss/pgss_15.json"));
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().find("not a pgsift partial report"), std::string::npos);
}

// Analyze results of many databases' logs merge like partial reports: the
// clinic workload's csvlog and jsonlog (the same run) stand in for two
// clinics that only ship logs, beside one database with snapshots.
TEST(Fleet, MergesAnalyzeResultsOfLogs) {
  std::vector<Report> reports;
  for (const char* log : {"clinic.csv", "clinic.json"}) {
    AnalyzeOptions options;
    options.inputs = {Fixture(std::string("logs/") + log)};
    auto result = Analyze(options);
    ASSERT_TRUE(result.ok()) << result.error();
    std::string path = ::testing::TempDir() + "/analyze-" + log + ".json";
    {
      std::ofstream out(path, std::ios::binary);
      WriteAnalyzeJson(*result, TableOptions{}, out);
    }
    auto r = ReadPartialReport(path);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->window.calls, static_cast<int64_t>(result->workload.summary.calls));
    EXPECT_TRUE(r->regressions.empty());
    reports.push_back(*r);
  }
  reports.push_back(Partial("a.json.gz", "b.json.gz", "clinic-north"));
  FleetReport f = BuildFleetReport(reports);
  ASSERT_EQ(f.databases.size(), 3u);
  EXPECT_EQ(f.window.calls, reports[0].window.calls * 2 + reports[2].window.calls);
  // One log database name twice: told apart, not merged.
  std::set<std::string> labels;
  for (const FleetDatabase& d : f.databases) labels.insert(d.label);
  EXPECT_EQ(labels, (std::set<std::string>{"clinic-north", "postgres", "postgres #2"}));
  // The logs' queries ran in both log databases (one fleet row each, calls
  // summed); the snapshot database's queries are rows of their own.
  bool in_both_logs = false, from_snapshots = false;
  for (const FleetQuery& q : f.top) {
    in_both_logs |= q.databases == 2 && q.calls % 2 == 0;
    from_snapshots |= q.query == "SELECT sum(amount_cents) FROM invoices WHERE patient_id = $1" && q.databases == 1;
  }
  EXPECT_TRUE(in_both_logs);
  EXPECT_TRUE(from_snapshots);
  ASSERT_EQ(f.regressions.size(), 1u);  // only the snapshot window has a baseline
  std::string md = RenderFleetMarkdown(f);
  EXPECT_NE(md.find("(from logs)"), std::string::npos) << md;
  std::ofstream(::testing::TempDir() + "/not-analyze.json") << R"({"schema":"pgsift.analyze.v1","summary":{}})";
  auto bad = ReadPartialReport(::testing::TempDir() + "/not-analyze.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("not-analyze.json: "), std::string::npos);
}

}  // namespace
}  // namespace pgsift

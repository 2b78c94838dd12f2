// The report as JSON (schema pgsift.report.v1): the same sections as the
// Markdown and HTML renderings, numbers rounded so output is stable.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "pgsift/analyze_output.h"
#include "pgsift/findings_json.h"
#include "pgsift/input.h"
#include "pgsift/report.h"

namespace pgsift {
namespace {

double Round3(double v) { return std::round(v * 1000) / 1000; }

nlohmann::ordered_json PeriodJson(const ReportPeriod& p) {
  nlohmann::ordered_json j;
  j["calls"] = p.calls;
  j["exec_ms"] = Round3(p.exec_ms);
  j["rows"] = p.rows;
  if (p.hit_ratio >= 0) j["cache_hit_ratio"] = Round3(p.hit_ratio);
  return j;
}

nlohmann::ordered_json QueriesJson(const std::vector<ReportQuery>& rows) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const ReportQuery& q : rows) {
    nlohmann::ordered_json j;
    j["fingerprint"] = FingerprintHex(q.fingerprint);
    j["query"] = q.query;
    j["databases"] = q.databases;
    j["trend"] = q.trend;
    j["calls"] = q.calls;
    j["total_ms"] = Round3(q.total_ms);
    j["mean_ms"] = Round3(q.mean_ms);
    j["rows"] = q.rows;
    j["share"] = Round3(q.share);
    j["before_calls"] = q.before_calls;
    j["before_mean_ms"] = Round3(q.before_mean_ms);
    if (q.reset) j["reset"] = true;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

std::string RenderReportJson(const Report& r, bool partial) {
  nlohmann::ordered_json j;
  j["schema"] = "pgsift.report.v1";
  j["database"] = r.database;
  j["server_version"] = r.server_version;
  j["from"] = r.from_at;
  j["to"] = r.to_at;
  j["baseline"] = r.baseline;
  j["reset"] = r.reset;
  if (r.reset) j["reset_reason"] = r.reset_reason;
  j["thresholds"] = {{"regress_rel", r.options.regress_rel},
                     {"regress_abs_ms", r.options.regress_abs_ms},
                     {"min_calls", r.options.min_calls}};
  j["window"] = PeriodJson(r.window);
  j["before"] = PeriodJson(r.before);
  if (r.size_to_bytes > 0) j["database_size_bytes"] = {{"from", r.size_from_bytes}, {"to", r.size_to_bytes}};
  j["top_queries"] = QueriesJson(r.top);
  j["regressions"] = QueriesJson(r.regressions);
  j["new_queries"] = QueriesJson(r.new_queries);
  j["vanished_queries"] = QueriesJson(r.vanished);
  if (r.vanished_unknown) j["vanished_unknown"] = true;
  nlohmann::ordered_json unused = nlohmann::ordered_json::array();
  for (const ReportIndex& x : r.unused_indexes) {
    unused.push_back({{"schema", x.schema}, {"table", x.table}, {"index", x.name}, {"size_bytes", x.size_bytes}});
  }
  j["unused_indexes"] = unused;
  nlohmann::ordered_json dups = nlohmann::ordered_json::array();
  for (const auto& group : r.duplicate_indexes) {
    nlohmann::ordered_json g;
    g["schema"] = group[0].schema;
    g["table"] = group[0].table;
    g["keep"] = group[0].name;
    nlohmann::ordered_json drop = nlohmann::ordered_json::array();
    for (size_t i = 1; i < group.size(); ++i)
      drop.push_back({{"index", group[i].name}, {"size_bytes", group[i].size_bytes}});
    g["drop"] = drop;
    dups.push_back(std::move(g));
  }
  j["duplicate_indexes"] = dups;
  if (r.pgsift_left_out_pgss > 0 || r.pgsift_left_out_logs > 0) {
    j["pgsift_left_out"] = {{"pg_stat_statements", r.pgsift_left_out_pgss}, {"logs", r.pgsift_left_out_logs}};
  }
  j["has_logs"] = r.has_logs;
  if (r.has_log_scope) {
    const LogScope& s = r.log_scope;
    nlohmann::ordered_json scope;
    scope["from"] = s.from;
    scope["to"] = s.to;
    scope["databases"] = s.databases;
    scope["kept"] = s.kept;
    scope["left_out"] = s.left_out();
    scope["before_window"] = s.before;
    scope["after_window"] = s.after;
    scope["without_time"] = s.no_time;
    scope["other_database"] = s.other_database;
    scope["other_databases"] = s.other_databases;
    j["log_scope"] = std::move(scope);
  }
  if (r.has_logs) {
    j["log_errors"] = r.log_errors;
    if (r.before_log_errors >= 0) j["before_log_errors"] = r.before_log_errors;
    nlohmann::ordered_json load = nlohmann::ordered_json::array();
    for (const auto& [hour, b] : r.load_by_hour) {
      std::time_t t = hour;
      std::tm tm{};
      gmtime_r(&t, &tm);
      char buf[32];
      strftime(buf, sizeof buf, "%Y-%m-%dT%H:00:00Z", &tm);
      load.push_back({{"hour", buf}, {"calls", b.calls}, {"total_ms", Round3(b.total_ms())}});
    }
    j["load_by_hour"] = load;
    if (r.journeys_configured) {
      nlohmann::ordered_json journeys = nlohmann::ordered_json::array();
      for (const JourneyResult& jr : r.journeys) {
        journeys.push_back({{"journey", jr.spec.name},
                            {"matches", JourneyMatch(jr.spec)},
                            {"objective", jr.spec.objective},
                            {"target_ms", jr.spec.target_ms},
                            {"calls", jr.calls},
                            {"measured_ms", Round3(jr.p95_ms)},
                            {"over_target", jr.over},
                            {"budget_burned", Round3(jr.budget_burned())},
                            {"status", JourneyStatus(jr)}});
      }
      j["journeys"] = journeys;
    }
    j["rules_run"] = r.rules_run;
    j["findings"] = FindingsToJson(r.findings);
  }
  if (partial) j["queries"] = QueriesJson(r.all);
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {

ReportPeriod PeriodFrom(const nlohmann::json& j) {
  ReportPeriod p;
  p.calls = j.value("calls", int64_t{0});
  p.exec_ms = j.value("exec_ms", 0.0);
  p.rows = j.value("rows", int64_t{0});
  p.hit_ratio = j.value("cache_hit_ratio", -1.0);
  return p;
}

std::vector<ReportQuery> QueriesFrom(const nlohmann::json& rows) {
  std::vector<ReportQuery> out;
  for (const nlohmann::json& j : rows) {
    ReportQuery q;
    std::string hex = j.at("fingerprint").get<std::string>();
    size_t used = 0;
    q.fingerprint = std::stoull(hex, &used, 16);
    if (used != hex.size() || hex.size() != 16) throw std::runtime_error("bad fingerprint " + hex);
    q.query = j.at("query").get<std::string>();
    q.databases = j.value("databases", "");
    q.trend = j.value("trend", "");
    q.calls = j.value("calls", int64_t{0});
    q.total_ms = j.value("total_ms", 0.0);
    q.mean_ms = j.value("mean_ms", 0.0);
    q.rows = j.value("rows", int64_t{0});
    q.share = j.value("share", 0.0);
    q.before_calls = j.value("before_calls", int64_t{0});
    q.before_mean_ms = j.value("before_mean_ms", 0.0);
    q.reset = j.value("reset", false);
    out.push_back(std::move(q));
  }
  return out;
}

// A pgsift analyze JSON as one database of a fleet: its logs' window
// (first to last event), calls and time per fingerprint. Logs have no
// baseline, so nothing regresses, appears or vanishes.
Report ReportFromAnalyze(const nlohmann::json& j, const std::string& path) {
  Report r;
  const nlohmann::json& summary = j.at("summary");
  const nlohmann::json& dbs = summary.value("by_database", nlohmann::json::object());
  if (dbs.size() == 1) {
    r.database = dbs.begin().key();
  } else {
    std::string base = path.substr(path.find_last_of('/') + 1);
    r.database = base.substr(0, base.find('.'));
  }
  r.server_version = "(from logs)";
  r.from_at = summary.value("first_seen", "");
  r.to_at = summary.value("last_seen", "");
  r.baseline = "none (logs)";
  r.has_logs = true;
  r.log_errors = summary.value("errors", uint64_t{0});
  r.window.calls = summary.value("calls", int64_t{0});
  r.window.exec_ms = summary.value("total_duration_ms", 0.0);
  for (const nlohmann::json& q : j.at("queries")) {
    ReportQuery row;
    std::string hex = q.at("fingerprint").get<std::string>();
    size_t used = 0;
    row.fingerprint = std::stoull(hex, &used, 16);
    if (used != hex.size() || hex.size() != 16) throw std::runtime_error("bad fingerprint " + hex);
    row.query = q.at("normalized").get<std::string>();
    row.calls = q.value("calls", int64_t{0});
    row.total_ms = q.value("total_ms", 0.0);
    row.mean_ms = q.value("mean_ms", 0.0);
    row.share = q.value("share_of_total_time", 0.0);
    row.trend = "steady";
    std::string names;
    auto by_database = q.find("by_database");
    if (by_database != q.end() && by_database->is_object()) {
      for (auto it = by_database->begin(); it != by_database->end(); ++it)
        names += (names.empty() ? "" : ",") + it.key();
    }
    row.databases = names;
    r.all.push_back(std::move(row));
  }
  r.top = r.all;
  std::sort(r.top.begin(), r.top.end(), [](const ReportQuery& a, const ReportQuery& b) {
    return a.total_ms != b.total_ms ? a.total_ms > b.total_ms : a.fingerprint < b.fingerprint;
  });
  if (r.top.size() > r.options.top) r.top.resize(r.options.top);
  return r;
}

}  // namespace

Result<Report> ReadPartialReport(const std::string& path) {
  auto data = ReadInput(path);
  if (!data.ok()) return Err(data.error());
  nlohmann::json j = nlohmann::json::parse(*data, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.value("schema", "") == kAnalyzeSchema) {
    try {
      return ReportFromAnalyze(j, path);
    } catch (const std::exception& e) {
      return Err(path + ": " + e.what());
    }
  }
  if (j.is_discarded() || !j.is_object() || j.value("schema", "") != "pgsift.report.v1") {
    return Err(path + ": not a pgsift partial report (schema pgsift.report.v1) or analyze JSON (" +
               std::string(kAnalyzeSchema) + ")");
  }
  if (!j.contains("queries")) return Err(path + ": not a partial report (make it with pgsift report --partial)");
  Report r;
  try {
    r.database = j.value("database", "");
    r.server_version = j.value("server_version", "");
    r.from_at = j.value("from", "");
    r.to_at = j.value("to", "");
    r.baseline = j.value("baseline", "");
    r.reset = j.value("reset", false);
    r.reset_reason = j.value("reset_reason", "");
    r.window = PeriodFrom(j.at("window"));
    r.before = PeriodFrom(j.at("before"));
    r.top = QueriesFrom(j.at("top_queries"));
    r.regressions = QueriesFrom(j.at("regressions"));
    r.new_queries = QueriesFrom(j.at("new_queries"));
    r.vanished = QueriesFrom(j.at("vanished_queries"));
    r.all = QueriesFrom(j.at("queries"));
  } catch (const std::exception& e) {
    return Err(path + ": " + e.what());
  }
  return r;
}

}  // namespace pgsift

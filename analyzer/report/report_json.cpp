// The report as JSON (schema pgsift.report.v1): the same sections as the
// Markdown and HTML renderings, numbers rounded so output is stable.
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "pgsift/report.h"
#include "report/findings_json.h"

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

std::string RenderReportJson(const Report& r) {
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
  j["has_logs"] = r.has_logs;
  if (r.has_logs) {
    j["log_errors"] = r.log_errors;
    nlohmann::ordered_json load = nlohmann::ordered_json::array();
    for (const auto& [hour, b] : r.load_by_hour) {
      std::time_t t = hour;
      std::tm tm{};
      gmtime_r(&t, &tm);
      char buf[32];
      strftime(buf, sizeof buf, "%Y-%m-%dT%H:00:00Z", &tm);
      load.push_back({{"hour", buf}, {"calls", b.calls}, {"total_ms", Round3(b.total_ms)}});
    }
    j["load_by_hour"] = load;
    j["rules_run"] = r.rules_run;
    j["findings"] = FindingsToJson(r.findings);
  }
  return j.dump(2) + "\n";
}

}  // namespace pgsift

// BuildReport: two snapshots (+ logs) into the report's sections.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "pgsift/pgss_rules.h"
#include "pgsift/report.h"

namespace pgsift {
namespace {

ReportPeriod PeriodOf(const PgssTotals& t) { return {t.calls, t.exec_ms, t.rows, t.hit_ratio()}; }

bool ByTotalDesc(const ReportQuery& a, const ReportQuery& b) {
  if (a.total_ms != b.total_ms) return a.total_ms > b.total_ms;
  return a.fingerprint < b.fingerprint;
}

}  // namespace

std::string FormatChange(double before, double now) {
  if (before <= 0) return now > 0 ? "new" : "n/a";
  char buf[32];
  snprintf(buf, sizeof buf, "%+.0f%%", (now - before) / before * 100);
  return buf;
}

std::string PgsiftLeftOutNote(const Report& r) {
  int64_t total = r.pgsift_left_out_pgss + static_cast<int64_t>(r.pgsift_left_out_logs);
  if (total == 0) return "";
  return std::to_string(total) + " statements of pgsift itself left out (" + std::to_string(r.pgsift_left_out_pgss) +
         " pg_stat_statements rows, " + std::to_string(r.pgsift_left_out_logs) +
         " in the logs; --include-pgsift keeps them)";
}

std::string LogScopeNote(const Report& r) {
  if (!r.has_log_scope) return "";
  const LogScope& s = r.log_scope;
  std::string out = "Logs: " + std::to_string(s.kept) + " records counted (";
  if (s.databases.empty()) {
    out += "any database: the snapshots do not record theirs";
  } else {
    out += s.databases.size() == 1 ? "database " : "databases ";
    for (size_t i = 0; i < s.databases.size(); ++i) out += (i ? ", " : "") + s.databases[i];
  }
  if (s.from.empty() || s.to.empty()) {
    out += "; any time: a snapshot has no capture time, see snapshot --captured-at)";
  } else {
    out += ", " + s.from + " to " + s.to + ")";
  }
  if (s.left_out() == 0) return out + "; none left out";
  out += "; " + std::to_string(s.left_out()) + " left out:";
  std::string parts;
  auto part = [&parts](uint64_t n, const std::string& why) {
    if (n > 0) parts += (parts.empty() ? " " : ", ") + std::to_string(n) + " " + why;
  };
  part(s.before, "before the window");
  part(s.after, "after the window");
  part(s.no_time, "without a timestamp");
  // Records without a database: none in the record, or PostgreSQL's
  // "[unknown]" for %d (connection lines, background processes).
  uint64_t none = 0;
  std::string dbs;
  for (const auto& [name, n] : s.other_databases) {
    if (name.empty() || name == "[unknown]") {
      none += n;
      continue;
    }
    dbs += (dbs.empty() ? "" : ", ") + name + " " + std::to_string(n);
  }
  if (none > 0) dbs += (dbs.empty() ? "" : ", ") + std::string("no database ") + std::to_string(none);
  part(s.other_database, "of other databases (" + dbs + ")");
  return out + parts;
}

std::string JourneyMatch(const JourneySpec& spec) {
  std::string out;
  if (!spec.applications.empty()) {
    out = "application_name ";
    for (size_t i = 0; i < spec.applications.size(); ++i) out += (i ? ", " : "") + spec.applications[i];
  }
  for (const auto& [k, v] : spec.tags) out += (out.empty() ? "tag " : "; tag ") + k + "=" + v;
  return out;
}

std::string JourneyStatus(const JourneyResult& r) {
  if (r.calls == 0) return "no calls";
  return r.budget_burned() <= 1.0 ? "ok" : "missed";
}

Report BuildReport(const Snapshot& from, const Snapshot& to, const Snapshot* prev, const AnalyzeResult* logs,
                   size_t rules_run, const ReportOptions& options, const std::vector<const PgssRule*>* pgss_rules) {
  Report r;
  r.options = options;
  r.database = to.database;
  r.server_version = to.server_version;
  r.from_at = from.captured_at;
  r.to_at = to.captured_at;
  SnapshotDelta delta = ComputeDelta(from, to);
  r.reset = delta.reset;
  r.reset_reason = delta.reset_reason;
  r.window = PeriodOf(delta.window);
  r.size_from_bytes = from.database_size_bytes;
  r.size_to_bytes = to.database_size_bytes;
  r.vanished_unknown = delta.reset && !from.stats_reset.empty() && from.stats_reset != to.stats_reset;

  // Baseline per fingerprint: the previous window, or everything up to `from`.
  std::map<uint64_t, PgssTotals> baseline;
  if (prev != nullptr) {
    r.baseline = "previous";
    SnapshotDelta before = ComputeDelta(*prev, from);
    r.before = PeriodOf(before.window);
    for (const FingerprintDelta& q : before.queries) baseline[q.fingerprint] = q.window;
  } else {
    r.baseline = "cumulative";
    PgssTotals all;
    for (const FingerprintDelta& q : delta.queries) {
      baseline[q.fingerprint] = q.before;
      all.Add(q.before);
    }
    r.before = PeriodOf(all);
  }

  for (const FingerprintDelta& q : delta.queries) {
    ReportQuery row;
    row.fingerprint = q.fingerprint;
    row.query = q.query;
    row.databases = q.databases;
    row.calls = q.window.calls;
    row.total_ms = q.window.exec_ms;
    row.mean_ms = q.window.mean_ms();
    row.rows = q.window.rows;
    row.reset = q.reset;
    row.share = delta.window.exec_ms > 0 ? q.window.exec_ms / delta.window.exec_ms : 0;
    const PgssTotals& b = baseline[q.fingerprint];
    row.before_calls = b.calls;
    row.before_mean_ms = b.mean_ms();
    if (q.in_from && !q.in_to) {
      row.trend = "vanished";
      row.calls = b.calls;
      row.total_ms = b.exec_ms;
      row.mean_ms = b.mean_ms();
      if (!r.vanished_unknown) r.vanished.push_back(row);
      continue;
    }
    if (q.window.calls <= 0) continue;  // present, not run in the window
    bool enough = row.calls >= options.min_calls && b.calls >= options.min_calls;
    if (!q.in_from) {
      row.trend = "new";
      r.new_queries.push_back(row);
    } else if (enough && row.mean_ms - row.before_mean_ms >= options.regress_abs_ms &&
               row.mean_ms >= row.before_mean_ms * (1 + options.regress_rel)) {
      row.trend = "regressed";
      r.regressions.push_back(row);
    } else if (enough && row.before_mean_ms - row.mean_ms >= options.regress_abs_ms &&
               row.mean_ms * (1 + options.regress_rel) <= row.before_mean_ms) {
      row.trend = "faster";
    } else {
      row.trend = "steady";
    }
    r.top.push_back(row);
    r.all.push_back(row);
  }
  std::sort(r.top.begin(), r.top.end(), ByTotalDesc);
  if (r.top.size() > options.top) r.top.resize(options.top);
  std::sort(r.regressions.begin(), r.regressions.end(), [](const ReportQuery& a, const ReportQuery& b) {
    double ea = (a.mean_ms - a.before_mean_ms) * static_cast<double>(a.calls);
    double eb = (b.mean_ms - b.before_mean_ms) * static_cast<double>(b.calls);
    if (ea != eb) return ea > eb;  // extra time spent because of the regression
    return a.fingerprint < b.fingerprint;
  });
  std::sort(r.all.begin(), r.all.end(),
            [](const ReportQuery& a, const ReportQuery& b) { return a.fingerprint < b.fingerprint; });
  std::sort(r.new_queries.begin(), r.new_queries.end(), ByTotalDesc);
  std::sort(r.vanished.begin(), r.vanished.end(), ByTotalDesc);

  // Unused indexes: no scan in the window (needs the index in both snapshots).
  r.unused_indexes = UnusedIndexes(to.indexes, &from.indexes);
  r.duplicate_indexes = DuplicateIndexGroups(to.indexes);

  if (logs != nullptr) {
    r.has_logs = true;
    r.log_errors = logs->workload.summary.errors;
    for (const auto* map : {&logs->workload.queries, &logs->workload.fallback_queries}) {
      for (const auto& [fp, stats] : *map) {
        for (const auto& [hour, b] : stats.hourly) {
          r.load_by_hour[hour].calls += b.calls;
          r.load_by_hour[hour].total_ns += b.total_ns;
        }
      }
    }
    r.rules_run = rules_run;
    r.findings = logs->findings;
  }
  // pg_stat_statements rules need no logs; a suspect the logs confirm is
  // left to the log rule's finding.
  auto defaults = pgss_rules == nullptr ? MakePgssRules() : std::vector<std::unique_ptr<PgssRule>>{};
  std::vector<const PgssRule*> active;
  for (const auto& rule : defaults) active.push_back(rule.get());
  if (pgss_rules != nullptr) active = *pgss_rules;
  std::vector<Finding> pgss = RunPgssRules(delta, active, r.findings);
  r.rules_run += active.size();
  r.findings.insert(r.findings.end(), std::make_move_iterator(pgss.begin()), std::make_move_iterator(pgss.end()));
  SortFindings(&r.findings);
  return r;
}

}  // namespace pgsift

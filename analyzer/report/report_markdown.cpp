// The report as Markdown, for a chat message or a pull request.
#include <ctime>
#include <map>
#include <sstream>

#include "pgsift/report.h"
#include "report/report_text.h"

namespace pgsift {
namespace {

using report_text::Percent;

// One line, pipes escaped, at most `max` characters: table cells.
std::string Cell(const std::string& query, size_t max = 100) {
  return report_text::MarkdownCode(report_text::OneLine(query, max));
}

void QueryTable(std::ostringstream& out, const std::vector<ReportQuery>& rows, bool with_baseline) {
  out << "| # | Query | Calls | Total | Mean |" << (with_baseline ? " Baseline mean | Change |" : " Share |") << "\n";
  out << "|--:|---|--:|--:|--:|" << (with_baseline ? "--:|--:|" : "--:|") << "\n";
  int n = 0;
  for (const ReportQuery& q : rows) {
    out << "| " << ++n << " | " << Cell(q.query) << " | " << q.calls << " | " << FormatMs(q.total_ms) << " | "
        << FormatMs(q.mean_ms) << " |";
    if (with_baseline) {
      out << " " << (q.before_calls > 0 ? FormatMs(q.before_mean_ms) : "-") << " | "
          << FormatChange(q.before_mean_ms, q.mean_ms) << (q.reset ? " (reset)" : "") << " |";
    } else {
      out << " " << (q.trend == "vanished" ? "-" : Percent(q.share)) << " |";
    }
    out << "\n";
  }
  out << "\n";
}

std::string Day(int64_t secs, int* hour) {
  std::time_t t = secs;
  std::tm tm{};
  gmtime_r(&t, &tm);
  *hour = tm.tm_hour;
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%d %a", &tm);
  return buf;
}

}  // namespace

std::string RenderReportMarkdown(const Report& r) {
  std::ostringstream out;
  out << "# pgsift weekly report: " << (r.database.empty() ? "(unnamed database)" : r.database) << "\n\n";
  out << "Window: " << (r.from_at.empty() ? "?" : r.from_at) << " to " << (r.to_at.empty() ? "?" : r.to_at);
  if (!r.server_version.empty()) out << " (PostgreSQL " << r.server_version << ")";
  out << ". Baseline: "
      << (r.baseline == "previous" ? "the previous window (--prev)." : "all counters up to the start of the window.")
      << "\n\n";
  if (r.reset) {
    out << "> **Statistics were reset in this window** (" << r.reset_reason
        << "). Entries that were reset are counted from zero; their numbers cover less than the window.\n\n";
  }

  out << "## Headline\n\n";
  bool wow = r.baseline == "previous";
  out << "| | This window | Baseline | Change |\n|---|--:|--:|--:|\n";
  double mean_now = r.window.calls ? r.window.exec_ms / static_cast<double>(r.window.calls) : 0;
  double mean_before = r.before.calls ? r.before.exec_ms / static_cast<double>(r.before.calls) : 0;
  out << "| Total execution time | " << FormatMs(r.window.exec_ms) << " | " << FormatMs(r.before.exec_ms) << " | "
      << (wow ? FormatChange(r.before.exec_ms, r.window.exec_ms) : "-") << " |\n";
  out << "| Calls | " << r.window.calls << " | " << r.before.calls << " | "
      << (wow ? FormatChange(static_cast<double>(r.before.calls), static_cast<double>(r.window.calls)) : "-") << " |\n";
  out << "| Mean time per call | " << FormatMs(mean_now) << " | " << FormatMs(mean_before) << " | "
      << FormatChange(mean_before, mean_now) << " |\n";
  out << "| Cache hit ratio | " << Percent(r.window.hit_ratio) << " | " << Percent(r.before.hit_ratio) << " | - |\n";
  if (r.size_to_bytes > 0) {
    out << "| Database size | " << FormatBytes(r.size_to_bytes) << " | " << FormatBytes(r.size_from_bytes) << " | "
        << FormatChange(static_cast<double>(r.size_from_bytes), static_cast<double>(r.size_to_bytes)) << " |\n";
  }
  bool prev_errors = r.has_logs && r.before_log_errors >= 0;
  out << "| Errors (from logs) | " << (r.has_logs ? std::to_string(r.log_errors) : "no --logs") << " | "
      << (prev_errors ? std::to_string(r.before_log_errors) : "-") << " | "
      << (prev_errors ? FormatChange(static_cast<double>(r.before_log_errors), static_cast<double>(r.log_errors)) : "-")
      << " |\n\n";
  if (!wow)
    out << "Totals of a cumulative baseline are not comparable to one window; pass `--prev` for week-over-week.\n\n";

  out << "## Top queries by total time\n\n";
  if (r.top.empty())
    out << "No query ran in this window.\n\n";
  else
    QueryTable(out, r.top, true);

  out << "## Regressions\n\nMean time up by at least " << static_cast<int>(r.options.regress_rel * 100) << "% and "
      << FormatMs(r.options.regress_abs_ms) << ", with at least " << r.options.min_calls
      << " calls in both periods.\n\n";
  if (r.regressions.empty())
    out << "None.\n\n";
  else
    QueryTable(out, r.regressions, true);

  out << "## New queries\n\n";
  if (r.new_queries.empty())
    out << "None.\n\n";
  else
    QueryTable(out, r.new_queries, false);

  out << "## Vanished queries\n\nIn the first snapshot, gone from the second (no longer run, or evicted from "
         "pg_stat_statements).\n\n";
  if (r.vanished_unknown) {
    out << "Not known: statistics were reset in this window, so a query not run since the reset cannot be told from "
           "one that vanished.\n\n";
  } else if (r.vanished.empty()) {
    out << "None.\n\n";
  } else {
    QueryTable(out, r.vanished, false);
  }

  out << "## Load by day and hour\n\n";
  if (!r.has_logs) {
    out << "Not available: pg_stat_statements has no time of day. Pass `--logs` with the window's server logs.\n\n";
  } else if (r.load_by_hour.empty()) {
    out << "The logs had no timed statements.\n\n";
  } else {
    struct DayLoad {
      uint64_t calls = 0;
      double ms = 0, peak_ms = -1;
      int peak_hour = 0;
    };
    std::map<std::string, DayLoad> days;
    for (const auto& [secs, b] : r.load_by_hour) {
      int hour = 0;
      DayLoad& d = days[Day(secs, &hour)];
      d.calls += b.calls;
      d.ms += b.total_ms;
      if (b.total_ms > d.peak_ms) {
        d.peak_ms = b.total_ms;
        d.peak_hour = hour;
      }
    }
    out << "| Day (UTC) | Calls | Total time | Busiest hour | Time in busiest hour |\n|---|--:|--:|--:|--:|\n";
    for (const auto& [day, d] : days) {
      char hour[16];
      snprintf(hour, sizeof hour, "%02d:00", d.peak_hour);
      out << "| " << day << " | " << d.calls << " | " << FormatMs(d.ms) << " | " << hour << " | " << FormatMs(d.peak_ms)
          << " |\n";
    }
    out << "\n";
  }

  out << "## Latency SLOs by journey\n\n";
  if (!r.journeys_configured) {
    out << "No journeys configured: map application_name values or sqlcommenter tags to journeys in "
           "`.pgsift.toml` (`[journeys.<name>]` with `p95_ms`).\n\n";
  } else if (!r.has_logs) {
    out << "Not measured: journeys are measured on server logs. Pass `--logs`.\n\n";
  } else {
    out << "| Journey | Matches | Calls | Objective | Measured | Target | Over target | Error budget burned | Status "
           "|\n|---|---|--:|--:|--:|--:|--:|--:|---|\n";
    for (const JourneyResult& j : r.journeys) {
      char objective[32];
      snprintf(objective, sizeof objective, "p%g", j.spec.objective * 100);
      out << "| " << j.spec.name << " | " << JourneyMatch(j.spec) << " | " << j.calls << " | " << objective << " | "
          << (j.calls ? FormatMs(j.p95_ms) : "-") << " | " << FormatMs(j.spec.target_ms) << " | " << j.over << " | "
          << (j.calls ? Percent(j.budget_burned()) : "-") << " | " << JourneyStatus(j) << " |\n";
    }
    out << "\n";
  }

  out << "## Findings\n\n";
  if (r.findings.empty()) {
    out << r.rules_run << " rules ran; no findings.\n\n";
  } else {
    out << "```\n" << RenderFindingsText(r.findings) << "```\n\n";
  }
  if (!r.has_logs) out << kLogRulesNotRun << " Pass `--logs`.\n\n";

  out << "## Unused indexes\n\nNot unique, not a primary key, and not scanned once in this window.\n\n";
  if (r.unused_indexes.empty()) {
    out << "None.\n";
  } else {
    out << "| Index | Table | Size |\n|---|---|--:|\n";
    for (const ReportIndex& x : r.unused_indexes) {
      out << "| " << x.schema << "." << x.name << " | " << x.table << " | " << FormatBytes(x.size_bytes) << " |\n";
    }
  }
  out << "\n## Duplicate indexes\n\nSame columns, operator classes, expressions and predicate on one table: "
         "every write maintains each of them.\n\n";
  if (r.duplicate_indexes.empty()) {
    out << "None.\n";
  } else {
    out << "| Table | Keep | Drop | Size of the rest |\n|---|---|---|--:|\n";
    for (const auto& group : r.duplicate_indexes) {
      std::string drop;
      int64_t bytes = 0;
      for (size_t i = 1; i < group.size(); ++i) {
        drop += (i > 1 ? ", " : "") + group[i].schema + "." + group[i].name;
        bytes += group[i].size_bytes;
      }
      out << "| " << group[0].table << " | " << group[0].schema << "." << group[0].name << " | " << drop << " | "
          << FormatBytes(bytes) << " |\n";
    }
  }
  return out.str();
}

}  // namespace pgsift

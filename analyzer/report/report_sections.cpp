// The weekly report's sections, built once for every renderer (see
// report_sections.h).
#include "report_sections.h"

#include <cstdio>
#include <ctime>
#include <map>
#include <utility>

#include "report_text.h"

namespace pgsift::report_sections {
namespace {

using report_text::Percent;

Span Plain(std::string text, Only only = Only::kBoth) { return {std::move(text), Span::kPlain, only}; }
Span Code(std::string text, Only only = Only::kBoth) { return {std::move(text), Span::kCode, only}; }
Span Strong(std::string text) { return {std::move(text), Span::kStrong, Only::kBoth}; }

Block Note(Inline text, Block::Style style = Block::kPlain, Only only = Only::kBoth) {
  Block b;
  b.kind = Block::kNote;
  b.note = std::move(text);
  b.style = style;
  b.only = only;
  return b;
}

Block TableBlock(Table table, Only only = Only::kBoth) {
  Block b;
  b.kind = Block::kTable;
  b.table = std::move(table);
  b.only = only;
  return b;
}

Block ChartBlock(Chart chart) {
  Block b;
  b.kind = Block::kChart;
  b.chart = chart;
  b.only = Only::kHtml;
  return b;
}

Column Text(std::string title) { return {{Plain(std::move(title))}, false}; }
Column Number(std::string title) { return {{Plain(std::move(title))}, true}; }
Cell Value(std::string text) {
  Cell c;
  c.text = std::move(text);
  return c;
}

Cell QueryCell(std::string text) {
  Cell c = Value(std::move(text));
  c.query = true;
  return c;
}

Section Titled(Inline title) {
  Section s;
  s.title = std::move(title);
  return s;
}

Block None() { return Note({Plain("None.")}); }

Table QueryTable(const std::vector<ReportQuery>& rows, bool with_baseline) {
  Table t;
  t.columns = {Number("#"), Text("Query"), Number("Calls"), Number("Total"), Number("Mean")};
  if (with_baseline) {
    t.columns.push_back(Number("Baseline mean"));
    t.columns.push_back(Number("Change"));
  } else {
    t.columns.push_back(Number("Share"));
  }
  int n = 0;
  for (const ReportQuery& q : rows) {
    std::vector<Cell> row = {Value(std::to_string(++n)), QueryCell(q.query), Value(std::to_string(q.calls)),
                             Value(FormatMs(q.total_ms)), Value(FormatMs(q.mean_ms))};
    if (with_baseline) {
      row.push_back(Value(q.before_calls > 0 ? FormatMs(q.before_mean_ms) : "-"));
      Cell change = Value(FormatChange(q.before_mean_ms, q.mean_ms) + (q.reset ? " (reset)" : ""));
      change.toned = true;
      change.tone = q.trend == "regressed" ? "up" : q.trend == "faster" ? "down" : q.trend == "new" ? "new" : "";
      row.push_back(std::move(change));
    } else {
      row.push_back(Value(q.trend == "vanished" ? "-" : Percent(q.share)));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

// The query list of a section, or `empty` when it has none.
void Queries(Section* s, const std::vector<ReportQuery>& rows, bool with_baseline, Block empty) {
  if (rows.empty()) {
    s->blocks.push_back(std::move(empty));
  } else {
    s->blocks.push_back(TableBlock(QueryTable(rows, with_baseline)));
  }
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

// Per day: calls, time, and the busiest hour (the HTML report draws the
// day x hour heat map instead).
Table DayTable(const std::map<int64_t, Breakdown>& load) {
  struct DayLoad {
    uint64_t calls = 0;
    double ms = 0, peak_ms = -1;
    int peak_hour = 0;
  };
  std::map<std::string, DayLoad> days;
  for (const auto& [secs, b] : load) {
    int hour = 0;
    DayLoad& d = days[Day(secs, &hour)];
    d.calls += b.calls;
    d.ms += b.total_ms();
    if (b.total_ms() > d.peak_ms) {
      d.peak_ms = b.total_ms();
      d.peak_hour = hour;
    }
  }
  Table t;
  t.columns = {Text("Day (UTC)"), Number("Calls"), Number("Total time"), Number("Busiest hour"),
               Number("Time in busiest hour")};
  for (const auto& [day, d] : days) {
    char hour[16];
    snprintf(hour, sizeof hour, "%02d:00", d.peak_hour);
    t.rows.push_back(
        {Value(day), Value(std::to_string(d.calls)), Value(FormatMs(d.ms)), Value(hour), Value(FormatMs(d.peak_ms))});
  }
  return t;
}

Table JourneyTable(const std::vector<JourneyResult>& journeys) {
  Table t;
  t.columns = {Text("Journey"),
               Text("Matches"),
               Number("Calls"),
               Number("Objective"),
               Number("Measured"),
               Number("Target"),
               Number("Over target"),
               {{Plain("Error budget burned", Only::kMarkdown), Plain("Budget burned", Only::kHtml)}, true},
               Text("Status")};
  for (const JourneyResult& j : journeys) {
    char objective[32];
    snprintf(objective, sizeof objective, "p%g", j.spec.objective * 100);
    std::string status = JourneyStatus(j);
    Cell status_cell = Value(status);
    status_cell.toned = true;
    status_cell.tone = status == "missed" ? "up" : "";
    t.rows.push_back({Value(j.spec.name), Value(JourneyMatch(j.spec)), Value(std::to_string(j.calls)), Value(objective),
                      Value(j.calls ? FormatMs(j.p95_ms) : "-"), Value(FormatMs(j.spec.target_ms)),
                      Value(std::to_string(j.over)), Value(j.calls ? Percent(j.budget_burned()) : "-"),
                      std::move(status_cell)});
  }
  return t;
}

Table UnusedTable(const std::vector<ReportIndex>& indexes) {
  Table t;
  t.columns = {Text("Index"), Text("Table"), Number("Size")};
  for (const ReportIndex& x : indexes) {
    t.rows.push_back({Value(x.schema + "." + x.name), Value(x.table), Value(FormatBytes(x.size_bytes))});
  }
  return t;
}

Table DuplicateTable(const std::vector<std::vector<ReportIndex>>& groups) {
  Table t;
  t.columns = {Text("Table"), Text("Keep"), Text("Drop"), Number("Size of the rest")};
  for (const auto& group : groups) {
    std::string drop;
    int64_t bytes = 0;
    for (size_t i = 1; i < group.size(); ++i) {
      drop += (i > 1 ? ", " : "") + group[i].schema + "." + group[i].name;
      bytes += group[i].size_bytes;
    }
    t.rows.push_back(
        {Value(group[0].table), Value(group[0].schema + "." + group[0].name), Value(drop), Value(FormatBytes(bytes))});
  }
  return t;
}

}  // namespace

ReportSections BuildReportSections(const Report& r) {
  ReportSections out;
  out.database = r.database.empty() ? "(unnamed database)" : r.database;
  out.week_over_week = r.baseline == "previous";
  out.mean_now_ms = r.window.calls ? r.window.exec_ms / static_cast<double>(r.window.calls) : 0;
  out.mean_before_ms = r.before.calls ? r.before.exec_ms / static_cast<double>(r.before.calls) : 0;
  out.previous_errors = r.has_logs && r.before_log_errors >= 0;
  if (r.reset) {
    out.preamble.push_back(Note({Strong("Statistics were reset in this window"),
                                 Plain(" (" + r.reset_reason + "). Entries that were reset are counted from zero"),
                                 Plain("; their numbers cover less than the window", Only::kMarkdown), Plain(".")},
                                Block::kWarn));
  }

  Section top = Titled({Plain("Top queries by total time")});
  if (!r.top.empty()) top.blocks.push_back(ChartBlock(Chart::kTopQueries));
  Queries(&top, r.top, true, Note({Plain("No query ran in this window.")}));
  out.sections.push_back(std::move(top));

  Section regressions = Titled({Plain("Regressions")});
  regressions.blocks.push_back(
      Note({Plain("Mean time up by at least " + std::to_string(static_cast<int>(r.options.regress_rel * 100)) +
                  "% and " + FormatMs(r.options.regress_abs_ms) + ", with at least " +
                  std::to_string(r.options.min_calls) + " calls in both periods.")},
           Block::kMeta));
  Queries(&regressions, r.regressions, true, None());
  out.sections.push_back(std::move(regressions));

  Section added = Titled({Plain("New queries")});
  Queries(&added, r.new_queries, false, None());
  out.sections.push_back(std::move(added));

  Section vanished = Titled({Plain("Vanished queries")});
  vanished.blocks.push_back(Note({Plain("In the first snapshot, gone from the second (no longer run, or evicted from "
                                        "pg_stat_statements).")},
                                 Block::kPlain, Only::kMarkdown));
  if (r.vanished_unknown) {
    vanished.blocks.push_back(
        Note({Plain("Not known: statistics were reset in this window, so a query not run since "
                    "the reset cannot be told from one that vanished.")}));
  } else {
    Queries(&vanished, r.vanished, false, None());
  }
  out.sections.push_back(std::move(vanished));

  Section load = Titled({Plain("Load by day and hour"), Plain(" (UTC)", Only::kHtml)});
  if (!r.has_logs) {
    load.blocks.push_back(Note({Plain("Not available: pg_stat_statements has no time of day. Pass "), Code("--logs"),
                                Plain(" with the window's server logs", Only::kMarkdown), Plain(".")}));
  } else if (r.load_by_hour.empty()) {
    load.blocks.push_back(Note({Plain("The logs had no timed statements.")}));
  } else {
    load.blocks.push_back(ChartBlock(Chart::kLoadByHour));
    load.blocks.push_back(TableBlock(DayTable(r.load_by_hour), Only::kMarkdown));
  }
  out.sections.push_back(std::move(load));

  Section journeys = Titled({Plain("Latency SLOs by journey")});
  if (!r.journeys_configured) {
    journeys.blocks.push_back(Note(
        {Plain("No journeys configured: map application_name values or sqlcommenter tags to journeys in "),
         Code(".pgsift.toml"), Plain(" (", Only::kMarkdown), Code("[journeys.<name>]", Only::kMarkdown),
         Plain(" with ", Only::kMarkdown), Code("p95_ms", Only::kMarkdown), Plain(")", Only::kMarkdown), Plain(".")}));
  } else if (!r.has_logs) {
    journeys.blocks.push_back(
        Note({Plain("Not measured: journeys are measured on server logs. Pass "), Code("--logs"), Plain(".")}));
  } else {
    journeys.blocks.push_back(TableBlock(JourneyTable(r.journeys)));
  }
  out.sections.push_back(std::move(journeys));

  Section findings = Titled({Plain("Findings")});
  if (r.findings.empty()) {
    findings.blocks.push_back(Note({Plain(std::to_string(r.rules_run) + " rules ran; no findings.")}));
  } else {
    Block text;
    text.kind = Block::kPreformatted;
    text.preformatted = RenderFindingsText(r.findings);
    text.findings = &r.findings;
    findings.blocks.push_back(std::move(text));
  }
  if (!r.has_logs) {
    findings.blocks.push_back(Note({Plain(std::string(kLogRulesNotRun) + " Pass "), Code("--logs"), Plain(".")}));
  }
  out.sections.push_back(std::move(findings));

  Section unused = Titled({Plain("Unused indexes")});
  unused.blocks.push_back(Note({Plain("Not unique, not a primary key, and not scanned once in this window.")},
                               Block::kPlain, Only::kMarkdown));
  unused.blocks.push_back(r.unused_indexes.empty() ? None() : TableBlock(UnusedTable(r.unused_indexes)));
  out.sections.push_back(std::move(unused));

  Section duplicates = Titled({Plain("Duplicate indexes")});
  duplicates.blocks.push_back(Note({Plain("Same columns, operator classes, expressions and predicate on one table: "
                                          "every write maintains each of them.")},
                                   Block::kPlain, Only::kMarkdown));
  duplicates.blocks.push_back(r.duplicate_indexes.empty() ? None() : TableBlock(DuplicateTable(r.duplicate_indexes)));
  out.sections.push_back(std::move(duplicates));
  return out;
}

}  // namespace pgsift::report_sections

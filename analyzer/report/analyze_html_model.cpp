// BuildHtmlModel: the analyze aggregates as the HTML report's model (its JSON:
// analyze_html_json.cpp).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "pgsift/analyze_html.h"
#include "pgsift/format.h"

namespace pgsift {
namespace {

// Rounded to microseconds, as in the analyze JSON: goldens do not depend on
// the order floating-point sums were made in.
double Ms(double v) { return std::round(v * 1000.0) / 1000.0; }

template <typename Map, typename Get>
std::vector<HtmlCount> Top(const Map& m, size_t n, Get get) {
  std::vector<HtmlCount> v;
  for (const auto& [k, b] : m) {
    auto [count, ns] = get(b);
    v.push_back({std::string(k), count, Ms(NsToMs(ns))});
  }
  std::sort(v.begin(), v.end(), [](const HtmlCount& a, const HtmlCount& b) {
    if (a.total_ms != b.total_ms) return a.total_ms > b.total_ms;
    if (a.count != b.count) return a.count > b.count;
    return a.name < b.name;
  });
  if (v.size() > n) v.resize(n);
  return v;
}

std::vector<HtmlCount> Top(const BreakdownMap& m, size_t n) {
  return Top(m, n, [](const Breakdown& b) { return std::pair{b.calls, b.total_ns}; });
}
std::vector<HtmlCount> Top(const std::map<std::string, SessionStats::Count>& m, size_t n) {
  return Top(m, n, [](const SessionStats::Count& c) { return std::pair{c.sessions, c.total_ns}; });
}

std::vector<HtmlHistogramBin> Bins(const LatencyHistogram& h) {
  std::vector<HtmlHistogramBin> out;
  int first = -1, last = -1;
  for (int i = 0; i < LatencyHistogram::kBins; ++i) {
    if (h.bin(i) == 0) continue;
    if (first < 0) first = i;
    last = i;
  }
  for (int i = first; first >= 0 && i <= last; ++i) {
    double upper = LatencyHistogram::BinUpperMs(i);
    out.push_back({std::isinf(upper) ? -1.0 : Ms(upper), h.bin(i)});
  }
  return out;
}

std::string QueryId(const QueryStats& q) { return FingerprintHex(q.fingerprint) + (q.fallback ? "-fallback" : ""); }

// A statement's type from its normalized text, as pgBadger counts them: the
// first keyword, and for WITH the verb after the last common table expression.
std::string_view QueryType(std::string_view sql) {
  auto word_at = [&](size_t i) {
    size_t j = i;
    while (j < sql.size() && (std::isalpha(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) ++j;
    std::string w(sql.substr(i, j - i));
    for (char& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return w;
  };
  size_t start = sql.find_first_not_of(" \t\r\n(");
  if (start == std::string_view::npos) return "other";
  std::string first = word_at(start);
  if (first == "WITH") {
    // The first of SELECT/INSERT/UPDATE/DELETE/MERGE outside parentheses and quotes.
    int depth = 0;
    for (size_t i = start + 4; i < sql.size(); ++i) {
      char c = sql[i];
      if (c == '"' || c == '\'') {
        size_t end = sql.find(c, i + 1);
        if (end == std::string_view::npos) break;
        i = end;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        --depth;
      } else if (depth == 0 && std::isalpha(static_cast<unsigned char>(c)) &&
                 (i == 0 || !std::isalnum(static_cast<unsigned char>(sql[i - 1])))) {
        std::string w = word_at(i);
        if (w == "SELECT" || w == "INSERT" || w == "UPDATE" || w == "DELETE" || w == "MERGE") {
          first = w;
          break;
        }
        i += w.size() ? w.size() - 1 : 0;
      }
    }
    if (first == "WITH") return "other";
  }
  if (first == "SELECT" || first == "VALUES" || first == "TABLE") return "SELECT";
  if (first == "INSERT") return "INSERT";
  if (first == "UPDATE") return "UPDATE";
  if (first == "DELETE") return "DELETE";
  if (first == "COPY") return "COPY";
  for (const char* ddl : {"CREATE", "ALTER", "DROP", "TRUNCATE", "COMMENT", "GRANT", "REVOKE", "REINDEX", "CLUSTER",
                          "VACUUM", "ANALYZE", "REFRESH"}) {
    if (first == ddl) return "DDL";
  }
  for (const char* tcl : {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "PREPARE"}) {
    if (first == tcl) return "TCL";
  }
  return "other";
}

const std::vector<std::string> kNotAvailable = {
    "Lock waits: the blocking process is shown as the log names it (its pid); its statement is not looked up.",
    "Per-query timelines: by hour only (the drill-down's hourly table); per-query latency histograms: percentiles "
    "only.",
    "Errors over time: per SQLSTATE, not per message.",
    "Checkpoints: count and write/sync time; buffers written and WAL distance are not kept.",
    "Queries by type: in the overview, not over time; prepared-statement times per phase are not reported.",
};

// The id of the shape with fingerprint `fp` (a fallback shape's if only that has it).
std::string IdOf(const Workload& w, uint64_t fp) {
  auto it = w.queries.find(fp);
  const QueryStats* q = it != w.queries.end() ? &it->second : nullptr;
  if (q == nullptr) {
    auto f = w.fallback_queries.find(fp);
    if (f != w.fallback_queries.end()) q = &f->second;
  }
  return q ? QueryId(*q) : FingerprintHex(fp);
}

}  // namespace

HtmlModel BuildHtmlModel(const AnalyzeResult& r, const HtmlModelOptions& options) {
  HtmlModel m;
  const Workload& w = r.workload;
  const WorkloadSummary& s = w.summary;
  for (const InputReport& in : r.inputs) {
    m.inputs.push_back(options.base_names ? std::filesystem::path(in.name).filename().string() : in.name);
  }
  m.first_seen = FormatIsoTime(s.first_us);
  m.last_seen = FormatIsoTime(s.last_us);
  m.records = r.records;
  m.calls = s.calls;
  m.shapes = w.queries.size() + w.fallback_queries.size();
  m.errors = s.errors;
  m.connections = s.events_by_kind[static_cast<size_t>(EventKind::kConnection)];
  m.sessions = s.sessions.sessions;
  m.total_ms = Ms(s.total_ms());
  m.mean_ms = s.latency.count() ? Ms(s.total_ms() / static_cast<double>(s.latency.count())) : 0;
  m.temp_files = s.temp_files;
  m.temp_bytes = s.temp_bytes;
  m.plans = s.events_by_kind[static_cast<size_t>(EventKind::kPlan)];
  // Every query's sketch together: nearest-rank percentiles, exact up to
  // 32 durations, within 1% beyond (the histogram's bins are ±19%).
  DurationSketch all;
  for (const auto* queries : {&w.queries, &w.fallback_queries}) {
    for (const auto& [key, q] : *queries) all.Merge(q.durations);
  }
  m.p50_ms = Ms(all.Quantile(0.50));
  m.p95_ms = Ms(all.Quantile(0.95));
  m.p99_ms = Ms(all.Quantile(0.99));
  m.latency = Bins(s.latency);
  m.by_database = Top(s.by_database, options.breakdown);
  m.by_user = Top(s.by_user, options.breakdown);
  m.by_application = Top(s.by_application, options.breakdown);
  {
    std::map<std::string, HtmlCount> types;
    for (const auto* queries : {&w.queries, &w.fallback_queries}) {
      for (const auto& [key, q] : *queries) {
        std::string_view type = QueryType(q.normalized);
        HtmlCount& c = types[std::string(type)];
        c.name = type;
        c.count += q.calls;
        c.total_ms += q.total_ms();
      }
    }
    for (auto& [type, c] : types) {
      c.total_ms = Ms(c.total_ms);
      if (c.count > 0) m.queries_by_type.push_back(c);
    }
    std::stable_sort(m.queries_by_type.begin(), m.queries_by_type.end(),
                     [](const HtmlCount& a, const HtmlCount& b) { return a.count > b.count; });
  }

  // Over time, and the busiest minute (or bucket, when buckets are longer).
  m.step_seconds = s.timeline.step_seconds();
  const int64_t busiest_step = std::max<int64_t>(60, m.step_seconds);
  std::map<int64_t, uint64_t> calls_per;
  for (const auto& [start, b] : s.timeline.buckets()) {
    HtmlBucket h;
    h.start = start;
    h.calls = b.calls;
    h.total_ms = Ms(NsToMs(b.total_ns));
    h.p50_ms = Ms(b.latency.Quantile(0.50));
    h.p95_ms = Ms(b.latency.Quantile(0.95));
    h.p99_ms = Ms(b.latency.Quantile(0.99));
    h.errors = b.errors;
    h.deadlocks = b.deadlocks;
    h.temp_files = b.temp_files;
    h.temp_bytes = b.temp_bytes;
    h.checkpoints = b.checkpoints;
    h.checkpoint_warnings = b.checkpoint_warnings;
    h.checkpoint_write_ms = Ms(NsToMs(b.checkpoint_write_ns));
    h.checkpoint_sync_ms = Ms(NsToMs(b.checkpoint_sync_ns));
    h.autovacuum = b.autovacuum;
    h.autoanalyze = b.autoanalyze;
    h.lock_waits = b.lock_waits;
    h.connections = b.connections;
    h.disconnections = b.disconnections;
    for (const auto& [state, n] : b.errors_by_sqlstate) h.errors_by_sqlstate.push_back({state, n});
    m.checkpoints += b.checkpoints;
    m.autovacuum += b.autovacuum;
    m.autoanalyze += b.autoanalyze;
    m.lock_waits += b.lock_waits;
    m.deadlocks += b.deadlocks;
    if (b.calls > 0) calls_per[start - (((start % busiest_step) + busiest_step) % busiest_step)] += b.calls;
    m.timeline.push_back(h);
  }
  for (const auto& [start, n] : calls_per) {
    if (n > m.busiest_calls) m.busiest_start = start, m.busiest_calls = n, m.busiest_seconds = busiest_step;
  }

  // Top queries: by total time, and the top few by every other sort key so
  // that sorting the table by them shows their leaders.
  std::vector<const QueryStats*> by_total = w.Sorted("total");
  std::set<const QueryStats*> shown;
  for (size_t i = 0; i < by_total.size() && i < options.top; ++i) shown.insert(by_total[i]);
  std::vector<const QueryStats*> by_lock = by_total;
  std::stable_sort(by_lock.begin(), by_lock.end(),
                   [](const QueryStats* a, const QueryStats* b) { return a->lock_wait_ns > b->lock_wait_ns; });
  for (size_t i = 0; i < by_lock.size() && i < options.top_other && by_lock[i]->lock_waits > 0; ++i) {
    shown.insert(by_lock[i]);
  }
  for (const char* key : {"mean", "calls", "max", "errors"}) {
    std::vector<const QueryStats*> v = w.Sorted(key);
    for (size_t i = 0; i < v.size() && i < options.top_other; ++i) shown.insert(v[i]);
  }
  std::vector<const QueryStats*> by_temp = by_total;
  std::stable_sort(by_temp.begin(), by_temp.end(),
                   [](const QueryStats* a, const QueryStats* b) { return a->temp_bytes > b->temp_bytes; });
  for (size_t i = 0; i < by_temp.size() && i < options.top_other && by_temp[i]->temp_files > 0; ++i) {
    shown.insert(by_temp[i]);
  }
  for (const Finding& f : r.findings) {
    HtmlFinding h{f.rule_id, std::string(SeverityName(f.severity)), f.message, f.help, f.fix, "", f.facts};
    m.findings.push_back(std::move(h));
  }
  for (const QueryStats* q : by_total) {
    if (!shown.contains(q)) continue;
    HtmlQuery h;
    h.id = QueryId(*q);
    h.normalized = q->normalized;
    h.fallback = q->fallback;
    h.calls = q->calls;
    h.errors = q->errors();
    h.temp_files = q->temp_files;
    h.temp_bytes = q->temp_bytes;
    h.plans = q->plans;
    h.prepares = q->prepares;
    h.lock_waits = q->lock_waits;
    h.lock_wait_ms = Ms(NsToMs(q->lock_wait_ns));
    h.total_ms = Ms(q->total_ms());
    h.mean_ms = Ms(q->mean_ms());
    h.min_ms = Ms(q->min_ms);
    h.max_ms = Ms(q->max_ms);
    h.p50_ms = Ms(q->durations.Quantile(0.50));
    h.p95_ms = Ms(q->durations.Quantile(0.95));
    h.p99_ms = Ms(q->durations.Quantile(0.99));
    h.share = s.total_ms() > 0 ? std::round(q->total_ms() / s.total_ms() * 1e4) / 1e4 : 0;
    h.first_seen = FormatIsoTime(q->first_us);
    h.last_seen = FormatIsoTime(q->last_us);
    h.by_database = Top(q->by_database, options.breakdown);
    h.by_user = Top(q->by_user, options.breakdown);
    h.by_application = Top(q->by_application, options.breakdown);
    for (const auto& [state, n] : q->errors_by_sqlstate) h.errors_by_sqlstate.push_back({state, n, 0});
    for (const auto& [hour, b] : q->hourly) h.hourly.push_back({hour, {"", b.calls, Ms(b.total_ms())}});
    for (const KeptPlan& p : q->kept_plans.plans()) {
      h.slowest_plans.push_back({Ms(p.duration_ms), FormatIsoTime(p.time_us), p.text, p.truncated});
    }
    for (size_t i = 0; i < r.findings.size(); ++i) {
      if (r.findings[i].fingerprint == q->fingerprint && q->fingerprint != 0) {
        h.findings.push_back(i);
        m.findings[i].query = h.id;
      }
    }
    m.queries.push_back(std::move(h));
  }
  m.queries_not_shown = by_total.size() - m.queries.size();

  for (const auto& [key, g] : s.error_groups.groups) {
    size_t tab = key.find('\t');
    HtmlErrorGroup h{key.substr(0, tab), key.substr(tab + 1), g.count, FormatIsoTime(g.first_us),
                     FormatIsoTime(g.last_us), {}, false};
    h.cancelled = h.sqlstate == "57014" ||
                  (h.sqlstate == "unknown" && h.message.starts_with("canceling statement due to"));
    if (h.cancelled) m.cancelled += g.count;
    for (const auto& [fp, n] : g.shapes) {
      h.queries.push_back({fp != 0 ? IdOf(w, fp) : "", n});
    }
    m.errors_by_message.push_back(std::move(h));
  }
  std::stable_sort(m.errors_by_message.begin(), m.errors_by_message.end(),
                   [](const HtmlErrorGroup& a, const HtmlErrorGroup& b) { return a.count > b.count; });

  m.session_durations = Bins(s.sessions.durations);
  m.session_total_ms = Ms(NsToMs(s.sessions.total_ns));
  m.sessions_by_database = Top(s.sessions.by_database, options.breakdown);
  m.sessions_by_user = Top(s.sessions.by_user, options.breakdown);
  m.sessions_by_application = Top(s.sessions.by_application, options.breakdown);
  m.sessions_by_host = Top(s.sessions.by_host, options.breakdown);
  for (const auto& [name, t] : s.vacuum.tables) {
    m.vacuum.push_back({name, t.vacuums, t.analyzes, t.removed_tuples, t.buffer_hits, t.buffer_misses,
                        t.buffer_dirtied, Ms(NsToMs(t.elapsed_ns))});
  }
  std::stable_sort(m.vacuum.begin(), m.vacuum.end(), [](const HtmlVacuumTable& a, const HtmlVacuumTable& b) {
    return a.vacuums + a.analyzes > b.vacuums + b.analyzes;
  });
  m.lock_wait_ms = Ms(NsToMs(s.lock_waits.wait_ns));
  m.locks_by_kind = Top(s.lock_waits.by_lock, options.breakdown,
                        [](const LockWaits::Kind& k) { return std::pair{k.count, k.wait_ns}; });
  for (const LockWait& l : s.lock_waits.longest) {
    m.longest_lock_waits.push_back(
        {FormatIsoTime(l.time_us), l.lock, l.pid, l.blockers, l.fingerprint ? IdOf(w, l.fingerprint) : "",
         Ms(l.wait_ms), l.queue});
  }
  m.not_available = kNotAvailable;
  return m;
}

}  // namespace pgsift

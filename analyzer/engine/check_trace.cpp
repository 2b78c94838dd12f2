// The lock and rewrite trace of `pgsift check` against the lint's
// predictions (check_trace.h).
#include "pgsift/check_trace.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "pgsift/format.h"

namespace pgsift {

namespace {

struct ModeName {
  const char* pg;
  const char* sql;
};
constexpr ModeName kModes[] = {{"AccessShareLock", "ACCESS SHARE"},
                               {"RowShareLock", "ROW SHARE"},
                               {"RowExclusiveLock", "ROW EXCLUSIVE"},
                               {"ShareUpdateExclusiveLock", "SHARE UPDATE EXCLUSIVE"},
                               {"ShareLock", "SHARE"},
                               {"ShareRowExclusiveLock", "SHARE ROW EXCLUSIVE"},
                               {"ExclusiveLock", "EXCLUSIVE"},
                               {"AccessExclusiveLock", "ACCESS EXCLUSIVE"}};

bool IsTable(const TracedRelation& r) { return r.kind != 'i' && r.kind != 'I'; }

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 72) line = line.substr(0, 69) + "...";
  return line;
}

// Strongest mode per existing table (indexes left out: a statement that
// locks an index locks its table too), by Key().
std::map<std::string, std::string> Strongest(const std::vector<TracedLock>& locks) {
  std::map<std::string, std::string> out;
  for (const TracedLock& l : locks) {
    if (!IsTable(l.relation)) continue;
    std::string& m = out[l.relation.Key()];
    if (LockRank(l.mode) > LockRank(m)) m = l.mode;
  }
  return out;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 || v == std::floor(v) ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
  return buf;
}

// Per trace entry: its time and that of the rest of its transaction (a lock
// it took is held to the transaction's end).
std::vector<double> HeldMs(const std::vector<StatementTrace>& trace) {
  std::vector<double> out(trace.size());
  double acc = 0;
  for (size_t i = trace.size(); i-- > 0;) {
    const StatementTrace& t = trace[i];
    if (t.ends_transaction || t.transaction == 0 || i + 1 == trace.size() || trace[i + 1].transaction != t.transaction)
      acc = 0;
    acc += t.ms;
    out[i] = acc;
  }
  return out;
}

std::vector<IndexChange> IndexChanges(const StatementTrace& t) {
  std::vector<IndexChange> out;
  auto add = [&](const char* change, const TracedIndex& x) {
    out.push_back({change, x.index.Display(), x.index.table, x.bytes, x.valid});
  };
  for (const TracedIndex& d : t.indexes_dropped) {
    bool again = std::any_of(t.indexes_created.begin(), t.indexes_created.end(),
                             [&](const TracedIndex& c) { return c.index.Display() == d.index.Display(); });
    if (!again) add("dropped", d);
  }
  for (const TracedIndex& c : t.indexes_created) {
    bool before = std::any_of(t.indexes_dropped.begin(), t.indexes_dropped.end(),
                              [&](const TracedIndex& d) { return c.index.Display() == d.index.Display(); });
    add(before ? "rebuilt" : "created", c);
  }
  for (const TracedIndex& x : t.indexes_invalid) add("invalid", x);
  return out;
}

// Writes that wait for `table` through a foreign key: an INSERT into a
// table referencing it, or an UPDATE that sets a referencing column, checks
// the referenced row (SELECT ... FOR KEY SHARE: ROW SHARE on `table`), which
// EXCLUSIVE and ACCESS EXCLUSIVE block. Queries in `counted` are not added
// again.
void AddForeignKeyWaits(const AppliedFile& applied, const LintWorkload& rates, const std::string& table,
                        std::set<size_t>* counted, WorkloadWait* w) {
  for (const AppliedFile::ForeignKey& fk : applied.foreign_keys) {
    if (fk.to != table || fk.from == table) continue;
    auto q = rates.queries_by_table.find(fk.from);
    if (q == rates.queries_by_table.end()) continue;
    double before = w->fk_writes_per_s;
    for (size_t qi : q->second) {
      const WorkloadQuery& wq = rates.queries[qi];
      auto sets = wq.sets_columns.find(fk.from);
      if (counted->count(qi) || sets == wq.sets_columns.end()) continue;
      bool checks = sets->second.count("*") > 0 || std::any_of(fk.columns.begin(), fk.columns.end(), [&](auto& c) {
                      return sets->second.count(c) > 0;
                    });
      if (!checks) continue;
      counted->insert(qi);
      w->writes_per_s += wq.calls_per_second;
      w->fk_writes_per_s += wq.calls_per_second;
      ++w->write_shapes;
    }
    std::string via = applied.existing.count(fk.from) ? applied.existing.at(fk.from).Display() : fk.from;
    if (w->fk_writes_per_s > before &&
        std::find(w->via_foreign_keys.begin(), w->via_foreign_keys.end(), via) == w->via_foreign_keys.end()) {
      w->via_foreign_keys.push_back(via);
    }
  }
}

std::string WorkloadNote(const TraceWorkload& w) {
  if (!w.workload) return "";
  const LintWorkload& wl = *w.workload;
  std::string from = wl.queries_from.empty() ? "the workload" : wl.queries_from;
  std::string s = wl.window_seconds > 0
                      ? std::to_string(wl.queries.size()) + " queries of " + from + "; window " +
                            FormatMs(wl.window_seconds * 1000)
                      : from + ": no time window, so no query rates";
  if (w.sample_percent > 0) {
    s += "; lock durations scaled by " + Number(100 / w.sample_percent) + " from a " + Number(w.sample_percent) +
         "% sample";
  }
  return s;
}

}  // namespace

std::string DescribeWait(const WorkloadWait& w, double sample_percent) {
  size_t shapes = w.write_shapes + (w.blocks_reads ? w.read_shapes : 0);
  std::string s = w.table + ": ";
  s += w.blocks_reads ? Number(w.reads_per_s) + " reads/s and " + Number(w.writes_per_s) + " writes/s"
                      : Number(w.writes_per_s) + " writes/s";
  s += " (" + std::to_string(shapes) + (shapes == 1 ? " query" : " queries");
  if (!w.via_foreign_keys.empty()) {
    std::string via;
    for (const std::string& t : w.via_foreign_keys) via += (via.empty() ? "" : ", ") + t;
    s += "; " + Number(w.fk_writes_per_s) + " writes/s into " + via + ", whose foreign key check waits";
  }
  s += ") would wait up to " + FormatMs(w.wait_ms);
  if (sample_percent > 0) {
    s += " (scaled from a " + Number(sample_percent) + "% sample: " + FormatMs(w.measured_ms) + " measured)";
  }
  s += ", ~" + Number(w.WaitingPerSecond() * w.wait_ms / 1000) + " queued";
  if (!w.blocks_reads) s += "; reads go on";
  return s;
}

std::string SqlLockMode(const std::string& mode) {
  for (const ModeName& m : kModes) {
    if (mode == m.pg) return m.sql;
  }
  return mode;
}

int LockRank(const std::string& mode) {
  for (int i = 0; i < 8; ++i) {
    if (mode == kModes[i].pg || mode == kModes[i].sql) return i + 1;
  }
  return 0;
}

bool BlocksWrites(const std::string& mode) { return LockRank(mode) >= 5; }
bool BlocksReads(const std::string& mode) { return LockRank(mode) == 8; }

const RuleInfo& TraceRuleInfo() {
  static const RuleInfo kInfo{"migration-trace-lint-missed",
                              {},
                              "On the scratch database a migration statement took a lock or rewrote a table that the "
                              "lint did not predict",
                              Severity::kWarning,
                              RuleInput::kMigration,
                              "rules/migration/trace_lint_missed.md"};
  return kInfo;
}

FileTrace BuildFileTrace(const MigrationFile& file, const AppliedFile& applied, std::vector<Finding>* findings,
                         const TraceWorkload& workload) {
  FileTrace out;
  out.path = file.path;
  out.workload = WorkloadNote(workload);
  if (workload.workload) out.sample_percent = workload.sample_percent;
  const LintWorkload* rates =
      workload.workload && workload.workload->window_seconds > 0 ? workload.workload : nullptr;
  double scale = workload.sample_percent > 0 ? 100 / workload.sample_percent : 1;
  std::vector<double> held_ms = HeldMs(applied.trace);
  // A name of the lint's: the existing table (Key()) it stands for, by its
  // schema or else the scratch session's search_path; "" when it was not
  // there before the file. An index stands for its table.
  auto table_of = [&](const std::string& schema, const std::string& name) -> std::string {
    std::vector<std::string> schemas = !schema.empty()              ? std::vector<std::string>{schema}
                                       : applied.search_path.empty() ? std::vector<std::string>{kDefaultSchema}
                                                                     : applied.search_path;
    for (const std::string& s : schemas) {
      auto it = applied.existing.find(s + "." + name);
      if (it != applied.existing.end()) return IsTable(it->second) ? it->first : s + "." + it->second.table;
    }
    return "";
  };
  // The open transaction's tables: first blocking statement and mode.
  std::map<std::string, BlockedSpan> open;
  auto close = [&](uint32_t to_line, bool rolled_back) {
    for (auto& [table, span] : open) {
      span.to_line = to_line;
      span.rolled_back = rolled_back;
      out.timeline.push_back(span);
    }
    open.clear();
  };
  int transaction = 0;
  for (size_t ti = 0; ti < applied.trace.size(); ++ti) {
    const StatementTrace& t = applied.trace[ti];
    const MigrationStatement& st = file.statements[t.statement];
    if (t.transaction != transaction) {
      close(0, false);  // not expected: a transaction ends with a statement that says so
      transaction = t.transaction;
    }
    TraceRow row;
    row.location = st.location;
    row.location.file = file.path;
    row.statement = FirstLine(st.text);
    row.ms = t.ms;
    row.locks_seen = t.locks_seen;
    std::map<std::string, std::string> took = Strongest(t.acquired), held = Strongest(t.held);
    for (const auto& [table, mode] : took) {
      if (LockRank(mode) > LockRank(row.mode)) row.mode = mode;
    }
    for (const auto& [table, mode] : took) {
      if (mode == row.mode) row.tables.push_back(applied.existing.at(table).Display());
    }
    row.blocks_writes = BlocksWrites(row.mode);
    row.blocks_reads = BlocksReads(row.mode);
    // ACCESS EXCLUSIVE on an index (REINDEX INDEX) under a weaker lock on its
    // table: the planner opens every index of a table, so its reads wait too.
    std::map<std::string, std::string> index_blocks_reads;  // table -> index
    for (const TracedLock& l : t.acquired) {
      std::string table = l.relation.schema + "." + l.relation.table;  // an index is in its table's schema
      if (!IsTable(l.relation) && BlocksReads(l.mode) && applied.existing.count(table))
        index_blocks_reads[table] = l.relation.Display();
    }
    if (row.blocks_writes && !row.blocks_reads) {
      for (const auto& [table, index] : index_blocks_reads) {
        if (took.count(table) && took.at(table) == row.mode) {
          row.blocks_reads = true;
          row.notes.push_back("ACCESS EXCLUSIVE on index " + index + ": queries of " +
                              applied.existing.at(table).Display() +
                              " wait too (planning opens every index of the table)");
        }
      }
    }
    row.mode = SqlLockMode(row.mode);
    bool truncates = st.kind == "TruncateStmt";
    for (const TracedRewrite& w : t.rewrites) row.rewrites.push_back(w);
    row.held_ms = held_ms[ti];
    row.indexes = IndexChanges(t);
    if (rates && t.locks_seen) {
      for (const auto& [table, mode] : took) {
        if (!BlocksWrites(mode)) continue;
        WorkloadWait w;
        w.table = applied.existing.at(table).Display();
        w.blocks_reads = BlocksReads(mode) || index_blocks_reads.count(table);
        // The workload's tables are schema-qualified like `table`.
        auto q = rates->queries_by_table.find(table);
        std::set<size_t> counted;
        for (size_t qi : q == rates->queries_by_table.end() ? std::vector<size_t>{} : q->second) {
          const WorkloadQuery& wq = rates->queries[qi];
          (wq.writes ? w.writes_per_s : w.reads_per_s) += wq.calls_per_second;
          ++(wq.writes ? w.write_shapes : w.read_shapes);
          counted.insert(qi);
        }
        if (LockRank(mode) >= LockRank("EXCLUSIVE")) AddForeignKeyWaits(applied, *rates, table, &counted, &w);
        w.measured_ms = row.held_ms;
        w.wait_ms = row.held_ms * scale;
        row.waits.push_back(std::move(w));
      }
    }

    LintPrediction predicted = PredictStatement(file, t.statement);
    std::map<std::string, std::string> want;  // existing table (Key()) -> predicted mode
    for (const PredictedLock& p : predicted.locks) {
      std::string table = table_of(p.schema, p.table);
      if (table.empty()) continue;
      if (LockRank(p.mode) > LockRank(want[table])) want[table] = p.mode;
    }
    std::vector<std::string> want_rewrite;
    for (const PredictedRewrite& r : predicted.rewrites) {
      if (std::string table = table_of(r.schema, r.table); !table.empty()) want_rewrite.push_back(table);
    }
    auto shown = [&](const std::string& key) { return applied.existing.at(key).Display(); };
    std::vector<std::string> missed, strict, confirmed;
    if (t.locks_seen) {
      for (const auto& [table, mode] : took) {
        if (!BlocksWrites(mode)) continue;
        auto p = want.find(table);
        if (p != want.end() && LockRank(p->second) >= LockRank(mode)) continue;
        missed.push_back("took " + SqlLockMode(mode) + " on " + applied.existing.at(table).Display() + " (blocks " +
                         (BlocksReads(mode) ? "reads and writes" : "writes") + ")" +
                         (p == want.end() ? ", no lock predicted" : ", the lint predicted " + p->second));
      }
      for (const auto& [table, mode] : want) {
        auto h = held.find(table);
        std::string seen = h == held.end() ? "" : h->second;
        if (LockRank(seen) >= LockRank(mode)) {
          confirmed.push_back(mode + " on " + shown(table));
        } else {
          strict.push_back("the lint predicted " + mode + " on " + shown(table) + ", observed " +
                           (seen.empty() ? std::string("no lock") : SqlLockMode(seen)));
        }
      }
    }
    for (const TracedRewrite& w : t.rewrites) {
      if (!IsTable(w.relation) || truncates) continue;
      if (std::find(want_rewrite.begin(), want_rewrite.end(), w.relation.Key()) != want_rewrite.end()) {
        confirmed.push_back("rewrite of " + w.relation.name);
      } else {
        missed.push_back("rewrote " + w.relation.Display() + " (" + FormatBytes(w.bytes_before) + " -> " +
                         FormatBytes(w.bytes_after) + "), no rewrite predicted");
      }
    }
    for (const std::string& table : want_rewrite) {
      bool seen = std::any_of(t.rewrites.begin(), t.rewrites.end(),
                              [&](const TracedRewrite& w) { return w.relation.Key() == table; });
      if (!seen) strict.push_back("the lint predicted a rewrite of " + shown(table) + ", relfilenode unchanged");
    }
    if (row.mode.empty() && !confirmed.empty()) {
      // Nothing new: the transaction already held what the lint predicted.
      for (const auto& [table, mode] : want) {
        auto h = held.find(table);
        if (h == held.end() || LockRank(h->second) < LockRank(row.mode)) continue;
        if (LockRank(h->second) > LockRank(row.mode)) row.tables.clear();
        row.mode = h->second;
        row.tables.push_back(applied.existing.at(table).Display());
      }
      row.blocks_writes = BlocksWrites(row.mode);
      row.blocks_reads = BlocksReads(row.mode);
      row.mode = SqlLockMode(row.mode);
      if (!row.mode.empty()) row.notes.push_back("already held from an earlier statement of its transaction");
    }
    if (!missed.empty()) {
      row.verdict = "lint missed";
      ++out.missed;
    } else if (!strict.empty()) {
      row.verdict = "lint too strict";
      ++out.too_strict;
    } else if (!t.locks_seen && !want.empty()) {
      row.verdict = "not traced";
    } else if (!confirmed.empty()) {
      row.verdict = "confirmed";
      ++out.confirmed;
    }
    for (std::string& m : missed) row.notes.push_back("lint missed: " + m);
    for (std::string& s : strict) row.notes.push_back("lint too strict: " + s);
    if (!t.locks_seen && !want.empty())
      row.notes.push_back("its locks are not traced: it ran outside a transaction block");
    if (!missed.empty()) {
      Finding f;
      f.rule_id = TraceRuleInfo().id;
      f.severity = TraceRuleInfo().severity;
      f.location = row.location;
      f.message = "on the scratch database this statement " + [&] {
        std::string s;
        for (const std::string& m : missed) s += (s.empty() ? "" : "; ") + m;
        return s;
      }() + "";
      f.help =
          "the lint reads the statement's text only (a function it calls, a trigger, a cascade can lock more): "
          "plan for the lock the trace shows (lock_timeout, a quiet hour, or the non-blocking form)";
      for (const WorkloadWait& w : row.waits) f.message += "; with the workload, " + DescribeWait(w, workload.sample_percent);
      f.snippet = st.text;
      f.key_extra = row.statement;
      f.facts.push_back({"traced on", "scratch database, " + FormatMs(t.ms)});
      findings->push_back(std::move(f));
    }
    if (row.blocks_writes) ++out.blocking;
    for (const TracedRewrite& w : t.rewrites) out.rewrites += IsTable(w.relation) && !truncates;

    // The timeline: each table from the statement that first blocked it.
    for (auto& [table, span] : open) span.ms += t.ms;
    for (const auto& [table, mode] : t.locks_seen ? held : std::map<std::string, std::string>{}) {
      if (!BlocksWrites(mode)) continue;
      auto it = open.find(table);
      if (it == open.end()) {
        BlockedSpan span;
        span.transaction = t.transaction;
        span.table = applied.existing.at(table).Display();
        span.mode = SqlLockMode(mode);
        span.blocks_reads = BlocksReads(mode);
        span.from_line = st.location.line;
        span.ms = t.ms;
        open[table] = span;
      } else if (LockRank(mode) > LockRank(it->second.mode)) {
        it->second.mode = SqlLockMode(mode);
        it->second.blocks_reads = BlocksReads(mode);
      }
    }
    if (t.ends_transaction) close(st.location.line, t.rolled_back);
    out.rows.push_back(std::move(row));
  }
  close(0, false);  // the file's own transaction: until its COMMIT at the end
  for (const TracedIndex& x : applied.invalid_indexes) {
    out.invalid_at_end.push_back({"invalid", x.index.Display(), x.index.table, x.bytes, false});
  }
  return out;
}

}  // namespace pgsift

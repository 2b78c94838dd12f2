// The lock trace of `pgsift check` as text, Markdown and JSON.
#include "check_trace_report.h"

#include "pgsift/format.h"

namespace pgsift::check_trace_report {

namespace {

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::string Blocks(const TraceRow& r) {
  if (!r.locks_seen) return "?";
  return r.blocks_reads ? "reads+writes" : r.blocks_writes ? "writes" : "-";
}

std::string Rewrites(const TraceRow& r) {
  std::vector<std::string> out;
  for (const TracedRewrite& w : r.rewrites) {
    out.push_back(w.relation.Display() + " " + FormatBytes(w.bytes_before) + "->" + FormatBytes(w.bytes_after));
  }
  return out.empty() ? "-" : Join(out, ", ");
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string Summary(const FileTrace& f) {
  return std::to_string(f.rows.size()) + " statements, " + std::to_string(f.blocking) + " blocking writes or reads, " +
         std::to_string(f.rewrites) + " rewrites; lint " + std::to_string(f.confirmed) + " confirmed, " +
         std::to_string(f.missed) + " missed, " + std::to_string(f.too_strict) + " too strict";
}

std::string Span(const BlockedSpan& s) {
  return s.table + " " + s.mode + " (blocks " + (s.blocks_reads ? "reads and writes" : "writes") + ") from line " +
         std::to_string(s.from_line) +
         (s.to_line ? " to line " + std::to_string(s.to_line) : std::string(" to the file's COMMIT")) +
         (s.rolled_back ? " (rolled back)" : "") + ", " + FormatMs(s.ms) + " on the scratch data";
}

std::string IndexText(const IndexChange& c) {
  std::string size = c.bytes || c.change == "dropped" ? FormatBytes(c.bytes) : "no storage";
  return c.change + " " + c.index + " on " + c.table + " (" + size +
         (!c.valid && c.change != "invalid" ? ", invalid" : "") + ")";
}

std::string Indexes(const TraceRow& r) {
  std::vector<std::string> out;
  for (const IndexChange& c : r.indexes) out.push_back(IndexText(c));
  return Join(out, "; ");
}

bool HasInvalid(const TraceRow& r) {
  for (const IndexChange& c : r.indexes) {
    if (!c.valid) return true;
  }
  return false;
}

// Lines under a row: what made the verdict, indexes, the workload's waits.
std::vector<std::string> RowNotes(const TraceRow& r, double sample_percent) {
  std::vector<std::string> out = r.notes;
  for (const IndexChange& c : r.indexes) out.push_back("index " + IndexText(c));
  for (const WorkloadWait& w : r.waits) out.push_back("workload: " + DescribeWait(w, sample_percent));
  return out;
}

bool Quiet(const TraceRow& r) {
  return r.verdict.empty() && !r.blocks_writes && r.rewrites.empty() && !HasInvalid(r);
}

std::string Cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '`' ? std::string("'") : std::string(1, c);
  return out;
}

}  // namespace

std::string Text(const CheckReport& report) {
  std::string out;
  for (const FileTrace& f : report.traces) {
    out += "\nlock trace " + f.path + ": " + Summary(f) + "\n";
    if (!f.workload.empty()) out += "  workload: " + f.workload + "\n";
    out += "  " + Pad("line", 6) + Pad("statement", 46) + Pad("lock", 24) + Pad("tables", 18) + Pad("blocks", 14) +
           Pad("rewrite", 28) + Pad("time", 11) + "verdict\n";
    for (const TraceRow& r : f.rows) {
      std::string mode = !r.locks_seen ? "(not traced)" : r.mode.empty() ? "-" : r.mode;
      out += "  " + Pad(std::to_string(r.location.line), 6) + Pad(r.statement.substr(0, 44), 46) + Pad(mode, 24) +
             Pad(r.tables.empty() ? "-" : Join(r.tables, ","), 18) + Pad(Blocks(r), 14) + Pad(Rewrites(r), 28) +
             Pad(FormatMs(r.ms), 11) + (r.verdict.empty() ? "-" : r.verdict) + "\n";
      for (const std::string& n : RowNotes(r, f.sample_percent)) out += "        " + n + "\n";
    }
    for (const BlockedSpan& s : f.timeline) out += "  held: " + Span(s) + "\n";
    for (const IndexChange& c : f.invalid_at_end) out += "  invalid after the file: " + IndexText(c) + "\n";
  }
  return out;
}

std::string Markdown(const CheckReport& report) {
  if (report.traces.empty()) return "";
  int missed = 0, strict = 0, confirmed = 0, blocking = 0, statements = 0, created = 0, dropped = 0, invalid = 0;
  for (const FileTrace& f : report.traces) {
    missed += f.missed;
    strict += f.too_strict;
    confirmed += f.confirmed;
    blocking += f.blocking;
    statements += static_cast<int>(f.rows.size());
    invalid += static_cast<int>(f.invalid_at_end.size());
    for (const TraceRow& r : f.rows) {
      for (const IndexChange& c : r.indexes) {
        created += c.change == "created";
        dropped += c.change == "dropped";
      }
    }
  }
  std::string out = "### Lock trace\n\n" + std::to_string(statements) + " statements traced on the scratch database: " +
                    std::to_string(blocking) + " blocked reads or writes of an existing table; lint " +
                    std::to_string(confirmed) + " confirmed, " + std::to_string(missed) + " missed, " +
                    std::to_string(strict) + " too strict." +
                    (created + dropped + invalid
                         ? " Indexes: " + std::to_string(created) + " created, " + std::to_string(dropped) +
                               " dropped, " + std::to_string(invalid) + " invalid after the migrations."
                         : std::string()) +
                    "\n\n";
  for (const FileTrace& f : report.traces) {
    bool any = false;
    for (const TraceRow& r : f.rows) any |= !Quiet(r);
    if (!any && f.timeline.empty() && f.invalid_at_end.empty()) continue;
    std::string table =
        "| line | statement | lock | tables | blocks | rewrite | time | verdict | indexes |\n"
        "|---:|---|---|---|---|---|---:|---|---|\n";
    for (const TraceRow& r : f.rows) {
      if (Quiet(r)) continue;
      table += "| " + std::to_string(r.location.line) + " | `" + Cell(r.statement) + "` | " +
               (!r.locks_seen ? "not traced" : r.mode.empty() ? "-" : r.mode) + " | " + Cell(Join(r.tables, ", ")) +
               " | " + Blocks(r) + " | " + Cell(Rewrites(r)) + " | " + FormatMs(r.ms) + " | " +
               (r.verdict == "lint missed" ? "❌ lint missed" : r.verdict.empty() ? "-" : r.verdict) + " | " +
               (r.indexes.empty() ? "-" : Cell(Indexes(r))) + " |\n";
    }
    std::string notes = f.workload.empty() ? "" : "- workload: " + Cell(f.workload) + "\n";
    for (const TraceRow& r : f.rows) {
      for (const std::string& n : r.notes) notes += "- line " + std::to_string(r.location.line) + ": " + Cell(n) + "\n";
      for (const WorkloadWait& w : r.waits) {
        notes += "- line " + std::to_string(r.location.line) + ": workload: " +
                 Cell(DescribeWait(w, f.sample_percent)) + "\n";
      }
    }
    for (const BlockedSpan& s : f.timeline) notes += "- held: " + Span(s) + "\n";
    for (const IndexChange& c : f.invalid_at_end) notes += "- invalid after the file: " + Cell(IndexText(c)) + "\n";
    std::string body = table + (notes.empty() ? "" : "\n" + notes);
    if (f.missed) {
      out += "**" + f.path + "**: " + Summary(f) + "\n\n" + body + "\n";
    } else {
      out += "<details><summary>" + f.path + ": " + Summary(f) + "</summary>\n\n" + body + "\n</details>\n\n";
    }
  }
  return out;
}

namespace {

nlohmann::ordered_json IndexesJson(const std::vector<IndexChange>& v) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const IndexChange& c : v) {
    out.push_back({{"change", c.change}, {"index", c.index}, {"table", c.table}, {"bytes", c.bytes}, {"valid", c.valid}});
  }
  return out;
}

nlohmann::ordered_json Waits(const std::vector<WorkloadWait>& v, double sample_percent) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const WorkloadWait& w : v) {
    out.push_back({{"table", w.table},
                   {"blocks_reads", w.blocks_reads},
                   {"reads_per_s", w.reads_per_s},
                   {"writes_per_s", w.writes_per_s},
                   {"foreign_key_writes_per_s", w.fk_writes_per_s},
                   {"via_foreign_keys", w.via_foreign_keys},
                   {"waiting_per_s", w.WaitingPerSecond()},
                   {"read_queries", w.read_shapes},
                   {"write_queries", w.write_shapes},
                   {"measured_ms", w.measured_ms},
                   {"wait_ms", w.wait_ms},
                   {"scaled_from_sample_percent", sample_percent > 0 ? nlohmann::ordered_json(sample_percent)
                                                                      : nlohmann::ordered_json()},
                   {"text", DescribeWait(w, sample_percent)}});
  }
  return out;
}

}  // namespace

nlohmann::ordered_json Json(const CheckReport& report) {
  using J = nlohmann::ordered_json;
  J files = J::array();
  for (const FileTrace& f : report.traces) {
    J rows = J::array();
    for (const TraceRow& r : f.rows) {
      J rewrites = J::array();
      for (const TracedRewrite& w : r.rewrites) {
        rewrites.push_back(
            {{"relation", w.relation.Display()}, {"bytes_before", w.bytes_before}, {"bytes_after", w.bytes_after}});
      }
      rows.push_back({{"line", r.location.line},
                      {"statement", r.statement},
                      {"locks_seen", r.locks_seen},
                      {"lock", r.mode},
                      {"tables", r.tables},
                      {"blocks_reads", r.blocks_reads},
                      {"blocks_writes", r.blocks_writes},
                      {"rewrites", rewrites},
                      {"ms", r.ms},
                      {"verdict", r.verdict},
                      {"notes", r.notes},
                      {"indexes", IndexesJson(r.indexes)},
                      {"held_ms", r.held_ms},
                      {"waits", Waits(r.waits, f.sample_percent)}});
    }
    J timeline = J::array();
    for (const BlockedSpan& s : f.timeline) {
      timeline.push_back({{"transaction", s.transaction},
                          {"table", s.table},
                          {"lock", s.mode},
                          {"blocks_reads", s.blocks_reads},
                          {"from_line", s.from_line},
                          {"to_line", s.to_line},
                          {"rolled_back", s.rolled_back},
                          {"ms", s.ms}});
    }
    files.push_back({{"file", f.path},
                     {"confirmed", f.confirmed},
                     {"missed", f.missed},
                     {"too_strict", f.too_strict},
                     {"statements", rows},
                     {"timeline", timeline},
                     {"invalid_indexes", IndexesJson(f.invalid_at_end)},
                     {"workload", f.workload.empty() ? J() : J(f.workload)}});
  }
  return files;
}

}  // namespace pgsift::check_trace_report

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

bool Quiet(const TraceRow& r) { return r.verdict.empty() && !r.blocks_writes && r.rewrites.empty(); }

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
    out += "  " + Pad("line", 6) + Pad("statement", 46) + Pad("lock", 24) + Pad("tables", 18) + Pad("blocks", 14) +
           Pad("rewrite", 28) + Pad("time", 11) + "verdict\n";
    for (const TraceRow& r : f.rows) {
      std::string mode = !r.locks_seen ? "(not traced)" : r.mode.empty() ? "-" : r.mode;
      out += "  " + Pad(std::to_string(r.location.line), 6) + Pad(r.statement.substr(0, 44), 46) + Pad(mode, 24) +
             Pad(r.tables.empty() ? "-" : Join(r.tables, ","), 18) + Pad(Blocks(r), 14) + Pad(Rewrites(r), 28) +
             Pad(FormatMs(r.ms), 11) + (r.verdict.empty() ? "-" : r.verdict) + "\n";
      for (const std::string& n : r.notes) out += "        " + n + "\n";
    }
    for (const BlockedSpan& s : f.timeline) out += "  held: " + Span(s) + "\n";
  }
  return out;
}

std::string Markdown(const CheckReport& report) {
  if (report.traces.empty()) return "";
  int missed = 0, strict = 0, confirmed = 0, blocking = 0, statements = 0;
  for (const FileTrace& f : report.traces) {
    missed += f.missed;
    strict += f.too_strict;
    confirmed += f.confirmed;
    blocking += f.blocking;
    statements += static_cast<int>(f.rows.size());
  }
  std::string out = "### Lock trace\n\n" + std::to_string(statements) + " statements traced on the scratch database: " +
                    std::to_string(blocking) + " blocked reads or writes of an existing table; lint " +
                    std::to_string(confirmed) + " confirmed, " + std::to_string(missed) + " missed, " +
                    std::to_string(strict) + " too strict.\n\n";
  for (const FileTrace& f : report.traces) {
    bool any = false;
    for (const TraceRow& r : f.rows) any |= !Quiet(r);
    if (!any && f.timeline.empty()) continue;
    std::string table =
        "| line | statement | lock | tables | blocks | rewrite | time | verdict |\n|---:|---|---|---|---|---|---:|---|\n";
    for (const TraceRow& r : f.rows) {
      if (Quiet(r)) continue;
      table += "| " + std::to_string(r.location.line) + " | `" + Cell(r.statement) + "` | " +
               (!r.locks_seen ? "not traced" : r.mode.empty() ? "-" : r.mode) + " | " + Cell(Join(r.tables, ", ")) +
               " | " + Blocks(r) + " | " + Cell(Rewrites(r)) + " | " + FormatMs(r.ms) + " | " +
               (r.verdict == "lint missed" ? "❌ lint missed" : r.verdict.empty() ? "-" : r.verdict) + " |\n";
    }
    std::string notes;
    for (const TraceRow& r : f.rows) {
      for (const std::string& n : r.notes) notes += "- line " + std::to_string(r.location.line) + ": " + Cell(n) + "\n";
    }
    for (const BlockedSpan& s : f.timeline) notes += "- held: " + Span(s) + "\n";
    std::string body = table + (notes.empty() ? "" : "\n" + notes);
    if (f.missed) {
      out += "**" + f.path + "**: " + Summary(f) + "\n\n" + body + "\n";
    } else {
      out += "<details><summary>" + f.path + ": " + Summary(f) + "</summary>\n\n" + body + "\n</details>\n\n";
    }
  }
  return out;
}

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
                      {"notes", r.notes}});
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
                     {"timeline", timeline}});
  }
  return files;
}

}  // namespace pgsift::check_trace_report

#include <fmt/format.h>

#include <algorithm>

#include "pgsift/analyze_output.h"
#include "pgsift/event.h"
#include "pgsift/fingerprint.h"
#include "pgsift/format.h"
#include "pgsift/i18n.h"
#include "report_text.h"

namespace pgsift {
namespace {

using report_text::Thousands;


// One line: whitespace runs collapsed, cut to `width` display columns.
std::string OneLine(std::string_view s, size_t width) {
  std::string out;
  bool space = false;
  size_t cols = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) {
      if (cols + 1 >= width) break;
      out.push_back(' ');
      ++cols;
      space = false;
    }
    // A control character (ESC, BEL in a quoted identifier) is shown as '?',
    // never sent to the terminal; C1 controls (UTF-8 C2 80-9F) too.
    bool c1 = c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F &&
              static_cast<unsigned char>(s[i + 1]) >= 0x80;
    if (c < 0x20 || c == 0x7F || c1) {
      i += c1;
      c = '?';
    }
    bool lead = (c & 0xC0) != 0x80;
    if (lead) {
      if (cols + 1 >= width) {
        out += "…";
        return out;
      }
      ++cols;
    }
    out.push_back(static_cast<char>(c));
  }
  return out;
}

// The marker after a fingerprint in the table: "+" the overflow entry
// (shapes past --max-shapes), "~" a statement fingerprinted from its first
// kMaxStatementBytes, "*" libpg_query could not parse it. The overflow and
// truncated entries are fallbacks too; they get their own marker.
std::string Marker(const QueryStats& q) {
  if (q.overflow) return "+";
  if (q.truncated) return "~";
  return q.fallback ? "*" : "";
}

void WriteTopTable(const AnalyzeResult& r, const std::vector<const QueryStats*>& sorted, const TableOptions& o,
                   std::ostream& out);
void WriteErrorsAndFindings(const AnalyzeResult& r, std::ostream& out);

}  // namespace

std::string PrefixNote(const InputReport& in) {
  if (in.prefix.empty() && in.format != LogFormat::kStderr) return "";
  std::string note = fmt::format("log_line_prefix '{}'", in.prefix);
  if (!in.prefix_inferred) return note;
  const InferredPrefix& fit = in.prefix_fit;
  if (fit.disagreeing == 0) return note + " (detected)";
  note +=
      fmt::format(" (detected; {} of {} sampled lines do not fit it", Thousands(fit.disagreeing), Thousands(fit.lines));
  if (!fit.other.empty()) note += fmt::format(", they look like '{}'", fit.other);
  return note + ": check it, or pass --prefix)";
}

std::string ZoneNote(const InputReport& in) {
  const RecordCounts& c = in.counts;
  const std::string& z = c.doubtful_zone;
  if (c.unknown_time_zone > 0) {
    return fmt::format(
        "{} records in time zone '{}', which pgsift does not know: read as UTC (pass --log-zone {}=+HH:MM, the "
        "offset the server's log_timezone has)",
        Thousands(c.unknown_time_zone), z, z.empty() || z[0] == '+' || z[0] == '-' ? "ABBR" : z);
  }
  if (c.ambiguous_time_zone == 0) return "";
  ZoneMeaning m = LookUpZone(z);
  return fmt::format("times in {} read as {}; {} print {} too: if the server is there, pass --log-zone {}=+HH:MM", z,
                     m.taken, m.others, z, z);
}

void WriteInputSummary(const AnalyzeResult& r, std::ostream& out) {
  for (const InputReport& in : r.inputs) {
    out << fmt::format("{}: {}", in.name, LogFormatName(in.format));
    if (!in.source.empty()) out << " (" << in.source << ")";
    if (std::string note = PrefixNote(in); !note.empty()) out << ", " << note;
    out << fmt::format(", {} lines: {} in {} records, {} skipped", Thousands(in.lines),
                       Thousands(in.counts.lines_in_records), Thousands(in.counts.records),
                       Thousands(in.counts.skipped_total()));
    std::string reasons;
    for (size_t k = 0; k < in.counts.skipped_lines.size(); ++k) {
      if (in.counts.skipped_lines[k] == 0) continue;
      reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", SkipReasonName(static_cast<SkipReason>(k)),
                             Thousands(in.counts.skipped_lines[k]));
    }
    if (!reasons.empty()) out << " (" << reasons << ")";
    if (uint32_t langs = i18n::DetectedLanguages(in.counts.message_languages, in.counts.message_languages_shared)) {
      out << ", messages: " << i18n::LanguageList(langs);
    }
    out << "\n";
    if (std::string zone = ZoneNote(in); !zone.empty()) out << "  " << zone << "\n";
    for (const std::string& ex : in.skip_examples) out << "  skipped " << ex << "\n";
    if (!in.error.empty()) out << "  error: " << in.error << "\n";
  }
}

void WriteAnalyzeTable(const AnalyzeResult& r, const TableOptions& o, std::ostream& out) {
  const WorkloadSummary& s = r.workload.summary;
  WriteInputSummary(r, out);
  auto sorted = r.workload.Sorted(o.sort);
  out << fmt::format("\n{} queries ({} distinct), total {}, {} errors, from {} to {}\n", Thousands(s.calls),
                     Thousands(sorted.size()), FormatMs(s.total_ms()), Thousands(s.errors),
                     s.first_us == kNoTime ? "?" : FormatIsoTime(s.first_us),
                     s.last_us == kNoTime ? "?" : FormatIsoTime(s.last_us));
  if (s.pgsift_left_out > 0) {
    out << fmt::format("{} statements of pgsift itself left out ({} in all; --include-pgsift keeps them)\n",
                       Thousands(s.pgsift_left_out), FormatMs(NsToMs(s.pgsift_left_out_ns)));
  }
  if (!sorted.empty() && o.top > 0) WriteTopTable(r, sorted, o, out);
  WriteErrorsAndFindings(r, out);
}

namespace {

// The top queries table and its markers' legend.
void WriteTopTable(const AnalyzeResult& r, const std::vector<const QueryStats*>& sorted, const TableOptions& o,
                   std::ostream& out) {
  const WorkloadSummary& s = r.workload.summary;
  out << fmt::format("\nTop {} by {}:\n", std::min(o.top, sorted.size()), o.sort);
  // Sorted by errors: their column after calls (else the order is unexplained).
  bool errors_column = o.sort == "errors";
  std::string header = fmt::format("{:>3} {:>9} {}{:>9} {:>5} {:>9} {:>9} {:>9}  {:<16}  ", "#", "calls",
                                   errors_column ? fmt::format("{:>7} ", "errors") : "", "total", "%time", "mean",
                                   "p95", "max", "fingerprint");
  size_t query_width = o.width > header.size() + 20 ? o.width - header.size() : 20;
  out << header << "query\n";
  for (size_t i = 0; i < sorted.size() && i < o.top; ++i) {
    const QueryStats* q = sorted[i];
    double share = s.total_ms() > 0 ? 100.0 * q->total_ms() / s.total_ms() : 0;
    std::string fp = FingerprintHex(q->fingerprint) + Marker(*q);
    out << fmt::format("{:>3} {:>9} {}{:>9} {:>5.1f} {:>9} {:>9} {:>9}  {:<16}  {}\n", i + 1, Thousands(q->calls),
                       errors_column ? fmt::format("{:>7} ", Thousands(q->errors())) : "",
                       q->calls_with_duration ? FormatMs(q->total_ms()) : "-", share,
                       q->calls_with_duration ? FormatMs(q->mean_ms()) : "-",
                       q->calls_with_duration ? FormatMs(q->durations.Quantile(0.95)) : "-",
                       q->calls_with_duration ? FormatMs(q->max_ms) : "-", fp, OneLine(q->normalized, query_width));
  }
  size_t shown = std::min(o.top, sorted.size());
  // One legend line per marker shown, in the order of the markers.
  bool shown_marker[3] = {false, false, false};
  for (size_t i = 0; i < shown; ++i) {
    std::string m = Marker(*sorted[i]);
    shown_marker[0] |= m == "*";
    shown_marker[1] |= m == "~";
    shown_marker[2] |= m == "+";
  }
  if (shown_marker[0] || shown_marker[1] || shown_marker[2]) out << "\n";
  if (shown_marker[0]) out << "* libpg_query could not parse this statement; fingerprint is pgsift's own.\n";
  if (shown_marker[1]) {
    out << fmt::format("~ statement longer than {} MiB: fingerprinted from its first {} MiB.\n",
                       kMaxStatementBytes >> 20, kMaxStatementBytes >> 20);
  }
  if (shown_marker[2]) out << "+ overflow: statements of shapes past --max-shapes, counted together.\n";
}

void WriteErrorsAndFindings(const AnalyzeResult& r, std::ostream& out) {
  const WorkloadSummary& s = r.workload.summary;
  if (!s.errors_by_sqlstate.empty()) {
    out << "\nErrors by SQLSTATE:";
    for (const auto& [state, n] : s.errors_by_sqlstate) out << fmt::format(" {} {}", state, n);
    out << "\n";
    // "unknown": the record had no SQLSTATE. csvlog and jsonlog always carry
    // it; a stderr or syslog log only with %e in its log_line_prefix.
    if (s.errors_by_sqlstate.count("unknown")) {
      for (const InputReport& in : r.inputs) {
        if ((in.format == LogFormat::kStderr || in.format == LogFormat::kSyslog) &&
            in.prefix.find("%e") == std::string::npos) {
          out << fmt::format(
              "  unknown: {}'s log_line_prefix '{}' has no %e (the SQLSTATE); add it to see each "
              "error's code\n",
              in.name, in.prefix);
        }
      }
    }
  }
  if (!r.findings.empty()) out << "\nFindings (" << r.findings.size() << "):\n" << RenderFindingsText(r.findings);
}

}  // namespace

}  // namespace pgsift

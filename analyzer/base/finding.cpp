#include "pgsift/finding.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "pgsift/format.h"

namespace pgsift {

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "warning";
}

std::optional<Severity> ParseSeverity(std::string_view text) {
  if (text == "info") return Severity::kInfo;
  if (text == "warning" || text == "warn") return Severity::kWarning;
  if (text == "error") return Severity::kError;
  return std::nullopt;
}

std::string Finding::Key() const {
  std::string file = location.file;
  if (auto slash = file.find_last_of('/'); slash != std::string::npos) file.erase(0, slash + 1);
  std::string key = rule_id;
  key += '|';
  key += file;
  key += '|';
  if (fingerprint != 0) key += FingerprintHex(fingerprint);
  key += '|';
  key += key_extra;
  return key;
}

void SortFindings(std::vector<Finding>* findings) {
  std::stable_sort(findings->begin(), findings->end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.location.file, a.location.line, a.location.column, a.rule_id, a.key_extra, a.fingerprint,
                    a.message) < std::tie(b.location.file, b.location.line, b.location.column, b.rule_id, b.key_extra,
                                          b.fingerprint, b.message);
  });
}

std::vector<Finding> FindingList::Sorted() const {
  std::vector<Finding> out = findings_;
  SortFindings(&out);
  return out;
}

namespace {

void AppendIndented(std::string* out, std::string_view prefix, std::string_view text) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    *out += start == 0 || prefix == "  | " ? std::string(prefix) : std::string(prefix.size(), ' ');
    *out += line;
    *out += '\n';
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

}  // namespace

std::string TerminalSafe(std::string_view s, bool keep_newlines) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    // C1 controls (U+0080-U+009F, UTF-8 C2 80-C2 9F: CSI among them) too.
    bool c1 = c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
              static_cast<unsigned char>(s[i + 1]) <= 0x9F;
    if ((c == '\n' || c == '\t') && keep_newlines) {
      out += static_cast<char>(c);
    } else if (c == '\r' && keep_newlines && i + 1 < s.size() && s[i + 1] == '\n') {
      // a CRLF line end (a file written on Windows): the line end only
    } else if (c < 0x20 || c == 0x7F || c1) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", c1 ? static_cast<unsigned char>(s[++i]) : c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string RenderFindingsText(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    // Text from logs and migrations (quoted identifiers, tag values) may
    // hold ESC, BEL or newlines: shown escaped, never as terminal controls
    // or as a line of their own.
    if (!f.location.file.empty()) {
      out += TerminalSafe(f.location.file, false);
      if (f.location.line) out += ":" + std::to_string(f.location.line);
      if (f.location.column) out += ":" + std::to_string(f.location.column);
      out += ": ";
    }
    out += SeverityName(f.severity);
    out += "[" + f.rule_id + "] " + TerminalSafe(f.message, false) + "\n";
    if (f.fingerprint != 0) out += "  query: " + FingerprintHex(f.fingerprint) + "\n";
    if (!f.snippet.empty()) AppendIndented(&out, "  | ", TerminalSafe(f.snippet, true));
    for (const auto& [k, v] : f.facts) out += "  " + TerminalSafe(k, false) + ": " + TerminalSafe(v, false) + "\n";
    if (!f.help.empty()) AppendIndented(&out, "  help: ", TerminalSafe(f.help, true));
    if (!f.fix.empty()) AppendIndented(&out, "  fix: ", TerminalSafe(f.fix, true));
  }
  return out;
}

}  // namespace pgsift

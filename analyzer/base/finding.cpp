#include "pgsift/finding.h"

#include <algorithm>
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

std::string RenderFindingsText(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    if (!f.location.file.empty()) {
      out += f.location.file;
      if (f.location.line) out += ":" + std::to_string(f.location.line);
      if (f.location.column) out += ":" + std::to_string(f.location.column);
      out += ": ";
    }
    out += SeverityName(f.severity);
    out += "[" + f.rule_id + "] " + f.message + "\n";
    if (f.fingerprint != 0) out += "  query: " + FingerprintHex(f.fingerprint) + "\n";
    if (!f.snippet.empty()) AppendIndented(&out, "  | ", f.snippet);
    for (const auto& [k, v] : f.facts) out += "  " + k + ": " + v + "\n";
    if (!f.help.empty()) AppendIndented(&out, "  help: ", f.help);
    if (!f.fix.empty()) AppendIndented(&out, "  fix: ", f.fix);
  }
  return out;
}

}  // namespace pgsift

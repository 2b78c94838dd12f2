// Terminal text and JSON for `pgsift lint`.
#include <map>

#include "pgsift/findings_json.h"
#include "pgsift/lint_report.h"

namespace pgsift {

std::string LintText(const LintReport& report) {
  std::string out = RenderFindingsText(report.findings);
  for (const LintDiagnostic& e : report.errors) {
    out += e.location.file;
    if (e.location.line) out += ":" + std::to_string(e.location.line);
    if (e.location.column) out += ":" + std::to_string(e.location.column);
    out += ": " + e.message + "\n";
  }
  std::map<Severity, size_t> count;
  for (const Finding& f : report.findings) ++count[f.severity];
  out += std::to_string(report.findings.size()) + (report.findings.size() == 1 ? " finding" : " findings") + " (" +
         std::to_string(count[Severity::kError]) + " errors, " + std::to_string(count[Severity::kWarning]) +
         " warnings, " + std::to_string(count[Severity::kInfo]) + " info) in " + std::to_string(report.files.size()) +
         (report.files.size() == 1 ? " file" : " files");
  if (!report.errors.empty()) out += "; " + std::to_string(report.errors.size()) + " could not be checked";
  out += "\n";
  return out;
}

// The bytes of dump(2) of {schema, pg_version, files, findings, errors},
// written a finding at a time: the whole tree of a large run (7,000
// findings with their statements on fixtures/corpus) took half of lint's
// time to build, print and free.
std::string LintJson(const LintReport& report) {
  using Json = nlohmann::ordered_json;
  // j.dump(2) as it prints at `depth` levels of nesting.
  const auto dump = [](const Json& j, size_t depth, std::string* out) {
    std::string text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    size_t start = 0;  // strings escape their newlines: every '\n' is the layout's
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
      out->append(text, start, nl + 1 - start);
      out->append(2 * depth, ' ');
    }
    out->append(text, start, std::string::npos);
  };
  Json errors = Json::array();
  for (const LintDiagnostic& e : report.errors) {
    errors.push_back(
        {{"file", e.location.file}, {"line", e.location.line}, {"column", e.location.column}, {"message", e.message}});
  }
  std::string out = "{\n  \"schema\": \"pgsift.lint.v1\",\n  \"pg_version\": ";
  dump(Json(report.pg_version), 1, &out);
  out += ",\n  \"files\": ";
  dump(Json(report.files), 1, &out);
  out += ",\n  \"findings\": ";
  if (report.findings.empty()) {
    out += "[]";
  } else {
    out += "[";
    for (size_t i = 0; i < report.findings.size(); ++i) {
      out += i == 0 ? "\n    " : ",\n    ";
      dump(FindingToJson(report.findings[i]), 2, &out);
    }
    out += "\n  ]";
  }
  out += ",\n  \"errors\": ";
  dump(errors, 1, &out);
  out += "\n}\n";
  return out;
}

}  // namespace pgsift

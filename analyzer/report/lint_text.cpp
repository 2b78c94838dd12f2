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

std::string LintJson(const LintReport& report) {
  using Json = nlohmann::ordered_json;
  Json errors = Json::array();
  for (const LintDiagnostic& e : report.errors) {
    errors.push_back(
        {{"file", e.location.file}, {"line", e.location.line}, {"column", e.location.column}, {"message", e.message}});
  }
  Json out = {{"schema", "pgsift.lint.v1"},
              {"pg_version", report.pg_version},
              {"files", report.files},
              {"findings", FindingsToJson(report.findings)},
              {"errors", errors}};
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace pgsift

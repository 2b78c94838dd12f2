// JUnit XML for `pgsift lint`: one test suite per file, one failing test
// case per finding (any severity: CI viewers show them all), one passing
// case for a clean file, an <error> case for a file that could not be
// checked.
#include <map>

#include "pgsift/lint_report.h"
#include "report_text.h"

namespace pgsift {

namespace {

std::string Xml(const std::string& s) { return report_text::MarkupEscape(s); }

}  // namespace

std::string LintJunit(const LintReport& report) {
  std::map<std::string, std::vector<const Finding*>> by_file;
  std::map<std::string, std::vector<const LintDiagnostic*>> errors_by_file;
  for (const std::string& f : report.files) by_file[f];
  for (const Finding& f : report.findings) by_file[f.location.file].push_back(&f);
  for (const LintDiagnostic& e : report.errors) {
    by_file[e.location.file];
    errors_by_file[e.location.file].push_back(&e);
  }
  size_t tests = 0, failures = 0, errors = 0;
  std::string suites;
  for (const auto& [file, findings] : by_file) {
    const auto& errs = errors_by_file[file];
    size_t n = std::max<size_t>(1, findings.size() + errs.size());
    tests += n;
    failures += findings.size();
    errors += errs.size();
    suites += "  <testsuite name=\"" + Xml(file) + "\" tests=\"" + std::to_string(n) + "\" failures=\"" +
              std::to_string(findings.size()) + "\" errors=\"" + std::to_string(errs.size()) + "\">\n";
    if (!report.properties.empty()) {
      suites += "    <properties>\n";
      for (const auto& [name, value] : report.properties) {
        suites += "      <property name=\"" + Xml(name) + "\" value=\"" + Xml(value) + "\"/>\n";
      }
      suites += "    </properties>\n";
    }
    if (findings.empty() && errs.empty()) {
      suites += "    <testcase name=\"" + Xml(file) + "\" classname=\"pgsift.lint\"/>\n";
    }
    for (const Finding* f : findings) {
      std::string where = file + ":" + std::to_string(f->location.line) + ":" + std::to_string(f->location.column);
      suites += "    <testcase name=\"" + Xml(f->rule_id + " at " + where) + "\" classname=\"pgsift.lint." +
                Xml(f->rule_id) + "\">\n";
      suites += "      <failure type=\"" + Xml(std::string(SeverityName(f->severity))) + "\" message=\"" +
                Xml(f->message) + "\">" + Xml(RenderFindingsText({*f})) + "</failure>\n";
      suites += "    </testcase>\n";
    }
    for (const LintDiagnostic* e : errs) {
      suites += "    <testcase name=\"" + Xml(file + ":" + std::to_string(e->location.line)) +
                "\" classname=\"pgsift.lint\">\n      <error message=\"" + Xml(e->message) + "\"/>\n    </testcase>\n";
    }
    suites += "  </testsuite>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"pgsift lint\" tests=\"" +
         std::to_string(tests) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
         "\">\n" + suites + "</testsuites>\n";
}

}  // namespace pgsift

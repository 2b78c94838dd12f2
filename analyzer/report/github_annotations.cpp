// GitHub Actions workflow commands (::error file=...,line=...::message):
// the findings show up as annotations on the pull request's diff.
#include "pgsift/lint_report.h"

namespace pgsift {

namespace {

std::string EscapeData(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeProperty(const std::string& s) {
  std::string out;
  for (char c : EscapeData(s)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Command(Severity s) {
  return s == Severity::kError ? "error" : s == Severity::kWarning ? "warning" : "notice";
}

}  // namespace

std::string LintGithub(const LintReport& report) {
  std::string out;
  for (const Finding& f : report.findings) {
    out += "::" + Command(f.severity) + " file=" + EscapeProperty(f.location.file);
    if (f.location.line) out += ",line=" + std::to_string(f.location.line);
    if (f.location.column) out += ",col=" + std::to_string(f.location.column);
    if (f.location.end_line) out += ",endLine=" + std::to_string(f.location.end_line);
    out += ",title=" + EscapeProperty(f.rule_id);
    std::string text = f.message;
    if (!f.help.empty()) text += "\n" + f.help;
    out += "::" + EscapeData(text) + "\n";
  }
  for (const LintDiagnostic& e : report.errors) {
    out += "::error file=" + EscapeProperty(e.location.file);
    if (e.location.line) out += ",line=" + std::to_string(e.location.line);
    out += ",title=pgsift lint::" + EscapeData(e.message) + "\n";
  }
  return out;
}

}  // namespace pgsift

// SARIF 2.1.0 for `pgsift lint`: one run, the rules that ran as
// tool.driver.rules with help text, one result per finding with a stable
// partialFingerprint (Finding::Key, no line numbers).
#include <nlohmann/json.hpp>

#include "pgsift/lint_report.h"
#include "pgsift/lock_timeline.h"

namespace pgsift {

namespace {

using Json = nlohmann::ordered_json;

std::string Level(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "note";
  }
  return "warning";
}

// A relative URI reference for a path as the user gave it.
std::string PathUri(const std::string& path) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out = path.size() > 0 && path[0] == '/' ? "file://" : "";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Hash(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

std::string LintSarif(const LintReport& report) {
  Json rules = Json::array();
  std::map<std::string, size_t> index;
  for (const RuleInfo& r : report.rules) {
    index[r.id] = rules.size();
    Json rule = {
        {"id", r.id},
        {"shortDescription", {{"text", r.summary}}},
        {"fullDescription", {{"text", r.summary}}},
        {"help", {{"text", r.summary + ". Details: " + r.doc}, {"markdown", r.summary + ". See `" + r.doc + "`."}}},
        {"defaultConfiguration", {{"level", Level(r.severity)}}}};
    if (!r.aliases.empty()) rule["properties"] = {{"aliases", r.aliases}};
    rules.push_back(std::move(rule));
  }
  Json results = Json::array();
  for (const Finding& f : report.findings) {
    std::string text = f.message;
    std::string timeline;  // at the statement that takes its transaction's strongest lock
    for (const auto& [key, value] : f.facts) {
      if (key == kLockTimelineFact) timeline = value;
    }
    if (!timeline.empty()) text += "\nlock timeline: " + timeline;
    if (!f.help.empty()) text += "\n" + f.help;
    Json region = Json::object();
    if (f.location.line) region["startLine"] = f.location.line;
    if (f.location.column) region["startColumn"] = f.location.column;
    if (f.location.end_line) region["endLine"] = f.location.end_line;
    if (f.location.end_column) region["endColumn"] = f.location.end_column;
    if (!f.snippet.empty()) region["snippet"] = {{"text", f.snippet}};
    Json physical = {{"artifactLocation", {{"uri", PathUri(f.location.file)}}}};
    if (!region.empty()) physical["region"] = region;
    Json result = {{"ruleId", f.rule_id}};
    if (auto it = index.find(f.rule_id); it != index.end()) result["ruleIndex"] = it->second;
    result["level"] = Level(f.severity);
    result["message"] = {{"text", text}};
    result["locations"] = Json::array({{{"physicalLocation", physical}}});
    result["partialFingerprints"] = {{"pgsiftKey/v1", Hash(f.Key())}};
    if (!timeline.empty()) result["properties"] = {{"lockTimeline", timeline}};
    results.push_back(std::move(result));
  }
  Json notifications = Json::array();
  for (const LintDiagnostic& e : report.errors) {
    Json region = Json::object();
    if (e.location.line) region["startLine"] = e.location.line;
    if (e.location.column) region["startColumn"] = e.location.column;
    Json physical = {{"artifactLocation", {{"uri", PathUri(e.location.file)}}}};
    if (!region.empty()) physical["region"] = region;
    notifications.push_back({{"level", "error"},
                             {"message", {{"text", e.message}}},
                             {"locations", Json::array({{{"physicalLocation", physical}}})}});
  }
  Json invocation = {{"executionSuccessful", report.errors.empty()}};
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = notifications;
  Json run = {{"tool", {{"driver", {{"name", "pgsift"}, {"version", "0.1.0"}, {"rules", rules}}}}},
              {"invocations", Json::array({invocation})},
              {"columnKind", "unicodeCodePoints"},
              {"results", results}};
  if (!report.properties.empty()) run["properties"] = report.properties;
  Json out = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}, {"runs", Json::array({run})}};
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace pgsift

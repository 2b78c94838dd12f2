// Renders `pgsift check` results: terminal text, Markdown, JSON.
#include "pgsift/check_report.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "check_trace_report.h"
#include "pgsift/format.h"

namespace pgsift {
namespace {

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string Ratio(double old_v, double new_v) { return old_v > 0 ? " (x" + Fixed(new_v / old_v, 2) + ")" : ""; }

int Count(const CheckReport& r, const char* status) {
  int n = 0;
  for (const QueryComparison& q : r.queries) n += q.status == status;
  return n;
}

std::string Files(size_t n) { return std::to_string(n) + " migration file" + (n == 1 ? "" : "s"); }

std::string Summary(const CheckReport& r) {
  if (!r.failed_migration.empty()) {
    // Nothing was compared: say what happened to the migrations instead.
    return "guarded queries not compared: migration " + r.failed_migration + " failed" +
           (r.failed_rolled_back ? " and was rolled back" : " (statements before the failure stay applied)") + "; " +
           Files(r.migrations.size()) + " applied before it";
  }
  std::string s =
      std::to_string(r.queries.size()) + " guarded queries: " + std::to_string(Count(r, "regressed")) + " regressed, " +
      std::to_string(Count(r, "broken")) + " broken, " + std::to_string(Count(r, "changed")) + " changed, " +
      (Count(r, "improved") ? std::to_string(Count(r, "improved")) + " improved, " : std::string()) +
      std::to_string(Count(r, "unchanged")) + " unchanged" +
      (Count(r, "refused") ? ", " + std::to_string(Count(r, "refused")) + " refused (not sent to the server)"
                           : std::string()) +
      "; " + Files(r.migrations.size()) + " applied";
  return s;
}

std::string Fidelity(const CheckReport& r) {
  std::string s = "statistics: " + r.statistics;
  if (r.baseline_server && r.scratch_server && r.baseline_server != r.scratch_server) {
    s += "; baseline from PostgreSQL " + std::to_string(r.baseline_server) + ", scratch is " +
         std::to_string(r.scratch_server);
  }
  if (r.relations_compared > 0) {
    if (r.rows_diff.empty()) {
      s +=
          "; row estimates of all " + std::to_string(r.relations_compared) + " planned tables within 10% of the source";
    } else {
      s += "; row estimates differ from the source (plans may too):";
      for (const auto& [name, v] : r.rows_diff) {
        s += " " + name + " " + std::to_string(v.first) + " -> " + std::to_string(v.second);
      }
    }
  }
  if (!r.settings_diff.empty()) {
    s += "; planner settings differ from the baseline:";
    for (const auto& [name, v] : r.settings_diff) s += " " + name + " " + v.first + " -> " + v.second;
  }
  for (const std::string& note : r.values_notes) s += "; bind values: " + note;
  return s;
}

std::string Indent(const std::string& text, const std::string& pad) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

const char* Mark(const std::string& status) {
  if (status == "regressed" || status == "broken") return "FAIL";
  if (status == "changed") return "diff";
  if (status == "improved") return "ok+ ";
  if (status == "refused") return "skip";
  return "ok  ";
}

}  // namespace

std::string CheckText(const CheckReport& r) {
  std::string out = "pgsift check: " + Summary(r) + "\n  " + Fidelity(r) + "\n";
  for (const LintDiagnostic& e : r.errors) {
    out += "error: " + e.location.file + (e.location.line ? ":" + std::to_string(e.location.line) : "") + ": " +
           e.message + "\n";
  }
  for (const QueryComparison& q : r.queries) {
    out += "\n" + std::string(Mark(q.status)) + " " + q.name + "  " + q.status;
    if (q.status != "broken" && q.status != "refused")
      out += "  cost " + Fixed(q.old_cost, 2) + " -> " + Fixed(q.new_cost, 2) + Ratio(q.old_cost, q.new_cost);
    if (q.old_ms >= 0 && q.new_ms >= 0) out += ", median " + FormatMs(q.old_ms) + " -> " + FormatMs(q.new_ms);
    if (!q.values.empty()) out += "  [" + q.values + "]";
    out += "\n     " + Indent(q.display, "     ") + "\n";
    if (!q.error.empty())
      out += std::string("     ") + (q.status == "refused" ? "" : "no longer plans: ") + q.error + "\n";
    for (const std::string& c : q.shape_changes) out += "     * " + c + "\n";
    if (q.status != "unchanged") {
      out += "     before:\n";
      for (const std::string& l : q.old_tree) out += "       " + l + "\n";
      if (!q.new_tree.empty()) {
        out += "     after:\n";
        for (const std::string& l : q.new_tree) out += "       " + l + "\n";
      }
    }
  }
  out += check_trace_report::Text(r);
  if (!r.findings.empty()) out += "\n" + RenderFindingsText(r.findings);
  return out;
}

std::string CheckMarkdown(const CheckReport& r) {
  bool failed = Count(r, "regressed") || Count(r, "broken");
  std::string out = std::string("## pgsift check: ") +
                    (!r.errors.empty() ? "migrations failed"
                     : failed          ? "plan regressions found"
                                       : "no plan regressions") +
                    "\n\n" + Summary(r) + ".  \n_" + Fidelity(r) + "_\n\n";
  for (const LintDiagnostic& e : r.errors) {
    out += "> **Error** `" + e.location.file + (e.location.line ? ":" + std::to_string(e.location.line) : "") +
           "`: " + e.message + "\n\n";
  }
  if (!r.queries.empty()) {
    out += "| | query | status | cost before | cost after |\n|---|---|---|---:|---:|\n";
    for (const QueryComparison& q : r.queries) {
      const char* icon = q.status == "unchanged" || q.status == "improved" ? "✅"
                         : q.status == "changed"                           ? "⚠️"
                                                                           : "❌";
      out += std::string("| ") + icon + " | `" + q.name + "` | " + q.status + " | " + Fixed(q.old_cost, 2) + " | " +
             (q.status == "broken" || q.status == "refused" ? "—" : Fixed(q.new_cost, 2)) + " |\n";
    }
    out += "\n";
  }
  for (const QueryComparison& q : r.queries) {
    if (q.status == "unchanged") continue;
    out += "<details><summary><b>" + q.name + "</b>: " + q.status + "</summary>\n\n```sql\n" + q.display + "\n```\n\n";
    if (!q.error.empty()) out += (q.status == "refused" ? "Refused: `" : "No longer plans: `") + q.error + "`\n\n";
    for (const std::string& c : q.shape_changes) out += "- " + c + "\n";
    out += "\n```diff\n";
    for (const std::string& l : q.old_tree) out += "- " + l + "\n";
    for (const std::string& l : q.new_tree) out += "+ " + l + "\n";
    out += "```\n\n</details>\n\n";
  }
  out += check_trace_report::Markdown(r);
  if (!r.findings.empty()) {
    out += "### Findings\n\n";
    for (const Finding& f : r.findings) {
      out += "- **" + std::string(SeverityName(f.severity)) + "** `" + f.rule_id + "`";
      if (!f.location.file.empty() && f.location.line) {
        out += " `" + f.location.file + ":" + std::to_string(f.location.line) + "`";
      }
      out += ": " + f.message + "\n";
    }
  }
  return out;
}

std::string CheckJson(const CheckReport& r) {
  using Json = nlohmann::ordered_json;
  Json doc;
  doc["format"] = "pgsift.check.v1";
  doc["baseline"] = r.baseline_path;
  doc["migrations"] = r.migrations;
  if (!r.failed_migration.empty()) {
    doc["failed_migration"] = {{"file", r.failed_migration}, {"rolled_back", r.failed_rolled_back}};
  }
  doc["statistics"] = r.statistics;
  doc["values_notes"] = r.values_notes;
  doc["analyze"] = r.analyze;
  Json settings = Json::object();
  for (const auto& [name, v] : r.settings_diff) settings[name] = {{"baseline", v.first}, {"scratch", v.second}};
  doc["settings_diff"] = settings;
  Json rows = Json::object();
  for (const auto& [name, v] : r.rows_diff) rows[name] = {{"baseline", v.first}, {"scratch", v.second}};
  doc["relations_compared"] = r.relations_compared;
  doc["rows_diff"] = rows;
  Json errors = Json::array();
  for (const LintDiagnostic& e : r.errors) {
    errors.push_back({{"file", e.location.file}, {"line", e.location.line}, {"message", e.message}});
  }
  doc["errors"] = errors;
  doc["refused"] = Count(r, "refused");
  Json queries = Json::array();
  for (const QueryComparison& q : r.queries) {
    Json j;
    j["name"] = q.name;
    j["query"] = q.display;
    j["status"] = q.status;
    j["cost_before"] = q.old_cost;
    j["cost_after"] = q.new_cost;
    if (q.old_ms >= 0) j["median_ms_before"] = q.old_ms;
    if (q.new_ms >= 0) j["median_ms_after"] = q.new_ms;
    if (q.old_blocks >= 0) j["shared_blocks_before"] = q.old_blocks;
    if (q.new_blocks >= 0) j["shared_blocks_after"] = q.new_blocks;
    j["changes"] = q.shape_changes;
    j["lost_indexes"] = q.lost_indexes;
    if (!q.error.empty()) j["error"] = q.error;
    if (!q.values.empty()) j["values"] = q.values;
    j["plan_before"] = q.old_tree;
    j["plan_after"] = q.new_tree;
    queries.push_back(std::move(j));
  }
  doc["queries"] = queries;
  Json findings = Json::array();
  for (const Finding& f : r.findings) {
    Json j;
    j["rule"] = f.rule_id;
    j["severity"] = SeverityName(f.severity);
    j["message"] = f.message;
    j["help"] = f.help;
    j["file"] = f.location.file;
    j["line"] = f.location.line;
    j["key"] = f.Key();
    findings.push_back(std::move(j));
  }
  doc["findings"] = findings;
  doc["trace"] = check_trace_report::Json(r);
  return doc.dump(2) + "\n";
}

LintReport ToLintReport(const CheckReport& r) {
  LintReport out;
  out.files = r.migrations;
  out.files.push_back(r.baseline_path);
  out.findings = r.findings;
  out.errors = r.errors;
  out.rules = r.rules;
  out.properties["statistics"] = r.statistics;
  return out;
}

}  // namespace pgsift

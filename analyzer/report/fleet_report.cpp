// Fleet: partial reports of many databases (made anywhere, in any order)
// merged into one view. The result does not depend on the input order.
#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pgsift/report.h"
#include "report_text.h"

namespace pgsift {
namespace {

using report_text::OneLine;
using report_text::Percent;

std::string MdCode(const std::string& q) { return report_text::MarkdownCode(OneLine(q, 100)); }

double Round3(double v) { return std::round(v * 1000) / 1000; }

}  // namespace

FleetReport BuildFleetReport(const std::vector<Report>& reports, size_t top) {
  FleetReport f;
  // Order-independent: sort inputs by (database, window, to) first.
  std::vector<const Report*> sorted;
  for (const Report& r : reports) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](const Report* a, const Report* b) {
    return std::tie(a->database, a->to_at, a->window.calls) < std::tie(b->database, b->to_at, b->window.calls);
  });
  std::map<std::string, int> seen;
  std::map<uint64_t, FleetQuery> queries;
  for (const Report* r : sorted) {
    FleetDatabase d;
    int n = ++seen[r->database];
    d.label = n == 1 ? r->database : r->database + " #" + std::to_string(n);
    d.server_version = r->server_version.substr(0, r->server_version.find(" ("));
    d.window = r->window;
    d.regressions = r->regressions.size();
    d.new_queries = r->new_queries.size();
    d.reset = r->reset;
    if (!r->top.empty()) d.top_query = r->top.front().query;
    f.window.calls += r->window.calls;
    f.window.exec_ms += r->window.exec_ms;
    f.window.rows += r->window.rows;
    for (const ReportQuery& q : r->all) {
      FleetQuery& fq = queries[q.fingerprint];
      fq.fingerprint = q.fingerprint;
      if (fq.query.empty() || q.query < fq.query) fq.query = q.query;
      fq.calls += q.calls;
      fq.total_ms += q.total_ms;
      ++fq.databases;
    }
    for (const ReportQuery& q : r->regressions) {
      FleetQuery& fq = queries[q.fingerprint];
      ++fq.regressed_in;
      fq.where.push_back(d.label);
    }
    f.databases.push_back(std::move(d));
  }
  std::sort(f.databases.begin(), f.databases.end(), [](const FleetDatabase& a, const FleetDatabase& b) {
    if (a.window.exec_ms != b.window.exec_ms) return a.window.exec_ms > b.window.exec_ms;
    return a.label < b.label;
  });
  for (auto& [fp, q] : queries) {
    std::sort(q.where.begin(), q.where.end());
    f.top.push_back(q);
    if (q.regressed_in > 0) f.regressions.push_back(q);
  }
  auto by_total = [](const FleetQuery& a, const FleetQuery& b) {
    if (a.total_ms != b.total_ms) return a.total_ms > b.total_ms;
    return a.fingerprint < b.fingerprint;
  };
  std::sort(f.top.begin(), f.top.end(), by_total);
  if (f.top.size() > top) f.top.resize(top);
  std::sort(f.regressions.begin(), f.regressions.end(), [&](const FleetQuery& a, const FleetQuery& b) {
    if (a.regressed_in != b.regressed_in) return a.regressed_in > b.regressed_in;
    return by_total(a, b);
  });
  return f;
}

std::string RenderFleetMarkdown(const FleetReport& f) {
  std::ostringstream out;
  out << "# pgsift fleet report: " << f.databases.size() << " databases\n\n";
  out << "Total execution time " << FormatMs(f.window.exec_ms) << ", " << f.window.calls << " calls.\n\n";
  out << "## Databases\n\n| Database | PostgreSQL | Calls | Total | Cache hit | Regressions | New | Costliest "
         "query |\n|---|---|--:|--:|--:|--:|--:|---|\n";
  for (const FleetDatabase& d : f.databases) {
    out << "| " << d.label << (d.reset ? " (reset)" : "") << " | " << d.server_version << " | " << d.window.calls
        << " | " << FormatMs(d.window.exec_ms) << " | " << Percent(d.window.hit_ratio) << " | " << d.regressions
        << " | " << d.new_queries << " | " << (d.top_query.empty() ? "-" : MdCode(d.top_query)) << " |\n";
  }
  out << "\n## Top queries across the fleet\n\n| # | Query | Databases | Calls | Total | Mean "
         "|\n|--:|---|--:|--:|--:|--:|\n";
  int n = 0;
  for (const FleetQuery& q : f.top) {
    out << "| " << ++n << " | " << MdCode(q.query) << " | " << q.databases << " | " << q.calls << " | "
        << FormatMs(q.total_ms) << " | " << FormatMs(q.calls ? q.total_ms / static_cast<double>(q.calls) : 0) << " |\n";
  }
  out << "\n## Regressions across the fleet\n\n";
  if (f.regressions.empty()) {
    out << "None.\n";
  } else {
    out << "| Query | Regressed in | Where |\n|---|--:|---|\n";
    for (const FleetQuery& q : f.regressions) {
      std::string where;
      for (const std::string& w : q.where) where += (where.empty() ? "" : ", ") + w;
      out << "| " << MdCode(q.query) << " | " << q.regressed_in << " of " << q.databases << " | " << where << " |\n";
    }
  }
  return out.str();
}

std::string RenderFleetJson(const FleetReport& f) {
  nlohmann::ordered_json j;
  j["schema"] = "pgsift.fleet.v1";
  j["window"] = {{"calls", f.window.calls}, {"exec_ms", Round3(f.window.exec_ms)}, {"rows", f.window.rows}};
  nlohmann::ordered_json dbs = nlohmann::ordered_json::array();
  for (const FleetDatabase& d : f.databases) {
    nlohmann::ordered_json jd;
    jd["database"] = d.label;
    jd["server_version"] = d.server_version;
    jd["calls"] = d.window.calls;
    jd["exec_ms"] = Round3(d.window.exec_ms);
    if (d.window.hit_ratio >= 0) jd["cache_hit_ratio"] = Round3(d.window.hit_ratio);
    jd["regressions"] = d.regressions;
    jd["new_queries"] = d.new_queries;
    jd["reset"] = d.reset;
    jd["top_query"] = d.top_query;
    dbs.push_back(std::move(jd));
  }
  j["databases"] = dbs;
  auto queries = [](const std::vector<FleetQuery>& rows) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const FleetQuery& q : rows) {
      out.push_back({{"fingerprint", FingerprintHex(q.fingerprint)},
                     {"query", q.query},
                     {"databases", q.databases},
                     {"calls", q.calls},
                     {"total_ms", Round3(q.total_ms)},
                     {"regressed_in", q.regressed_in},
                     {"regressed_where", q.where}});
    }
    return out;
  };
  j["top_queries"] = queries(f.top);
  j["regressions"] = queries(f.regressions);
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace pgsift

// The index advisor's data (index_model.h): the evidence plans give, and a
// candidate's key and CREATE INDEX statement.
#include "pgsift/index_model.h"

#include <algorithm>
#include <cctype>

namespace pgsift {
namespace {

std::string Quote(const std::string& name) {
  bool plain = !name.empty() && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      plain = false;
    }
  }
  if (plain) return name;
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

bool IsExpression(const std::string& column) { return column.find('(') != std::string::npos; }

std::string KeyText(const std::string& column) { return IsExpression(column) ? "(" + column + ")" : Quote(column); }

}  // namespace

double TableScanEvidence::RemovedFraction() const {
  double read = rows_removed + rows_returned;
  return analyzed > 0 && read > 0 ? rows_removed / read : -1;
}

double TableScanEvidence::TimeShare() const {
  return analyzed > 0 && plan_ms > 0 ? std::min(1.0, scan_ms / plan_ms) : -1;
}

void TableScanEvidence::Merge(const TableScanEvidence& o) {
  if (relation.empty()) relation = o.relation;
  plans += o.plans;
  seq_scans += o.seq_scans;
  index_scans += o.index_scans;
  for (const std::string& i : o.indexes_used) {
    auto it = std::lower_bound(indexes_used.begin(), indexes_used.end(), i);
    if (it == indexes_used.end() || *it != i) indexes_used.insert(it, i);
  }
  analyzed += o.analyzed;
  rows_removed += o.rows_removed;
  rows_returned += o.rows_returned;
  loops += o.loops;
  scan_ms += o.scan_ms;
  plan_ms += o.plan_ms;
}

std::string KeyColumn(const IndexCandidate& c, size_t i, bool quote) {
  std::string col = quote ? KeyText(c.columns[i]) : c.columns[i];
  if (i < c.opclasses.size() && !c.opclasses[i].empty()) col += " " + c.opclasses[i];
  return col;
}

std::string IndexCandidate::Statement() const {
  std::string name = table;
  for (const std::string& c : columns) {
    name += "_";
    for (char ch : c) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  }
  while (name.find("__") != std::string::npos) name.replace(name.find("__"), 2, "_");
  if (!name.empty() && name.back() == '_') name.pop_back();
  name += "_idx";
  if (name.size() > 63) name.resize(63);
  std::string cols;
  for (size_t i = 0; i < columns.size(); ++i) cols += (cols.empty() ? "" : ", ") + KeyColumn(*this, i, true);
  return "CREATE INDEX CONCURRENTLY " + Quote(name) + " ON " + Quote(schema) + "." + Quote(table) + " (" + cols + ");";
}

std::string IndexCandidate::Key() const {
  std::string cols;
  for (size_t i = 0; i < columns.size(); ++i) cols += (cols.empty() ? "" : ",") + KeyColumn(*this, i, false);
  return schema + "." + table + "(" + cols + ")";
}

bool IndexCandidate::LikePrefix() const { return std::find(kinds.begin(), kinds.end(), "like-prefix") != kinds.end(); }

bool IndexCandidate::PlanCounterEvidence(double threshold) const {
  return (plan_removed >= 0 && plan_removed < threshold) || (plan_removed < 0 && plan_index_only);
}

}  // namespace pgsift

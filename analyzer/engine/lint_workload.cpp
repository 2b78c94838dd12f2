// Reads a pgsift analyze JSON for the workload-aware migration rules: the
// queries with their rates, and which tables each reads or writes (from the
// normalized text's parse tree; the texts hold $n, never a literal).
#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "pgsift/analyze.h"
#include "pgsift/event.h"
#include "pgsift/fingerprint.h"
#include "pgsift/migration.h"
#include "pgsift/pgss.h"
#include "pgsift/parse_tree.h"

namespace pgsift {

namespace {

using Json = nlohmann::json;

constexpr int kMaxDepth = 1000;  // parse trees nest far less; bounds the walk

// The names of a WITH clause's queries ({"ctes": [{"CommonTableExpr": ...}]}).
std::vector<std::string> CteNames(const Json& with) {
  std::vector<std::string> out;
  for (const Json& c : with.value("ctes", Json::array())) {
    if (c.contains("CommonTableExpr")) out.push_back(c["CommonTableExpr"].value("ctename", ""));
  }
  return out;
}

// Relations a statement reads or writes, as RelationKey. An unqualified name
// that a WITH clause in scope defines is that query, not a table (`ctes`);
// a non-recursive WITH query sees only the ones before it, a recursive one
// all of them. A DML target (`relation`) is always a table.
void CollectTables(const Json& node, const std::set<std::string>& ctes, std::set<std::string>* out, int depth) {
  if (depth > kMaxDepth) return;
  if (node.is_array()) {
    for (const Json& n : node) CollectTables(n, ctes, out, depth + 1);
    return;
  }
  if (!node.is_object()) return;
  std::set<std::string> scope = ctes;
  if (node.contains("withClause") && node["withClause"].is_object()) {
    const Json& with = node["withClause"];
    std::vector<std::string> names = CteNames(with);
    bool recursive = with.value("recursive", false);
    std::set<std::string> seen = ctes;
    if (recursive) seen.insert(names.begin(), names.end());
    size_t i = 0;
    for (const Json& c : with.value("ctes", Json::array())) {
      CollectTables(c, seen, out, depth + 1);
      if (i < names.size()) seen.insert(names[i++]);
    }
    scope.insert(names.begin(), names.end());
  }
  for (const auto& [key, value] : node.items()) {
    if (key == "withClause") continue;
    if (key == "RangeVar" && value.is_object() && value.contains("relname")) {
      std::string schema = value.value("schemaname", "");
      std::string name = value["relname"].get<std::string>();
      if (!schema.empty() || !scope.count(name)) out->insert(RelationKey(schema, name));
    }
    if ((key == "relation" || key == "pktable") && value.is_object() && value.contains("relname")) {
      out->insert(RelationKey(value.value("schemaname", ""), value["relname"].get<std::string>()));
    }
    CollectTables(value, scope, out, depth + 1);
  }
}

// The tables a statement inserts into or updates, with the columns it sets
// ("*" for a new row), anywhere in it (a data-modifying WITH query too).
void CollectSetColumns(const Json& node, std::map<std::string, std::set<std::string>>* out, int depth) {
  if (depth > kMaxDepth) return;
  if (node.is_array()) {
    for (const Json& n : node) CollectSetColumns(n, out, depth + 1);
    return;
  }
  if (!node.is_object()) return;
  for (const auto& [key, value] : node.items()) {
    if ((key == "InsertStmt" || key == "UpdateStmt" || key == "MergeStmt") && value.is_object()) {
      const Json& rel = value.value("relation", Json::object());
      if (rel.contains("relname")) {
        std::set<std::string>& cols = (*out)[RelationKey(rel.value("schemaname", ""), rel["relname"].get<std::string>())];
        if (key != "UpdateStmt") {
          cols.insert("*");
        } else {
          for (const Json& t : value.value("targetList", Json::array())) {
            if (t.contains("ResTarget")) cols.insert(t["ResTarget"].value("name", ""));
          }
        }
      }
    }
    CollectSetColumns(value, out, depth + 1);
  }
}

// Column names outside the select and returning lists: WHERE, JOIN ... ON,
// ORDER BY, GROUP BY.
void CollectPredicateColumns(const Json& node, std::set<std::string>* out) {
  if (node.is_array()) {
    for (const Json& n : node) CollectPredicateColumns(n, out);
  } else if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "targetList" || key == "returningList") continue;
      if (key == "ColumnRef") {
        const Json& fields = value.value("fields", Json::array());
        if (!fields.empty() && fields.back().contains("String")) {
          out->insert(fields.back()["String"].value("sval", ""));
        }
        continue;
      }
      CollectPredicateColumns(value, out);
    }
  }
}

}  // namespace

namespace {

bool IsGzip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[2] = {0, 0};
  in.read(magic, 2);
  return in.gcount() == 2 && static_cast<unsigned char>(magic[0]) == 0x1f &&
         static_cast<unsigned char>(magic[1]) == 0x8b;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Parses the query's normalized text for the tables it touches, whether it
// writes, and its predicate columns; indexes it by table.
void AddWorkloadQuery(WorkloadQuery wq, LintWorkload* w) {
  if (w->window_seconds > 0) wq.calls_per_second = static_cast<double>(wq.calls) / w->window_seconds;
  sql::PgParseStatements parsed = sql::ParseStatements(wq.normalized);
  std::set<std::string> tables;
  if (parsed.ok) {
    for (const Json& st : parsed.statements) {
      const Json& node = st.value("stmt", Json::object());
      std::string kind = node.empty() ? "" : node.begin().key();
      if (kind == "InsertStmt" || kind == "UpdateStmt" || kind == "DeleteStmt" || kind == "MergeStmt") {
        wq.writes = true;
      }
      CollectTables(node, {}, &tables, 0);
      CollectSetColumns(node, &wq.sets_columns, 0);
      CollectPredicateColumns(node, &wq.predicate_columns);
    }
  }
  size_t index = w->queries.size();
  w->queries.push_back(std::move(wq));
  for (const std::string& t : tables) w->queries_by_table[t].push_back(index);
}

}  // namespace

void AddSnapshotTables(const Snapshot& snapshot, LintWorkload* w) {
  std::map<std::pair<std::string, std::string>, LintTableSize> by_qualified;
  for (const TableStats& t : snapshot.tables) {
    LintTableSize& size = by_qualified[{t.schema, t.name}];
    size.size_bytes = t.size_bytes;
    size.live_rows = t.n_live_tup;
  }
  for (const IndexStats& i : snapshot.indexes) {
    auto it = by_qualified.find({i.schema, i.table});
    if (it == by_qualified.end()) continue;
    it->second.index_bytes += i.size_bytes;
    ++it->second.indexes;
  }
  for (const auto& [name, size] : by_qualified) {
    LintTableSize& kept = w->tables[Lower(name.second)];
    if (size.size_bytes >= kept.size_bytes) kept = size;
  }
  w->tables_from = snapshot.database + (snapshot.captured_at.empty() ? "" : " at " + snapshot.captured_at);
}

bool AddSnapshotQueries(const Snapshot& snapshot, LintWorkload* w) {
  int64_t from = ParseLogTimestamp(snapshot.stats_reset);
  int64_t to = ParseLogTimestamp(snapshot.captured_at);
  if (from == kNoTime || to == kNoTime) return false;
  // A live snapshot's captured_at is the server's now() cut to the second, so
  // the capture lies in [to, to + 1 s): a stats_reset later in that same second
  // is a window shorter than the resolution, counted as one second.
  constexpr int64_t kSecond = 1'000'000;
  bool whole_seconds = snapshot.captured_at.find('.') == std::string::npos;
  if (to <= from && !(whole_seconds && from - to < kSecond)) return false;
  w->window_seconds = static_cast<double>(std::max(to - from, kSecond)) / 1e6;
  w->queries_from = "pg_stat_statements of " + w->tables_from + ", since its reset at " + snapshot.stats_reset;
  std::map<uint64_t, WorkloadQuery> by_fingerprint;  // entries of several users/databases: one shape
  for (const PgssEntry& e : snapshot.entries) {
    if (e.fallback || e.calls <= 0) continue;
    WorkloadQuery& q = by_fingerprint[e.fingerprint];
    q.fingerprint = e.fingerprint;
    q.normalized = e.query;
    q.calls += static_cast<uint64_t>(e.calls);
    q.total_ms += e.total_exec_time;
  }
  for (auto& [fp, q] : by_fingerprint) AddWorkloadQuery(std::move(q), w);
  return true;
}

Result<LintWorkload> LoadLintWorkload(const std::vector<std::string>& paths) {
  LintWorkload out;
  std::string analyze_from, snapshot_from;
  std::optional<Snapshot> pending_snapshot;  // its queries, unless an analyze JSON gives them
  for (const std::string& path : paths) {
    if (IsGzip(path)) {
      if (!snapshot_from.empty()) return Err(path + ": a second snapshot (the first: " + snapshot_from + ")");
      auto snapshot = ReadSnapshot(path);
      if (!snapshot.ok()) return Err(snapshot.error());
      AddSnapshotTables(*snapshot, &out);
      snapshot_from = path;
      if (analyze_from.empty()) pending_snapshot = std::move(*snapshot);
      continue;
    }
    if (!analyze_from.empty()) return Err(path + ": a second analyze JSON (the first: " + analyze_from + ")");
    auto w = LoadLintWorkload(path);
    if (!w.ok()) return Err(w.error());
    out.window_seconds = w->window_seconds;
    out.queries = std::move(w->queries);
    out.queries_by_table = std::move(w->queries_by_table);
    out.queries_from = path;
    analyze_from = path;
    pending_snapshot.reset();
  }
  if (pending_snapshot) AddSnapshotQueries(*pending_snapshot, &out);
  return out;
}

Result<LintWorkload> LoadLintWorkload(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err(path + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  Json doc = Json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Err(path + ": not a JSON document");
  if (doc.value("schema", "") != kAnalyzeSchema) {
    return Err(path + ": expected a pgsift analyze JSON (schema " + std::string(kAnalyzeSchema) +
               ") or a pgsift snapshot (.json.gz)");
  }
  LintWorkload w;
  const Json& summary = doc.value("summary", Json::object());
  int64_t first = ParseLogTimestamp(summary.value("first_seen", ""));
  int64_t last = ParseLogTimestamp(summary.value("last_seen", ""));
  if (first != kNoTime && last != kNoTime && last > first) w.window_seconds = static_cast<double>(last - first) / 1e6;
  for (const Json& q : doc.value("queries", Json::array())) {
    WorkloadQuery wq;
    wq.normalized = q.value("normalized", "");
    wq.calls = q.value("calls", 0ull);
    wq.total_ms = q.value("total_ms", 0.0);
    std::string fp = q.value("fingerprint", "");
    wq.fingerprint = std::strtoull(fp.c_str(), nullptr, 16);
    AddWorkloadQuery(std::move(wq), &w);
  }
  return w;
}

}  // namespace pgsift

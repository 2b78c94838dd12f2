// Snapshot files (gzip JSON via zlib; read back through OpenInput, which
// decompresses anything) and deltas between two snapshots.
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "pgsift/fingerprint.h"
#include "pgsift/input.h"
#include "pgsift/output.h"
#include "pgsift/pgss.h"

namespace pgsift {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    PgssEntry, userid, dbid, queryid, toplevel, user, database, fingerprint, fallback, query, plans, total_plan_time,
    min_plan_time, max_plan_time, mean_plan_time, stddev_plan_time, calls, total_exec_time, min_exec_time,
    max_exec_time, mean_exec_time, stddev_exec_time, rows, shared_blks_hit, shared_blks_read, shared_blks_dirtied,
    shared_blks_written, local_blks_hit, local_blks_read, local_blks_dirtied, local_blks_written, temp_blks_read,
    temp_blks_written, shared_blk_read_time, shared_blk_write_time, local_blk_read_time, local_blk_write_time,
    temp_blk_read_time, temp_blk_write_time, wal_records, wal_fpi, wal_bytes, wal_buffers_full, jit_functions,
    jit_generation_time, jit_inlining_count, jit_inlining_time, jit_optimization_count, jit_optimization_time,
    jit_emission_count, jit_emission_time, jit_deform_count, jit_deform_time, parallel_workers_to_launch,
    parallel_workers_launched, stats_since, minmax_stats_since)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TableStats, schema, name, seq_scan, seq_tup_read, idx_scan,
                                                idx_tup_fetch, n_tup_ins, n_tup_upd, n_tup_del, n_live_tup, n_dead_tup,
                                                heap_blks_read, heap_blks_hit, idx_blks_read, idx_blks_hit, size_bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(IndexStats, schema, table, name, idx_scan, idx_tup_read, idx_tup_fetch,
                                                idx_blks_read, idx_blks_hit, size_bytes, unique, primary,
                                                definition_key)

SettingValue MakeSettingValue(std::string setting, std::string unit) {
  SettingValue v;
  v.setting = std::move(setting);
  v.unit = std::move(unit);
  // pg_settings units: memory B, kB, MB, GB, TB with an optional block
  // multiplier ("8kB", "16MB"); time us, ms, s, min, h, d.
  static const std::pair<const char*, double> kMemory[] = {{"B", 1},
                                                           {"kB", 1024.0},
                                                           {"MB", 1024.0 * 1024},
                                                           {"GB", 1024.0 * 1024 * 1024},
                                                           {"TB", 1024.0 * 1024 * 1024 * 1024}};
  static const std::pair<const char*, double> kTime[] = {{"us", 0.001},  {"ms", 1},      {"s", 1000},
                                                         {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
  char* end = nullptr;
  double number = std::strtod(v.setting.c_str(), &end);
  if (v.unit.empty() || v.setting.empty() || end == nullptr || *end != '\0') return v;
  size_t digits = 0;
  while (digits < v.unit.size() && v.unit[digits] >= '0' && v.unit[digits] <= '9') ++digits;
  double multiplier = digits > 0 ? std::stod(v.unit.substr(0, digits)) : 1;
  std::string base = v.unit.substr(digits);
  for (const auto& [name, factor] : kMemory) {
    if (base == name) v.bytes = static_cast<int64_t>(number * multiplier * factor);
  }
  if (digits == 0) {
    for (const auto& [name, factor] : kTime) {
      if (base == name) v.ms = number * factor;
    }
  }
  return v;
}

namespace {

nlohmann::ordered_json SettingJson(const SettingValue& v) {
  nlohmann::ordered_json j = {{"setting", v.setting}, {"unit", v.unit}};
  if (v.bytes) j["bytes"] = *v.bytes;
  if (v.ms) j["ms"] = *v.ms;
  return j;
}

// Snapshots before pgsift.snapshot.v1 stored "setting || unit" text
// ("327688kB" for 32768 x 8kB): kept as the setting, without a unit.
SettingValue SettingFromJson(const nlohmann::json& j) {
  if (j.is_string()) {
    SettingValue v;
    v.setting = j.get<std::string>();
    return v;
  }
  SettingValue v = MakeSettingValue(j.value("setting", ""), j.value("unit", ""));
  return v;
}

auto EntryKey(const PgssEntry& e) { return std::tuple(e.dbid, e.userid, e.queryid, e.toplevel); }

uint64_t ParseHex(const std::string& s) {
  uint64_t v = 0;
  for (char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= static_cast<uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= static_cast<uint64_t>(c - 'a' + 10);
    else
      throw std::runtime_error("bad fingerprint '" + s + "'");
  }
  return v;
}

}  // namespace

void NormalizeSnapshot(Snapshot* s) {
  std::sort(s->entries.begin(), s->entries.end(), [](const PgssEntry& a, const PgssEntry& b) {
    return std::tuple(EntryKey(a), a.fingerprint) < std::tuple(EntryKey(b), b.fingerprint);
  });
  std::sort(s->tables.begin(), s->tables.end(), [](const TableStats& a, const TableStats& b) {
    return std::tie(a.schema, a.name) < std::tie(b.schema, b.name);
  });
  std::sort(s->indexes.begin(), s->indexes.end(), [](const IndexStats& a, const IndexStats& b) {
    return std::tie(a.schema, a.table, a.name) < std::tie(b.schema, b.table, b.name);
  });
}

int64_t DropPgsiftEntries(Snapshot* s) {
  return static_cast<int64_t>(std::erase_if(s->entries, [](const PgssEntry& e) { return e.pgsift; }));
}

std::string SnapshotToJson(const Snapshot& s) {
  nlohmann::ordered_json j;
  j["schema"] = kSnapshotSchema;
  j["source"] = s.source;
  j["captured_at"] = s.captured_at;
  j["server_version_num"] = s.server_version_num;
  j["server_version"] = s.server_version;
  j["pgss_version"] = s.pgss_version;
  j["database"] = s.database;
  if (!s.system_identifier.empty()) j["system_identifier"] = s.system_identifier;
  if (!s.datname.empty()) j["datname"] = s.datname;
  if (s.database_oid != 0) j["database_oid"] = s.database_oid;
  j["database_size_bytes"] = s.database_size_bytes;
  j["stats_reset"] = s.stats_reset;
  j["dealloc"] = s.dealloc;
  j["pgsift_left_out"] = s.pgsift_left_out;
  j["columns"] = s.columns;
  nlohmann::ordered_json settings = nlohmann::ordered_json::object();
  for (const auto& [name, v] : s.settings) settings[name] = SettingJson(v);
  j["settings"] = std::move(settings);
  nlohmann::json entries = nlohmann::json::array();
  for (const PgssEntry& e : s.entries) {
    nlohmann::json je = e;
    je["fingerprint"] = FingerprintHex(e.fingerprint);  // 64-bit: keep exact for JavaScript readers
    entries.push_back(std::move(je));
  }
  j["entries"] = std::move(entries);
  j["tables"] = nlohmann::json(s.tables);
  j["indexes"] = nlohmann::json(s.indexes);
  return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<Snapshot> SnapshotFromJson(std::string_view text, const std::string& name) {
  // The elements of the top-level "entries" array become PgssEntry as the
  // parser finishes each, and leave the tree: 100k entries made a ~1 GB tree
  // (issue 23). Errors keep their order: an entry's is reported where the
  // loop over the entries below stands.
  std::vector<PgssEntry> entries;
  size_t count = 0;
  std::string entry_error;
  std::string key;
  bool in_entries = false;
  using Event = nlohmann::json::parse_event_t;
  auto take = [&](int depth, Event event, nlohmann::json& je) {
    if (depth == 1) {
      if (event == Event::key) {
        key = je.get<std::string>();
        if (key == "entries") {  // the last "entries" key counts
          entries.clear();
          count = 0;
          entry_error.clear();
        }
      } else if (event == Event::array_start) {
        in_entries = key == "entries";
      } else if (event == Event::array_end) {
        in_entries = false;
      }
      return true;
    }
    if (depth != 2 || !in_entries || (event != Event::object_end && event != Event::array_end && event != Event::value))
      return true;
    ++count;
    if (!entry_error.empty()) return false;
    try {
      je["fingerprint"] = ParseHex(je.value("fingerprint", ""));
      entries.push_back(je.get<PgssEntry>());
    } catch (const std::exception& e) {
      entry_error = "entry " + std::to_string(count) + ": " + e.what();
    }
    return false;
  };
  nlohmann::json j = nlohmann::json::parse(text, take, false);
  if (j.is_discarded() || !j.is_object()) return Err(name + ": not a JSON object");
  if (j.value("schema", "") != kSnapshotSchema) {
    return Err(name + ": not a pgsift snapshot (expected schema " + std::string(kSnapshotSchema) + ")");
  }
  Snapshot s;
  try {
    s.source = j.value("source", "");
    s.captured_at = j.value("captured_at", "");
    s.server_version_num = j.value("server_version_num", 0);
    s.server_version = j.value("server_version", "");
    s.pgss_version = j.value("pgss_version", "");
    s.database = j.value("database", "");
    s.system_identifier = j.value("system_identifier", "");
    s.datname = j.value("datname", "");
    s.database_oid = j.value("database_oid", uint32_t{0});
    s.database_size_bytes = j.value("database_size_bytes", int64_t{0});
    s.stats_reset = j.value("stats_reset", "");
    s.dealloc = j.value("dealloc", int64_t{0});
    s.pgsift_left_out = j.value("pgsift_left_out", int64_t{0});
    if (j.contains("columns")) s.columns = j["columns"].get<std::vector<std::string>>();
    if (j.contains("settings") && j["settings"].is_object()) {
      for (auto it = j["settings"].begin(); it != j["settings"].end(); ++it)
        s.settings[it.key()] = SettingFromJson(*it);
    }
    nlohmann::json& rest = j.at("entries");  // what the parser left: not an array's elements
    if (!entry_error.empty()) return Err(name + ": " + entry_error);
    s.entries = std::move(entries);
    size_t i = count;
    for (nlohmann::json& je : rest) {
      ++i;
      try {
        je["fingerprint"] = ParseHex(je.value("fingerprint", ""));
        s.entries.push_back(je.get<PgssEntry>());
      } catch (const std::exception& e) {
        return Err(name + ": entry " + std::to_string(i) + ": " + e.what());
      }
    }
    if (j.contains("tables")) s.tables = j["tables"].get<std::vector<TableStats>>();
    if (j.contains("indexes")) s.indexes = j["indexes"].get<std::vector<IndexStats>>();
  } catch (const std::exception& e) {
    return Err(name + ": " + e.what());
  }
  NormalizeSnapshot(&s);
  return s;
}

Status WriteSnapshot(const Snapshot& snapshot, const std::string& path) {
  std::string json = SnapshotToJson(snapshot);
  // gzip in memory (level 9, gzip header), then one atomic write.
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return Err("cannot write " + path);
  std::string gz(deflateBound(&z, static_cast<uLong>(json.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(json.data());
  z.avail_in = static_cast<uInt>(json.size());
  z.next_out = reinterpret_cast<Bytef*>(gz.data());
  z.avail_out = static_cast<uInt>(gz.size());
  int rc = deflate(&z, Z_FINISH);
  gz.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Err("cannot write " + path + ": compression failed");
  return WriteFileAtomically(path, gz);
}

Result<Snapshot> ReadSnapshot(const std::string& path) {
  auto data = ReadInput(path);
  if (!data.ok()) return Err(data.error());
  return SnapshotFromJson(*data, path);
}

void PgssTotals::Add(const PgssEntry& e) {
  calls += e.calls;
  exec_ms += e.total_exec_time;
  plan_ms += e.total_plan_time;
  rows += e.rows;
  shared_blks_hit += e.shared_blks_hit;
  shared_blks_read += e.shared_blks_read;
  temp_blks_written += e.temp_blks_written;
}

void PgssTotals::Add(const PgssTotals& t) {
  calls += t.calls;
  exec_ms += t.exec_ms;
  plan_ms += t.plan_ms;
  rows += t.rows;
  shared_blks_hit += t.shared_blks_hit;
  shared_blks_read += t.shared_blks_read;
  temp_blks_written += t.temp_blks_written;
}

double PgssTotals::hit_ratio() const {
  int64_t all = shared_blks_hit + shared_blks_read;
  return all > 0 ? static_cast<double>(shared_blks_hit) / static_cast<double>(all) : -1;
}

namespace {

PgssTotals Minus(const PgssTotals& a, const PgssTotals& b) {
  PgssTotals d;
  d.calls = a.calls - b.calls;
  d.exec_ms = std::max(0.0, a.exec_ms - b.exec_ms);
  d.plan_ms = std::max(0.0, a.plan_ms - b.plan_ms);
  d.rows = a.rows - b.rows;
  d.shared_blks_hit = a.shared_blks_hit - b.shared_blks_hit;
  d.shared_blks_read = a.shared_blks_read - b.shared_blks_read;
  d.temp_blks_written = a.temp_blks_written - b.temp_blks_written;
  return d;
}

bool WentDown(const PgssTotals& to, const PgssTotals& from) {
  return to.calls < from.calls || to.exec_ms + 1e-6 < from.exec_ms || to.rows < from.rows;
}

PgssTotals Of(const PgssEntry& e) {
  PgssTotals t;
  t.Add(e);
  return t;
}

std::string DbLabel(const PgssEntry& e) { return e.database.empty() ? "dbid " + std::to_string(e.dbid) : e.database; }

}  // namespace

SnapshotDelta ComputeDelta(const Snapshot& from, const Snapshot& to) {
  SnapshotDelta d;
  if (!from.stats_reset.empty() && !to.stats_reset.empty() && from.stats_reset != to.stats_reset) {
    d.reset = true;
    d.reset_reason = "pg_stat_statements_info.stats_reset changed";
  }
  std::map<std::tuple<uint32_t, uint32_t, int64_t, bool>, const PgssEntry*> from_by_key;
  for (const PgssEntry& e : from.entries) from_by_key[EntryKey(e)] = &e;

  std::map<uint64_t, FingerprintDelta> by_fp;
  std::map<uint64_t, std::set<std::string>> dbs;
  auto slot = [&](const PgssEntry& e) -> FingerprintDelta& {
    FingerprintDelta& f = by_fp[e.fingerprint];
    if (f.query.empty() || e.query < f.query) f.query = e.query;  // deterministic pick
    f.fingerprint = e.fingerprint;
    f.fallback = e.fallback;
    dbs[e.fingerprint].insert(DbLabel(e));
    return f;
  };

  // Entries of `to` not found by key, per fingerprint: matched against the
  // unmatched `from` entries of the same fingerprint, summed (ids change
  // when a database moves to another server or is restored).
  std::set<const PgssEntry*> from_used;
  std::map<uint64_t, PgssTotals> to_unmatched;
  for (const PgssEntry& e : to.entries) {
    FingerprintDelta& f = slot(e);
    f.in_to = true;
    auto it = from_by_key.find(EntryKey(e));
    if (it == from_by_key.end() || it->second->fingerprint != e.fingerprint) {
      to_unmatched[e.fingerprint].Add(e);
      continue;
    }
    from_used.insert(it->second);
    ++d.matched_by_key;
    PgssTotals t = Of(e), b = Of(*it->second);
    f.in_from = true;
    f.before.Add(b);
    if (WentDown(t, b)) {
      ++d.entries_reset;
      f.reset = true;
      f.window.Add(t);
    } else {
      f.window.Add(Minus(t, b));
    }
  }
  std::map<uint64_t, PgssTotals> from_unmatched;
  for (const PgssEntry& e : from.entries) {
    if (from_used.count(&e)) continue;
    FingerprintDelta& f = slot(e);
    f.in_from = true;
    f.before.Add(e);
    from_unmatched[e.fingerprint].Add(e);
  }
  for (const auto& [fp, t] : to_unmatched) {
    FingerprintDelta& f = by_fp[fp];
    auto it = from_unmatched.find(fp);
    if (it == from_unmatched.end()) {
      f.window.Add(t);  // new since `from`
    } else if (WentDown(t, it->second)) {
      f.reset = true;
      ++d.entries_reset;
      f.window.Add(t);
    } else {
      ++d.matched_by_fingerprint;
      f.window.Add(Minus(t, it->second));
    }
  }
  if (!d.reset && d.entries_reset > 0) {
    d.reset = true;
    d.reset_reason = std::to_string(d.entries_reset) + " entries' counters went down (reset, or evicted and re-added)";
  }
  for (auto& [fp, f] : by_fp) {
    std::string joined;
    for (const std::string& db : dbs[fp]) joined += (joined.empty() ? "" : ",") + db;
    f.databases = joined;
    d.window.Add(f.window);
    d.queries.push_back(std::move(f));
  }
  std::sort(d.queries.begin(), d.queries.end(), [](const FingerprintDelta& a, const FingerprintDelta& b) {
    if (a.window.exec_ms != b.window.exec_ms) return a.window.exec_ms > b.window.exec_ms;
    return a.fingerprint < b.fingerprint;
  });
  return d;
}

}  // namespace pgsift

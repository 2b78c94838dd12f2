// pg_stat_statements columns of every version onto PgssEntry, and the
// CSV / JSON export readers built on that mapping. The live reader
// (analyzer/db/) uses the same mapping, so there is one list of columns.
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <variant>

#include "pgsift/fingerprint.h"
#include "pgsift/input.h"
#include "pgsift/own_statements.h"
#include "pgsift/pgss.h"
#include "pgsift/shape_key.h"

namespace pgsift {
namespace {

enum class Kind { kU32, kI64, kF64, kBool, kText, kQuery };

using Member = std::variant<uint32_t PgssEntry::*, int64_t PgssEntry::*, double PgssEntry::*, bool PgssEntry::*,
                            std::string PgssEntry::*>;

struct Column {
  std::string_view name;      // canonical (newest) name
  std::string_view old_name;  // name before a rename, or ""
  Kind kind;
  Member member;
};

#define PGSS_COL(field, old, kind) \
  Column { #field, old, kind, &PgssEntry::field }

const std::vector<Column>& Columns() {
  static const std::vector<Column> kColumns = {
      PGSS_COL(userid, "", Kind::kU32),
      PGSS_COL(dbid, "", Kind::kU32),
      PGSS_COL(queryid, "", Kind::kI64),
      PGSS_COL(toplevel, "", Kind::kBool),
      Column{"query", "", Kind::kQuery, &PgssEntry::query},
      PGSS_COL(plans, "", Kind::kI64),
      PGSS_COL(total_plan_time, "", Kind::kF64),
      PGSS_COL(min_plan_time, "", Kind::kF64),
      PGSS_COL(max_plan_time, "", Kind::kF64),
      PGSS_COL(mean_plan_time, "", Kind::kF64),
      PGSS_COL(stddev_plan_time, "", Kind::kF64),
      PGSS_COL(calls, "", Kind::kI64),
      PGSS_COL(total_exec_time, "total_time", Kind::kF64),
      PGSS_COL(min_exec_time, "min_time", Kind::kF64),
      PGSS_COL(max_exec_time, "max_time", Kind::kF64),
      PGSS_COL(mean_exec_time, "mean_time", Kind::kF64),
      PGSS_COL(stddev_exec_time, "stddev_time", Kind::kF64),
      PGSS_COL(rows, "", Kind::kI64),
      PGSS_COL(shared_blks_hit, "", Kind::kI64),
      PGSS_COL(shared_blks_read, "", Kind::kI64),
      PGSS_COL(shared_blks_dirtied, "", Kind::kI64),
      PGSS_COL(shared_blks_written, "", Kind::kI64),
      PGSS_COL(local_blks_hit, "", Kind::kI64),
      PGSS_COL(local_blks_read, "", Kind::kI64),
      PGSS_COL(local_blks_dirtied, "", Kind::kI64),
      PGSS_COL(local_blks_written, "", Kind::kI64),
      PGSS_COL(temp_blks_read, "", Kind::kI64),
      PGSS_COL(temp_blks_written, "", Kind::kI64),
      PGSS_COL(shared_blk_read_time, "blk_read_time", Kind::kF64),
      PGSS_COL(shared_blk_write_time, "blk_write_time", Kind::kF64),
      PGSS_COL(local_blk_read_time, "", Kind::kF64),
      PGSS_COL(local_blk_write_time, "", Kind::kF64),
      PGSS_COL(temp_blk_read_time, "", Kind::kF64),
      PGSS_COL(temp_blk_write_time, "", Kind::kF64),
      PGSS_COL(wal_records, "", Kind::kI64),
      PGSS_COL(wal_fpi, "", Kind::kI64),
      PGSS_COL(wal_bytes, "", Kind::kI64),
      PGSS_COL(wal_buffers_full, "", Kind::kI64),
      PGSS_COL(jit_functions, "", Kind::kI64),
      PGSS_COL(jit_generation_time, "", Kind::kF64),
      PGSS_COL(jit_inlining_count, "", Kind::kI64),
      PGSS_COL(jit_inlining_time, "", Kind::kF64),
      PGSS_COL(jit_optimization_count, "", Kind::kI64),
      PGSS_COL(jit_optimization_time, "", Kind::kF64),
      PGSS_COL(jit_emission_count, "", Kind::kI64),
      PGSS_COL(jit_emission_time, "", Kind::kF64),
      PGSS_COL(jit_deform_count, "", Kind::kI64),
      PGSS_COL(jit_deform_time, "", Kind::kF64),
      PGSS_COL(parallel_workers_to_launch, "", Kind::kI64),
      PGSS_COL(parallel_workers_launched, "", Kind::kI64),
      PGSS_COL(stats_since, "", Kind::kText),
      PGSS_COL(minmax_stats_since, "", Kind::kText),
      // Joined by the live reader, and accepted from exports that join them.
      Column{"user", "rolname", Kind::kText, &PgssEntry::user},
      Column{"database", "datname", Kind::kText, &PgssEntry::database},
  };
  return kColumns;
}
#undef PGSS_COL

const Column* FindColumn(std::string_view name) {
  for (const Column& c : Columns()) {
    if (c.name == name || (!c.old_name.empty() && c.old_name == name)) return &c;
  }
  return nullptr;
}

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  if (text.empty()) {
    *out = 0;
    return true;
  }
  if constexpr (std::is_floating_point_v<T>) {
    // The view prints e.g. "1.5e-05"; from_chars for double handles it.
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
    return ec == std::errc() && p == text.data() + text.size();
  } else {
    // wal_bytes is numeric and may print as "123" or "123.0".
    size_t dot = text.find('.');
    std::string_view whole = dot == std::string_view::npos ? text : text.substr(0, dot);
    auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), *out);
    return ec == std::errc() && p == whole.data() + whole.size();
  }
}

Fingerprinter& QueryFingerprinter() {
  thread_local Fingerprinter fingerprinter;
  return fingerprinter;
}

}  // namespace

std::string_view CanonicalPgssColumn(std::string_view column) {
  const Column* c = FindColumn(column);
  return c ? c->name : std::string_view();
}

Result<bool> SetPgssColumn(PgssEntry* entry, std::string_view column, std::string_view value) {
  const Column* c = FindColumn(column);
  if (c == nullptr) return false;
  bool ok = true;
  switch (c->kind) {
    case Kind::kU32:
      ok = ParseNumber(value, &(entry->*std::get<uint32_t PgssEntry::*>(c->member)));
      break;
    case Kind::kI64:
      ok = ParseNumber(value, &(entry->*std::get<int64_t PgssEntry::*>(c->member)));
      break;
    case Kind::kF64:
      ok = ParseNumber(value, &(entry->*std::get<double PgssEntry::*>(c->member)));
      break;
    case Kind::kBool:
      entry->*std::get<bool PgssEntry::*>(c->member) = value.empty() || value == "t" || value == "true" || value == "1";
      ok = value.empty() || value == "t" || value == "true" || value == "1" || value == "f" || value == "false" ||
           value == "0";
      break;
    case Kind::kText:
      entry->*std::get<std::string PgssEntry::*>(c->member) = std::string(value);
      break;
    case Kind::kQuery: {
      const Shape& shape = QueryFingerprinter().Fingerprint(value);
      entry->fingerprint = shape.fingerprint;
      entry->fallback = shape.fallback;
      entry->pgsift = IsPgsiftText(value);
      // An unparseable text may hold literals: show only that it was there.
      entry->query = shape.fallback ? "<statement not shown: libpg_query could not parse it>" : shape.normalized;
      break;
    }
  }
  // Never echo the value: for a bad number it is still data from the server.
  if (!ok)
    return Err("column " + std::string(column) + ": not a valid " + (c->kind == Kind::kBool ? "boolean" : "number"));
  return true;
}

namespace {

// RFC 4180 fields of one record starting at `pos`; advances pos and counts
// physical lines (quoted fields may span lines).
bool NextCsvRecord(std::string_view text, size_t* pos, std::vector<std::string>* fields, uint64_t* line,
                   std::string* error) {
  fields->clear();
  if (*pos >= text.size()) return false;
  std::string field;
  bool quoted = false, was_quoted = false;
  size_t i = *pos;
  for (; i < text.size(); ++i) {
    char ch = text[i];
    if (quoted) {
      if (ch == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (ch == '\n') ++*line;
        field += ch;
      }
    } else if (ch == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (ch == ',') {
      fields->push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (ch == '\n') {
      break;
    } else if (ch != '\r') {
      field += ch;
    }
  }
  if (quoted) {
    *error = "unterminated quoted field";
    return false;
  }
  fields->push_back(std::move(field));
  *pos = i + 1;
  ++*line;
  return true;
}

void NoteColumns(Snapshot* s, const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    std::string_view canonical = CanonicalPgssColumn(n);
    if (!canonical.empty() && canonical != "user" && canonical != "database") {
      s->columns.emplace_back(canonical);
    }
  }
  std::sort(s->columns.begin(), s->columns.end());
}

}  // namespace

Result<Snapshot> ParsePgssCsv(std::string_view text, const std::string& name) {
  Snapshot s;
  s.source = "csv";
  size_t pos = 0;
  uint64_t line = 0;
  std::vector<std::string> header, fields;
  std::string error;
  if (!NextCsvRecord(text, &pos, &header, &line, &error)) {
    return Err(name + ":1: " + (error.empty() ? "empty file, expected a header row" : error));
  }
  if (!header.empty() && header[0].starts_with("\xEF\xBB\xBF")) header[0].erase(0, 3);
  bool has_query = false, has_calls = false;
  for (const std::string& h : header) {
    has_query |= h == "query";
    has_calls |= h == "calls";
  }
  if (!has_query || !has_calls) {
    return Err(name + ":1: header has no 'query' and 'calls' columns; is this a pg_stat_statements export?");
  }
  NoteColumns(&s, header);
  while (true) {
    uint64_t start = line + 1;
    if (!NextCsvRecord(text, &pos, &fields, &line, &error)) {
      if (!error.empty()) return Err(name + ":" + std::to_string(start) + ": " + error);
      break;
    }
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    if (fields.size() != header.size()) {
      return Err(name + ":" + std::to_string(start) + ": " + std::to_string(fields.size()) + " fields, header has " +
                 std::to_string(header.size()));
    }
    PgssEntry e;
    for (size_t i = 0; i < header.size(); ++i) {
      auto set = SetPgssColumn(&e, header[i], fields[i]);
      if (!set.ok()) return Err(name + ":" + std::to_string(start) + ": " + set.error());
    }
    s.entries.push_back(std::move(e));
  }
  NormalizeSnapshot(&s);
  return s;
}

Result<Snapshot> ParsePgssJson(std::string_view text, const std::string& name) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Err(name + ": not valid JSON");
  if (doc.is_object() && doc.contains("pg_stat_statements")) doc = doc["pg_stat_statements"];
  if (!doc.is_array()) return Err(name + ": expected a JSON array of pg_stat_statements rows");
  Snapshot s;
  s.source = "json";
  std::vector<std::string> names;
  for (size_t i = 0; i < doc.size(); ++i) {
    const nlohmann::json& row = doc[i];
    std::string where = name + ": element " + std::to_string(i + 1);
    if (!row.is_object()) return Err(where + ": not an object");
    if (!row.contains("query") || !row.contains("calls")) return Err(where + ": no 'query' and 'calls' fields");
    PgssEntry e;
    for (auto it = row.begin(); it != row.end(); ++it) {
      std::string value;
      if (it->is_string()) {
        value = it->get<std::string>();
      } else if (it->is_boolean()) {
        value = it->get<bool>() ? "t" : "f";
      } else if (it->is_number_integer()) {
        value = std::to_string(it->get<int64_t>());
      } else if (it->is_number()) {
        value = nlohmann::json(it->get<double>()).dump();
      } else if (!it->is_null()) {
        return Err(where + ": field " + it.key() + ": unexpected type");
      }
      auto set = SetPgssColumn(&e, it.key(), value);
      if (!set.ok()) return Err(where + ": " + set.error());
      if (i == 0) names.push_back(it.key());
    }
    s.entries.push_back(std::move(e));
  }
  NoteColumns(&s, names);
  NormalizeSnapshot(&s);
  return s;
}

Result<Snapshot> ReadPgssExport(const std::string& path) {
  auto data = ReadInput(path);
  if (!data.ok()) return Err(data.error());
  size_t first = data->find_first_not_of(" \t\r\n");
  if (first != std::string::npos && ((*data)[first] == '[' || (*data)[first] == '{')) return ParsePgssJson(*data, path);
  return ParsePgssCsv(*data, path);
}

}  // namespace pgsift

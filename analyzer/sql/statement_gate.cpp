// The statement gate (pgsift/statement_gate.h). The parser decides what the
// text is: no text search for ';' or keywords, which comments, quotes and
// dollar quotes would fool. The tree is walked with an explicit stack, so a
// deep statement costs memory, not the call stack.
#include "pgsift/statement_gate.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <nlohmann/json.hpp>
#include <vector>

#include "pgsift/parse_tree.h"

namespace pgsift {

namespace {

using Json = nlohmann::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Exact names (lower case) of functions an untrusted statement may not call.
constexpr std::string_view kDeniedNames[] = {
    // settings and state
    "set_config", "nextval", "setval", "pg_notify", "pg_import_system_collations", "pg_log_backend_memory_contexts",
    "pg_prewarm", "pg_truncate_visibility_map",
    // other sessions, the server
    "pg_terminate_backend", "pg_cancel_backend", "pg_signal_backend", "pg_reload_conf", "pg_rotate_logfile",
    "pg_rotate_logfile_old", "pg_switch_wal", "pg_switch_xlog", "pg_promote", "pg_start_backup", "pg_stop_backup",
    "pg_backup_start", "pg_backup_stop", "pg_drop_replication_slot", "pg_replication_slot_advance",
    "pg_logical_emit_message",
    // server files
    "pg_stat_file", "pg_logdir_ls", "lowrite", "loread",
    // SQL given as text
    "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema", "cursor_to_xml", "cursor_to_xmlschema",
    "table_to_xml", "table_to_xmlschema", "table_to_xml_and_xmlschema", "schema_to_xml", "schema_to_xmlschema",
    "schema_to_xml_and_xmlschema", "database_to_xml", "database_to_xmlschema", "database_to_xml_and_xmlschema",
    "xpath_table", "ts_stat", "ts_rewrite",
    // index maintenance that writes
    "brin_summarize_new_values", "brin_summarize_range", "brin_desummarize_range", "gin_clean_pending_list",
    // WAL and replication
    "pg_log_standby_snapshot", "pg_sync_replication_slots",
    // waiting
    "pg_sleep", "pg_sleep_for", "pg_sleep_until",
    // extensions: pg_stat_statements, adminpack (server files), pg_partman (DDL)
    "pg_stat_statements_reset", "pg_file_write", "pg_file_rename", "pg_file_unlink", "pg_file_sync", "run_maintenance"};

// Name prefixes (lower case): families of the same kind.
constexpr std::string_view kDeniedPrefixes[] = {
    "dblink",            // dblink, dblink_exec, dblink_connect, ...: SQL on another connection
    "lo_",               // large objects: lo_import, lo_export, lo_unlink, lo_put, ...
    "pg_read_",          // pg_read_file, pg_read_binary_file
    "pg_ls_",            // pg_ls_dir, pg_ls_waldir, ...
    "pg_advisory",       // pg_advisory_lock, pg_advisory_xact_lock, ..., _unlock
    "pg_try_advisory",   // pg_try_advisory_lock, ...
    "pg_stat_reset",     // pg_stat_reset, pg_stat_reset_shared, ...
    "pg_create_",        // replication slots, restore points
    "pg_copy_",          // pg_copy_*_replication_slot
    "pg_logical_slot_",  // pg_logical_slot_get_changes consumes the slot
    "pg_replication_origin_",
    "pg_wal_replay_",  // pause, resume
    "pg_xlog_replay_",
    "pg_background",  // pg_background_launch runs SQL text in a worker
    "hypopg",         // hypothetical indexes: the proof's own state
    "autoprewarm",    // pg_prewarm's workers and dump file
    "pg_sleep",
};

constexpr std::string_view kDeniedSchemas[] = {"dblink", "cron", "pg_background"};

// The statement kinds of a raw parse tree that plan a query; every other
// *Stmt is a utility statement or transaction control.
bool IsDataModifying(std::string_view kind) {
  return kind == "InsertStmt" || kind == "UpdateStmt" || kind == "DeleteStmt" || kind == "MergeStmt";
}

// "schema.name" of a FuncCall's funcname list of String nodes.
bool FuncName(const Json& call, std::string* schema, std::string* name) {
  auto it = call.find("funcname");
  if (it == call.end() || !it->is_array() || it->empty()) return false;
  std::vector<std::string> parts;
  for (const Json& p : *it) {
    if (!p.is_object() || !p.contains("String")) return false;
    parts.push_back(p["String"].value("sval", ""));
  }
  *name = parts.back();
  *schema = parts.size() > 1 ? parts[parts.size() - 2] : "";
  return true;
}

// A relation of a catalog: data-modifying statements may not target it
// (UPDATE pg_settings sets a setting through a rule).
bool IsCatalogRelation(const Json& range_var) {
  std::string schema = Lower(range_var.value("schemaname", ""));
  std::string rel = Lower(range_var.value("relname", ""));
  return schema == "pg_catalog" || schema == "information_schema" || schema.starts_with("pg_") ||
         rel.starts_with("pg_");
}

// Walks every node of `root` (iteratively). Returns the first refusal.
Status WalkTree(const Json& root, StatementUse use) {
  std::vector<const Json*> stack = {&root};
  while (!stack.empty()) {
    const Json* node = stack.back();
    stack.pop_back();
    if (node->is_array()) {
      for (const Json& child : *node) stack.push_back(&child);
      continue;
    }
    if (!node->is_object()) continue;
    for (auto it = node->begin(); it != node->end(); ++it) {
      const std::string& key = it.key();
      if (key == "FuncCall" && it->is_object()) {
        std::string schema, name;
        if (!FuncName(*it, &schema, &name)) return Err("a function call without a readable name");
        std::string why = DeniedFunctionReason(schema, name);
        if (!why.empty()) return Err(why);
      } else if (IsDataModifying(key)) {
        // Only the top-level statement is unwrapped before the walk, so
        // this is a data-modifying statement inside another one.
        return Err("a data-modifying statement inside WITH");
      } else if (std::isupper(static_cast<unsigned char>(key[0])) && key.ends_with("Stmt") && key != "SelectStmt") {
        // A node type (fields are lower case: InsertStmt's selectStmt).
        return Err("a " + key + " inside the statement");
      } else if (key == "intoClause") {
        return Err("SELECT ... INTO (creates a table)");
      } else if (key == "lockingClause" && use == StatementUse::kExecuted) {
        return Err("FOR UPDATE/SHARE (locks rows)");
      }
      if (it->is_structured()) stack.push_back(&*it);
    }
  }
  return Ok{};
}

// [-]digits[.digits][(e|E)[+|-]digits] (or .digits): the text goes into SQL
// as it is, so nothing else may pass.
bool IsNumber(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  bool whole = digits();
  bool fraction = false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    fraction = digits();
  }
  if (!whole && !fraction) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

// The one statement of `sql` as {"KindStmt": {...}}.
Result<Json> OneStatement(std::string_view sql) {
  if (sql.find('\0') != std::string_view::npos) return Err("the text holds a NUL byte");
  sql::PgParseStatements parsed = sql::ParseStatements(sql);
  // The parser's message can quote the text ("at or near ..."): not shown.
  if (!parsed.ok) return Err("does not parse");
  if (parsed.statements.empty()) return Err("no statement (empty or only comments)");
  if (parsed.statements.size() > 1) {
    return Err(std::to_string(parsed.statements.size()) + " statements (exactly one is allowed)");
  }
  const Json& st = parsed.statements.front();
  auto it = st.find("stmt");
  if (it == st.end() || !it->is_object() || it->size() != 1) return Err("an unreadable parse tree");
  return *it;
}

}  // namespace

std::string DeniedFunctionReason(std::string_view schema, std::string_view name) {
  std::string s = Lower(schema), n = Lower(name);
  for (std::string_view d : kDeniedSchemas) {
    if (s == d) return "calls a function of schema " + std::string(d) + " (runs SQL given as text)";
  }
  // The reason names the list's entry, never more of the text than that.
  const char* kWhy = ", a function with side effects or reach outside the query";
  if (std::find(std::begin(kDeniedNames), std::end(kDeniedNames), n) != std::end(kDeniedNames)) {
    return "calls " + n + "()" + kWhy;
  }
  for (std::string_view p : kDeniedPrefixes) {
    if (n.starts_with(p)) return "calls " + std::string(p) + "*()" + kWhy;
  }
  return "";
}

Status CheckUntrustedStatement(std::string_view sql, StatementUse use) {
  Result<Json> stmt = OneStatement(sql);
  if (!stmt.ok()) return Err(stmt.error());
  const std::string& kind = stmt->begin().key();
  const Json& body = stmt->begin().value();
  if (IsDataModifying(kind)) {
    if (use == StatementUse::kExecuted) return Err("a data-modifying statement (" + kind + ")");
    // The target is a typed field: a RangeVar without its {"RangeVar": } wrapper.
    auto rel = body.find("relation");
    if (rel != body.end() && rel->is_object() &&
        IsCatalogRelation(rel->contains("RangeVar") ? (*rel)["RangeVar"] : *rel)) {
      return Err("a data-modifying statement on a system catalog");
    }
  } else if (kind != "SelectStmt") {
    return Err(kind == "TransactionStmt" ? std::string("transaction control (TransactionStmt)")
                                         : "a utility statement (" + kind + ")");
  }
  return WalkTree(body, use);
}

Result<SqlLiteral> ParseUntrustedLiteral(std::string_view text) {
  const char* kNotLiteral = "not one SQL literal (a quoted string, a number, NULL, TRUE or FALSE)";
  if (text.find('\0') != std::string_view::npos) return Err("the value holds a NUL byte");
  const std::string sql = "SELECT " + std::string(text);
  Result<Json> stmt = OneStatement(sql);
  if (!stmt.ok() || stmt->begin().key() != "SelectStmt") return Err(kNotLiteral);
  const Json& select = stmt->begin().value();
  // Only a target list (and the parser's defaults): no FROM, WHERE, ...
  for (auto it = select.begin(); it != select.end(); ++it) {
    if (it.key() != "targetList" && it.key() != "limitOption" && it.key() != "op") return Err(kNotLiteral);
  }
  auto targets = select.find("targetList");
  if (targets == select.end() || !targets->is_array() || targets->size() != 1) return Err(kNotLiteral);
  const Json& target = (*targets)[0];
  if (!target.contains("ResTarget")) return Err(kNotLiteral);
  const Json& res = target["ResTarget"];
  if (res.contains("name") || !res.contains("val") || !res["val"].contains("A_Const")) return Err(kNotLiteral);
  const Json& c = res["val"]["A_Const"];
  SqlLiteral out;
  // libpg_query leaves out zero values: {"ival": {}} is 0, {"boolval": {}} false.
  if (c.value("isnull", false)) {
    out.kind = SqlLiteral::Kind::kNull;
  } else if (c.contains("ival")) {
    // The integer as written at the constant's location: libpg_query 15's
    // JSON drops negative integers ({"ival": {}} for -7).
    out.kind = SqlLiteral::Kind::kNumber;
    size_t at = static_cast<size_t>(std::max(0, c.value("location", 0)));
    if (at < sql.size() && sql[at] == '-') {
      out.text = "-";
      at = sql.find_first_not_of(" \t\r\n", at + 1);
    }
    while (at < sql.size() && std::isdigit(static_cast<unsigned char>(sql[at]))) out.text += sql[at++];
    if (out.text.empty() || out.text == "-") return Err(kNotLiteral);
  } else if (c.contains("fval")) {
    out.kind = SqlLiteral::Kind::kNumber;
    out.text = c["fval"].value("fval", "");
    if (!IsNumber(out.text)) return Err(kNotLiteral);
  } else if (c.contains("sval")) {
    out.kind = SqlLiteral::Kind::kString;
    out.text = c["sval"].value("sval", "");
  } else if (c.contains("boolval")) {
    out.kind = SqlLiteral::Kind::kBool;
    out.text = c["boolval"].value("boolval", false) ? "true" : "false";
  } else {
    return Err(kNotLiteral);  // bit strings and whatever else
  }
  return out;
}

}  // namespace pgsift

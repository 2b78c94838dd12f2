// Loading a migration file into statements with context, and running the
// migration rules over it with suppression comments.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "lint_load.h"
#include "pgsift/migration.h"
#include "pgsift/parse_tree.h"

namespace pgsift {

namespace {

using Json = nlohmann::json;
using sql::Member;
using sql::Str;
using sql::Sval;

class LineIndex {
 public:
  explicit LineIndex(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(i + 1);
    }
  }
  // 1-based line and column (in code points) of a byte offset.
  std::pair<uint32_t, uint32_t> At(size_t offset) const {
    offset = std::min(offset, text_.size());
    size_t line = std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin();
    size_t start = starts_[line - 1];
    uint32_t col = 1;
    for (size_t i = start; i < offset; ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++col;
    }
    return {static_cast<uint32_t>(line), col};
  }
  size_t LineStart(uint32_t line) const { return line >= 1 && line <= starts_.size() ? starts_[line - 1] : 0; }

 private:
  std::string_view text_;
  std::vector<size_t> starts_;
};

std::string TrimRight(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string NodeKind(const Json& stmt) { return stmt.is_object() && !stmt.empty() ? stmt.begin().key() : ""; }

// The DO body string and its byte offset in the file, if it is a dollar- or
// single-quoted literal we can map back to lines.
bool DoBody(const Json& node, std::string_view text, size_t stmt_offset, std::string* body, size_t* body_offset) {
  for (const Json& arg : node.value("args", Json::array())) {
    const Json& def = arg.value("DefElem", Json::object());
    if (def.value("defname", "") != "as") continue;
    *body = def.value("arg", Json::object()).value("String", Json::object()).value("sval", "");
    size_t at = stmt_offset + static_cast<size_t>(def.value("location", 0));
    if (at < text.size() && text[at] == '$') {
      size_t close = text.find('$', at + 1);
      *body_offset = close == std::string_view::npos ? at : close + 1;
    } else {
      *body_offset = at + 1;
    }
    return true;
  }
  return false;
}

// The table a statement the parser could not read creates, from its first
// words: CREATE [GLOBAL|LOCAL] [TEMP|TEMPORARY|UNLOGGED] TABLE [IF NOT EXISTS]
// [schema.]name ("" for anything else). Unquoted names fold to lower case
// as PostgreSQL folds them.
std::string UnparsedCreatedTable(std::string_view text) {
  size_t pos = 0;
  auto word = [&]() -> std::string {
    while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    std::string w;
    if (pos < text.size() && text[pos] == '"') {
      size_t close = text.find('"', pos + 1);
      if (close == std::string_view::npos) return "";
      w = "\"" + std::string(text.substr(pos + 1, close - pos - 1));
      pos = close + 1;
      return w;
    }
    while (pos < text.size() && (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '_' ||
                                 static_cast<unsigned char>(text[pos]) >= 0x80)) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(text[pos++])));
    }
    return w;
  };
  if (word() != "create") return "";
  std::string w = word();
  if (w == "global" || w == "local") w = word();
  if (w == "temp" || w == "temporary" || w == "unlogged") w = word();
  if (w != "table") return "";
  size_t before = pos;
  if (word() == "if" && word() == "not" && word() == "exists") {
    before = pos;
  }
  pos = before;
  std::string name = word();
  while (pos < text.size() && text[pos] == '.') {  // schema.name: the relation name is the last part
    ++pos;
    name = word();
  }
  if (!name.empty() && name[0] == '"') name.erase(0, 1);
  return name;
}

void Track(MigrationFile* file, MigrationStatement* st, int* depth, bool* lock_set, bool* stmt_set) {
  st->transaction_depth = *depth;
  st->in_transaction = st->in_transaction || file->assume_in_transaction || *depth > 0;
  st->lock_timeout_set = *lock_set;
  st->statement_timeout_set = *stmt_set;
  const Json& n = st->Node();
  size_t index = file->statements.size();
  if (st->kind == "TransactionStmt") {
    std::string kind = n.value("kind", "");
    if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
      ++*depth;
      file->unterminated_begins.push_back(index);
    } else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK" || kind == "TRANS_STMT_PREPARE") {
      *depth = 0;
      file->unterminated_begins.clear();
    }
  } else if (st->kind == "VariableSetStmt") {
    std::string name = n.value("name", "");
    if (name == "lock_timeout") *lock_set = true;
    if (name == "statement_timeout") *stmt_set = true;
  } else if (st->kind == "SelectStmt" && st->text.find("set_config") != std::string::npos) {
    // SELECT/PERFORM set_config('lock_timeout', '2s', ...): the form DO
    // blocks and functions use.
    if (st->text.find("'lock_timeout'") != std::string::npos) *lock_set = true;
    if (st->text.find("'statement_timeout'") != std::string::npos) *stmt_set = true;
  } else if (st->kind == "CreateStmt") {
    file->created_tables.emplace(n["relation"].value("relname", ""), index);
  } else if (st->kind == "CreateTableAsStmt") {
    std::string table = n["into"]["rel"].value("relname", "");
    // WITH NO DATA makes an empty table.
    if (file->created_tables.emplace(table, index).second && !n["into"].value("skipData", false)) {
      file->created_with_rows.insert(table);
    }
  }
}

std::vector<std::string> KeyColumns(const Json& keys) {
  std::vector<std::string> out;
  for (const Json& k : keys) {
    if (k.contains("String")) out.push_back(Sval(k));
  }
  return out;
}

// Index definitions a statement makes: CREATE INDEX, and the implicit
// indexes of PRIMARY KEY / UNIQUE constraints (PostgreSQL's default names).
void RecordIndexes(const MigrationStatement& st, IndexCatalog* catalog) {
  const Json& n = st.Node();
  if (st.kind == "IndexStmt") {
    // An index is made in its table's schema.
    IndexDef def{Str(Member(n, "relation"), "schemaname"), Str(Member(n, "relation"), "relname"), {}, st.location};
    for (const Json& p : Member(n, "indexParams")) {
      const Json& e = Member(p, "IndexElem");
      if (e.contains("name")) def.columns.push_back(e["name"].get<std::string>());
    }
    if (n.contains("idxname")) (*catalog)[RelationKey(def.schema, n["idxname"].get<std::string>())] = def;
    return;
  }
  std::string table, schema;
  std::vector<const Json*> constraints;
  std::vector<std::pair<std::string, const Json*>> column_constraints;
  if (st.kind == "CreateStmt") {
    table = Str(Member(n, "relation"), "relname");
    schema = Str(Member(n, "relation"), "schemaname");
    for (const Json& e : Member(n, "tableElts")) {
      if (e.contains("Constraint")) constraints.push_back(&e["Constraint"]);
      if (e.contains("ColumnDef")) {
        for (const Json& c : Member(e["ColumnDef"], "constraints")) {
          if (c.contains("Constraint"))
            column_constraints.push_back({e["ColumnDef"].value("colname", ""), &c["Constraint"]});
        }
      }
    }
  } else if (st.kind == "AlterTableStmt") {
    table = Str(Member(n, "relation"), "relname");
    schema = Str(Member(n, "relation"), "schemaname");
    for (const Json& c : Member(n, "cmds")) {
      const Json& cmd = Member(c, "AlterTableCmd");
      if (cmd.value("subtype", "") == "AT_AddConstraint" && cmd.contains("def") && cmd["def"].contains("Constraint")) {
        constraints.push_back(&cmd["def"]["Constraint"]);
      }
    }
  }
  auto add = [&](const Json& con, std::vector<std::string> cols) {
    std::string type = con.value("contype", "");
    if ((type != "CONSTR_PRIMARY" && type != "CONSTR_UNIQUE") || cols.empty()) return;
    std::string name = con.value("conname", "");
    if (name.empty()) {
      name = table + (type == "CONSTR_PRIMARY" ? "_pkey" : "_" + cols.front() + "_key");
    }
    (*catalog)[RelationKey(schema, name)] = IndexDef{schema, table, cols, st.location};
  };
  for (const Json* con : constraints) add(*con, KeyColumns(Member(*con, "keys")));
  for (const auto& [col, con] : column_constraints) add(*con, {col});
}

}  // namespace

const Json& MigrationStatement::Node() const { return tree.at(kind); }

bool MigrationFile::CreatedBefore(const std::string& table, size_t index) const {
  auto it = created_tables.find(table);
  if (it != created_tables.end() && it->second < index) return true;
  auto u = created_unparsed.find(table);
  return u != created_unparsed.end() && u->second <= index;
}

bool MigrationFile::CreatedEmptyBefore(const std::string& table, size_t index) const {
  return CreatedBefore(table, index) && created_with_rows.count(table) == 0;
}

Finding MigrationRule::At(const MigrationStatement& stmt, std::string message, std::string help) const {
  Finding f;
  f.rule_id = Info().id;
  f.severity = Info().severity;
  f.message = std::move(message);
  f.help = std::move(help);
  f.location = stmt.location;
  f.snippet = stmt.text;
  // The statement itself (white space folded), not its line: the key stays
  // when lines above it change, and two statements of a file differ.
  uint64_t h = 1469598103934665603ull;
  bool space = false;
  for (unsigned char c : stmt.text) {
    if (std::isspace(c)) {
      space = true;
      continue;
    }
    if (space) h = (h ^ ' ') * 1099511628211ull;
    space = false;
    h = (h ^ c) * 1099511628211ull;
  }
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  f.key_extra = buf;
  return f;
}

namespace {

// diesel: migrations/<version>_<name>/up.sql, the version
// "YYYY-MM-DD-HHMMSS" or 14 digits ("00000000000000_diesel_initial_setup").
bool IsDieselUp(const std::filesystem::path& p) {
  if (p.filename() != "up.sql") return false;
  std::string dir = p.parent_path().filename().string();
  size_t us = dir.find('_');
  if (us == std::string::npos) return false;
  std::string_view version(dir.data(), us);
  size_t digits = std::count_if(version.begin(), version.end(), [](char c) { return c >= '0' && c <= '9'; });
  bool dashed = version.size() == 17 && digits == 14 && version[4] == '-' && version[7] == '-' && version[10] == '-';
  return dashed || (version.size() == 14 && digits == 14);
}

// diesel's metadata.toml beside up.sql: `run_in_transaction = false`.
bool DieselRunsOutsideTransaction(const std::filesystem::path& up) {
  std::ifstream in(up.parent_path() / "metadata.toml");
  std::string line;
  while (std::getline(in, line)) {
    std::string compact;
    for (char c : line) {
      if (c == '#') break;
      if (c != ' ' && c != '\t' && c != '\r') compact.push_back(c);
    }
    if (compact == "run_in_transaction=false") return true;
  }
  return false;
}

}  // namespace

bool LayoutAssumesTransaction(const std::string& path) {
  std::filesystem::path p(path);
  std::string name = p.filename().string();
  bool flyway = (name.size() > 3 && (name[0] == 'V' || name[0] == 'R') && name.find("__") != std::string::npos);
  if (flyway) return true;
  // diesel runs each migration in a transaction unless metadata.toml says not.
  return IsDieselUp(p) && !DieselRunsOutsideTransaction(p);
}

LoadedMigration LoadMigration(const std::string& path, std::string text, const LintOptions& options) {
  LoadedMigration out;
  MigrationSections sections = FindMigrationSections(text);
  std::string up_only_problem;
  size_t problem_line = 1;
  if (!sections.problem.empty()) {
    problem_line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + sections.problem_at, '\n'));
    up_only_problem = sections.problem;
  }
  text.resize(sections.up_end);  // a down section is neither linted nor applied
  BlankByteOrderMark(&text);
  out.text = std::move(text);
  const std::string& src = out.text;
  if (!up_only_problem.empty()) {
    out.file.path = path;
    out.diagnostics.push_back({{path, static_cast<uint32_t>(problem_line), 1, 0, 0}, up_only_problem});
    return out;
  }
  MigrationFile& file = out.file;
  file.path = path;
  file.pg_version = options.pg_version;
  file.assume_in_transaction =
      options.assume_in_transaction.value_or(sections.in_transaction.value_or(LayoutAssumesTransaction(path)));
  file.workload = options.workload;
  // The rules see the indexes known before this file (a snapshot).
  if (options.indexes != nullptr) out.index_snapshot = std::make_shared<IndexCatalog>(*options.indexes);
  file.indexes = out.index_snapshot.get();
  LineIndex lines(src);
  if (size_t nul = src.find('\0'); nul != std::string::npos) {
    // The parser would stop at the NUL and silently lint half the file.
    out.diagnostics.push_back(
        {{path, lines.At(nul).first, lines.At(nul).second, 0, 0}, "not a text file (NUL byte); not linted"});
    return out;
  }
  int depth = 0;
  bool lock_set = false, stmt_set = false;

  for (sql::ParsedChunk& chunk : sql::SplitAndParse(src)) {
    if (!chunk.ok) {
      size_t first = sql::SkipSpaceAndComments(src, chunk.offset);
      size_t end = std::min<size_t>(chunk.offset + chunk.length, src.size());
      std::string stmt_text = first < end ? TrimRight(std::string_view(src).substr(first, end - first)) : "";
      while (!stmt_text.empty() && stmt_text.back() == ';')
        stmt_text = TrimRight(stmt_text.substr(0, stmt_text.size() - 1));
      // The rest of the file is linted as if the statement had run: a table
      // it creates is new for the statements after it.
      if (!chunk.scanner_error) {
        if (std::string table = UnparsedCreatedTable(stmt_text); !table.empty()) {
          file.created_unparsed.emplace(table, file.statements.size());
        }
      }
      // For a newer server than the parser's grammar the statement may well
      // be valid: a finding of migration-statement-not-parsed, not an error.
      if (!chunk.scanner_error && options.pg_version > sql::kParserMajorVersion &&
          chunk.error.rfind("syntax error", 0) == 0 && !stmt_text.empty()) {
        MigrationFile::Unparsed u;
        u.statement.offset = static_cast<uint32_t>(first);
        u.statement.text = stmt_text;
        auto [line, col] = lines.At(first);
        auto [end_line, end_col] = lines.At(first + stmt_text.size());
        u.statement.location = {path, line, col, end_line, end_col};
        u.statement.in_transaction = file.assume_in_transaction || depth > 0;
        u.statement.transaction_depth = depth;
        u.statement.lock_timeout_set = lock_set;
        u.statement.statement_timeout_set = stmt_set;
        u.error = chunk.error;
        file.unparsed.push_back(std::move(u));
        continue;
      }
      auto [line, col] =
          lines.At(chunk.error_offset ? chunk.error_offset : sql::SkipSpaceAndComments(src, chunk.offset));
      out.diagnostics.push_back({{path, line, col, 0, 0}, "syntax error: " + chunk.error});
      continue;
    }
    for (Json& raw : chunk.statements) {
      size_t start = chunk.offset + raw.value("stmt_location", 0u);
      size_t len = raw.value("stmt_len", 0u);
      size_t end = len == 0 ? chunk.offset + chunk.length : start + len;
      MigrationStatement st;
      st.offset = static_cast<uint32_t>(sql::SkipSpaceAndComments(src, start));
      if (st.offset > end) st.offset = static_cast<uint32_t>(end);
      st.text = TrimRight(std::string_view(src).substr(st.offset, end - st.offset));
      auto [line, col] = lines.At(st.offset);
      auto [end_line, end_col] = lines.At(st.offset + st.text.size());
      st.location = {path, line, col, end_line, end_col};
      st.tree = std::move(raw["stmt"]);
      st.kind = NodeKind(st.tree);
      if (st.kind.empty()) continue;
      std::string body;
      size_t body_offset = 0;
      bool has_body = st.kind == "DoStmt" && DoBody(st.Node(), src, start, &body, &body_offset);
      Track(&file, &st, &depth, &lock_set, &stmt_set);
      uint32_t do_line = st.location.line;
      file.statements.push_back(std::move(st));
      if (!has_body) continue;
      std::vector<sql::PlpgsqlSql> inner;
      std::string error;
      uint32_t body_line = lines.At(body_offset).first;
      if (!ReadDoBody(body, &inner, &error)) {
        if (error.rfind("syntax error", 0) == 0) {
          out.diagnostics.push_back({{path, do_line, 0, 0, 0}, "DO body: " + error});
        } else {
          // PL/pgSQL that needs the catalog to compile (a COLLATE on a
          // variable): valid for the server, unreadable without it.
          file.unparsed.push_back({file.statements.back(), "DO body: " + error});
        }
        continue;
      }
      for (const sql::PlpgsqlSql& q : inner) {
        sql::PgParseStatements parsed_inner = sql::ParseStatements(q.query);
        if (!parsed_inner.ok) {
          out.diagnostics.push_back({{path, body_line + q.lineno - 1, 0, 0, 0}, "DO body: " + parsed_inner.error});
          continue;
        }
        for (Json& inner_raw : parsed_inner.statements) {
          MigrationStatement in;
          in.tree = std::move(inner_raw["stmt"]);
          in.kind = NodeKind(in.tree);
          if (in.kind.empty()) continue;
          in.text = TrimRight(q.query);
          uint32_t l = body_line + static_cast<uint32_t>(std::max(q.lineno, 1)) - 1;
          size_t ls = lines.LineStart(l);
          size_t first = ls;
          while (first < src.size() && (src[first] == ' ' || src[first] == '\t')) ++first;
          in.offset = static_cast<uint32_t>(first);
          in.location = {path, l, lines.At(first).second, 0, 0};
          in.in_transaction = true;  // a DO block is one statement, one transaction
          in.in_plpgsql = true;
          Track(&file, &in, &depth, &lock_set, &stmt_set);
          file.statements.push_back(std::move(in));
        }
      }
    }
  }
  ResolveColumnTypes(&file, options.columns);
  if (options.indexes != nullptr) {
    for (const MigrationStatement& st : file.statements) RecordIndexes(st, options.indexes);
  }
  size_t top_level = std::count_if(file.statements.begin(), file.statements.end(),
                                   [](const MigrationStatement& st) { return !st.in_plpgsql; });
  file.implicit_multi_statement_transaction =
      path.size() > 7 && path.compare(path.size() - 7, 7, ".up.sql") == 0 && top_level > 1;
  file.open_transaction_at_end = depth > 0;
  if (!file.open_transaction_at_end) file.unterminated_begins.clear();
  return out;
}

Result<std::vector<std::string>> FindMigrationFiles(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) {
      out.push_back(p);
      continue;
    }
    if (!fs::is_directory(p, ec)) {
      if (!fs::exists(p, ec)) return Err(p + ": no such file or directory");
      out.push_back(p);  // a FIFO or device: the reader says it is not read
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      const fs::path& f = it->path();
      std::string name = f.filename().string();
      if (it->is_directory()) {
        // sqitch keeps revert/ and verify/ beside deploy/.
        if (name == "revert" || name == "verify" || (name.size() > 1 && name[0] == '.')) it.disable_recursion_pending();
        continue;
      }
      if (f.extension() != ".sql") continue;
      if (name == "down.sql") continue;  // diesel: <version>_<name>/up.sql and down.sql
      if (name.size() > 9 && name.compare(name.size() - 9, 9, ".down.sql") == 0) continue;
      if (name.size() > 3 && name[0] == 'U' && std::isdigit(static_cast<unsigned char>(name[1])) &&
          name.find("__") != std::string::npos) {
        continue;  // Flyway undo
      }
      found.push_back(f.string());
    }
    if (ec) return Err(p + ": " + ec.message());
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

std::vector<std::unique_ptr<MigrationRule>> MakeMigrationRules() {
  std::vector<std::unique_ptr<MigrationRule>> out;
  for (RuleFactory make : RuleRegistry()) {
    std::unique_ptr<Rule> rule = make();
    if (rule->Info().input != RuleInput::kMigration) continue;
    if (auto* m = dynamic_cast<MigrationRule*>(rule.get())) {
      rule.release();
      out.emplace_back(m);
    }
  }
  return out;
}

}  // namespace pgsift

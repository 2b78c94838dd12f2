// `-- pgsift-ignore rule[, rule]` on a statement (in the comments before it,
// inside it, or after its ';' on the same line), `-- pgsift-ignore-file
// [rule, ...]` anywhere, and squawk's `-- squawk-ignore` spellings, so users
// can keep their comments. An ignore that suppresses nothing is reported.
#include <algorithm>
#include <cctype>
#include <set>

#include "pgsift/lock_timeline.h"
#include "pgsift/migration.h"
#include "pgsift/text.h"
#include "pgsift/parse_tree.h"

namespace pgsift {

namespace {

constexpr std::string_view kUnusedIgnore = "migration-unused-ignore";

struct Ignore {
  Location location;
  std::string rule;  // canonical id; empty: every rule
  std::string written;
  bool file_wide = false;
  bool used = false;
  bool unknown = false;
};

// Parses one comment; appends its ignores. Returns false if it is none.
bool ParseDirective(std::string_view comment, const Location& where, std::vector<Ignore>* out) {
  comment = Trim(comment);
  bool file_wide = false;
  std::string_view rest;
  for (std::string_view prefix : {"pgsift-ignore", "squawk-ignore"}) {
    if (comment.substr(0, prefix.size()) != prefix) continue;
    rest = comment.substr(prefix.size());
    if (rest.substr(0, 5) == "-file") {
      file_wide = true;
      rest.remove_prefix(5);
    }
    if (!rest.empty() && rest[0] != ' ' && rest[0] != ':' && rest[0] != '\t') return false;
    if (!rest.empty() && rest[0] == ':') rest.remove_prefix(1);
    size_t before = out->size();
    std::string token;
    for (size_t i = 0; i <= rest.size(); ++i) {
      char c = i < rest.size() ? rest[i] : ',';
      if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
        if (!token.empty()) {
          Ignore ig{where, token, token, file_wide};
          if (auto rule = MakeRule(token)) {
            ig.rule = rule->Info().id;
          } else {
            ig.unknown = true;
          }
          out->push_back(std::move(ig));
          token.clear();
        }
      } else {
        token += c;
      }
    }
    if (out->size() == before) out->push_back(Ignore{where, "", "", file_wide});
    return true;
  }
  return false;
}

Location CommentLocation(const std::string& text, const std::string& path, size_t offset) {
  uint32_t line = 1 + static_cast<uint32_t>(std::count(text.begin(), text.begin() + offset, '\n'));
  size_t ls = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  ls = ls == std::string::npos || offset == 0 ? 0 : ls + 1;
  return {path, line, static_cast<uint32_t>(offset - ls + 1), 0, 0};
}

}  // namespace

std::vector<Finding> LintMigration(const LoadedMigration& loaded, const std::vector<const MigrationRule*>& rules,
                                   bool report_unused_ignores) {
  const MigrationFile& file = loaded.file;
  const std::string& text = loaded.text;
  FindingList raw;
  for (const MigrationRule* rule : rules) rule->Check(file, raw);

  // Statement ignores: comments from the end of the previous top-level
  // statement's line to the end of this statement's line.
  std::vector<Ignore> file_ignores;
  std::vector<std::vector<Ignore>> stmt_ignores(file.statements.size());
  for (const sql::SqlComment& c : sql::FindComments(text, 0, text.size())) {
    std::vector<Ignore> found;
    Location where = CommentLocation(text, file.path, c.offset);
    if (!ParseDirective(c.text, where, &found)) continue;
    if (found.front().file_wide) {
      file_ignores.insert(file_ignores.end(), found.begin(), found.end());
      continue;
    }
    // The first top-level statement that ends on or after the comment's
    // line owns it, unless it is a trailing comment of an earlier one.
    size_t owner = file.statements.size();
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const MigrationStatement& st = file.statements[i];
      if (st.in_plpgsql) continue;
      uint32_t end_line = st.location.end_line ? st.location.end_line : st.location.line;
      if (end_line >= where.line) {
        owner = i;
        break;
      }
    }
    if (owner == file.statements.size()) {
      for (Ignore& ig : found) file_ignores.push_back(ig);  // after the last statement: unused below
      continue;
    }
    stmt_ignores[owner].insert(stmt_ignores[owner].end(), found.begin(), found.end());
  }
  // Statements from a DO body share the DO statement's ignores.
  std::vector<size_t> ignore_owner(file.statements.size());
  for (size_t i = 0, top = 0; i < file.statements.size(); ++i) {
    if (!file.statements[i].in_plpgsql) top = i;
    ignore_owner[i] = top;
  }

  std::vector<Finding> out;
  for (Finding& f : raw.findings()) {
    size_t index = file.statements.size();
    for (size_t i = 0; i < file.statements.size(); ++i) {
      const Location& l = file.statements[i].location;
      if (l.line == f.location.line && l.column == f.location.column) {
        index = i;
        break;
      }
    }
    bool suppressed = false;
    auto match = [&](std::vector<Ignore>& list) {
      for (Ignore& ig : list) {
        if (ig.unknown || (!ig.rule.empty() && ig.rule != f.rule_id)) continue;
        ig.used = true;
        suppressed = true;
      }
    };
    match(file_ignores);
    if (index < file.statements.size()) match(stmt_ignores[ignore_owner[index]]);
    if (!suppressed) out.push_back(std::move(f));
  }

  if (report_unused_ignores) {
    std::set<std::string> active;
    for (const MigrationRule* rule : rules) active.insert(rule->Info().id);
    auto report = [&](const Ignore& ig) {
      // An ignore of a rule that did not run (disabled) cannot be judged.
      if (ig.used || (!ig.unknown && !ig.rule.empty() && !active.count(ig.rule))) return;
      Finding f;
      f.rule_id = std::string(kUnusedIgnore);
      f.severity = Severity::kWarning;
      f.location = ig.location;
      f.key_extra = ig.written;
      if (ig.unknown) {
        f.message = "ignore names an unknown rule: " + ig.written;
        f.help = "use a rule id or a squawk rule name (pgsift lint --list-rules)";
      } else {
        f.message = "ignore matched no finding" + (ig.written.empty() ? std::string() : ": " + ig.written);
        f.help = "remove the comment, or move it onto the statement it is meant for";
      }
      out.push_back(std::move(f));
    };
    for (const Ignore& ig : file_ignores) report(ig);
    for (const auto& list : stmt_ignores) {
      for (const Ignore& ig : list) report(ig);
    }
  }
  AddLockTimelineFacts(file, &out);
  SortFindings(&out);
  return out;
}

}  // namespace pgsift

// Findings: what rules report. Findings are data, never errors; reporters
// only format them. A finding never carries a literal or bind value from a
// log: queries appear as normalized texts. Migration SQL is the user's own
// code and may be quoted (snippet).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgsift {

enum class Severity : uint8_t { kInfo, kWarning, kError };
std::string_view SeverityName(Severity severity);  // "info" | "warning" | "error"
std::optional<Severity> ParseSeverity(std::string_view text);

// A place in a file the user owns (a migration, a queries file). Lines and
// columns are 1-based; 0 means unknown.
struct Location {
  std::string file;  // as the user named it; goldens use the base name
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t end_line = 0;
  uint32_t end_column = 0;
};

struct Finding {
  std::string rule_id;
  Severity severity = Severity::kWarning;
  std::string message;       // one line: what is wrong
  std::string help;          // what to do instead (one or a few lines)
  std::string fix;           // suggested SQL or action; may be empty
  Location location;         // empty file: the finding is about the workload
  std::string snippet;       // the offending statement (migrations only)
  uint64_t fingerprint = 0;  // the query this is about, 0 if none
  // Evidence in display order, e.g. {"bursts", "42"}, {"share", "12.3%"}.
  std::vector<std::pair<std::string, std::string>> facts;
  // Stable across runs and machines: rule, file base name, fingerprint and
  // `key_extra` (e.g. the table name) — not line numbers, so that a baseline
  // or a SARIF partialFingerprint survives edits above the statement.
  std::string key_extra;
  std::string Key() const;
};

// Receives findings. Implementations decide about suppression and order.
class FindingSink {
 public:
  virtual ~FindingSink() = default;
  virtual void Report(Finding finding) = 0;
};

// Collects findings; Sorted() gives the deterministic output order
// (file, line, column, rule, key).
class FindingList : public FindingSink {
 public:
  void Report(Finding finding) override { findings_.push_back(std::move(finding)); }
  std::vector<Finding>& findings() { return findings_; }
  const std::vector<Finding>& findings() const { return findings_; }
  std::vector<Finding> Sorted() const;

 private:
  std::vector<Finding> findings_;
};

void SortFindings(std::vector<Finding>* findings);

// Plain-text rendering, the one fixtures' `.expected` files hold and the
// terminal shows (without colour): deterministic, file names as given.
std::string RenderFindingsText(const std::vector<Finding>& findings);

// `s` for a terminal: control characters (C0, DEL, C1) written as \xNN, so
// that untrusted text (a quoted identifier with ESC or a newline) can neither
// drive the terminal nor fake a line of output; tabs and newlines kept when
// `keep_newlines` (multi-line fields, indented by the caller).
std::string TerminalSafe(std::string_view s, bool keep_newlines);

}  // namespace pgsift

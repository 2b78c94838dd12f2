// Detection of a log format from the first bytes of an input: the
// detectors of the rows of the log-format table, and the walk over them.
#include <span>
#include <string>
#include <string_view>

#include "internal.h"
#include "log_formats.h"
#include "pgsift/readers.h"

namespace pgsift {

namespace input_internal {

namespace {
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool Digits(std::string_view s, size_t pos, size_t n) {
  if (s.size() < pos + n) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
  }
  return true;
}
}  // namespace

// `YYYY-MM-DD HH:MM:SS[.fff][ TZ]` optionally in double quotes, then ','.
// Used by the csvlog reader to find where to resume after a damaged record.
bool LooksLikeCsvRecordStart(std::string_view line) {
  size_t p = 0;
  bool quoted = !line.empty() && line[0] == '"';
  if (quoted) ++p;
  if (!Digits(line, p, 4) || line.size() < p + 19 || line[p + 4] != '-' || !Digits(line, p + 5, 2) ||
      line[p + 7] != '-' || !Digits(line, p + 8, 2) || line[p + 10] != ' ' || !Digits(line, p + 11, 2) ||
      line[p + 13] != ':' || !Digits(line, p + 14, 2) || line[p + 16] != ':' || !Digits(line, p + 17, 2)) {
    return false;
  }
  p += 19;
  if (p < line.size() && line[p] == '.') {
    ++p;
    size_t b = p;
    while (p < line.size() && IsDigit(line[p])) ++p;
    if (p == b) return false;
  }
  if (p < line.size() && line[p] == ' ') {  // time zone abbreviation or offset
    ++p;
    size_t b = p;
    while (p < line.size() && line[p] != ',' && line[p] != '"' && line[p] != ' ') ++p;
    if (p == b) return false;
  }
  if (quoted) {
    if (p >= line.size() || line[p] != '"') return false;
    ++p;
  }
  return p < line.size() && line[p] == ',';
}

namespace {

// The first non-blank line of `head` (byte order mark removed), or the whole
// head when it holds no complete line; calls `each` on every non-blank line
// up to `max_lines` until it returns false.
template <typename F>
void ForNonBlankLines(std::string_view head, size_t max_lines, F each) {
  size_t pos = 0;
  size_t seen = 0;
  bool first = true;
  while (pos < head.size() && seen < max_lines) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos && seen > 0) break;  // likely cut short by the peek size
    size_t end = nl == std::string_view::npos ? head.size() : nl;
    std::string_view line = head.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    ++seen;
    first = false;
    if (!each(line)) break;
  }
}

}  // namespace

// jsonlog writes a whole object per line: a line that is only "{" starts an
// indented document (the AWS CLI's CloudWatch output), told by the head.
bool LooksLikeJsonLine(std::string_view line) {
  size_t b = line.find_first_not_of(" \t");
  if (line[b] != '{') return false;
  size_t e = line.find_last_not_of(" \t\r");
  return e > b;
}

// Mostly syslog lines, the first of them one, some of them from PostgreSQL.
bool LooksLikeSyslog(std::string_view head) {
  constexpr size_t kSyslogSample = 50;
  size_t seen = 0;
  size_t syslog_lines = 0;
  size_t postgres_syslog_lines = 0;
  bool first_is_syslog = false;
  ForNonBlankLines(head, kSyslogSample, [&](std::string_view line) {
    ++seen;
    SyslogHeader h;
    if (!ParseSyslogHeader(line, &h)) return true;
    if (seen == 1) first_is_syslog = true;
    ++syslog_lines;
    std::string_view body = h.body;
    uint64_t seq = 0;
    uint32_t part = 0;
    if (IsPostgresIdent(h.ident) || SequenceTag(&body, &seq, &part)) ++postgres_syslog_lines;
    return true;
  });
  return first_is_syslog && postgres_syslog_lines > 0 && syslog_lines * 5 >= seen * 4;
}

}  // namespace input_internal

LogFormat DetectFormat(std::string_view head) {
  using input_internal::LogFormatRow;
  std::span<const LogFormatRow> rows = input_internal::LogFormatRows();
  const LogFormatRow* found = nullptr;
  input_internal::ForNonBlankLines(head, 1, [&](std::string_view line) {
    for (const LogFormatRow& row : rows) {
      if (row.detect_first_line != nullptr && row.detect_first_line(line)) {
        found = &row;
        break;
      }
    }
    return false;
  });
  if (found != nullptr) return found->format;
  for (const LogFormatRow& row : rows) {
    if (row.detect_head != nullptr && row.detect_head(head)) return row.format;
  }
  for (const LogFormatRow& row : rows) {
    if (row.detect_first_line == nullptr && row.detect_head == nullptr) return row.format;
  }
  return LogFormat::kStderr;
}

}  // namespace pgsift

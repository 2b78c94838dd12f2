// Log format names and detection from the first bytes of an input.
#include <string>
#include <string_view>

#include "input/internal.h"
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

}  // namespace input_internal

std::string_view LogFormatName(LogFormat format) {
  switch (format) {
    case LogFormat::kAuto:
      return "auto";
    case LogFormat::kStderr:
      return "stderr";
    case LogFormat::kCsv:
      return "csv";
    case LogFormat::kJson:
      return "json";
    case LogFormat::kSyslog:
      return "syslog";
  }
  return "auto";
}

Result<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "auto") return LogFormat::kAuto;
  if (name == "stderr") return LogFormat::kStderr;
  if (name == "csv" || name == "csvlog") return LogFormat::kCsv;
  if (name == "json" || name == "jsonlog") return LogFormat::kJson;
  if (name == "syslog") return LogFormat::kSyslog;
  return Err("unknown log format '" + std::string(name) + "' (expected auto, stderr, csv, json or syslog)");
}

LogFormat DetectFormat(std::string_view head) {
  constexpr size_t kSyslogSample = 50;
  size_t pos = 0;
  size_t seen = 0;
  size_t syslog_lines = 0;
  size_t postgres_syslog_lines = 0;
  bool first = true;
  bool first_is_syslog = false;
  while (pos < head.size() && seen < kSyslogSample) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos && seen > 0) break;  // likely cut short by the peek size
    size_t end = nl == std::string_view::npos ? head.size() : nl;
    std::string_view line = head.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    ++seen;
    if (first) {
      first = false;
      size_t b = line.find_first_not_of(" \t");
      if (line[b] == '{') return LogFormat::kJson;
      if (input_internal::LooksLikeCsvRecordStart(line)) return LogFormat::kCsv;
    }
    input_internal::SyslogHeader h;
    if (!input_internal::ParseSyslogHeader(line, &h)) continue;
    if (seen == 1) first_is_syslog = true;
    ++syslog_lines;
    std::string_view body = h.body;
    uint64_t seq = 0;
    uint32_t part = 0;
    if (input_internal::IsPostgresIdent(h.ident) || input_internal::SequenceTag(&body, &seq, &part)) {
      ++postgres_syslog_lines;
    }
  }
  // Mostly syslog lines, some of them from PostgreSQL.
  if (first_is_syslog && postgres_syslog_lines > 0 && syslog_lines * 5 >= seen * 4) return LogFormat::kSyslog;
  return LogFormat::kStderr;
}

}  // namespace pgsift

#include "pieces.h"

#include <cstring>

#include "pgsift/i18n.h"
#include "log_formats.h"

namespace pgsift {

bool IsBareDuration(std::string_view m) {
  if (m.substr(0, 10) != "duration: ") return i18n::IsTranslatedBareDuration(m);
  size_t i = 10;
  while (i < m.size() && ((m[i] >= '0' && m[i] <= '9') || m[i] == '.')) ++i;
  if (i == 10 || m.substr(i, 3) != " ms") return false;
  i += 3;
  while (i < m.size() && (m[i] == ' ' || m[i] == '\r')) ++i;
  return i == m.size() || m[i] == '"';  // csv/json: the field's closing quote
}

namespace {

bool IsEnglishAttachment(std::string_view s) {
  return s == "DETAIL" || s == "STATEMENT" || s == "HINT" || s == "CONTEXT" || s == "QUERY" || s == "LOCATION";
}

// Also in the server's language ("詳細", "ANWEISUNG").
bool IsAttachmentSeverity(std::string_view s) {
  if (IsEnglishAttachment(s)) return true;
  if (s == "LOG" || s == "ERROR") return false;
  std::string_view english = i18n::EnglishSeverity(s);
  return !english.empty() && IsEnglishAttachment(english);
}

bool Digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

namespace input_internal {

// csvlog: "YYYY-MM-DD HH:MM:SS" then 13 more fields on this line; the
// message (field 13) is checked for a bare duration. A line inside a quoted
// multi-line field would need to look exactly like this to be mistaken.
bool CsvSafeStart(std::string_view line, const LinePrefix*) {
  if (line.size() < 20 || !Digit(line[0]) || !Digit(line[3]) || line[4] != '-' || line[10] != ' ' || line[13] != ':') {
    return false;
  }
  size_t pos = 0;
  for (int field = 0; field <= 13; ++field) {
    if (pos > line.size()) return false;
    std::string_view value;
    if (pos < line.size() && line[pos] == '"') {
      size_t i = pos + 1;
      for (;;) {
        size_t q = line.find('"', i);
        if (q == std::string_view::npos) {
          // The field goes on past this line: only the message may do that.
          return field == 13 && !IsBareDuration(line.substr(pos + 1));
        }
        if (q + 1 < line.size() && line[q + 1] == '"') {
          i = q + 2;
          continue;
        }
        value = line.substr(pos + 1, q - pos - 1);
        pos = q + 1;
        break;
      }
      if (pos < line.size() && line[pos] != ',') return false;
    } else {
      size_t c = line.find(',', pos);
      value = line.substr(pos, c == std::string_view::npos ? std::string_view::npos : c - pos);
      pos = c == std::string_view::npos ? line.size() : c;
    }
    if (field == 11 && (value.empty() || IsAttachmentSeverity(value))) return false;
    if (field == 13) return !IsBareDuration(value);
    ++pos;  // the comma
  }
  return false;
}

bool JsonSafeStart(std::string_view line, const LinePrefix*) {
  if (line.empty() || line[0] != '{') return false;
  size_t m = line.find("\"message\":\"");
  return m == std::string_view::npos || !IsBareDuration(line.substr(m + 11));
}

bool StderrSafeStart(std::string_view line, const LinePrefix* prefix) {
  LogRecord rec;
  return prefix != nullptr && prefix->Match(line, &rec) && !IsAttachmentSeverity(rec.severity) &&
         !IsBareDuration(rec.message);
}

}  // namespace input_internal

PieceCutter::PieceCutter(LogFormat format, const LinePrefix* prefix)
    : safe_start_(format == LogFormat::kAuto ? nullptr : input_internal::RowOf(format).safe_start), prefix_(prefix) {}

bool PieceCutter::IsSafeStart(std::string_view line) const {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return safe_start_ != nullptr && safe_start_(line, prefix_);
}

size_t PieceCutter::LastCut(std::string_view data) const {
  constexpr int kMaxLinesBack = 100000;
  size_t end = data.size();
  // Only whole lines: the bytes after the last '\n' may be a partial line.
  const void* last_nl = memrchr(data.data(), '\n', end);
  if (last_nl == nullptr) return std::string_view::npos;
  end = static_cast<size_t>(static_cast<const char*>(last_nl) - data.data());  // at a '\n'
  for (int k = 0; k < kMaxLinesBack && end > 0; ++k) {
    const void* nl = memrchr(data.data(), '\n', end);
    if (nl == nullptr) return std::string_view::npos;  // reached the first line
    size_t start = static_cast<size_t>(static_cast<const char*>(nl) - data.data()) + 1;
    if (IsSafeStart(data.substr(start, end - start))) return start;
    end = start - 1;
  }
  return std::string_view::npos;
}

}  // namespace pgsift

// The envelope readers (see unwrap.h). Two shapes:
//   - an entry that holds a structured record (CloudNativePG): read straight
//     into a LogRecord;
//   - an entry that holds a log line (Cloud SQL's textPayload, a CRI line):
//     the lines inside become a byte stream (InnerText) that the existing
//     readers read as if it were the log itself; MappedSink turns the line
//     numbers of that stream back into the envelope's, so every envelope
//     line is counted once, in a record or in a skip.
// Streaming: one entry at a time (at most kMaxEntryBytes), and a bounded map
// of inner to outer lines.
#include "unwrap.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "internal.h"
#include "log_formats.h"
#include "pgsift/event.h"
#include "pgsift/prefix.h"

namespace pgsift::input_internal {

namespace {

constexpr size_t kMaxEntryBytes = size_t{16} << 20;
constexpr size_t kMaxMapEntries = size_t{1} << 16;
constexpr size_t kPrefixSampleLines = 300;

std::string_view Trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// ---- JSON entries --------------------------------------------------------

// Cuts lines into top-level JSON objects: one per line (JSON lines), or the
// elements of a top-level array spread over many lines (gcloud's indented
// JSON). Text between objects may only be array punctuation and blanks; those
// lines are credited to the entry after them.
class JsonEntries {
 public:
  JsonEntries(LineReader* lines, RecordSink* sink, std::string_view what) : lines_(lines), sink_(sink), what_(what) {}

  // The next object: its text, its first line (or that of the punctuation
  // or blank lines before it), and how many lines it is credited with (0
  // when it starts on a line an earlier entry was credited with). False at
  // the end of the input.
  bool Next(std::string_view* text, uint64_t* line, uint32_t* lines) {
    for (;;) {
      switch (Scan(line)) {
        case kEnd:
          return false;
        case kNotJson:
          continue;
        case kObject:
          break;
      }
      *lines = 0;
      if (current_ >= first_uncredited_) {  // from the first line not credited yet ("[", blanks)
        *line = first_uncredited_;
        *lines = static_cast<uint32_t>(current_ - first_uncredited_ + 1);
      }
      first_uncredited_ = current_ + 1;
      if (too_big_) {
        sink_->OnSkip(*line, *lines, SkipReason::kMalformedJson, hint_.assign(what_) + " entry longer than 16 MiB");
        continue;
      }
      *text = buf_;
      return true;
    }
  }

 private:
  enum Scanned { kObject, kNotJson, kEnd };

  Scanned Scan(uint64_t* object_line) {
    buf_.clear();
    too_big_ = false;
    bool in_object = false, in_string = false, escape = false;
    int depth = 0;
    for (;;) {
      if (!have_line_) {
        if (!lines_->Next(&line_)) break;
        have_line_ = true;
        pos_ = 0;
        current_ = lines_->line_number();
        if (in_object) Append("\n");
      }
      size_t from = pos_;
      for (size_t i = pos_; i < line_.size(); ++i) {
        char c = line_[i];
        if (!in_object) {
          if (c == ' ' || c == '\t' || c == '\r' || c == '[' || c == ']' || c == ',') continue;
          have_line_ = false;
          if (c != '{') {
            if (current_ >= first_uncredited_) {
              sink_->OnSkip(first_uncredited_, static_cast<uint32_t>(current_ - first_uncredited_ + 1),
                            SkipReason::kMalformedJson, hint_.assign(what_) + " line is not a JSON object");
              first_uncredited_ = current_ + 1;
            }
            return kNotJson;
          }
          have_line_ = true;
          in_object = true;
          depth = 1;
          from = i;
          *object_line = current_;
          continue;
        }
        if (in_string) {
          if (escape) {
            escape = false;
          } else if (c == '\\') {
            escape = true;
          } else if (c == '"') {
            in_string = false;
          }
        } else if (c == '"') {
          in_string = true;
        } else if (c == '{' || c == '[') {
          ++depth;
        } else if ((c == '}' || c == ']') && --depth == 0) {
          Append(line_.substr(from, i + 1 - from));
          pos_ = i + 1;
          if (line_.find_first_not_of(" \t\r,]", pos_) == std::string_view::npos) have_line_ = false;
          return kObject;
        }
      }
      if (in_object) Append(line_.substr(from));
      have_line_ = false;
    }
    if (current_ >= first_uncredited_) {
      auto n = static_cast<uint32_t>(current_ - first_uncredited_ + 1);
      if (in_object) {
        sink_->OnSkip(first_uncredited_, n, SkipReason::kMalformedJson,
                      hint_.assign(what_) + " entry cut short by the end of the input");
      } else {
        sink_->OnSkip(first_uncredited_, n, SkipReason::kBlank, "blank lines or JSON array punctuation");
      }
      first_uncredited_ = current_ + 1;
    }
    return kEnd;
  }

  void Append(std::string_view s) {
    if (buf_.size() + s.size() > kMaxEntryBytes) {
      too_big_ = true;
      return;
    }
    buf_.append(s);
  }

  LineReader* lines_;
  RecordSink* sink_;
  std::string_view what_;
  std::string buf_;
  std::string hint_;
  bool too_big_ = false;
  std::string_view line_;  // the current line, read up to pos_
  size_t pos_ = 0;
  bool have_line_ = false;
  uint64_t current_ = 0;
  uint64_t first_uncredited_ = 1;  // the first line not yet in an entry or a skip
};

// A parsed entry; views valid until the next Parse.
class JsonDoc {
 public:
  bool Parse(std::string_view text, simdjson::dom::object* out) {
    if (padded_.size() < text.size() + simdjson::SIMDJSON_PADDING) {
      padded_.resize(text.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(padded_.data(), text.data(), text.size());
    std::memset(padded_.data() + text.size(), 0, simdjson::SIMDJSON_PADDING);
    simdjson::dom::element doc;
    if (parser_.parse(padded_.data(), text.size(), false).get(doc) != simdjson::SUCCESS) return false;
    return doc.get_object().get(*out) == simdjson::SUCCESS;
  }

 private:
  simdjson::dom::parser parser_;
  std::vector<char> padded_;
};

std::string_view StringAt(simdjson::dom::object o, std::string_view key) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

// A string value, or a number printed into `buf`.
std::string_view ScalarAt(simdjson::dom::object o, std::string_view key, std::string* buf) {
  simdjson::dom::element e;
  if (o[key].get(e) != simdjson::SUCCESS) return {};
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return s;
  int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) {
    *buf = std::to_string(i);
    return *buf;
  }
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS) {
    char tmp[40];
    int n = std::snprintf(tmp, sizeof tmp, "%.6f", d);
    buf->assign(tmp, n > 0 ? static_cast<size_t>(n) : 0);
    return *buf;
  }
  return {};
}

// A name from a log shown in a hint: short and plain, else a placeholder.
std::string SafeName(std::string_view name) {
  if (name.empty() || name.size() > 40) return "?";
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return "?";
  }
  return std::string(name);
}

// Tells the sink the source identity when it changes: names of pods, units,
// instances; anything else in that field is not shown.
class SourceNote {
 public:
  void Note(RecordSink* sink, std::string_view kind, std::string_view name) {
    if (name.empty() || name.size() > 200) return;
    for (char c : name) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':' || c == '@')) {
        return;
      }
    }
    next_.assign(kind);
    next_.push_back(' ');
    next_.append(name);
    if (next_ == last_) return;
    last_.swap(next_);
    sink->OnSource(last_);
  }

 private:
  std::string last_, next_;
};

// ---- inner text ----------------------------------------------------------

// The lines inside the envelopes as one byte stream, with the map from its
// lines back to the envelope lines.
class InnerText : public ByteSource {
 public:
  // Appends the next entry's text (lines ending in '\n') to *out and its
  // envelope span to *line / *lines; false at the end.
  using NextFn = std::function<bool(std::string* out, uint64_t* line, uint32_t* lines)>;
  explicit InnerText(NextFn next) : next_(std::move(next)) {}

  Result<size_t> Read(char* buf, size_t n) override {
    while (pos_ == text_.size()) {
      text_.clear();
      pos_ = 0;
      uint64_t line = 0;
      uint32_t lines = 0;
      if (!next_(&text_, &line, &lines)) return size_t{0};
      if (text_.empty() || text_.back() != '\n') text_.push_back('\n');
      uint64_t count = static_cast<uint64_t>(std::count(text_.begin(), text_.end(), '\n'));
      map_.push_back(Span{inner_lines_ + 1, count, line, lines, false});
      inner_lines_ += count;
      if (map_.size() > kMaxMapEntries) {
        // An entry still unreported (a record of more than kMaxMapEntries
        // lines): its lines go to the next report, so none is lost.
        if (!map_.front().credited) orphan_lines_ += map_.front().outer_lines;
        map_.pop_front();
      }
    }
    size_t k = std::min(n, text_.size() - pos_);
    std::memcpy(buf, text_.data() + pos_, k);
    pos_ += k;
    return k;
  }

  // The envelope lines of inner lines [first, first + count): the first one,
  // and how many of them were not credited yet (each is credited once).
  void Credit(uint64_t first, uint64_t count, uint64_t* line, uint32_t* lines) {
    *line = map_.empty() ? first : map_.front().outer_line;
    *lines = static_cast<uint32_t>(std::min<uint64_t>(orphan_lines_, UINT32_MAX));
    orphan_lines_ -= *lines;
    auto it =
        std::upper_bound(map_.begin(), map_.end(), first, [](uint64_t v, const Span& s) { return v < s.inner_first; });
    if (it != map_.begin()) {
      --it;
      *line = it->outer_line;
    }
    for (; it != map_.end() && it->inner_first < first + std::max<uint64_t>(count, 1); ++it) {
      if (!it->credited) {
        *lines += it->outer_lines;
        it->credited = true;
      }
    }
  }

 private:
  struct Span {
    uint64_t inner_first;
    uint64_t inner_count;
    uint64_t outer_line;
    uint32_t outer_lines;
    bool credited;
  };
  NextFn next_;
  std::string text_;
  size_t pos_ = 0;
  uint64_t inner_lines_ = 0;
  std::deque<Span> map_;
  uint64_t orphan_lines_ = 0;
};

class MappedSink : public RecordSink {
 public:
  MappedSink(RecordSink* sink, InnerText* text) : sink_(sink), text_(text) {}
  void OnRecord(const LogRecord& record) override {
    LogRecord r = record;
    text_->Credit(record.line, record.lines, &r.line, &r.lines);
    r.stable = false;
    sink_->OnRecord(r);
  }
  void OnSkip(uint64_t line, uint32_t lines, SkipReason reason, std::string_view hint) override {
    uint64_t outer = 0;
    uint32_t n = 0;
    text_->Credit(line, lines, &outer, &n);
    if (n > 0) sink_->OnSkip(outer, n, reason, hint);
  }
  void OnSource(std::string_view source) override { sink_->OnSource(source); }

 private:
  RecordSink* sink_;
  InnerText* text_;
};

// Reads the inner lines with the reader of `format` (kAuto: detected from
// their head). Envelopes inside envelopes are not read (bounded nesting).
void ReadInner(InnerText* text, LogFormat format, const LogInput& log, RecordSink* sink) {
  MappedSink mapped(sink, text);
  LineReader inner(text);
  if (format == LogFormat::kAuto) format = DetectFormat(inner.Peek());
  if (format == LogFormat::kCri || format == LogFormat::kCloudSql || format == LogFormat::kJournald) {
    std::string_view line;
    while (inner.Next(&line)) {
      mapped.OnSkip(inner.line_number(), 1, SkipReason::kNotPostgres, "an envelope inside an envelope is not read");
    }
    return;
  }
  if (format != LogFormat::kStderr) {
    LogInput sub;
    sub.format = format;
    sub.prefix = log.prefix;
    RowOf(format).read(&inner, sub, &mapped);
    return;
  }
  std::string prefix = log.prefix;
  std::string error;
  if (prefix.empty()) {
    std::vector<std::string> sample;
    std::string_view head = inner.Peek();
    size_t pos = 0;
    while (pos < head.size() && sample.size() < kPrefixSampleLines) {
      size_t nl = head.find('\n', pos);
      if (nl == std::string_view::npos) break;
      sample.emplace_back(head.substr(pos, nl - pos));
      pos = nl + 1;
    }
    Result<InferredPrefix> inferred = InferPrefix(sample);
    if (inferred.ok()) {
      prefix = inferred->prefix;
    } else {
      error = inferred.error();
    }
  }
  if (error.empty()) {
    Result<LinePrefix> compiled = LinePrefix::Compile(prefix);
    if (compiled.ok()) {
      ReadStderr(&inner, *compiled, &mapped);
      return;
    }
    error = compiled.error();
  }
  std::string_view line;
  while (inner.Next(&line)) mapped.OnSkip(inner.line_number(), 1, SkipReason::kPrefixMismatch, error);
}

// ---- Cloud SQL -------------------------------------------------------------

// "2020-05-02T13:00:20.382318Z" as %m writes it: "2020-05-02 13:00:20.382 UTC".
bool CloudTimestamp(std::string_view t, std::string* out) {
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t.back() != 'Z') {
    return false;
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (!IsDigit(t[i])) return false;
  }
  out->assign(t.substr(0, 10));
  out->push_back(' ');
  out->append(t.substr(11, 8));
  out->append(".");
  std::string_view frac = t.size() > 21 && t[19] == '.' ? t.substr(20, t.size() - 21) : std::string_view();
  for (size_t i = 0; i < 3; ++i) out->push_back(i < frac.size() && IsDigit(frac[i]) ? frac[i] : '0');
  out->append(" UTC");
  return true;
}

bool StartsWithDate(std::string_view s) {
  return s.size() >= 10 && IsDigit(s[0]) && IsDigit(s[1]) && IsDigit(s[2]) && IsDigit(s[3]) && s[4] == '-' &&
         s[7] == '-';
}

// ---- CRI -------------------------------------------------------------------

struct CriLine {
  std::string_view stream;
  bool partial = false;
  std::string_view text;
};

// "<RFC 3339 time> <stream> <tags> <text>": tags are ':'-separated, the first
// is P (partial) or F (full).
bool ParseCri(std::string_view line, CriLine* out) {
  if (line.size() < 20 || !StartsWithDate(line) || line[10] != 'T') return false;
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp > 40) return false;
  size_t sp2 = line.find(' ', sp + 1);
  if (sp2 == std::string_view::npos) return false;
  out->stream = line.substr(sp + 1, sp2 - sp - 1);
  if (out->stream != "stdout" && out->stream != "stderr") return false;
  size_t sp3 = line.find(' ', sp2 + 1);
  std::string_view tags = line.substr(sp2 + 1, sp3 == std::string_view::npos ? std::string_view::npos : sp3 - sp2 - 1);
  if (tags.empty() || (tags[0] != 'P' && tags[0] != 'F') || (tags.size() > 1 && tags[1] != ':')) return false;
  out->partial = tags[0] == 'P';
  out->text = sp3 == std::string_view::npos ? std::string_view() : line.substr(sp3 + 1);
  return true;
}

}  // namespace

// ---- detection ---------------------------------------------------------------

bool LooksLikeCnpgLine(std::string_view line) {
  line = Trimmed(line);
  if (line.empty() || line[0] != '{') return false;
  if (line.find("\"logging_pod\":") != std::string_view::npos) return true;
  return line.find("\"level\":") != std::string_view::npos && line.find("\"ts\":") != std::string_view::npos &&
         line.find("\"msg\":") != std::string_view::npos;
}

bool LooksLikeCloudSqlLine(std::string_view line) {
  line = Trimmed(line);
  return !line.empty() && line[0] == '{' && line.find("\"logName\":") != std::string_view::npos &&
         line.find("\"resource\":") != std::string_view::npos;
}

bool LooksLikeCloudSqlArray(std::string_view head) {
  size_t b = head.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos || head[b] != '[') return false;
  return head.find("\"logName\":") != std::string_view::npos && head.find("\"insertId\":") != std::string_view::npos;
}

bool LooksLikeJournaldLine(std::string_view line) {
  line = Trimmed(line);
  return !line.empty() && line[0] == '{' && line.find("\"__REALTIME_TIMESTAMP\":") != std::string_view::npos &&
         line.find("\"MESSAGE\":") != std::string_view::npos;
}

bool LooksLikeCriLine(std::string_view line) {
  CriLine cri;
  return ParseCri(line, &cri);
}

// ---- readers -------------------------------------------------------------------

void ReadCnpg(LineReader* lines, RecordSink* sink) {
  JsonEntries entries(lines, sink, "CloudNativePG");
  JsonDoc doc;
  SourceNote source;
  std::string ts_buf, pid_buf, hint;
  // PostgreSQL's own stderr before its logging collector starts (logger
  // "postgres", the line in "msg"), with the default log_line_prefix.
  Result<LinePrefix> early = LinePrefix::Compile("%m [%p] ");
  std::string_view text;
  uint64_t line = 0;
  uint32_t count = 0;
  while (entries.Next(&text, &line, &count)) {
    simdjson::dom::object o;
    if (!doc.Parse(text, &o)) {
      sink->OnSkip(line, count, SkipReason::kMalformedJson, "CloudNativePG line is not valid JSON");
      continue;
    }
    std::string_view logger = StringAt(o, "logger");
    simdjson::dom::object rec;
    if (logger == "postgres" && StringAt(o, "msg") != "record" && early.ok()) {
      LogRecord r;
      if (early->Match(StringAt(o, "msg"), &r)) {
        source.Note(sink, "pod", StringAt(o, "logging_pod"));
        r.line = line;
        r.lines = count;
        sink->OnRecord(r);
      } else {
        sink->OnSkip(line, count, SkipReason::kPrefixMismatch,
                     "CloudNativePG stderr line of PostgreSQL without the prefix '%m [%p] '");
      }
      continue;
    }
    if (logger != "postgres" || StringAt(o, "msg") != "record" || o["record"].get_object().get(rec)) {
      hint = logger.empty() ? "CloudNativePG instance manager line (not a PostgreSQL record)"
                            : "CloudNativePG line of logger '" + SafeName(logger) + "' (not a PostgreSQL record)";
      sink->OnSkip(line, count, SkipReason::kNotPostgres, hint);
      continue;
    }
    source.Note(sink, "pod", StringAt(o, "logging_pod"));
    LogRecord r;
    r.timestamp = StringAt(rec, "log_time");
    if (r.timestamp.empty()) r.timestamp = ScalarAt(o, "ts", &ts_buf);
    r.pid = ScalarAt(rec, "process_id", &pid_buf);
    r.session_id = StringAt(rec, "session_id");
    r.user = StringAt(rec, "user_name");
    r.database = StringAt(rec, "database_name");
    r.application = StringAt(rec, "application_name");
    r.client = StringAt(rec, "connection_from");
    r.sqlstate = StringAt(rec, "sql_state_code");
    r.query_id = StringAt(rec, "query_id");
    r.severity = StringAt(rec, "error_severity");
    r.message = StringAt(rec, "message");
    r.detail = StringAt(rec, "detail");
    r.statement = StringAt(rec, "query");
    r.line = line;
    r.lines = count;
    sink->OnRecord(r);
  }
}

void ReadCloudSql(LineReader* lines, const LogInput& log, RecordSink* sink) {
  JsonEntries entries(lines, sink, "Cloud Logging");
  JsonDoc doc;
  SourceNote source;
  std::string stamp;
  InnerText text([&](std::string* out, uint64_t* line, uint32_t* count) {
    std::string_view entry;
    while (entries.Next(&entry, line, count)) {
      simdjson::dom::object o;
      if (!doc.Parse(entry, &o)) {
        sink->OnSkip(*line, *count, SkipReason::kMalformedJson, "Cloud Logging entry is not valid JSON");
        continue;
      }
      std::string_view payload = StringAt(o, "textPayload");
      if (payload.empty()) {
        sink->OnSkip(*line, *count, SkipReason::kNotPostgres,
                     o["jsonPayload"].error() == simdjson::SUCCESS
                         ? "Cloud Logging entry with a jsonPayload (not read: no PostgreSQL log line in it)"
                         : "Cloud Logging entry without a textPayload");
        continue;
      }
      simdjson::dom::object labels;
      if (o.at_pointer("/resource/labels").get_object().get(labels) == simdjson::SUCCESS) {
        std::string_view id = StringAt(labels, "database_id");
        source.Note(sink, "cloudsql", id.empty() ? StringAt(labels, "project_id") : id);
      }
      // The entry's time in front, unless the line has one or continues the
      // message before it (a tab: PostgreSQL's next line of one message).
      if (!StartsWithDate(payload) && payload[0] != '\t' && CloudTimestamp(StringAt(o, "timestamp"), &stamp)) {
        out->append(stamp);
        out->push_back(' ');
      }
      out->append(payload);
      return true;
    }
    return false;
  });
  ReadInner(&text, LogFormat::kStderr, log, sink);
}

void ReadJournald(LineReader* lines, const LogInput& log, RecordSink* sink) {
  JsonEntries entries(lines, sink, "journald");
  JsonDoc doc;
  SourceNote source;
  std::string message, header;
  InnerText text([&](std::string* out, uint64_t* line, uint32_t* count) {
    std::string_view entry;
    while (entries.Next(&entry, line, count)) {
      simdjson::dom::object o;
      if (!doc.Parse(entry, &o)) {
        sink->OnSkip(*line, *count, SkipReason::kMalformedJson, "journald entry is not valid JSON");
        continue;
      }
      // MESSAGE is a string, or an array of bytes when it is not UTF-8.
      message.clear();
      simdjson::dom::element m;
      if (o["MESSAGE"].get(m) == simdjson::SUCCESS) {
        std::string_view s;
        simdjson::dom::array bytes;
        if (m.get_string().get(s) == simdjson::SUCCESS) {
          message.assign(s);
        } else if (m.get_array().get(bytes) == simdjson::SUCCESS) {
          for (simdjson::dom::element b : bytes) {
            uint64_t v = 0;
            if (b.get_uint64().get(v) == simdjson::SUCCESS && v < 256) message.push_back(static_cast<char>(v));
          }
        }
      }
      std::string_view realtime = StringAt(o, "__REALTIME_TIMESTAMP");
      if (message.empty() || realtime.empty()) {
        sink->OnSkip(*line, *count, SkipReason::kNotPostgres, "journald entry without a MESSAGE or a time");
        continue;
      }
      std::string_view ident = StringAt(o, "SYSLOG_IDENTIFIER");
      if (ident.empty()) ident = StringAt(o, "_COMM");
      std::string_view host = StringAt(o, "_HOSTNAME");
      std::string_view unit = StringAt(o, "_SYSTEMD_UNIT");
      if (IsPostgresIdent(ident) && !unit.empty()) source.Note(sink, "unit", unit);
      // As syslog writes it, for the syslog reader: "<RFC 3339 time> <host>
      // <ident>[<pid>]: <line>"; the lines after the first of a message
      // get the same header and a tab (continuation lines).
      int64_t us = 0;
      for (char c : realtime) {
        if (!IsDigit(c) || us > INT64_MAX / 10 - 10) {
          us = -1;
          break;
        }
        us = us * 10 + (c - '0');
      }
      if (us < 0) {
        sink->OnSkip(*line, *count, SkipReason::kMalformedJson, "journald entry with a malformed __REALTIME_TIMESTAMP");
        continue;
      }
      std::string iso = FormatIsoTime(us);  // "2026-11-23T09:24:58.165Z"
      header.assign(iso);
      header.push_back(' ');
      header.append(host.empty() ? "localhost" : host);
      header.push_back(' ');
      header.append(ident.empty() ? "unknown" : ident);
      std::string_view pid = StringAt(o, "_PID");
      if (pid.empty()) pid = StringAt(o, "SYSLOG_PID");
      if (!pid.empty()) {
        header.push_back('[');
        header.append(pid);
        header.push_back(']');
      }
      header.append(": ");
      size_t pos = 0;
      while (pos <= message.size()) {
        size_t nl = message.find('\n', pos);
        if (nl == std::string::npos) nl = message.size();
        out->append(header);
        if (pos > 0 && (message[pos] != '\t')) out->push_back('\t');
        out->append(message, pos, nl - pos);
        out->push_back('\n');
        pos = nl + 1;
        if (nl == message.size()) break;
      }
      return true;
    }
    return false;
  });
  ReadInner(&text, LogFormat::kSyslog, log, sink);
}

void ReadCri(LineReader* lines, const LogInput& log, RecordSink* sink) {
  // A message in parts: P lines, then the F line that ends it, per stream.
  struct Partial {
    std::string text;
    uint64_t first = 0;
    uint32_t lines = 0;
  };
  Partial parts[2];
  bool at_end = false;
  InnerText text([&](std::string* out, uint64_t* line, uint32_t* count) {
    std::string_view l;
    while (!at_end && lines->Next(&l)) {
      uint64_t n = lines->line_number();
      CriLine cri;
      if (Trimmed(l).empty()) {
        sink->OnSkip(n, 1, SkipReason::kBlank, "blank line");
        continue;
      }
      if (!ParseCri(l, &cri)) {
        sink->OnSkip(n, 1, SkipReason::kNotPostgres, "not a container log line (CRI: time, stream, P or F, text)");
        continue;
      }
      Partial& p = parts[cri.stream == "stderr" ? 1 : 0];
      if (p.lines == 0) p.first = n;
      ++p.lines;
      if (p.text.size() + cri.text.size() <= kMaxEntryBytes) p.text.append(cri.text);
      if (cri.partial) continue;
      out->swap(p.text);
      p.text.clear();
      *line = p.first;
      *count = p.lines;
      p.lines = 0;
      return true;
    }
    at_end = true;
    for (Partial& p : parts) {  // a message cut short by the end of the log
      if (p.lines == 0) continue;
      out->swap(p.text);
      p.text.clear();
      *line = p.first;
      *count = p.lines;
      p.lines = 0;
      return true;
    }
    return false;
  });
  ReadInner(&text, LogFormat::kAuto, log, sink);
}

}  // namespace pgsift::input_internal

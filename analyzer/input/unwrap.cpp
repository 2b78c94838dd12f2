// The envelope readers (see unwrap.h) of CloudNativePG, Cloud SQL, journald
// and CRI; the parts they share are in envelope.h, CloudWatch Logs in
// unwrap_cloudwatch.cpp.
#include "unwrap.h"

#include <simdjson.h>

#include <string>
#include <string_view>

#include "envelope.h"

namespace pgsift::input_internal {

namespace {

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

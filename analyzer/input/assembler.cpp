#include "pgsift/assembler.h"

#include <charconv>
#include <cstring>

#include "internal.h"
#include "pgsift/i18n.h"

namespace pgsift {
namespace {

// `p` is a literal: with its length known, the compare becomes a few word
// compares instead of a memcmp call (this runs several times per record).
template <size_t N>
inline bool StartsWith(std::string_view s, const char (&p)[N]) {
  return s.size() >= N - 1 && std::memcmp(s.data(), p, N - 1) == 0;
}

bool IsAttachment(std::string_view sev) {
  return sev == "DETAIL" || sev == "STATEMENT" || sev == "HINT" || sev == "CONTEXT" || sev == "QUERY" ||
         sev == "LOCATION";
}

bool IsEnglishSeverity(std::string_view sev) {
  return sev == "LOG" || sev == "ERROR" || IsAttachment(sev) || sev == "FATAL" || sev == "WARNING" || sev == "NOTICE" ||
         sev == "INFO" || sev == "PANIC" || StartsWith(sev, "DEBUG");
}

// "12.345 ms" at the start of s; returns the rest after "ms".

bool ParseDuration(std::string_view s, double* ms, std::string_view* rest) {
  const char* end = s.data() + s.size();
  const char* ptr = input_internal::ParsePlainDecimal(s.data(), end, ms);
  if (ptr == nullptr) {
    auto [p, ec] = std::from_chars(s.data(), end, *ms);
    if (ec != std::errc()) return false;
    ptr = p;
  }
  std::string_view r(ptr, static_cast<size_t>(end - ptr));
  if (!StartsWith(r, " ms")) return false;
  r.remove_prefix(3);
  while (!r.empty() && (r.front() == ' ' || r.front() == '\n')) r.remove_prefix(1);
  *rest = r;
  return true;
}

// "NAME: SQL" after "execute "/"parse "/"bind ".
std::string_view AfterName(std::string_view s) {
  size_t c = s.find(": ");
  if (c == std::string_view::npos) return {};
  return s.substr(c + 2);
}

// auto_explain text plan: "Query Text: SQL\n<plan>". The plan starts at the
// first line that carries cost or timing figures.
void SplitTextPlan(std::string_view body, std::string_view* sql, std::string_view* plan) {
  if (!StartsWith(body, "Query Text: ")) {
    *plan = body;
    return;
  }
  body.remove_prefix(12);
  if (StartsWith(body, "\"")) {
    // auto_explain.log_format = yaml: the query is a YAML string and the plan
    // is YAML, neither read here. Its literals must not pass for SQL text
    // (a double-quoted identifier to the fingerprinter's lexer, so never
    // masked): a plan of unknown statement.
    *plan = body;
    return;
  }
  size_t pos = 0;
  for (;;) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) {
      *sql = body;
      return;
    }
    std::string_view next = body.substr(nl + 1, body.find('\n', nl + 1) - (nl + 1));
    if (next.find("(cost=") != std::string_view::npos || next.find("(actual ") != std::string_view::npos ||
        next.find("(never executed)") != std::string_view::npos) {
      *sql = body.substr(0, nl);
      *plan = body.substr(nl + 1);
      return;
    }
    pos = nl + 1;
  }
}

// "statement: SQL" and "execute NAME: SQL", logged with or without a duration.
bool ClassifyStatement(std::string_view text, Event* e) {
  if (StartsWith(text, "statement: ")) {
    e->kind = EventKind::kQuery;
    e->sql = text.substr(11);
    return true;
  }
  if (StartsWith(text, "execute ")) {
    e->kind = EventKind::kQuery;
    e->phase = Phase::kExecute;
    e->sql = AfterName(text.substr(8));
    return true;
  }
  return false;
}

}  // namespace

std::string_view EventKindName(EventKind kind) {
  static constexpr std::string_view kNames[] = {
      "query",      "prepare",    "duration_only", "plan",      "error",     "connection", "disconnection",
      "checkpoint", "autovacuum", "autoanalyze",   "temp_file", "lock_wait", "other"};
  return kNames[static_cast<size_t>(kind)];
}

std::string_view SkipReasonName(SkipReason reason) {
  static constexpr std::string_view kNames[] = {
      "prefix_mismatch", "orphan_continuation", "malformed_csv", "malformed_json", "not_postgres", "binary", "blank"};
  return kNames[static_cast<size_t>(reason)];
}

uint64_t RecordCounts::skipped_total() const {
  uint64_t n = 0;
  for (uint64_t v : skipped_lines) n += v;
  return n;
}

void Assembler::OnSkip(uint64_t line, uint32_t lines, SkipReason reason, std::string_view hint) {
  counts_.skipped_lines[static_cast<size_t>(reason)] += lines;
  if (reason != SkipReason::kBlank && skip_examples_.size() < 5) {
    skip_examples_.push_back({line, std::string(hint)});
  }
}

void Assembler::OnSource(std::string_view source) {
  if (source_.empty()) {
    source_.assign(source);
  } else if (source != source_) {
    several_sources_ = true;
  }
}

// A NUL byte is never in text PostgreSQL writes: it is a zeroed block or a
// binary file. libpg_query reads C strings, so a statement holding one would
// be fingerprinted as its text before the NUL; the record is skipped instead.
static bool HasNul(const LogRecord& r) {
  for (std::string_view s : {r.message, r.detail, r.statement}) {
    if (!s.empty() && std::memchr(s.data(), '\0', s.size()) != nullptr) return true;
  }
  return false;
}

void Assembler::OnRecord(const LogRecord& r) {
  if (HasNul(r)) [[unlikely]] {
    OnSkip(r.line, r.lines, SkipReason::kBinary, "NUL bytes in the record (a zeroed block or binary data)");
    return;
  }
  ++counts_.records;
  counts_.lines_in_records += r.lines;
  // lc_messages other than English: "詳細" is a DETAIL, "FEHLER" an ERROR.
  std::string_view severity = r.severity;
  if (!IsEnglishSeverity(severity)) [[unlikely]] {
    uint32_t langs = 0;
    std::string_view english = i18n::EnglishSeverity(severity, &langs);
    if (!english.empty()) {
      severity = english;
      NoteLanguages(langs);
    }
  }
  if (IsAttachment(severity)) {
    if (!pending_.active || (!r.pid.empty() && r.pid != pending_.f[kPid])) {
      ++counts_.orphan_details;
      return;
    }
    if (severity == "DETAIL") {
      if (pending_.f[kDetail].empty()) pending_.Keep(kDetail, r.message, r.stable);
    } else if (severity == "STATEMENT") {
      pending_.Keep(kStatement, r.message, r.stable);
    }
    return;
  }
  Flush();
  Pending& p = pending_;
  p.active = true;
  const bool stable = r.stable;
  p.Keep(kTimestamp, r.timestamp, stable);
  p.Keep(kPid, r.pid, stable);
  p.Keep(kSession, r.session_id, stable);
  p.Keep(kUser, r.user, stable);
  p.Keep(kDatabase, r.database, stable);
  p.Keep(kApplication, r.application, stable);
  p.Keep(kClient, r.client, stable);
  p.Keep(kSqlstate, r.sqlstate, stable);
  p.Keep(kSeverity, severity, stable && severity.data() == r.severity.data());
  p.Keep(kMessage, r.message, stable);
  p.Keep(kDetail, r.detail, stable);
  p.Keep(kStatement, r.statement, stable);
  p.line = r.line;
}

void Assembler::Flush() {
  if (!pending_.active) return;
  Emit(pending_);
  pending_.active = false;
}

void Assembler::Emit(const Pending& p) {
  Event e;
  e.line = p.line;
  bool unknown_zone = false;
  std::string_view doubtful;
  e.time_us = ParseLogTimestamp(p.f[kTimestamp], &unknown_zone, &doubtful);
  if (!doubtful.empty()) {
    (unknown_zone ? counts_.unknown_time_zone : counts_.ambiguous_time_zone) += 1;
    if (counts_.doubtful_zone.empty()) counts_.doubtful_zone = std::string(doubtful.substr(0, 16));
  }
  e.pid = p.f[kPid];
  e.session = p.f[kSession].empty() ? std::string_view(p.f[kPid]) : std::string_view(p.f[kSession]);
  e.identity = !p.f[kSession].empty() ? SessionIdentity::kSession
               : !p.f[kPid].empty()   ? SessionIdentity::kProcess
                                      : SessionIdentity::kNone;
  e.user = p.f[kUser];
  e.database = p.f[kDatabase];
  e.application = p.f[kApplication];
  e.client = p.f[kClient];
  e.sqlstate = p.f[kSqlstate];
  std::string_view msg = p.f[kMessage];
  std::string_view sev = p.f[kSeverity];

  if (sev == "ERROR" || sev == "FATAL" || sev == "PANIC") {
    e.kind = EventKind::kError;
    e.message = msg;
    e.sql = p.f[kStatement];
  } else if (sev != "LOG") {
    e.kind = EventKind::kOther;
  } else {
    ClassifyLog(msg, p, &e);
    if (e.kind != EventKind::kOther) [[likely]] {
      NoteLanguages(i18n::kEnglish);
    } else if (uint32_t langs = i18n::TranslateMessage(msg, &translated_message_)) {
      // The server's language: classified as its English original, from
      // what ClassifyLog had set back to the defaults.
      NoteLanguages(langs);
      e.phase = Phase::kSimple;
      e.duration_ms = -1;
      e.sql = {};
      e.plan = {};
      e.plan_json = false;
      e.temp_bytes = 0;
      e.message = {};
      ClassifyLog(translated_message_, p, &e);
    }
  }
  if (StartsWith(p.f[kDetail], "parameters: ")) {
    e.parameters = std::string_view(p.f[kDetail]).substr(12);
  } else if (!p.f[kDetail].empty()) {
    if (uint32_t langs = i18n::TranslateMessage(p.f[kDetail], &translated_detail_);
        langs != 0 && StartsWith(translated_detail_, "parameters: ")) {
      NoteLanguages(langs);
      e.parameters = std::string_view(translated_detail_).substr(12);
    }
  }
  // "[不明]" is "[unknown]": no user, database or application yet.
  for (std::string_view* v : {&e.user, &e.database, &e.application}) {
    uint32_t langs = 0;
    if (!v->empty() && v->front() == '[' && i18n::IsTranslatedUnknown(*v, &langs)) {
      NoteLanguages(langs);
      *v = "[unknown]";
    }
  }
  ++counts_.events[static_cast<size_t>(e.kind)];
  sink_->OnEvent(e);
}

void Assembler::NoteLanguages(uint32_t langs) {
  // A translation shared by several languages (ru and uk write "оператор:")
  // is resolved when the report is written (i18n::DetectedLanguages).
  if ((langs & (langs - 1)) == 0) {
    counts_.message_languages |= langs;
  } else {
    counts_.message_languages_shared |= langs;
  }
}

// A LOG message: statements, durations, plans, connections, checkpoints...
void Assembler::ClassifyLog(std::string_view msg, const Pending& p, Event* out) {
  Event& e = *out;
  if (StartsWith(msg, "duration: ")) {
    std::string_view rest;
    if (!ParseDuration(msg.substr(10), &e.duration_ms, &rest)) {
      e.kind = EventKind::kOther;
    } else if (rest.empty()) {
      e.kind = EventKind::kDurationOnly;
    } else if (ClassifyStatement(rest, &e)) {
      // a timed statement or execute
    } else if (StartsWith(rest, "parse ") || StartsWith(rest, "bind ")) {
      e.kind = EventKind::kPrepare;
      e.phase = rest[0] == 'p' ? Phase::kParse : Phase::kBind;
      e.sql = AfterName(rest.substr(rest[0] == 'p' ? 6 : 5));
    } else if (StartsWith(rest, "plan:")) {
      e.kind = EventKind::kPlan;
      std::string_view body = rest.substr(5);
      while (!body.empty() && (body.front() == '\n' || body.front() == ' ')) body.remove_prefix(1);
      if (StartsWith(body, "{")) {
        e.plan_json = true;
        e.plan = body;
      } else {
        SplitTextPlan(body, &e.sql, &e.plan);
      }
    } else {
      e.kind = EventKind::kOther;
    }
  } else if (ClassifyStatement(msg, &e)) {
    // log_statement without a duration; a later "duration:" line pairs with it
  } else if (StartsWith(msg, "connection authorized")) {
    e.kind = EventKind::kConnection;
  } else if (StartsWith(msg, "disconnection: ")) {
    e.kind = EventKind::kDisconnection;
    e.message = msg;
  } else if (StartsWith(msg, "checkpoint starting") || StartsWith(msg, "checkpoint complete") ||
             StartsWith(msg, "restartpoint")) {
    e.kind = EventKind::kCheckpoint;
    e.message = msg;
  } else if (StartsWith(msg, "automatic vacuum") || StartsWith(msg, "automatic aggressive vacuum")) {
    e.kind = EventKind::kAutovacuum;
    e.message = msg;
  } else if (StartsWith(msg, "automatic analyze")) {
    e.kind = EventKind::kAutoanalyze;
    e.message = msg;
  } else if (StartsWith(msg, "temporary file: ")) {
    e.kind = EventKind::kTempFile;
    size_t s = msg.rfind("size ");
    if (s != std::string_view::npos) {
      std::from_chars(msg.data() + s + 5, msg.data() + msg.size(), e.temp_bytes);
    }
    e.sql = p.f[kStatement];
  } else if (StartsWith(msg, "process ") && msg.find(" still waiting for ") != std::string_view::npos) {
    e.kind = EventKind::kLockWait;
    e.sql = p.f[kStatement];
    e.message = msg;
    e.detail = p.f[kDetail];
  } else {
    e.kind = EventKind::kOther;
    e.message = msg;
  }
}

namespace input_internal {

// The digits as an integer over a power of ten, both exact in a double, so
// the one division rounds correctly, as from_chars does.
const char* ParsePlainDecimal(const char* p, const char* end, double* out) {
  static constexpr double kPow10[] = {1,   1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  uint64_t m = 0;
  int digits = 0, frac = 0;
  const char* q = p;
  while (q < end && *q >= '0' && *q <= '9') m = m * 10 + static_cast<uint64_t>(*q++ - '0'), ++digits;
  if (q == p) return nullptr;
  if (q < end && *q == '.') {
    const char* f = ++q;
    while (q < end && *q >= '0' && *q <= '9') m = m * 10 + static_cast<uint64_t>(*q++ - '0'), ++digits;
    frac = static_cast<int>(q - f);
    if (frac == 0) return nullptr;
  }
  if (digits > 15 || (q < end && (*q == 'e' || *q == 'E'))) return nullptr;
  *out = static_cast<double>(m) / kPow10[frac];
  return q;
}

}  // namespace input_internal

}  // namespace pgsift

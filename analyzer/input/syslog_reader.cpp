// syslog reader. PostgreSQL's write_syslog() sends each line of a message as
// its own syslog message, tagged "[seq-part] " when syslog_sequence_numbers is
// on, and also cuts lines longer than PG_SYSLOG_LIMIT (900 bytes), preferably
// at a space. Lines of the message text after the first start with a tab
// (append_with_tabs), which syslog daemons write as "#011"; DETAIL, HINT,
// STATEMENT... lines carry the log_line_prefix again. So a part is:
//   - the start of a record when it matches prefix + "SEVERITY:  " (DETAIL and
//     friends become records of their own, as in a stderr log);
//   - a new line of the record when it starts with a tab: joined with '\n';
//   - otherwise the rest of a cut line: joined as is.
// Parts of different backends may interleave, so records in progress are kept
// per (host, pid) and emitted when that backend starts another message, when
// they have seen no part for kStaleLines lines, or at the end.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "internal.h"
#include "pgsift/prefix.h"
#include "pgsift/readers.h"

namespace pgsift {

namespace input_internal {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Next space-delimited token at *pos; moves *pos past one following space.
std::string_view Token(std::string_view s, size_t* pos) {
  size_t b = *pos;
  size_t e = s.find(' ', b);
  if (e == std::string_view::npos) e = s.size();
  *pos = e < s.size() ? e + 1 : e;
  return s.substr(b, e - b);
}

// "Jan 16 13:40:40" or "Jan  6 13:40:40" at pos; returns its length or 0.
size_t Bsd3164Time(std::string_view s, size_t pos) {
  if (s.size() < pos + 15) return 0;
  const char* p = s.data() + pos;
  if (!IsAlpha(p[0]) || !IsAlpha(p[1]) || !IsAlpha(p[2]) || p[3] != ' ') return 0;
  if (!(p[4] == ' ' || IsDigit(p[4])) || !IsDigit(p[5]) || p[6] != ' ') return 0;
  if (!IsDigit(p[7]) || !IsDigit(p[8]) || p[9] != ':' || !IsDigit(p[10]) || !IsDigit(p[11]) || p[12] != ':' ||
      !IsDigit(p[13]) || !IsDigit(p[14])) {
    return 0;
  }
  return 15;
}

// RFC 3339 "2021-01-16T13:40:40[.123][Z|+00:00]" as a whole token.
bool Rfc3339(std::string_view t) {
  return t.size() >= 19 && IsDigit(t[0]) && IsDigit(t[3]) && t[4] == '-' && t[7] == '-' && t[10] == 'T' &&
         t[13] == ':' && t[16] == ':';
}

// "ident[pid]: " or "ident: " at pos; fills ident, pid and body.
bool Tag(std::string_view s, size_t pos, SyslogHeader* h) {
  size_t e = pos;
  while (e < s.size() && s[e] != '[' && s[e] != ':' && s[e] != ' ') ++e;
  if (e == pos || e >= s.size()) return false;
  h->ident = s.substr(pos, e - pos);
  h->pid = {};
  if (s[e] == '[') {
    size_t close = s.find(']', e);
    if (close == std::string_view::npos) return false;
    h->pid = s.substr(e + 1, close - e - 1);
    e = close + 1;
  }
  // A Heroku logplex drain's "app[postgres.NNNN] " may come without the ':'.
  bool heroku = e < s.size() && s[e] == ' ' && h->ident == "app" && h->pid.substr(0, 9) == "postgres.";
  if (e >= s.size() || (s[e] != ':' && !heroku)) return false;
  if (!heroku) ++e;
  if (e < s.size() && s[e] == ' ') ++e;
  h->body = s.substr(e);
  return true;
}

// A Heroku logplex drain: "<time> app[postgres.NNNN]: [COLOR] [n-m] <line>"
// (the database's name on the app in brackets): ident postgres, pid NNNN,
// the color tag taken off so the sequence tag starts the body.
void HerokuPostgres(SyslogHeader* h) {
  constexpr std::string_view kPid = "postgres.";
  if (h->ident != "app" || h->pid.substr(0, kPid.size()) != kPid) return;
  std::string_view b = h->body;
  size_t close = b.find("] ");
  if (b.empty() || b[0] != '[' || close == std::string_view::npos || close < 2 || close > 40) return;
  for (size_t i = 1; i < close; ++i) {
    if (!((b[i] >= 'A' && b[i] <= 'Z') || b[i] == '_' || IsDigit(b[i]))) return;
  }
  h->ident = h->pid.substr(0, kPid.size() - 1);
  h->pid.remove_prefix(kPid.size());
  h->body.remove_prefix(close + 2);
}

bool Parse5424(std::string_view s, size_t pos, SyslogHeader* h) {
  // VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
  std::string_view version = Token(s, &pos);
  if (version.empty() || !IsDigit(version[0])) return false;
  h->timestamp = Token(s, &pos);
  h->host = Token(s, &pos);
  h->ident = Token(s, &pos);
  h->pid = Token(s, &pos);
  Token(s, &pos);  // MSGID
  if (h->ident.empty() || pos > s.size()) return false;
  if (h->pid == "-") h->pid = {};
  if (pos < s.size() && s[pos] == '-') {
    ++pos;
  } else {
    while (pos < s.size() && s[pos] == '[') {  // SD-ELEMENTs; values may escape ']'
      ++pos;
      while (pos < s.size() && s[pos] != ']') pos += (s[pos] == '\\') ? 2 : 1;
      if (pos >= s.size()) return false;
      ++pos;
    }
  }
  if (pos < s.size() && s[pos] == ' ') ++pos;
  h->body = pos < s.size() ? s.substr(pos) : std::string_view();
  if (h->body.substr(0, 3) == "\xEF\xBB\xBF") h->body.remove_prefix(3);
  return true;
}

}  // namespace

// Also used by DetectFormat (detect_format.cpp).
bool ParseSyslogHeader(std::string_view s, SyslogHeader* h) {
  *h = SyslogHeader{};
  size_t pos = 0;
  if (!s.empty() && s[0] == '<') {  // <PRI>
    size_t close = s.find('>');
    if (close == std::string_view::npos || close > 4 || close < 2) return false;
    for (size_t i = 1; i < close; ++i) {
      if (!IsDigit(s[i])) return false;
    }
    pos = close + 1;
    if (pos + 1 < s.size() && IsDigit(s[pos]) && s[pos + 1] == ' ') return Parse5424(s, pos, h);
  }
  if (size_t n = Bsd3164Time(s, pos); n > 0) {
    h->timestamp = s.substr(pos, n);
    pos += n + 1;
  } else {
    size_t p = pos;
    std::string_view t = Token(s, &p);
    if (!Rfc3339(t)) return false;
    h->timestamp = t;
    pos = p;
  }
  if (pos >= s.size()) return false;
  size_t p = pos;
  h->host = Token(s, &p);
  if (!Tag(s, p, h)) {
    h->host = {};  // some local writers omit the host
    if (!Tag(s, pos, h)) return false;
  }
  HerokuPostgres(h);
  return true;
}

bool IsPostgresIdent(std::string_view ident) {
  for (std::string_view name : {"postgres", "postmaster"}) {
    for (size_t i = 0; i + name.size() <= ident.size(); ++i) {
      bool same = true;
      for (size_t k = 0; k < name.size() && same; ++k) same = (ident[i + k] | 0x20) == name[k];
      if (same) return true;
    }
  }
  return false;
}

bool SyslogYear::Complete(std::string_view t, std::string* out) {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (t.size() != 15 || Bsd3164Time(t, 0) != 15) return false;
  size_t m = kMonths.find(t.substr(0, 3));
  if (m == std::string_view::npos || m % 3 != 0) return false;
  int month = static_cast<int>(m / 3) + 1;
  int day = (t[4] == ' ' ? 0 : t[4] - '0') * 10 + (t[5] - '0');
  int year = 0;
  if (year_ == 0) {
    // Civil date of now + 7 days (days_from_civil inverted, Howard Hinnant's algorithm).
    int64_t z = (now_ + 7 * 86400) / 86400 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int limit_day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    int limit_month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    year_ = static_cast<int>(yoe + era * 400 + (limit_month <= 2 ? 1 : 0));
    if (month > limit_month || (month == limit_month && day > limit_day)) --year_;
    month_ = month;
    year = year_;
  } else if (month + 6 < month_) {
    year = ++year_;  // December, then January
    month_ = month;
  } else if (month > month_ + 6) {
    year = year_ - 1;  // a late line of the year before
  } else {
    year = year_;
    month_ = month;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %.8s", year, static_cast<int>(m / 3) + 1, day, t.data() + 7);
  out->assign(buf);
  return true;
}

// "[12-3] " at the start of a body; sets seq and part and strips it.
bool SequenceTag(std::string_view* body, uint64_t* seq, uint32_t* part) {
  std::string_view b = *body;
  if (b.size() < 5 || b[0] != '[' || !IsDigit(b[1])) return false;
  size_t i = 1;
  uint64_t s = 0;
  while (i < b.size() && IsDigit(b[i]) && i < 20) s = s * 10 + static_cast<uint64_t>(b[i++] - '0');
  if (i >= b.size() || b[i] != '-' || i + 1 >= b.size() || !IsDigit(b[i + 1])) return false;
  ++i;
  uint32_t p = 0;
  while (i < b.size() && IsDigit(b[i]) && p < 100000000) p = p * 10 + static_cast<uint32_t>(b[i++] - '0');
  if (i >= b.size() || b[i] != ']') return false;
  ++i;
  if (i < b.size() && b[i] == ' ') ++i;
  *seq = s;
  *part = p;
  body->remove_prefix(i);
  return true;
}

}  // namespace input_internal

namespace {

using input_internal::SyslogHeader;

constexpr size_t kSampleMessages = 200;
constexpr size_t kSampleMaxLines = 20000;
constexpr size_t kSampleMaxBytes = size_t{16} << 20;
constexpr uint64_t kStaleLines = 1000;
constexpr size_t kMaxPending = 256;
// A part this long (PG_SYSLOG_LIMIT is 900 bytes) may have been cut for length.
constexpr size_t kLongPart = 800;

// A tab PostgreSQL put after a newline, as the syslog daemon wrote it.
size_t LeadingTab(std::string_view text) {
  if (text.substr(0, 4) == "#011") return 4;
  if (!text.empty() && text[0] == '\t') return 1;
  return 0;
}

// Length of `text` before the daemon's "#ooo" escapes, as PostgreSQL counted it.
size_t UnescapedLength(std::string_view text) {
  size_t n = text.size();
  for (size_t i = text.find('#'); i != std::string_view::npos && i + 3 < text.size(); i = text.find('#', i + 1)) {
    if (text[i + 1] >= '0' && text[i + 1] <= '3' && text[i + 2] >= '0' && text[i + 2] <= '7' && text[i + 3] >= '0' &&
        text[i + 3] <= '7') {
      n -= 3;
    }
  }
  return n;
}

class SyslogReader {
 public:
  SyslogReader(LineReader* lines, std::string_view prefix, RecordSink* sink)
      : lines_(lines), prefix_text_(prefix), sink_(sink) {}
  void Run();

 private:
  // Field slots of a record in progress; message is last so parts append to it.
  enum Slot {
    kHost,
    kHeaderPid,
    kTimestamp,
    kPid,
    kSession,
    kUser,
    kDatabase,
    kApp,
    kClient,
    kSqlstate,
    kQueryId,
    kSeverity,
    kSlots
  };
  struct Pending {
    bool active = false;
    std::string buf;
    std::array<std::pair<size_t, size_t>, kSlots> spans{};
    size_t message_offset = 0;
    bool sequenced = false;
    uint64_t seq = 0;
    size_t last_part_length = 0;
    uint64_t line = 0;
    uint32_t lines = 0;
    uint64_t last_line = 0;
    uint64_t order = 0;
    std::string_view Get(Slot s) const { return std::string_view(buf).substr(spans[s].first, spans[s].second); }
  };

  void Prepare(std::vector<std::string>* buffered);
  void Process(std::string_view line, uint64_t number);
  bool MatchBody(std::string_view body, LogRecord* record) const;
  void Start(const SyslogHeader& h, const LogRecord& r, std::string_view body, bool sequenced, uint64_t seq,
             uint64_t number);
  void Continue(const SyslogHeader& h, std::string_view text, bool sequenced, uint64_t seq, uint64_t number);
  Pending* Find(const SyslogHeader& h);
  void Emit(Pending* p);
  void EmitStale(uint64_t number);
  void EmitAll();
  bool KnownIdent(std::string_view ident) const;

  LineReader* lines_;
  std::string prefix_text_;
  RecordSink* sink_;
  LinePrefix prefix_;
  bool have_prefix_ = false;
  std::string prefix_error_;
  std::vector<std::string> idents_;  // custom syslog_ident values seen with records
  std::vector<Pending> pending_;
  uint64_t next_order_ = 0;
  std::string hint_;
  input_internal::SyslogYear year_{
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count()};
  std::string stamp_;
};

bool SyslogReader::KnownIdent(std::string_view ident) const {
  return std::find(idents_.begin(), idents_.end(), ident) != idents_.end();
}

bool SyslogReader::MatchBody(std::string_view body, LogRecord* record) const {
  if (!have_prefix_) return false;
  *record = LogRecord{};
  return prefix_.Match(body, record);
}

void SyslogReader::Prepare(std::vector<std::string>* buffered) {
  if (prefix_text_.empty()) {
    // Collect bodies of the first messages, keeping the lines to replay.
    std::vector<std::string> sample;
    size_t bytes = 0;
    std::string_view line;
    while (sample.size() < kSampleMessages && buffered->size() < kSampleMaxLines && bytes < kSampleMaxBytes &&
           lines_->Next(&line)) {
      buffered->emplace_back(line);
      bytes += line.size();
      SyslogHeader h;
      if (!input_internal::ParseSyslogHeader(line, &h)) continue;
      std::string_view body = h.body;
      uint64_t seq = 0;
      uint32_t part = 0;
      bool tagged = input_internal::SequenceTag(&body, &seq, &part);
      if (!tagged && !input_internal::IsPostgresIdent(h.ident)) continue;
      if (size_t tab = LeadingTab(body); tab > 0) {
        sample.push_back("\t" + std::string(body.substr(tab)));
      } else {
        sample.emplace_back(body);
      }
    }
    Result<InferredPrefix> inferred = InferPrefix(sample);
    if (inferred.ok()) {
      prefix_text_ = inferred->prefix;
    } else {
      // Bodies that start with the severity mean an empty log_line_prefix.
      size_t starts = 0, heroku = 0;
      for (const std::string& s : sample) {
        starts += StartsWithSeverity(s) ? 1 : 0;
        heroku += s.starts_with(" sql_error_code = ") ? 1 : 0;
      }
      if (heroku * 2 > sample.size()) {
        prefix_text_ = " sql_error_code = %e ";  // Heroku Postgres's fixed log_line_prefix
      } else if (starts == 0 || starts * 2 < sample.size()) {
        prefix_error_ = "syslog: " + inferred.error();
        return;
      }
    }
  }
  Result<LinePrefix> compiled = LinePrefix::Compile(prefix_text_);
  if (!compiled.ok()) {
    prefix_error_ = "syslog: " + compiled.error();
    return;
  }
  prefix_ = std::move(*compiled);
  have_prefix_ = true;
}

SyslogReader::Pending* SyslogReader::Find(const SyslogHeader& h) {
  for (Pending& p : pending_) {
    if (p.active && p.Get(kHeaderPid) == h.pid && p.Get(kHost) == h.host) return &p;
  }
  return nullptr;
}

void SyslogReader::Emit(Pending* p) {
  LogRecord r;
  r.timestamp = p->Get(kTimestamp);
  r.pid = p->Get(kPid);
  r.session_id = p->Get(kSession);
  r.user = p->Get(kUser);
  r.database = p->Get(kDatabase);
  r.application = p->Get(kApp);
  r.client = p->Get(kClient);
  r.sqlstate = p->Get(kSqlstate);
  r.query_id = p->Get(kQueryId);
  r.severity = p->Get(kSeverity);
  r.message = std::string_view(p->buf).substr(p->message_offset);
  r.line = p->line;
  r.lines = p->lines;
  p->active = false;
  sink_->OnRecord(r);
}

void SyslogReader::EmitStale(uint64_t number) {
  for (;;) {
    Pending* oldest = nullptr;
    for (Pending& p : pending_) {
      if (p.active && p.last_line + kStaleLines < number && (oldest == nullptr || p.order < oldest->order)) {
        oldest = &p;
      }
    }
    if (oldest == nullptr) return;
    Emit(oldest);
  }
}

void SyslogReader::EmitAll() { EmitStale(UINT64_MAX); }

void SyslogReader::Start(const SyslogHeader& h, const LogRecord& r, std::string_view body, bool sequenced, uint64_t seq,
                         uint64_t number) {
  if (Pending* same = Find(h)) Emit(same);
  EmitStale(number);
  Pending* slot = nullptr;
  size_t active = 0;
  Pending* oldest = nullptr;
  for (Pending& p : pending_) {
    if (!p.active) {
      if (slot == nullptr) slot = &p;
      continue;
    }
    ++active;
    if (oldest == nullptr || p.order < oldest->order) oldest = &p;
  }
  if (slot == nullptr && active >= kMaxPending) {
    Emit(oldest);
    slot = oldest;
  }
  if (slot == nullptr) slot = &pending_.emplace_back();

  Pending& p = *slot;
  p.buf.clear();
  auto put = [&p](Slot s, std::string_view v) {
    p.spans[s] = {p.buf.size(), v.size()};
    p.buf.append(v);
  };
  put(kHost, h.host);
  put(kHeaderPid, h.pid);
  std::string_view timestamp = r.timestamp;
  if (timestamp.empty()) {
    // The header's time: RFC 5424's is complete; RFC 3164's gets its year.
    timestamp = year_.Complete(h.timestamp, &stamp_) ? std::string_view(stamp_) : h.timestamp;
  }
  put(kTimestamp, timestamp);
  // The prefix's %p when it has one: journald gives every line of a
  // service's stderr the pid of the process that opened it (the postmaster).
  put(kPid, r.pid.empty() ? h.pid : r.pid);
  put(kSession, r.session_id);
  put(kUser, r.user);
  put(kDatabase, r.database);
  put(kApp, r.application);
  put(kClient, r.client);
  put(kSqlstate, r.sqlstate);
  put(kQueryId, r.query_id);
  put(kSeverity, r.severity);
  p.message_offset = p.buf.size();
  p.buf.append(r.message);
  p.active = true;
  p.sequenced = sequenced;
  p.seq = seq;
  p.last_part_length = UnescapedLength(body);
  p.line = number;
  p.lines = 1;
  p.last_line = number;
  p.order = next_order_++;
}

void SyslogReader::Continue(const SyslogHeader& h, std::string_view text, bool sequenced, uint64_t seq,
                            uint64_t number) {
  Pending* p = Find(h);
  if (p == nullptr || p->sequenced != sequenced || (sequenced && p->seq != seq)) {
    if (!sequenced && LeadingTab(text) == 0) {
      hint_ = "syslog message does not match log_line_prefix '" + prefix_.text() + "': " + prefix_.Explain(text);
      sink_->OnSkip(number, 1, SkipReason::kPrefixMismatch, hint_);
    } else {
      sink_->OnSkip(number, 1, SkipReason::kOrphanContinuation,
                    "syslog continuation line of a message whose first part was not seen");
    }
    return;
  }
  size_t length = UnescapedLength(text);
  if (size_t tab = LeadingTab(text); tab > 0) {
    p->buf.push_back('\n');
    p->buf.append(text.substr(tab));
  } else if (p->last_part_length >= kLongPart) {
    p->buf.append(text);  // a long line cut in two
  } else {
    p->buf.push_back('\n');
    p->buf.append(text);
  }
  p->last_part_length = length;
  ++p->lines;
  p->last_line = number;
}

void SyslogReader::Process(std::string_view line, uint64_t number) {
  if (line.find_first_not_of(" \t") == std::string_view::npos) {
    sink_->OnSkip(number, 1, SkipReason::kBlank, "blank line");
    return;
  }
  SyslogHeader h;
  if (!input_internal::ParseSyslogHeader(line, &h)) {
    sink_->OnSkip(number, 1, SkipReason::kNotPostgres, "not a syslog line (no RFC 3164/5424 header)");
    return;
  }
  std::string_view body = h.body;
  uint64_t seq = 0;
  uint32_t part = 0;
  bool sequenced = input_internal::SequenceTag(&body, &seq, &part);
  LogRecord r;
  bool starts = LeadingTab(body) == 0 && MatchBody(body, &r);
  bool postgres = sequenced || input_internal::IsPostgresIdent(h.ident) || KnownIdent(h.ident);
  if (!postgres) {
    if (!starts) {
      sink_->OnSkip(number, 1, SkipReason::kNotPostgres, "syslog line from another program");
      return;
    }
    if (idents_.size() < 16) idents_.emplace_back(h.ident);
  }
  if (starts) {
    Start(h, r, body, sequenced, seq, number);
    return;
  }
  if (!have_prefix_) {
    sink_->OnSkip(number, 1, SkipReason::kPrefixMismatch, prefix_error_);
    return;
  }
  if (sequenced && part <= 1) {
    hint_ = "syslog message does not match log_line_prefix '" + prefix_.text() + "': " + prefix_.Explain(body);
    sink_->OnSkip(number, 1, SkipReason::kPrefixMismatch, hint_);
    return;
  }
  Continue(h, body, sequenced, seq, number);
}

void SyslogReader::Run() {
  std::vector<std::string> buffered;
  Prepare(&buffered);
  uint64_t number = 0;
  for (const std::string& line : buffered) Process(line, ++number);
  buffered.clear();
  buffered.shrink_to_fit();
  std::string_view line;
  while (lines_->Next(&line)) Process(line, lines_->line_number());
  EmitAll();
}

}  // namespace

void ReadSyslog(LineReader* lines, std::string_view prefix, RecordSink* sink) {
  SyslogReader reader(lines, prefix, sink);
  reader.Run();
}

}  // namespace pgsift

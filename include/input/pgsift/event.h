// Events: what one log record means, after message classification and after
// the records that belong together (a statement and its DETAIL parameters,
// an ERROR and its STATEMENT) have been joined.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace pgsift {

enum class EventKind : uint8_t {
  kQuery,         // a statement run: simple protocol, or an extended-protocol execute
  kPrepare,       // extended protocol parse or bind (counted, not a call)
  kDurationOnly,  // "duration: X ms" alone: belongs to the session's last statement
  kPlan,          // auto_explain plan (text or JSON)
  kError,         // ERROR / FATAL / PANIC, with its statement when logged
  kConnection,    // connection authorized
  kDisconnection,
  kCheckpoint,
  kAutovacuum,
  kAutoanalyze,
  kTempFile,
  kLockWait,
  kOther,  // any other message: counted
  kCount_,
};
std::string_view EventKindName(EventKind kind);

enum class Phase : uint8_t { kSimple, kParse, kBind, kExecute };

// How a run's session is known.
enum class SessionIdentity : uint8_t {
  kNone,     // no %c/%p in the prefix, no session_id: sequences are guesses
  kProcess,  // backend pid only (%p; pids are reused, sessions end at disconnection)
  kSession,  // %c in the prefix, session_id in csvlog/jsonlog
};

constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();

// Views are valid only during the EventSink callback.
struct Event {
  EventKind kind = EventKind::kOther;
  Phase phase = Phase::kSimple;
  int64_t time_us = kNoTime;  // UTC microseconds since the epoch
  double duration_ms = -1;    // < 0: not logged
  std::string_view session;   // %c / session_id, else pid (+ client) as identity
  SessionIdentity identity = SessionIdentity::kNone;
  std::string_view pid;
  std::string_view user;
  std::string_view database;
  std::string_view application;
  std::string_view client;
  std::string_view sqlstate;  // errors: from %e / csv / json, when logged
  std::string_view sql;       // statement text; for plans the Query Text
  // Values: never printed unless the user asks for them.
  std::string_view parameters;  // "DETAIL: parameters: $1 = '...'"
  // The message text (may hold values) of errors, and of checkpoint,
  // autovacuum/analyze, disconnection and other LOG records (English).
  std::string_view message;
  std::string_view plan;        // plan body
  std::string_view detail;      // lock waits: "Process holding the lock: N. Wait queue: ..."
  bool plan_json = false;
  uint64_t temp_bytes = 0;  // temp files
  uint64_t line = 0;        // first physical line of the record
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnEvent(const Event& event) = 0;
};

// Parses the timestamp forms PostgreSQL writes: "YYYY-MM-DD HH:MM:SS[.fff]
// TZ" (UTC, GMT, Z, numeric offsets, and common abbreviations; unknown
// abbreviations are read as UTC and reported), ISO 8601 with T and offset,
// and epoch seconds (%n). Returns kNoTime when it cannot.
// `doubtful_zone`: set to the zone text when it was unknown (read as UTC,
// *unknown_zone true) or an abbreviation with several meanings (IST, CST:
// read in its most common one, see ZoneMeaning), unless SetLogZone gave it.
int64_t ParseLogTimestamp(std::string_view text, bool* unknown_zone = nullptr,
                          std::string_view* doubtful_zone = nullptr);

// What an abbreviation is read as: offset east of UTC in minutes and, for
// one with several meanings, the meaning taken and the others ("" if none).
// known false: not in pgsift's table (read as UTC).
struct ZoneMeaning {
  bool known = false;
  bool given = false;  // by SetLogZone
  int minutes = 0;
  std::string_view taken, others;
};
ZoneMeaning LookUpZone(std::string_view abbreviation);

// `--log-zone ABBR=+HH:MM` (or ABBR=-5, ABBR=+0530): the offset the server's
// log_timezone has when it prints ABBR. Process-wide; call before any log is
// read (not thread-safe against readers). Errors name what is wrong.
std::string SetLogZone(std::string_view spec);

// "2026-11-23T07:14:48.591Z" (milliseconds, UTC); "" for kNoTime.
std::string FormatIsoTime(int64_t time_us);

}  // namespace pgsift

// Helpers shared by the readers in analyzer/input/ (not part of the public
// contract in include/).
#pragma once

#include <cstdint>
#include <string_view>

namespace pgsift::input_internal {

struct SyslogHeader {
  std::string_view timestamp;
  std::string_view host;
  std::string_view ident;
  std::string_view pid;
  std::string_view body;
};

// syslog_reader.cpp: RFC 3164 / RFC 5424 header; body is what follows it.
bool ParseSyslogHeader(std::string_view s, SyslogHeader* h);
bool IsPostgresIdent(std::string_view ident);
// Strips a leading "[seq-part] " from *body.
bool SequenceTag(std::string_view* body, uint64_t* seq, uint32_t* part);

// RFC 3164 times ("Feb 11 13:15:39") carry no year: the first one gets the
// year that puts it at most 7 days after `now` (seconds since the epoch),
// and the year moves on when the months go back (December, then January).
class SyslogYear {
 public:
  explicit SyslogYear(int64_t now) : now_(now) {}
  // "YYYY-MM-DD HH:MM:SS" of an RFC 3164 time into *out; false when `t` is
  // not one.
  bool Complete(std::string_view t, std::string* out);

 private:
  int64_t now_;
  int year_ = 0;  // 0: no time seen yet
  int month_ = 0;
};

// detect_format.cpp: `YYYY-MM-DD HH:MM:SS[.fff][ TZ]`, optionally quoted,
// then ','. The csvlog reader resumes there after a damaged record.
bool LooksLikeCsvRecordStart(std::string_view line);
// detect_format.cpp: a jsonlog line (first non-blank character '{'); `line`
// is not blank.
bool LooksLikeJsonLine(std::string_view line);
// detect_format.cpp: most of the first lines are syslog lines, the first one
// too, and some of them are PostgreSQL's.
bool LooksLikeSyslog(std::string_view head);

// assembler.cpp: a plain decimal ("123.456", at most 15 digits) at p, as
// std::from_chars would read it (correctly rounded); returns the end, or
// nullptr for any other form (the caller falls back to from_chars).
const char* ParsePlainDecimal(const char* p, const char* end, double* out);

}  // namespace pgsift::input_internal

// Cutting one input into pieces that can be read on different threads.
// A piece ends right before a "safe" record start: a record that is not an
// attachment (DETAIL/STATEMENT/... lines join the record before them) and
// not a bare "duration:" (it pairs with the session's previous statement).
// Reading the pieces one by one then gives the same records and events as
// reading the input whole.
#pragma once

#include <cstdint>
#include <string_view>

#include "pgsift/prefix.h"
#include "pgsift/readers.h"

namespace pgsift {

class PieceCutter {
 public:
  // `prefix` is used for stderr logs and must outlive the cutter. Formats
  // without a cutter (syslog: its multi-line messages need reader state)
  // report !can_cut().
  PieceCutter(LogFormat format, const LinePrefix* prefix) : format_(format), prefix_(prefix) {}
  bool can_cut() const {
    return format_ == LogFormat::kStderr || format_ == LogFormat::kCsv || format_ == LogFormat::kJson;
  }
  // The offset of the last safe record start in `data` past its first line
  // (so a piece is never empty), or npos when there is none.
  size_t LastCut(std::string_view data) const;
  // Whether a line (without its '\n') starts a record a piece may start with.
  bool IsSafeStart(std::string_view line) const;

 private:
  LogFormat format_;
  const LinePrefix* prefix_;
};

// True for a message that is only "duration: N ms".
bool IsBareDuration(std::string_view message);

}  // namespace pgsift

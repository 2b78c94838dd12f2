// Cutting one input into pieces that can be read on different threads.
// A piece ends right before a "safe" record start: a record that is not an
// attachment (DETAIL/STATEMENT/... lines join the record before them) and
// not a bare "duration:" (it pairs with the session's previous statement).
// Reading the pieces one by one then gives the same records and events as
// reading the input whole. Which lines are safe starts is each format's
// (its row's safe_start in log_formats.h).
#pragma once

#include <cstdint>
#include <string_view>

#include "pgsift/prefix.h"
#include "pgsift/readers.h"

namespace pgsift {

class PieceCutter {
 public:
  // `prefix` is used by formats that need one (stderr) and must outlive the
  // cutter. Formats without a safe start (syslog: its multi-line messages
  // need reader state) report !can_cut().
  PieceCutter(LogFormat format, const LinePrefix* prefix);
  bool can_cut() const { return safe_start_ != nullptr; }
  // The offset of the last safe record start in `data` past its first line
  // (so a piece is never empty), or npos when there is none.
  size_t LastCut(std::string_view data) const;
  // Whether a line (without its '\n') starts a record a piece may start with.
  bool IsSafeStart(std::string_view line) const;

 private:
  bool (*safe_start_)(std::string_view line, const LinePrefix* prefix);
  const LinePrefix* prefix_;
};

// True for a message that is only "duration: N ms".
bool IsBareDuration(std::string_view message);

namespace input_internal {
// Safe starts of the cuttable formats (their rows' safe_start).
bool StderrSafeStart(std::string_view line, const LinePrefix* prefix);
bool CsvSafeStart(std::string_view line, const LinePrefix* prefix);
bool JsonSafeStart(std::string_view line, const LinePrefix* prefix);
}  // namespace input_internal

}  // namespace pgsift

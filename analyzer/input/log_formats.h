// The log-format table: everything pgsift knows about a log format is in its
// row, and every command that reads logs goes through it (OpenLog() in
// pgsift/readers.h detects, decides the prefix, reads and cuts by the row).
//
// How to add a log format:
//   1. Write its reader in analyzer/input/<name>_reader.cpp: it streams a
//      LineReader into a RecordSink, never throws, and reports every line it
//      does not use through OnSkip with a reason (see pgsift/log_record.h).
//   2. Add its value to LogFormat in pgsift/readers.h.
//   3. Add one row to kLogFormats in log_formats.cpp: its name and aliases
//      (for --format), how to recognise it (detect_first_line when its first
//      line alone tells, detect_head when it takes a sample of lines; a
//      format that needs neither cannot be detected and must be asked for),
//      how it uses log_line_prefix, the read function, and safe_start when its
//      inputs may be cut into pieces read in parallel (a line where a piece
//      may begin so that reading the pieces one by one gives the same records
//      as reading the input whole; leave it null when a record can only be
//      told from the lines before it).
//   4. Add real samples to fixtures/ and a test per format.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "pgsift/prefix.h"
#include "pgsift/readers.h"

namespace pgsift::input_internal {

enum class PrefixUse : uint8_t {
  kNone,      // the format carries its header fields itself (csvlog, jsonlog)
  kInferred,  // records start with log_line_prefix: given, or inferred from the first lines (stderr)
  kText,      // passed to the reader as given; empty: the reader detects it (syslog)
};

struct LogFormatRow {
  LogFormat format;
  std::string_view name;   // as reports and --format write it
  std::string_view alias;  // also accepted by --format; may be empty
  // Detection, tried on every row in table order: first whether the first
  // non-blank line (without a byte order mark) alone tells the format, then
  // whether a sample of lines from the head does. A row with neither is the
  // fallback when nothing else matches (exactly one: stderr).
  bool (*detect_first_line)(std::string_view line);
  bool (*detect_head)(std::string_view head);
  PrefixUse prefix;
  // Reads the records of `lines` (the whole input or one of its pieces).
  // Called once per input or piece, never per line.
  void (*read)(LineReader* lines, const LogInput& log, RecordSink* sink);
  // Whether a line (without '\n' and '\r') starts a record a piece may start
  // with; `prefix` is the log's compiled prefix (null unless kInferred).
  // Null: the format's inputs are read whole.
  bool (*safe_start)(std::string_view line, const LinePrefix* prefix);
};

std::span<const LogFormatRow> LogFormatRows();
// The row of a format other than kAuto.
const LogFormatRow& RowOf(LogFormat format);

}  // namespace pgsift::input_internal

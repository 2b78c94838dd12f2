// Log format readers. Each streams a LineReader into a RecordSink.
#pragma once

#include <string>
#include <string_view>

#include "pgsift/input.h"
#include "pgsift/log_record.h"
#include "pgsift/result.h"

namespace pgsift {

enum class LogFormat { kAuto, kStderr, kCsv, kJson, kSyslog };
std::string_view LogFormatName(LogFormat format);
Result<LogFormat> ParseLogFormat(std::string_view name);

// Guesses the format from the first bytes of the input. kStderr is the
// fallback; detection of the stderr prefix itself is in prefix.h.
LogFormat DetectFormat(std::string_view head);

// csvlog: PG 9.0-12 (23 columns), 13 (24), 14+ (26); quoted newlines.
void ReadCsvLog(LineReader* lines, RecordSink* sink);
// jsonlog (PG 15+): one JSON object per line.
void ReadJsonLog(LineReader* lines, RecordSink* sink);
// syslog (RFC 3164 with or without the [n-m] sequence numbers, and RFC 5424):
// messages of the postgres program, with the log_line_prefix after the header;
// continuation lines ([n-2], [n-3]...) are joined into one record.
// `prefix` is the log_line_prefix used inside syslog (usually "%t [%p]: " or
// empty); empty means "detect".
void ReadSyslog(LineReader* lines, std::string_view prefix, RecordSink* sink);

}  // namespace pgsift

namespace pgsift {
class LinePrefix;
// stderr logs (also what logging_collector writes to .log files): records
// start at lines matching `prefix`; tab-indented lines continue them.
void ReadStderr(LineReader* lines, const LinePrefix& prefix, RecordSink* sink);
}  // namespace pgsift

// Log formats and their readers. Every command that reads server logs opens
// them with OpenLog(), which decides the format and log_line_prefix through
// the log-format table (analyzer/input/log_formats.h: one row per format;
// how to add a format is written there).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/input.h"
#include "pgsift/log_record.h"
#include "pgsift/prefix.h"
#include "pgsift/result.h"

namespace pgsift {

enum class LogFormat { kAuto, kStderr, kCsv, kJson, kSyslog, kCnpg, kCloudSql, kCri, kJournald, kCloudWatch };
std::string_view LogFormatName(LogFormat format);
// A format's name or alias ("csvlog"), or "auto".
Result<LogFormat> ParseLogFormat(std::string_view name);
// "auto" and every format's name, for help and errors: with " or ",
// "auto, stderr, csv, json, syslog, ...".
std::string LogFormatNames(std::string_view last_separator);

// Guesses the format from the first bytes of the input. kStderr is the
// fallback; detection of the stderr prefix itself is in prefix.h.
LogFormat DetectFormat(std::string_view head);

// The bytes OpenLog() reads to decide a log's format and prefix.
inline constexpr size_t kLogHeadBytes = 64 << 10;

struct LogOpenOptions {
  LogFormat format = LogFormat::kAuto;  // kAuto: detected from the first bytes
  // The log_line_prefix the user gave (--prefix). stderr logs are read with
  // it, syslog's reader is told it; not given, stderr's is inferred from the
  // first lines and syslog's reader detects it.
  std::optional<std::string> prefix;
  // `prefix` compiled already (a caller that opens many logs compiles it
  // once); null: compiled when a log needs it. Must outlive OpenLog().
  const LinePrefix* compiled_prefix = nullptr;
  // Not given: the prefix InferRunPrefix() found in every input of the run;
  // a log's own inference takes it when it explains the log's lines as well
  // as any other (a log of only a restart banner reads like '%m [%p] ').
  std::string run_prefix;
};

// A log opened by OpenLog(): its format and prefix, its first bytes and the
// source of the bytes after them. Read() and LastCut() may be called from
// several threads at once.
struct LogInput {
  LogFormat format = LogFormat::kAuto;
  std::string prefix;  // the log_line_prefix used (stderr; syslog when given)
  bool prefix_inferred = false;
  // Why the log cannot be read (its prefix was not given and could not be
  // inferred, or does not compile); empty when it can. `head` is kept.
  std::string prefix_error;
  InferredPrefix inferred;                      // when prefix_inferred: how well the prefix fits the sample
  std::vector<std::string> sample;              // lines of its start, middle and end, for formats that need a prefix
  std::string head;                             // its first bytes, kLogHeadBytes unless it is shorter
  std::string head_error;                       // a read error that cut `head` short
  std::unique_ptr<ByteSource> rest;             // the bytes after `head`
  std::unique_ptr<LinePrefix> compiled_prefix;  // formats that need a prefix

  // Reads the records of `lines` (the log, or one of its pieces).
  void Read(LineReader* lines, RecordSink* sink) const;
  // Whether the log can be cut into pieces read in parallel, and where: the
  // offset of the last line in `data` (past its first) a piece may start
  // with, or npos.
  bool cuttable() const;
  size_t LastCut(std::string_view data) const;
  // The whole log, `head` then `rest` (both taken).
  std::unique_ptr<ByteSource> TakeWhole();
};

// Opens a path ("-" is stdin; compressed or not, as OpenInput), reads its
// head, detects its format (unless given) and decides its prefix. Fails only
// when the path cannot be opened; a prefix problem is in prefix_error.
Result<LogInput> OpenLog(const std::string& path, const LogOpenOptions& options);

// The log_line_prefix that explains the most lines of a sample pooled from
// every stderr input in `paths` (stdin left out), for LogOpenOptions::
// run_prefix; "" with fewer than two inputs or when none can be inferred.
std::string InferRunPrefix(const std::vector<std::string>& paths, LogFormat format);

// The readers, one per format; OpenLog's LogInput::Read picks the right one.
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
// stderr logs (also what logging_collector writes to .log files): records
// start at lines matching `prefix`; tab-indented lines continue them.
void ReadStderr(LineReader* lines, const LinePrefix& prefix, RecordSink* sink);

}  // namespace pgsift

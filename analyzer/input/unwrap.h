// Envelopes: platform log formats that carry a PostgreSQL record or log line
// inside each of their entries (unwrap.cpp). Each is one row of the
// log-format table (log_formats.cpp); its reader takes the entry apart and
// hands what is inside to the existing readers:
//   - CloudNativePG JSON lines: the "record" object holds csvlog's fields,
//     read into a LogRecord; lines of other loggers are skipped (not_postgres).
//   - Google Cloud SQL (Cloud Logging entries, JSON lines from a sink or the
//     JSON array of `gcloud logging read --format=json`): textPayload is a
//     stderr line, read by the stderr reader with its prefix inferred, the
//     entry's timestamp put in front of it.
//   - Kubernetes container logs (CRI: "<RFC 3339> stdout|stderr F|P <text>",
//     P parts joined): the text is whatever the container wrote (stderr,
//     jsonlog, CloudNativePG), detected and read by that format's reader.
//   - AWS CloudWatch Logs (unwrap_cloudwatch.cpp): events {"timestamp":
//     <epoch ms>, "message": <a stderr line>} one per line (`aws logs
//     filter-log-events` events, as `jq -c '.events[]'` prints them), the
//     CLI's whole output {"events": [...]}, or subscription batches
//     {"messageType": "DATA_MESSAGE", "logGroup": ..., "logEvents": [...]}
//     as Firehose writes them to S3 (concatenated); the messages are read
//     by the stderr reader, the event's time put in front of a message
//     without one.
//   - journald (`journalctl -o json`): each entry's MESSAGE, with its time,
//     host, identifier and pid, as a syslog line for the syslog reader
//     (stderr lines of the unit and syslog messages alike).
// Every envelope line ends in a record or in a skip with a reason.
#pragma once

#include <string_view>

#include "pgsift/readers.h"

namespace pgsift::input_internal {

// Detection (the rows' detect_first_line / detect_head).
bool LooksLikeCnpgLine(std::string_view line);
bool LooksLikeCloudSqlLine(std::string_view line);
bool LooksLikeCloudSqlArray(std::string_view head);
bool LooksLikeCriLine(std::string_view line);
bool LooksLikeJournaldLine(std::string_view line);
bool LooksLikeCloudWatchLine(std::string_view line);
bool LooksLikeCloudWatchPage(std::string_view head);

// The readers (the rows' read). `log.prefix`, when given (--prefix), is the
// log_line_prefix of the lines inside; empty: inferred from the first ones.
void ReadCnpg(LineReader* lines, RecordSink* sink);
void ReadCloudSql(LineReader* lines, const LogInput& log, RecordSink* sink);
void ReadCri(LineReader* lines, const LogInput& log, RecordSink* sink);
void ReadJournald(LineReader* lines, const LogInput& log, RecordSink* sink);
void ReadCloudWatch(LineReader* lines, const LogInput& log, RecordSink* sink);

}  // namespace pgsift::input_internal

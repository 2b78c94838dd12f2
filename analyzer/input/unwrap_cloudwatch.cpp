// AWS CloudWatch Logs (see unwrap.h): RDS and Aurora publish each PostgreSQL
// log entry as an event of the log group /aws/rds/{instance|cluster}/<id>/
// postgresql; the CloudWatch agent does the same for a server on EC2. Three
// shapes of the same events are read:
//   {"logStreamName": ..., "timestamp": <epoch ms>, "message": ..., ...}
//       one per line (`aws logs filter-log-events`' events, `jq -c
//       '.events[]'`);
//   {"events": [<event>, ...], "searchedLogStreams": ...}
//       the CLI's output as it prints it (one object, at most kMaxEntryBytes:
//       a larger one is refused with the jq line that streams it);
//   {"messageType": "DATA_MESSAGE", "logGroup": ..., "logEvents": [...]}
//       subscription batches, as Firehose writes them to S3 (concatenated,
//       with or without newlines); CONTROL_MESSAGE batches are skipped.
#include <simdjson.h>

#include <string>
#include <string_view>

#include "envelope.h"
#include "unwrap.h"

namespace pgsift::input_internal {

namespace {

// "timestamp": followed by a number (jsonlog's is a string).
bool NumericTimestamp(std::string_view line) {
  size_t t = line.find("\"timestamp\":");
  if (t == std::string_view::npos) return false;
  size_t v = line.find_first_not_of(" \t", t + 12);
  return v != std::string_view::npos && IsDigit(line[v]);
}

// "/aws/rds/instance/<id>/postgresql" -> "rds <id>" (cluster: "aurora <id>").
void NoteGroup(SourceNote* source, RecordSink* sink, std::string_view group) {
  for (auto [path, kind] : {std::pair{std::string_view("/aws/rds/instance/"), std::string_view("rds")},
                            std::pair{std::string_view("/aws/rds/cluster/"), std::string_view("aurora")}}) {
    if (!group.starts_with(path)) continue;
    std::string_view rest = group.substr(path.size());
    source->Note(sink, kind, rest.substr(0, rest.find('/')));
    return;
  }
  source->Note(sink, "log group", group);  // only if plain (SourceNote)
}

}  // namespace

bool LooksLikeCloudWatchLine(std::string_view line) {
  line = Trimmed(line);
  if (line.empty() || line[0] != '{') return false;
  if (line.find("\"logEvents\":") != std::string_view::npos && line.find("\"logGroup\":") != std::string_view::npos) {
    return true;  // a subscription batch
  }
  return NumericTimestamp(line) && line.find("\"message\":") != std::string_view::npos &&
         (line.find("\"ingestionTime\":") != std::string_view::npos ||
          line.find("\"eventId\":") != std::string_view::npos ||
          line.find("\"logStreamName\":") != std::string_view::npos);
}

bool LooksLikeCloudWatchPage(std::string_view head) {
  size_t b = head.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos || head[b] != '{') return false;
  size_t events = head.find("\"events\":");
  return events != std::string_view::npos && events < b + 64 && NumericTimestamp(head) &&
         head.find("\"ingestionTime\":") != std::string_view::npos;
}

void ReadCloudWatch(LineReader* lines, const LogInput& log, RecordSink* sink) {
  JsonEntries entries(lines, sink, "CloudWatch Logs",
                      " (stream its events: jq -c '.events[]' FILE | pgsift analyze -)");
  JsonDoc doc;
  SourceNote source;
  std::string stamp;
  // One event's message, its time in front when it has none of its own and
  // does not continue the message before it (a tab).
  auto add = [&](simdjson::dom::object event, std::string* out) {
    std::string_view message = StringAt(event, "message");
    if (message.empty()) return false;
    int64_t ms = 0;
    if (!StartsWithDate(message) && message[0] != '\t' && event["timestamp"].get_int64().get(ms) == simdjson::SUCCESS &&
        ms > 0 && ms < int64_t{1} << 50 && CloudTimestamp(FormatIsoTime(ms * 1000), &stamp)) {
      out->append(stamp);
      out->push_back(' ');
    }
    out->append(message);
    if (out->back() != '\n') out->push_back('\n');
    if (std::string_view stream = StringAt(event, "logStreamName"); !stream.empty()) {
      source.Note(sink, "log stream", stream);
    }
    return true;
  };
  InnerText text([&](std::string* out, uint64_t* line, uint32_t* count) {
    std::string_view entry;
    while (entries.Next(&entry, line, count)) {
      simdjson::dom::object o;
      if (!doc.Parse(entry, &o)) {
        sink->OnSkip(*line, *count, SkipReason::kMalformedJson, "CloudWatch Logs entry is not valid JSON");
        continue;
      }
      simdjson::dom::array batch;
      if (o["logEvents"].get_array().get(batch) == simdjson::SUCCESS ||
          o["events"].get_array().get(batch) == simdjson::SUCCESS) {
        if (StringAt(o, "messageType") == "CONTROL_MESSAGE") {
          sink->OnSkip(*line, *count, SkipReason::kNotPostgres, "CloudWatch Logs control message (no log events)");
          continue;
        }
        if (std::string_view group = StringAt(o, "logGroup"); !group.empty()) NoteGroup(&source, sink, group);
        size_t added = 0;
        for (simdjson::dom::element e : batch) {
          simdjson::dom::object event;
          if (e.get_object().get(event) == simdjson::SUCCESS && add(event, out)) ++added;
        }
        if (added == 0) {
          sink->OnSkip(*line, *count, SkipReason::kNotPostgres, "CloudWatch Logs batch without a message");
          continue;
        }
        return true;
      }
      if (!add(o, out)) {
        sink->OnSkip(*line, *count, SkipReason::kNotPostgres, "CloudWatch Logs entry without a message");
        continue;
      }
      return true;
    }
    return false;
  });
  ReadInner(&text, LogFormat::kStderr, log, sink);
}

}  // namespace pgsift::input_internal

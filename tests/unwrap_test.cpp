// Platform log formats (analyzer/input/unwrap.h): CloudNativePG, Cloud SQL,
// CRI container logs, on the samples in fixtures/platforms, and the year of
// RFC 3164 syslog times.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "input/internal.h"
#include "pgsift/event.h"
#include "pgsift/input.h"
#include "pgsift/readers.h"
#include "record_collector.h"
#include "test_util.h"

namespace pgsift {
namespace {

using testing::Collect;
using testing::Rec;

struct Read {
  LogFormat format = LogFormat::kAuto;
  Collect sink;
  std::vector<std::string> sources;
  uint64_t lines = 0;
};

class SourceCollect : public Collect {
 public:
  void OnSource(std::string_view source) override { sources.emplace_back(source); }
  std::vector<std::string> sources;
};

// Opens and reads a fixture the way every command does (OpenLog, its row).
Read ReadLog(const std::string& rel) {
  Read out;
  Result<LogInput> log = OpenLog(testing::Fixture(rel), LogOpenOptions{});
  EXPECT_TRUE(log.ok()) << rel;
  if (!log.ok()) return out;
  EXPECT_EQ(log->prefix_error, "") << rel;
  out.format = log->format;
  std::unique_ptr<ByteSource> whole = log->TakeWhole();
  LineReader lines(whole.get());
  SourceCollect sink;
  log->Read(&lines, &sink);
  out.lines = lines.line_number();
  out.sources = sink.sources;
  out.sink.records = std::move(sink.records);
  out.sink.skips = std::move(sink.skips);
  return out;
}

std::map<SkipReason, uint64_t> SkippedBy(const Collect& c) {
  std::map<SkipReason, uint64_t> m;
  for (const testing::Skip& s : c.skips) m[s.reason] += s.lines;
  return m;
}

TEST(Unwrap, CnpgSampleRecordsAndOtherLoggers) {
  Read r = ReadLog("platforms/cnpg.log.gz");
  EXPECT_EQ(r.format, LogFormat::kCnpg);
  EXPECT_EQ(r.lines, 2022u);
  EXPECT_EQ(r.sink.AccountedLines(), r.lines);
  // 1,979 lines of logger "postgres" (grep -c '"logger":"postgres"'), the
  // other 43 are the instance manager's.
  EXPECT_EQ(r.sink.records.size(), 1979u);
  EXPECT_EQ(SkippedBy(r.sink)[SkipReason::kNotPostgres], 43u);
  ASSERT_EQ(r.sources, std::vector<std::string>{"pod myapp-pg-cluster-1"});
  const Rec& first = r.sink.records.front();  // the sample's first line
  EXPECT_EQ(first.timestamp, "2022-11-27 18:58:02.096 UTC");
  EXPECT_EQ(first.pid, "600");
  EXPECT_EQ(first.user, "postgres");
  EXPECT_EQ(first.database, "postgres");
  EXPECT_EQ(first.application, "pg_isready");
  EXPECT_EQ(first.client, "[local]");
  EXPECT_EQ(first.session_id, "6383b33a.258");
  EXPECT_EQ(first.severity, "LOG");
  EXPECT_EQ(first.line, 1u);
  bool wal_archive_named = false;
  for (const testing::Skip& s : r.sink.skips) {
    EXPECT_EQ(s.lines, 1u);
    wal_archive_named |= s.hint.find("logger 'wal-archive'") != std::string::npos;
  }
  EXPECT_TRUE(wal_archive_named);
  for (const Rec& rec : r.sink.records) EXPECT_NE(ParseLogTimestamp(rec.timestamp, nullptr), kNoTime) << rec.line;
}

TEST(Unwrap, CloudSqlSinkLinesAndGcloudArrayGiveTheSameRecords) {
  Read lines = ReadLog("platforms/cloudsql.log.gz");
  Read array = ReadLog("platforms/cloudsql.gcloud.json.gz");
  EXPECT_EQ(lines.format, LogFormat::kCloudSql);
  EXPECT_EQ(array.format, LogFormat::kCloudSql);
  EXPECT_EQ(lines.sink.AccountedLines(), lines.lines);
  EXPECT_EQ(array.sink.AccountedLines(), array.lines);
  // One record per entry but the 75 whose payload starts with a tab: the
  // next line of the message before (autovacuum's "\tpages: ..."), joined.
  ASSERT_EQ(lines.sink.records.size(), 1343u - 75u);
  ASSERT_EQ(array.sink.records.size(), lines.sink.records.size());
  for (size_t i = 0; i < lines.sink.records.size(); ++i) {
    EXPECT_EQ(array.sink.records[i].Key(), lines.sink.records[i].Key()) << i;
    EXPECT_EQ(lines.sink.records[i].message.find(" UTC \t"), std::string::npos) << i;
  }
  // The entry's time, as %m writes it; the payload's own fields.
  const Rec& first = lines.sink.records.front();
  EXPECT_EQ(first.timestamp, "2020-05-02 13:00:20.382 UTC");
  EXPECT_EQ(first.pid, "24667");
  EXPECT_EQ(first.database, "[unknown]");
  EXPECT_EQ(first.message.rfind("connection received: ", 0), 0u);
  // The array: line 1 is "[", the first entry's lines follow; its last line
  // "]" is punctuation.
  EXPECT_EQ(array.sink.records[0].line, 1u);
  EXPECT_EQ(array.sink.records[1].line, array.sink.records[0].line + array.sink.records[0].lines);
  ASSERT_EQ(array.sources, std::vector<std::string>{"cloudsql sk5-formations-thomas:temp-thomas-2020-04-30"});
}

// What the reader of the unwrapped log gives, record for record.
void ExpectSameRecords(const Read& wrapped, const std::string& plain_rel) {
  Read plain = ReadLog(plain_rel);
  ASSERT_EQ(wrapped.sink.records.size(), plain.sink.records.size());
  for (size_t i = 0; i < plain.sink.records.size(); ++i) {
    EXPECT_EQ(wrapped.sink.records[i].Key(), plain.sink.records[i].Key()) << i;
  }
}

TEST(Unwrap, CriPartsJoinedIntoTheStderrLog) {
  Read r = ReadLog("platforms/clinic.cri.log.gz");
  EXPECT_EQ(r.format, LogFormat::kCri);
  EXPECT_EQ(r.sink.AccountedLines(), r.lines);
  EXPECT_GT(r.lines, 2295u);  // clinic.stderr.log's lines, some cut into P parts
  ExpectSameRecords(r, "logs/clinic.stderr.log");
  // A record's line is its first CRI line; its lines are all its parts.
  uint64_t lines = 0;
  for (const Rec& rec : r.sink.records) {
    EXPECT_GE(rec.line, lines + 1);
    lines = rec.line + rec.lines - 1;
  }
}

TEST(Unwrap, CriAroundCnpg) {
  Read cnpg = ReadLog("platforms/clinic.cnpg.json.gz");
  EXPECT_EQ(cnpg.format, LogFormat::kCnpg);
  EXPECT_EQ(cnpg.sink.AccountedLines(), cnpg.lines);
  ExpectSameRecords(cnpg, "logs/clinic.csv");
  Read cri = ReadLog("platforms/clinic.cnpg.cri.log.gz");
  EXPECT_EQ(cri.format, LogFormat::kCri);
  EXPECT_EQ(cri.sink.AccountedLines(), cri.lines);
  ExpectSameRecords(cri, "logs/clinic.csv");
  EXPECT_EQ(cri.sources, std::vector<std::string>{"pod clinic-1"});
}

TEST(Unwrap, JournaldJsonOfTheStderrLog) {
  Read r = ReadLog("platforms/clinic.journald.json.gz");
  EXPECT_EQ(r.format, LogFormat::kJournald);
  EXPECT_EQ(r.lines, 2295u);  // one entry per line of clinic.stderr.log
  EXPECT_EQ(r.sink.AccountedLines(), r.lines);
  ExpectSameRecords(r, "logs/clinic.stderr.log");  // pids from the prefix, not the journal's _PID
  EXPECT_EQ(r.sources, std::vector<std::string>{"unit postgresql@15-main.service"});
}

TEST(Unwrap, FormatNames) {
  for (auto [name, format] : {std::pair{"cnpg", LogFormat::kCnpg}, std::pair{"cloudnativepg", LogFormat::kCnpg},
                              std::pair{"cloudsql", LogFormat::kCloudSql}, std::pair{"cri", LogFormat::kCri},
                              std::pair{"kubernetes", LogFormat::kCri}, std::pair{"journald", LogFormat::kJournald}}) {
    Result<LogFormat> parsed = ParseLogFormat(name);
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(*parsed, format) << name;
  }
}

// 2026-12-06 12:00:00 UTC, 2027-01-03 00:00:00 UTC.
constexpr int64_t kDec6 = 1796558400;
constexpr int64_t kJan3 = 1798934400;

TEST(SyslogYear, FirstTimeAtMostAWeekAhead) {
  std::string out;
  input_internal::SyslogYear a(kDec6);
  ASSERT_TRUE(a.Complete("Dec 13 10:00:00", &out));  // 7 days ahead: this year
  EXPECT_EQ(out, "2026-12-13 10:00:00");
  input_internal::SyslogYear b(kDec6);
  ASSERT_TRUE(b.Complete("Dec 14 10:00:00", &out));  // more: last year's
  EXPECT_EQ(out, "2025-12-14 10:00:00");
  input_internal::SyslogYear c(kJan3);
  ASSERT_TRUE(c.Complete("Dec 30 23:59:58", &out));
  EXPECT_EQ(out, "2026-12-30 23:59:58");
  input_internal::SyslogYear d(kDec6);
  EXPECT_FALSE(d.Complete("2026-12-06T10:00:00Z", &out));
  EXPECT_FALSE(d.Complete("Foo  6 10:00:00", &out));
}

TEST(SyslogYear, NewYearMovesTheYearOn) {
  std::string out;
  input_internal::SyslogYear y(kJan3);
  ASSERT_TRUE(y.Complete("Dec 31 23:59:59", &out));
  EXPECT_EQ(out, "2026-12-31 23:59:59");
  ASSERT_TRUE(y.Complete("Jan  1 00:00:01", &out));
  EXPECT_EQ(out, "2027-01-01 00:00:01");
  ASSERT_TRUE(y.Complete("Dec 31 23:59:59", &out));  // a late line of the old year
  EXPECT_EQ(out, "2026-12-31 23:59:59");
  ASSERT_TRUE(y.Complete("Jan  2 08:00:00", &out));
  EXPECT_EQ(out, "2027-01-02 08:00:00");
}

TEST(SyslogYear, PgBadgerSyslogKeepsItsTimes) {
  Read r = ReadLog("pgbadger/pg-syslog.2.gz");
  EXPECT_EQ(r.format, LogFormat::kSyslog);
  ASSERT_FALSE(r.sink.records.empty());
  for (const Rec& rec : r.sink.records) {
    ASSERT_NE(ParseLogTimestamp(rec.timestamp, nullptr), kNoTime) << rec.line << ": " << rec.timestamp;
  }
  // "Feb 10 ..." lines: the year is inferred, the rest is the header's.
  EXPECT_EQ(r.sink.records.front().timestamp.substr(4), "-02-10 " + r.sink.records.front().timestamp.substr(11));
}

}  // namespace
}  // namespace pgsift

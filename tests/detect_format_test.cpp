#include <gtest/gtest.h>

#include <string>

#include "pgsift/input.h"
#include "pgsift/readers.h"
#include "test_util.h"

namespace pgsift {
namespace {

// Detects the way the CLI will: from LineReader::Peek() of the opened input.
LogFormat DetectFixture(const std::string& rel) {
  Result<std::unique_ptr<ByteSource>> in = OpenInput(testing::Fixture(rel));
  EXPECT_TRUE(in.ok()) << rel << ": " << in.error();
  if (!in.ok()) return LogFormat::kAuto;
  LineReader lines(in->get());
  return DetectFormat(lines.Peek());
}

TEST(DetectFormat, ClinicFormats) {
  EXPECT_EQ(DetectFixture("logs/clinic.csv"), LogFormat::kCsv);
  EXPECT_EQ(DetectFixture("logs/clinic.json"), LogFormat::kJson);
  EXPECT_EQ(DetectFixture("logs/clinic.stderr.log"), LogFormat::kStderr);
}

TEST(DetectFormat, PgBadgerFixtures) {
  EXPECT_EQ(DetectFixture("pgbadger/anonymize.log"), LogFormat::kCsv);
  EXPECT_EQ(DetectFixture("pgbadger/weeknumber.log"), LogFormat::kCsv);
  EXPECT_EQ(DetectFixture("pgbadger/csv_statement_without_duration.log"), LogFormat::kCsv);  // quoted timestamp
  // Named "rawcsv" but a stderr log ("... CET [77898] LOG:  ...").
  EXPECT_EQ(DetectFixture("pgbadger/pg_rawcsv.log"), LogFormat::kStderr);
  EXPECT_EQ(DetectFixture("pgbadger/pg_vacuums.json.gz"), LogFormat::kJson);
  EXPECT_EQ(DetectFixture("pgbadger/pg-syslog.2.gz"), LogFormat::kSyslog);
  for (const char* stderr_log :
       {"pgbadger/stmt_type.log", "pgbadger/multiline_param.log", "pgbadger/begin_end.log", "pgbadger/pg-timezones.log",
        "pgbadger/postgresql_param_range.log", "pgbadger/light.postgres.log.bz2", "pgbadger/queryid.log.gz"}) {
    EXPECT_EQ(DetectFixture(stderr_log), LogFormat::kStderr) << stderr_log;
  }
}

std::string Head(const std::string& rel, size_t n) {
  Result<std::unique_ptr<ByteSource>> in = OpenInput(testing::Fixture(rel));
  EXPECT_TRUE(in.ok()) << rel;
  if (!in.ok()) return {};
  LineReader lines(in->get());
  return std::string(lines.Peek().substr(0, n));
}

TEST(DetectFormat, LeadingBlankLinesCutLinesAndEmptyInput) {
  EXPECT_EQ(DetectFormat("\n\r\n" + Head("pgbadger/weeknumber.log", 40)), LogFormat::kCsv);
  EXPECT_EQ(DetectFormat("\n  " + Head("logs/clinic.json", 40)), LogFormat::kJson);
  EXPECT_EQ(DetectFormat(Head("logs/clinic.stderr.log", 40)), LogFormat::kStderr);
  EXPECT_EQ(DetectFormat(Head("pgbadger/pg-syslog.2.gz", 500)), LogFormat::kSyslog);
  EXPECT_EQ(DetectFormat(""), LogFormat::kStderr);
}

TEST(DetectFormat, NamesRoundTrip) {
  for (LogFormat f : {LogFormat::kAuto, LogFormat::kStderr, LogFormat::kCsv, LogFormat::kJson, LogFormat::kSyslog}) {
    Result<LogFormat> parsed = ParseLogFormat(LogFormatName(f));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, f);
  }
  EXPECT_EQ(LogFormatName(LogFormat::kCsv), "csv");
  EXPECT_EQ(ParseLogFormat("csvlog").value(), LogFormat::kCsv);
  EXPECT_EQ(ParseLogFormat("jsonlog").value(), LogFormat::kJson);
  Result<LogFormat> bad = ParseLogFormat("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("xml"), std::string::npos);
}

}  // namespace
}  // namespace pgsift

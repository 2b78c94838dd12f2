#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "input/log_formats.h"
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

uint64_t DecodedSize(const std::string& rel) {
  Result<std::unique_ptr<ByteSource>> in = OpenInput(testing::Fixture(rel));
  EXPECT_TRUE(in.ok()) << rel;
  if (!in.ok()) return 0;
  LineReader lines(in->get());
  std::string_view line;
  while (lines.Next(&line)) {
  }
  return lines.bytes_read();
}

// A row added to the log-format table is parsed, named and listed without
// more edits, and exactly one row is the detection fallback.
TEST(LogFormatTable, EveryRowIsNamedParsedAndListed) {
  size_t fallbacks = 0;
  const std::string listed = LogFormatNames(" or ");
  for (const input_internal::LogFormatRow& row : input_internal::LogFormatRows()) {
    SCOPED_TRACE(std::string(row.name));
    EXPECT_EQ(LogFormatName(row.format), row.name);
    EXPECT_EQ(ParseLogFormat(row.name).value(), row.format);
    if (!row.alias.empty()) {
      EXPECT_EQ(ParseLogFormat(row.alias).value(), row.format);
    }
    EXPECT_NE(listed.find(std::string(row.name)), std::string::npos);
    EXPECT_TRUE(row.read != nullptr);
    EXPECT_TRUE(row.safe_start == nullptr || row.prefix != input_internal::PrefixUse::kText);
    fallbacks += row.detect_first_line == nullptr && row.detect_head == nullptr;
  }
  EXPECT_EQ(fallbacks, 1u);
  EXPECT_NE(ParseLogFormat("xml").error().find(listed), std::string::npos);
}

// OpenLog decides what analyze and baseline --values-from read with: the
// format, the prefix (inferred from the real log, as the server wrote it)
// and whether its pieces can be read in parallel; the head plus the rest is
// the whole input.
TEST(OpenLog, RealLogsOfEveryFormat) {
  std::string prefix = Head("logs/clinic.prefix", std::string::npos);
  if (!prefix.empty() && prefix.back() == '\n') prefix.pop_back();
  struct Case {
    const char* rel;
    LogFormat format;
    bool cuttable;
  };
  for (const Case& c :
       {Case{"logs/clinic.stderr.log", LogFormat::kStderr, true}, Case{"logs/clinic.csv", LogFormat::kCsv, true},
        Case{"logs/clinic.json", LogFormat::kJson, true}, Case{"pgbadger/pg-syslog.2.gz", LogFormat::kSyslog, false}}) {
    SCOPED_TRACE(c.rel);
    Result<LogInput> log = OpenLog(testing::Fixture(c.rel), {});
    ASSERT_TRUE(log.ok()) << log.error();
    EXPECT_EQ(log->format, c.format);
    EXPECT_EQ(log->cuttable(), c.cuttable);
    EXPECT_TRUE(log->prefix_error.empty()) << log->prefix_error;
    EXPECT_EQ(log->prefix_inferred, c.format == LogFormat::kStderr);
    if (c.format == LogFormat::kStderr) {
      EXPECT_EQ(log->prefix, prefix);
    }
    EXPECT_EQ(log->head, Head(c.rel, std::string::npos).substr(0, kLogHeadBytes));
    std::unique_ptr<ByteSource> whole = log->TakeWhole();
    LineReader lines(whole.get());
    std::string_view line;
    uint64_t n = 0;
    while (lines.Next(&line)) ++n;
    EXPECT_EQ(lines.bytes_read(), DecodedSize(c.rel));
    EXPECT_GT(n, 0u);
  }
  Result<LogInput> forced =
      OpenLog(testing::Fixture("logs/clinic.csv"), LogOpenOptions{LogFormat::kJson, std::nullopt, nullptr, ""});
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ(forced->format, LogFormat::kJson);
  EXPECT_FALSE(OpenLog("/nonexistent/pg.log", {}).ok());
}

}  // namespace
}  // namespace pgsift

namespace pgsift {
namespace gzip_test {

std::string Gzip(const std::string& data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Everything OpenInput decodes from `bytes` (written to a file), and its error.
std::pair<std::string, std::string> ReadAll(const std::string& bytes) {
  std::string path = ::testing::TempDir() + "pgsift-gzip-" + std::to_string(::getpid()) + ".gz";
  std::ofstream(path, std::ios::binary) << bytes;
  Result<std::unique_ptr<ByteSource>> in = OpenInput(path);
  std::string out, error;
  if (!in.ok()) return {out, in.error()};
  char buf[4096];
  for (;;) {
    Result<size_t> r = (*in)->Read(buf, sizeof buf);
    if (!r.ok()) {
      error = r.error();
      break;
    }
    if (*r == 0) break;
    out.append(buf, *r);
  }
  std::remove(path.c_str());
  return {out, error};
}

}  // namespace gzip_test

// A gzip log cut short (a copy interrupted, a disk filled): every byte
// decoded before the cut is read, not all but the first block (libarchive's
// gzip filter returned 64 KiB of a 500 KB cut log). Several members (cat
// a.gz b.gz, pigz) are read whole.
TEST(OpenInput, TruncatedGzipKeepsEverythingDecodedBeforeTheCut) {
  std::ifstream f(testing::Fixture("logs/clinic.stderr.log"), std::ios::binary);
  std::string log((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::string twice = log + log;
  ASSERT_GT(twice.size(), 300000u);
  std::string gz = gzip_test::Gzip(twice);
  auto [whole, whole_error] = gzip_test::ReadAll(gz);
  EXPECT_EQ(whole, twice);
  EXPECT_EQ(whole_error, "");
  auto [cut, cut_error] = gzip_test::ReadAll(gz.substr(0, gz.size() * 3 / 4));
  EXPECT_NE(cut_error.find("truncated"), std::string::npos) << cut_error;
  EXPECT_GT(cut.size(), twice.size() * 6 / 10) << "decoded " << cut.size() << " of " << twice.size();
  EXPECT_EQ(twice.compare(0, cut.size(), cut), 0);
  auto [members, members_error] = gzip_test::ReadAll(gzip_test::Gzip(log) + gzip_test::Gzip(log));
  EXPECT_EQ(members, twice);
  EXPECT_EQ(members_error, "");
  auto [padded, padded_error] = gzip_test::ReadAll(gzip_test::Gzip(log) + std::string(512, '\0'));
  EXPECT_EQ(padded, log);
  EXPECT_NE(padded_error.find("trailing data"), std::string::npos) << padded_error;
}

}  // namespace pgsift

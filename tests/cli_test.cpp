// Runs the pgsift binary the way users do and checks exit codes and messages
// on bad input: clear error, exit 2 when nothing usable was read, no crash.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "pgsift/fingerprint.h"
#include "test_util.h"

namespace {

using pgsift::testing::Fixture;
namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

CliRun Pgsift(const std::string& args) {
  std::string cmd = std::string(PGSIFT_BINARY) + " " + args + " 2>&1";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pgsift-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& data) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }
  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  fs::path dir_;
};

TEST_F(CliTest, AnalyzesARealLogAndWritesJson) {
  std::string json = (dir_ / "r.json").string();
  CliRun r = Pgsift("analyze " + Fixture("logs/clinic.stderr.log") + " --json " + json + " --top 5");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Top 5 by total"), std::string::npos) << r.out;
  std::string report = Slurp(json);
  EXPECT_NE(report.find("\"schema\": \"pgsift.analyze.v1\""), std::string::npos);
  // Patient names planted in the workload's literals never reach the outputs.
  for (const char* canary : {"山田太郎", "Иван"}) {
    EXPECT_NE(Slurp(Fixture("logs/clinic.stderr.log")).find(canary), std::string::npos);
    EXPECT_EQ(report.find(canary), std::string::npos) << canary;
    EXPECT_EQ(r.out.find(canary), std::string::npos) << canary;
  }
}

TEST_F(CliTest, UnknownFormatIsAUsageError) {
  CliRun r = Pgsift("analyze --format xml " + Fixture("logs/clinic.csv"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("xml"), std::string::npos) << r.out;
}

TEST_F(CliTest, WrongPrefixSaysWhichEscapeFailedAndWhere) {
  CliRun r = Pgsift("analyze --prefix '%t [%p]: [%l-1] ' " + Fixture("logs/clinic.stderr.log"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("no log record could be read"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("expects"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("column"), std::string::npos) << r.out;
}

TEST_F(CliTest, TruncatedGzipReportsDamageAndKeepsWhatWasRead) {
  std::string gz = Slurp(Fixture("pgbadger/pg-syslog.2.gz"));
  std::string path = Write("cut.log.gz", gz.substr(0, gz.size() / 2));
  std::string json = (dir_ / "cut.json").string();
  CliRun r = Pgsift("analyze " + path + " --json " + json + " -q");
  EXPECT_NE(r.out.find("truncated"), std::string::npos) << r.out;
  EXPECT_EQ(r.exit_code, 0) << "records before the damage are usable: " << r.out;
  std::string report = Slurp(json);
  EXPECT_NE(report.find("\"error\""), std::string::npos);
  EXPECT_EQ(report.find("\"calls\": 0,"), std::string::npos);
}

TEST_F(CliTest, BinaryGarbageIsRejected) {
  std::string junk;
  uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245 + 12345;
    junk.push_back(static_cast<char>(x >> 24));
  }
  CliRun r = Pgsift("analyze " + Write("junk.bin", junk));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("nothing usable"), std::string::npos) << r.out;
}

TEST_F(CliTest, EmptyFileIsRejected) {
  CliRun r = Pgsift("analyze " + Write("empty.log", ""));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("empty input"), std::string::npos) << r.out;
}

TEST_F(CliTest, MissingFileDoesNotLoseTheOthers) {
  std::string json = (dir_ / "two.json").string();
  CliRun r = Pgsift("analyze " + (dir_ / "nope.log").string() + " " + Fixture("pgbadger/stmt_type.log") + " --json " +
                 json + " -q");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("cannot open"), std::string::npos) << r.out;
  EXPECT_NE(Slurp(json).find("\"calls\": 12,"), std::string::npos);
}

// Issue 18: a missing file printed its path twice, then an empty report.
TEST_F(CliTest, MissingFileIsOneClearError) {
  std::string missing = (dir_ / "nope.log").string();
  CliRun r = Pgsift("analyze " + missing);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.out, "pgsift: " + missing + ": cannot open: No such file or directory\n");
  CliRun report = Pgsift("report --from " + Fixture("pgss/a.json.gz") + " --to " + Fixture("pgss/b.json.gz") +
                         " --logs " + missing);
  EXPECT_EQ(report.exit_code, 2) << report.out;
  size_t first = report.out.find(missing);
  ASSERT_NE(first, std::string::npos) << report.out;
  EXPECT_EQ(report.out.find(missing, first + 1), std::string::npos) << report.out;
  EXPECT_EQ(report.out.find("# pgsift weekly report"), std::string::npos) << report.out;
}

// Issue 18: `pgsift analyse` said "A subcommand is required".
TEST_F(CliTest, MistypedCommandGetsASuggestion) {
  CliRun r = Pgsift("analyse x.log");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.out, "pgsift: unknown command 'analyse'; did you mean 'analyze'?\n");
  CliRun far = Pgsift("frobnicate");
  EXPECT_EQ(far.exit_code, 2) << far.out;
  EXPECT_NE(far.out.find("unknown command 'frobnicate'; commands: analyze, fingerprint, snapshot, report"),
            std::string::npos)
      << far.out;
}

TEST_F(CliTest, StdinAndCompressionGiveTheSameAnswer) {
  CliRun a = Pgsift("analyze -q --json " + (dir_ / "a.json").string() + " " + Fixture("pgbadger/light.postgres.log.bz2"));
  CliRun b = Pgsift("analyze -q --json " + (dir_ / "b.json").string() + " - < " + Fixture("pgbadger/light.postgres.log.bz2"));
  ASSERT_EQ(a.exit_code, 0) << a.out;
  ASSERT_EQ(b.exit_code, 0) << b.out;
  std::string ja = Slurp((dir_ / "a.json").string()), jb = Slurp((dir_ / "b.json").string());
  EXPECT_EQ(ja.substr(ja.find("\"lines_total\"")), jb.substr(jb.find("\"lines_total\"")));
}

TEST_F(CliTest, FingerprintJsonl) {
  std::string in = Write("q.jsonl", "\"SELECT * FROM t WHERE id = 1\"\n{\"query\": \"SELECT * FROM t WHERE id = 2\"}\n"
                                    "\"\\\\set x 1\"\nnot json\n");
  CliRun r = Pgsift("fingerprint --jsonl " + in);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::string fp = pgsift::FingerprintHex(pgsift::FingerprintWithLibpgQuery("SELECT * FROM t WHERE id = 1").fingerprint);
  EXPECT_NE(r.out.find("{\"fingerprint\":\"" + fp + "\",\"normalized\":\"SELECT * FROM t WHERE id = $1\"}\n"
                       "{\"fingerprint\":\"" + fp + "\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"fallback\":true"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("line 4"), std::string::npos) << r.out;
}

}  // namespace

namespace {
TEST_F(CliTest, XzAndZstdInputsMatchThePlainFile) {
  std::string plain = (dir_ / "clinic.log").string();
  fs::copy_file(Fixture("logs/clinic.stderr.log"), plain);
  ASSERT_EQ(std::system(("xz -k " + plain + " && zstd -q -k " + plain).c_str()), 0);
  std::string expected;
  for (const char* ext : {"", ".xz", ".zst"}) {
    std::string json = (dir_ / ("r" + std::string(ext) + ".json")).string();
    CliRun r = Pgsift("analyze -q --json " + json + " " + plain + ext);
    ASSERT_EQ(r.exit_code, 0) << ext << r.out;
    std::string report = Slurp(json);
    report = report.substr(report.find("\"lines_total\""));
    if (expected.empty()) expected = report;
    EXPECT_EQ(report, expected) << ext;
  }
}
}  // namespace

namespace {
// Logs copied through Windows tools end lines with CRLF: same answer.
TEST_F(CliTest, CrlfLineEndingsGiveTheSameAnswer) {
  std::string lf = Slurp(Fixture("logs/clinic.stderr.log")), crlf;
  for (char c : lf) {
    if (c == '\n') crlf.push_back('\r');
    crlf.push_back(c);
  }
  std::string expected;
  for (const std::string& path : {Write("lf.log", lf), Write("crlf.log", crlf)}) {
    std::string json = path + ".json";
    CliRun r = Pgsift("analyze -q --json " + json + " " + path);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    std::string report = Slurp(json);
    // Everything but the input names and cache statistics must be equal.
    size_t from = report.find("\"lines_total\""), cache = report.find("\"fingerprint_cache\"");
    report = report.substr(from, cache - from) + report.substr(report.find("\"queries\""));
    if (expected.empty()) expected = report;
    EXPECT_EQ(report, expected);
  }
}
}  // namespace

namespace {

// -j is bounded (issue 16 §5): -j 100000 used 19 GB and aborted. Past
// kMaxJobs it is a usage error naming the range; the largest allowed works.
TEST_F(CliTest, JobsPastTheMaximumIsAUsageError) {
  std::string log = Fixture("logs/clinic.stderr.log");
  CliRun r = Pgsift("analyze -j 100000 --quiet " + log);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--jobs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("256"), std::string::npos) << r.out;
  r = Pgsift("indexes -j 100000 " + log);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("256"), std::string::npos) << r.out;
  std::string json = (dir_ / "j.json").string();
  r = Pgsift("analyze -j 256 --quiet --json " + json + " " + log);
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

// A statement nested too deeply, from a generated SQL file (not a log):
// `pgsift fingerprint` exits 0 with the fallback and its reason.
TEST_F(CliTest, FingerprintOfADeepStatementIsAFallbackNotACrash) {
  std::string sql = "SELECT 1";
  for (int i = 0; i < 100000; ++i) sql += " + 1";
  CliRun r = Pgsift("fingerprint " + Write("deep.sql", sql));
  EXPECT_EQ(r.exit_code, 0) << r.out.substr(0, 500);
  EXPECT_NE(r.out.find("\"fallback\":true"), std::string::npos) << r.out.substr(0, 500);
  EXPECT_NE(r.out.find("nested too deeply"), std::string::npos) << r.out.substr(0, 500);
}

}  // namespace

#include "pgsift/prefix.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "pgsift/input.h"
#include "test_util.h"

namespace pgsift {
namespace {

using testing::Fixture;

std::vector<std::string> HeadLines(const std::string& path, size_t n) {
  auto src = OpenInput(path);
  EXPECT_TRUE(src.ok()) << src.error();
  std::vector<std::string> out;
  if (!src.ok()) return out;
  LineReader lines(src->get());
  std::string_view line;
  while (out.size() < n && lines.Next(&line)) out.emplace_back(line);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Prefix, CompilesEveryDocumentedEscape) {
  EXPECT_TRUE(LinePrefix::Compile("%a %u %d %r %h %b %p %P %t %m %n %i %e %c %l %s %v %x %Q %q %% %-10u %5p").ok());
  auto bad = LinePrefix::Compile("%t %z ");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("%z"), std::string::npos);
}

TEST(Prefix, MatchesOurRealLogWithItsOwnPrefix) {
  auto prefix = LinePrefix::Compile(ReadFile(Fixture("logs/clinic.prefix")));
  ASSERT_TRUE(prefix.ok());
  size_t matched = 0, continuation = 0, total = 0;
  LogRecord rec;
  for (const std::string& line : HeadLines(Fixture("logs/clinic.stderr.log"), 100000)) {
    ++total;
    if (prefix->Match(line, &rec)) {
      ++matched;
      EXPECT_FALSE(rec.timestamp.empty());
      EXPECT_FALSE(rec.pid.empty());
    } else {
      EXPECT_EQ(line[0], '\t') << prefix->Explain(line);
      ++continuation;
    }
  }
  EXPECT_GT(matched, 1000u);
  EXPECT_EQ(matched + continuation, total);
}

TEST(Prefix, SessionFieldsStopAtPercentQ) {
  auto prefix = LinePrefix::Compile(ReadFile(Fixture("logs/clinic.prefix")));
  ASSERT_TRUE(prefix.ok());
  bool saw_background = false, saw_session = false;
  LogRecord rec;
  for (const std::string& line : HeadLines(Fixture("logs/clinic.stderr.log"), 100000)) {
    if (!prefix->Match(line, &rec)) continue;
    if (rec.session_id.empty()) saw_background = true;
    if (!rec.session_id.empty() && !rec.user.empty() && !rec.database.empty()) saw_session = true;
  }
  EXPECT_TRUE(saw_background);  // checkpointer, autovacuum: prefix ends at %q
  EXPECT_TRUE(saw_session);
}

// application_name may hold the text that follows %a in the prefix. The
// matcher's quick first path then ends a field too early, fails further on,
// and must fall back to trying later ends: real lines, with the name made to
// contain " client=" and " session=". Like the backtracking matcher, the
// first field takes the shortest text that lets the whole prefix match.
TEST(Prefix, FreeTextHoldingTheNextLiteralStillMatches) {
  auto prefix = LinePrefix::Compile(ReadFile(Fixture("logs/clinic.prefix")));
  ASSERT_TRUE(prefix.ok());
  size_t checked = 0;
  for (const std::string& line : HeadLines(Fixture("logs/clinic.stderr.log"), 100000)) {
    size_t at = line.find(" app=clinic-web client=");
    if (at == std::string::npos) continue;
    LogRecord plain, odd;
    ASSERT_TRUE(prefix->Match(line, &plain));
    std::string renamed = line.substr(0, at) + " app=clinic client=web session=x" + line.substr(at + 15);
    ASSERT_TRUE(prefix->Match(renamed, &odd)) << prefix->Explain(renamed);
    EXPECT_EQ(odd.application, "clinic");
    EXPECT_EQ(odd.client, "web session=x client=" + std::string(plain.client));
    EXPECT_EQ(odd.session_id, plain.session_id);
    EXPECT_EQ(odd.severity, plain.severity);
    EXPECT_EQ(odd.message, plain.message);
    ++checked;
  }
  EXPECT_GE(checked, 10u);
}

struct InferCase {
  const char* file;
  const char* prefix;
};

TEST(Prefix, InfersPrefixOfEveryRealStderrLog) {
  const InferCase cases[] = {
      {"pgbadger/light.postgres.log.bz2", "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "},
      {"pgbadger/multiline_param.log", "%m [%p] user=%u,db=%d "},
      {"pgbadger/stmt_type.log", "%m [%p] "},
      {"pgbadger/begin_end.log", "%t [%p]: db=%d,user=%u,app=%a,client=%h "},
      {"pgbadger/pg-timezones.log", "%t:%h:%u@%d:[%p]:"},
      {"pgbadger/queryid.log.gz", "%m [%p] [queryid=%Q] %u@%d "},
      {"pgbadger/postgresql_param_range.log", "%t [%p]: [%l-1] [%x] usr=%u,db=%d,appli=%a "},
      {"logs/clinic.stderr.log", "%m [%p] %q%u@%d app=%a client=%h session=%c line=%l xid=%x state=%e "},
  };
  for (const InferCase& c : cases) {
    auto sample = HeadLines(Fixture(c.file), 300);
    auto inferred = InferPrefix(sample);
    ASSERT_TRUE(inferred.ok()) << c.file << ": " << inferred.error();
    if (c.prefix != nullptr) {
      EXPECT_EQ(*inferred, c.prefix) << c.file;
    }
    // Whatever was inferred must match every line that has a severity.
    auto lp = LinePrefix::Compile(*inferred);
    ASSERT_TRUE(lp.ok());
    LogRecord rec;
    size_t matched = 0, with_severity = 0;
    for (const std::string& line : sample) {
      matched += lp->Match(line, &rec);
      with_severity += line.find("LOG:") != std::string::npos || line.find("ERROR:") != std::string::npos ||
                       line.find("STATEMENT:") != std::string::npos || line.find("DETAIL:") != std::string::npos;
    }
    EXPECT_GE(matched, with_severity * 95 / 100) << c.file << " inferred " << *inferred;
    std::printf("%-40s -> '%s' (%zu/%zu lines)\n", c.file, inferred->c_str(), matched, sample.size());
  }
}

TEST(Prefix, ExplainsAMismatchWithoutTheMessage) {
  auto prefix = LinePrefix::Compile("%t [%p]: [%l-1] ");
  ASSERT_TRUE(prefix.ok());
  auto lines = HeadLines(Fixture("pgbadger/stmt_type.log"), 5);
  std::string why = prefix->Explain(lines[4]);
  EXPECT_NE(why.find("column"), std::string::npos) << why;
  EXPECT_EQ(why.find("forêt"), std::string::npos) << why;  // the literal stays out
  // A line without any severity may be statement text: none of it is shown.
  for (const std::string& line : HeadLines(Fixture("logs/clinic.stderr.log"), 100000)) {
    size_t at = line.find("山田");
    if (at == std::string::npos) continue;
    std::string tail = line.substr(line.find("statement: ") + 11);
    std::string explained = prefix->Explain(tail);
    EXPECT_EQ(explained.find("山田"), std::string::npos) << explained;
    EXPECT_NE(explained.find("not shown"), std::string::npos) << explained;
    return;
  }
  ADD_FAILURE() << "fixture lost its canary line";
}

}  // namespace
}  // namespace pgsift

#include "pgsift/prefix.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "pgsift/input.h"
#include "pgsift/readers.h"
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

// The fast matcher (word-at-a-time timestamps, digit runs and literal
// search) against the backtracking matcher Explain uses: on real lines with
// one byte replaced anywhere in the prefix, both agree on every line.
TEST(Prefix, FastMatcherAgreesWithBacktrackingOnMutatedRealLines) {
  auto prefix = LinePrefix::Compile(ReadFile(Fixture("logs/clinic.prefix")));
  ASSERT_TRUE(prefix.ok());
  const std::string replacements = "09ax-: .@=[]LE\xff\xfa\t";
  size_t lines = 0, matched = 0, refused = 0;
  for (const std::string& line : HeadLines(Fixture("logs/clinic.stderr.log"), 400)) {
    LogRecord rec;
    if (!prefix->Match(line, &rec)) continue;
    ++lines;
    size_t prefix_end = static_cast<size_t>(rec.severity.data() - line.data()) + rec.severity.size() + 1;
    for (size_t at = 0; at < prefix_end; ++at) {
      for (char c : replacements) {
        std::string mutated = line;
        mutated[at] = c;
        LogRecord m;
        bool fast = prefix->Match(mutated, &m);
        ASSERT_EQ(fast, prefix->Explain(mutated) == "matches")
            << "line " << lines << " byte " << at << " -> " << int(c);
        (fast ? matched : refused)++;
      }
    }
  }
  EXPECT_GE(lines, 100u);
  EXPECT_GT(refused, 1000u);  // timestamps, pids, session ids broken
  EXPECT_GT(matched, 1000u);  // digits replaced by digits, free text changed
}

// Timestamps and numbers of every length, at and away from the line end
// (the word-at-a-time paths read 8 bytes only when 8 remain).
TEST(Prefix, DigitRunsAndTimestampsOfEveryLength) {
  auto prefix = LinePrefix::Compile("%m [%p] ");
  ASSERT_TRUE(prefix.ok());
  for (size_t n = 0; n <= 20; ++n) {
    std::string pid(n, '7');
    for (std::string tail : {"LOG:  x", "LOG:", "LOG:  a much longer message that goes on"}) {
      std::string line = "2026-11-23 07:14:48.591 UTC [" + pid + "] " + tail;
      LogRecord rec;
      EXPECT_EQ(prefix->Match(line, &rec), n > 0) << line;
      if (n > 0) {
        EXPECT_EQ(rec.pid, pid);
      }
      EXPECT_FALSE(prefix->Match("2026-11-23 07:14:48.591 UTC [" + pid + "\xfa] " + tail, &rec));
    }
  }
  const std::string good = "2026-11-23 07:14:48.591 UTC [1] LOG:  x";
  for (size_t at = 0; at < 23; ++at) {
    std::string bad = good;
    bad[at] = std::isdigit(static_cast<unsigned char>(good[at])) ? '/' : '5';
    LogRecord rec;
    EXPECT_FALSE(prefix->Match(bad, &rec)) << bad;
    bad[at] = std::isdigit(static_cast<unsigned char>(good[at])) ? ':' : '0';
    EXPECT_FALSE(prefix->Match(bad, &rec)) << bad;
  }
  for (std::string ms : {"", ".", ".5", ".123456789012"}) {
    LogRecord rec;
    std::string line = "2026-11-23 07:14:48" + ms + " CET [1] LOG:  x";
    EXPECT_EQ(prefix->Match(line, &rec), ms.size() > 1) << line;
    if (ms.size() > 1) {
      EXPECT_EQ(rec.timestamp, "2026-11-23 07:14:48" + ms + " CET");
    }
  }
}

// Every severity PostgreSQL writes at the start of a stderr message, and
// words that only look like one.
TEST(Prefix, SeverityWords) {
  for (std::string_view sev :
       {"DEBUG5", "DEBUG4", "DEBUG3", "DEBUG2", "DEBUG1", "DEBUG", "LOG", "INFO", "NOTICE", "WARNING", "ERROR", "FATAL",
        "PANIC", "DETAIL", "HINT", "QUERY", "CONTEXT", "LOCATION", "STATEMENT"}) {
    size_t n = 0;
    EXPECT_TRUE(StartsWithSeverity(std::string(sev) + ":  text", &n)) << sev;
    EXPECT_EQ(n, sev.size());
    EXPECT_TRUE(StartsWithSeverity(std::string(sev) + ":")) << sev;
    EXPECT_FALSE(StartsWithSeverity(std::string(sev) + ":x")) << sev;
    EXPECT_FALSE(StartsWithSeverity(std::string(sev) + "S:  x")) << sev;
    EXPECT_FALSE(StartsWithSeverity(std::string(sev).substr(1) + ":  x")) << sev;
  }
  for (std::string_view word : {"DEBUG0:  x", "DEBUG6:  x", "LOGS:  x", "Log:  x", "ERRORS:  x", "HINTS:  x",
                                "STATEMENTS:  x", "QUERYX:  x", "L:  x", ":  x", ""}) {
    EXPECT_FALSE(StartsWithSeverity(word)) << word;
  }
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
    auto guess = InferPrefix(sample);
    ASSERT_TRUE(guess.ok()) << c.file << ": " << guess.error();
    const std::string* inferred = &guess->prefix;
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

// A log a little longer than the head: the windows from its middle and end
// must not sample the head's lines again (a 798-line log once said "67 of
// 874 sampled lines"). The real clinic log, cut after ~80 KB: its middle
// window would start among the head's first 300 lines.
TEST(Prefix, SampleTakesNoLineTwice) {
  std::ifstream in(Fixture("logs/clinic.stderr.log"));
  std::string text, line;
  size_t lines = 0;
  std::map<std::string, int> in_file;
  while (text.size() < 80000 && std::getline(in, line)) {
    text += line + "\n";
    ++lines;
    ++in_file[line];
  }
  std::string path = ::testing::TempDir() + "/cut.stderr.log";
  std::ofstream(path) << text;
  LogOpenOptions options;
  auto log = OpenLog(path, options);
  ASSERT_TRUE(log.ok()) << log.error();
  EXPECT_GT(log->sample.size(), 300u);  // the head's 300 and the end's
  EXPECT_LE(log->sample.size(), lines);
  EXPECT_LE(log->inferred.lines, lines);
  std::map<std::string, int> sampled;
  for (const std::string& l : log->sample) ++sampled[l];
  for (const auto& [l, n] : sampled) ASSERT_LE(n, in_file[l]) << "sampled twice: " << l;
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

// Issue 16 §3: a statement's continuation line that lost its tab (or the
// rest of a statement cut at the reader's record limit) can hold a severity
// word after a value; the diagnostic gives position and reason only.
TEST(Prefix, ExplainShowsNoTextBeforeASeverityEither) {
  auto prefix = LinePrefix::Compile("%m [%p] ");
  ASSERT_TRUE(prefix.ok());
  for (std::string line : {"WHERE name = '山田花子' OR note = 'x LOG:  y'", "山田花子 ERROR:  x",
                           "2026-01-01 00:00:00.000 UTC [山田] LOG:  x"}) {
    std::string why = prefix->Explain(line);
    EXPECT_EQ(why.find("山田"), std::string::npos) << why;
    EXPECT_NE(why.find("column"), std::string::npos) << why;
  }
}

}  // namespace
}  // namespace pgsift

#include "pgsift/sessions.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "pgsift/analyze.h"
#include "pgsift/workload.h"
#include "test_util.h"

namespace pgsift {
namespace {

struct Collect : StatementSink {
  std::vector<StatementRun> runs;
  std::vector<std::pair<uint32_t, uint64_t>> ends;
  void OnStatement(const StatementRun& r) override { runs.push_back(r); }
  void OnSessionEnd(uint32_t input, uint64_t session, int64_t) override { ends.emplace_back(input, session); }
};

TEST(Sessions, EveryCallBecomesOneRunInLogOrderWithItsSession) {
  for (const char* name : {"clinic.stderr.log", "clinic.csv", "clinic.json"}) {
    SCOPED_TRACE(name);
    Collect c;
    AnalyzeOptions o;
    o.inputs = {testing::Fixture(std::string("logs/") + name)};
    o.statements = &c;
    auto r = Analyze(o);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(c.runs.size(), r->workload.summary.calls);
    ASSERT_FALSE(c.runs.empty());
    std::set<uint64_t> sessions;
    uint64_t last_line = 0;
    for (const auto& run : c.runs) {
      EXPECT_NE(run.identity, SessionIdentity::kNone);
      EXPECT_NE(run.session, 0u);
      EXPECT_GT(run.line, last_line);
      last_line = run.line;
      sessions.insert(run.session);
      EXPECT_TRUE(r->workload.queries.count(run.fingerprint) || r->workload.fallback_queries.count(run.fingerprint));
    }
    EXPECT_GT(sessions.size(), 1u);
    ASSERT_FALSE(c.ends.empty());
    EXPECT_EQ(c.ends.back(), std::make_pair(0u, uint64_t{0}));  // end of the input
  }
}

TEST(Sessions, SameTextAndParametersHashAlikeOthersDiffer) {
  Workload w;
  WorkloadBuilder b(&w, {});
  Collect c;
  b.set_statement_sink(&c);
  Event e;
  e.kind = EventKind::kQuery;
  e.session = "s1";
  e.identity = SessionIdentity::kSession;
  e.sql = "SELECT * FROM t WHERE id = $1";
  e.parameters = "$1 = '1'";
  b.OnEvent(e);
  b.OnEvent(e);
  e.parameters = "$1 = '2'";
  b.OnEvent(e);
  b.Finish();  // the last statement waited for a duration line
  ASSERT_EQ(c.runs.size(), 3u);
  EXPECT_EQ(c.runs[0].values_hash, c.runs[1].values_hash);
  EXPECT_NE(c.runs[1].values_hash, c.runs[2].values_hash);
  EXPECT_EQ(c.runs[0].fingerprint, c.runs[2].fingerprint);
}

TEST(Sessions, EdgeCommentFindsSqlcommenterAndMarginaliaTags) {
  EXPECT_EQ(EdgeComment("SELECT 1 /*controller='visits',action='index'*/;"), "controller='visits',action='index'");
  EXPECT_EQ(EdgeComment("/*application:Clinic,controller:patients*/ SELECT 1"),
            "application:Clinic,controller:patients");
  EXPECT_EQ(EdgeComment("SELECT /* inner */ 1"), "");
  EXPECT_EQ(EdgeComment("SELECT 1"), "");
}

}  // namespace
}  // namespace pgsift

#include "pgsift/session_sequences.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "pgsift/workload_rules.h"

namespace pgsift {
namespace {

struct Bursts : BurstSink {
  std::vector<Burst> got;
  void OnBurst(const Burst& b) override { got.push_back(b); }
};

// A stream of statement runs for one session, times in ms of log time.
struct Stream {
  BurstDetector* detector;
  uint64_t session = 7;
  SessionIdentity identity = SessionIdentity::kSession;
  uint64_t line = 0;
  void Run(uint64_t fp, uint64_t values, double end_ms, double duration_ms = 1, std::string comment = "") {
    StatementRun r;
    r.fingerprint = fp;
    r.values_hash = values;
    r.time_us = static_cast<int64_t>(end_ms * 1000);
    r.duration_ms = duration_ms;
    r.session = session;
    r.identity = identity;
    r.line = ++line;
    r.application = "app";
    r.comment = std::move(comment);
    detector->OnStatement(r);
  }
};

TEST(BurstDetector, ListThenLookupsWithDifferentValuesIsOneBurstWithItsParent) {
  Bursts sink;
  BurstDetector d({}, &sink);
  Stream s{&d};
  s.Run(/*fp=*/100, 1, 10, 2, "controller='visits'");
  for (int i = 0; i < 6; ++i) s.Run(200, 10 + i, 11 + i);
  s.Run(300, 1, 30);  // another statement closes the run
  ASSERT_EQ(sink.got.size(), 1u);
  const Burst& b = sink.got[0];
  EXPECT_TRUE(b.has_parent);
  EXPECT_EQ(b.parent_fingerprint, 100u);
  EXPECT_EQ(b.child_fingerprint, 200u);
  EXPECT_EQ(b.size, 6u);
  EXPECT_DOUBLE_EQ(b.child_ms, 6);
  EXPECT_TRUE(b.timed);
  EXPECT_TRUE(b.values_differ);
  EXPECT_EQ(b.line, 2u);
  EXPECT_EQ(b.comment, "controller='visits'");  // the child had none: the parent's
}

TEST(BurstDetector, IdenticalValuesAreMarkedAndShortRunsIgnored) {
  Bursts sink;
  BurstDetector d({}, &sink);
  Stream s{&d};
  for (int i = 0; i < 5; ++i) s.Run(200, 42, 1 + i);
  for (int i = 0; i < 4; ++i) s.Run(300, i, 10 + i);  // below min_burst
  d.OnSessionEnd(0, 7, kNoTime);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_FALSE(sink.got[0].values_differ);
  EXPECT_FALSE(sink.got[0].has_parent);
  EXPECT_EQ(d.sessions_held(), 0u);
}

TEST(BurstDetector, AGapLongerThanMaxGapSplitsTheRun) {
  Bursts sink;
  BurstOptions o;
  o.max_gap_ms = 100;
  BurstDetector d(o, &sink);
  Stream s{&d};
  // Executions end 1 s apart and last 1 ms: health-check spacing.
  for (int i = 0; i < 10; ++i) s.Run(200, 1, 1000.0 * i);
  d.OnSessionEnd(0, 0, kNoTime);
  EXPECT_TRUE(sink.got.empty());
  // 150 ms apart, but each ran 100 ms: 50 ms idle, one burst.
  s.Run(100, 1, 19000);
  for (int i = 0; i < 6; ++i) s.Run(200, i, 20000 + 150.0 * i, 100);
  // A pause, then more of the same: a second burst with the same parent.
  for (int i = 0; i < 5; ++i) s.Run(200, i, 30000 + 10.0 * i, 1);
  d.OnSessionEnd(0, 0, kNoTime);
  ASSERT_EQ(sink.got.size(), 2u);
  EXPECT_EQ(sink.got[0].size, 6u);
  EXPECT_EQ(sink.got[1].size, 5u);
  EXPECT_EQ(sink.got[1].parent_fingerprint, 100u);
}

TEST(BurstDetector, InterleavedSessionsAreSeparateSequences) {
  Bursts sink;
  BurstDetector d({}, &sink);
  Stream a{&d, 1}, b{&d, 2};
  for (int i = 0; i < 6; ++i) {
    a.Run(200, i, i);
    b.Run(200, 100 + i, i);
    if (i % 2) b.Run(300, i, i);  // b's run is broken every other statement
  }
  d.OnSessionEnd(0, 0, kNoTime);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].size, 6u);
  EXPECT_FALSE(d.saw_no_identity());
}

TEST(BurstDetector, WithoutIdentityTheInputIsOneSequenceAndItSaysSo) {
  Bursts sink;
  BurstDetector d({}, &sink);
  Stream a{&d, 0, SessionIdentity::kNone};
  for (int i = 0; i < 5; ++i) a.Run(200, i, i);
  d.OnSessionEnd(0, 0, kNoTime);
  EXPECT_TRUE(d.saw_no_identity());
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].identity, SessionIdentity::kNone);
}

TEST(BurstDetector, MemoryIsBoundedBySessionCapAndIdleFlush) {
  Bursts sink;
  BurstOptions o;
  o.max_sessions = 1000;
  o.idle_flush_ms = 60e3;
  BurstDetector d(o, &sink);
  // 100000 sessions, each a list and 5 lookups, all within one second.
  for (uint64_t s = 1; s <= 100000; ++s) {
    Stream st{&d, s};
    st.Run(100, 1, 0.001 * static_cast<double>(s));
    for (int i = 0; i < 5; ++i) st.Run(200, static_cast<uint64_t>(i), 0.001 * static_cast<double>(s));
    EXPECT_LE(d.sessions_held(), 1000u);
  }
  EXPECT_GT(d.sessions_flushed_cap(), 0u);
  d.OnSessionEnd(0, 0, kNoTime);
  EXPECT_EQ(sink.got.size(), 100000u);  // eviction judges open runs, loses none
  // Idle sessions: one statement each, ten minutes apart in log time.
  BurstDetector idle(o, &sink);
  for (uint64_t s = 1; s <= 50; ++s) {
    Stream st{&idle, s};
    st.Run(100, 1, 600e3 * static_cast<double>(s));
  }
  EXPECT_LE(idle.sessions_held(), 2u);
  EXPECT_GE(idle.sessions_flushed_idle(), 48u);
}

TEST(BurstDetector, TwoLookupsPerRowAreACycleOfTwoBursts) {
  Bursts sink;
  BurstDetector d({}, &sink);
  Stream s{&d};
  s.Run(100, 1, 1);  // the list
  for (int i = 0; i < 6; ++i) {
    s.Run(200, 10 + i, 2 + i);  // its patient
    s.Run(300, 20 + i, 2 + i);  // its doctor
  }
  s.Run(400, 1, 20);
  ASSERT_EQ(sink.got.size(), 2u);
  for (const Burst& b : sink.got) {
    EXPECT_TRUE(b.has_parent);
    EXPECT_EQ(b.parent_fingerprint, 100u);
    EXPECT_EQ(b.size, 6u);
    EXPECT_TRUE(b.values_differ);
    EXPECT_EQ(b.line, 2u);
    ASSERT_EQ(b.siblings.size(), 1u);
  }
  EXPECT_EQ(sink.got[0].child_fingerprint, 200u);
  EXPECT_EQ(sink.got[0].siblings[0].first, 300u);
  EXPECT_EQ(sink.got[1].child_fingerprint, 300u);
  EXPECT_EQ(sink.got[1].siblings[0].first, 200u);
}

TEST(BurstDetector, CyclesOfThreeShortCyclesAndRunsAreNotMixedUp) {
  Bursts sink;
  BurstDetector d({}, &sink);
  Stream s{&d};
  for (int i = 0; i < 5; ++i) {  // A B C x5, the last C identical each time
    s.Run(1, i, i);
    s.Run(2, i, i);
    s.Run(3, 0, i);
  }
  s.Run(9, 0, 10);
  ASSERT_EQ(sink.got.size(), 3u);
  EXPECT_FALSE(sink.got[2].values_differ);
  EXPECT_EQ(sink.got[2].siblings.size(), 2u);
  sink.got.clear();
  for (int i = 0; i < 4; ++i) {  // A B x4: below min_burst
    s.Run(1, i, 20);
    s.Run(2, i, 20);
  }
  for (int i = 0; i < 7; ++i) s.Run(5, i, 21);  // a plain run: one burst, no cycle
  s.Run(9, 0, 22);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].child_fingerprint, 5u);
  EXPECT_TRUE(sink.got[0].siblings.empty());
}

// A timed burst of lookups (child 2, values differ) right after a list (parent 1).
Burst LookupsAfterList() {
  Burst b;
  b.has_parent = true;
  b.parent_fingerprint = 1;
  b.child_fingerprint = 2;
  b.values_differ = true;
  b.timed = true;
  return b;
}

TEST(BurstGroups, GroupByParentAndChildWithTypicalSizeAndTags) {
  BurstGroups groups(/*values_differ=*/true);
  Burst b = LookupsAfterList();
  b.application = "web";
  b.comment = "controller='visits',action='index',traceparent='00-abc-01',patient='4711'";
  for (uint64_t size : {5, 7, 20}) {
    b.size = size;
    b.child_ms = static_cast<double>(size);
    b.line = 100 - size;
    groups.OnBurst(b);
  }
  b.values_differ = false;  // the other rule's
  groups.OnBurst(b);
  auto sorted = groups.Sorted();
  ASSERT_EQ(sorted.size(), 1u);
  const BurstGroup& g = *sorted[0];
  EXPECT_EQ(g.bursts, 3u);
  EXPECT_EQ(g.executions, 32u);
  EXPECT_EQ(g.TypicalSize(), 7u);
  EXPECT_EQ(g.max_size, 20u);
  EXPECT_EQ(g.example.size, 20u);
  EXPECT_EQ(g.code.begin()->first, "controller=visits, action=index");
  EXPECT_EQ(g.applications.at("web"), 3u);
}

// The same server run read from stderr, csvlog and jsonlog: equal-size
// bursts whose records sit on other lines (csv/json records take fewer) and
// arrive in another order (concurrent sessions interleave differently in each
// destination). The example is chosen by start, then session, in every order.
TEST(BurstGroups, TheExampleOfEqualBurstsIsTheSameWhateverTheLinesAndOrder) {
  struct Seen {
    int64_t start_us;
    uint64_t session;
    double ms;
  };
  // Two bursts start in the same millisecond: the session decides between them.
  const std::vector<Seen> seen = {{5000, 9, 0.044}, {3000, 8, 0.041}, {3000, 4, 0.043}, {7000, 1, 0.040}};
  std::vector<size_t> order = {0, 1, 2, 3};
  int permutations = 0;
  do {
    for (uint64_t lines_per_record : {1, 2, 3}) {
      BurstGroups groups(/*values_differ=*/true);
      for (size_t k = 0; k < order.size(); ++k) {
        const Seen& s = seen[order[k]];
        Burst b = LookupsAfterList();
        b.size = 6;
        b.start_us = s.start_us;
        b.session = s.session;
        b.child_ms = s.ms;
        b.line = 1 + k * 7 * lines_per_record;  // stream order in this "format"
        groups.OnBurst(b);
      }
      auto sorted = groups.Sorted();
      ASSERT_EQ(sorted.size(), 1u);
      const Burst& e = sorted[0]->example;
      EXPECT_EQ(e.start_us, 3000);
      EXPECT_EQ(e.session, 4u);
      EXPECT_DOUBLE_EQ(e.child_ms, 0.043);
    }
    ++permutations;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(permutations, 24);
}

// The detector passes the session on to the burst, for the tie above.
TEST(BurstDetector, BurstsCarryTheirSession) {
  Bursts sink;
  BurstDetector detector(BurstOptions{}, &sink);
  Stream a{&detector};
  a.session = 41;
  a.Run(1, 0, 10);
  for (int i = 0; i < 5; ++i) a.Run(2, i, 11 + i);
  detector.OnSessionEnd(0, 41, kNoTime);
  ASSERT_EQ(sink.got.size(), 1u);
  EXPECT_EQ(sink.got[0].session, 41u);
}

TEST(CodeTags, OnlyKnownKeysDecodedWithDigitsMasked) {
  EXPECT_EQ(CodeTags("controller='visits',action='index',traceparent='00-4bf9-01'"), "controller=visits, action=index");
  EXPECT_EQ(CodeTags("application:Clinic,controller:patients,action:show,line:42"),
            "application=Clinic, controller=patients, action=show");
  // A request path (no placeholders) may carry values past its first
  // segment: a name, an e-mail address. Templates are kept.
  EXPECT_EQ(CodeTags("route='%2Fpatients%2F4711%2Fvisits',patient_id='4711'"), "route=/patients/…");
  EXPECT_EQ(CodeTags("controller='patients',route='/patients/by-email/maria.lopez%40example.com/ssn/123-45-6789'"),
            "controller=patients, route=/patients/…");
  EXPECT_EQ(CodeTags("route='/patients/maria-lopez'"), "route=/patients/…");
  EXPECT_EQ(CodeTags("route='/patients/:id/visits'"), "route=/patients/:id/visits");
  EXPECT_EQ(CodeTags("route='/polls/<int:question_id>/'"), "route=/polls/<int:question_id>/");
  EXPECT_EQ(CodeTags("route='/patients/{id}/notes/maria.lopez@example.com'"), "route=/patients/{id}/notes/?");
  EXPECT_EQ(CodeTags("job='Mail to maria.lopez@example.com'"), "job=Mail to ?");
  EXPECT_EQ(CodeTags("job='ReminderJob',framework='sidekiq%3A7.1'"), "job=ReminderJob, framework=sidekiq:#.#");
  EXPECT_EQ(CodeTags(" just a comment "), "");
  EXPECT_EQ(CodeTags(""), "");
}

TEST(IsReadQuery, SelectsAndReadOnlyCtesOnly) {
  EXPECT_TRUE(IsReadQuery("SELECT id FROM t WHERE id = $1"));
  EXPECT_TRUE(IsReadQuery("/* app */ (select 1)"));
  EXPECT_TRUE(IsReadQuery("WITH a AS (SELECT 1) SELECT * FROM a"));
  EXPECT_TRUE(IsReadQuery("VALUES ($1)"));
  EXPECT_FALSE(IsReadQuery("WITH a AS (DELETE FROM t RETURNING id) SELECT * FROM a"));
  EXPECT_FALSE(IsReadQuery("INSERT INTO t VALUES ($1)"));
  EXPECT_FALSE(IsReadQuery("UPDATE t SET x = $1"));
  EXPECT_FALSE(IsReadQuery("COPY t FROM STDIN"));
}

TEST(IsPageQuery, OffsetFetchAndKeysetPagesOnly) {
  EXPECT_TRUE(IsPageQuery("SELECT * FROM t ORDER BY id LIMIT $1 OFFSET $2"));
  EXPECT_TRUE(IsPageQuery("SELECT * FROM t ORDER BY id FETCH FIRST $1 ROWS ONLY"));
  EXPECT_TRUE(IsPageQuery("SELECT id FROM t WHERE id > $1 ORDER BY id LIMIT $2"));
  EXPECT_TRUE(IsPageQuery("SELECT id FROM t WHERE (at, id) < ($1, $2)\nORDER BY at DESC, id DESC\nLIMIT $3"));
  // The latest visit of one patient: a classic N+1 child, not a page.
  EXPECT_FALSE(IsPageQuery("SELECT * FROM visits WHERE patient_id = $1 ORDER BY at DESC LIMIT $2"));
  EXPECT_FALSE(IsPageQuery("SELECT * FROM t WHERE id = $1"));
  EXPECT_FALSE(IsPageQuery("SELECT * FROM t WHERE x > $1"));
}

TEST(QueryText, CommentsAndLayoutGoNormalizedTextStays) {
  Workload w;
  QueryStats& q = w.queries[5];
  q.normalized = "SELECT a\n  FROM t -- note\n WHERE id = $1 /*controller='x',patient='4711'*/;";
  EXPECT_EQ(QueryText(w, 5, false), "SELECT a FROM t WHERE id = $1;");
  q.normalized = "SELECT \"a/*b\" FROM t";
  EXPECT_EQ(QueryText(w, 5, false), "SELECT \"a/*b\" FROM t");
  EXPECT_EQ(QueryText(w, 6, false), "");
  q.normalized = std::string(300, 'x');
  EXPECT_EQ(QueryText(w, 5, false, 10), "xxxxxxxxxx...");
}

TEST(BurstOptions, ParsedAndValidated) {
  RuleOptions ro;
  ro.Set("min_burst", "8");
  ro.Set("max_gap_ms", "250");
  auto o = ParseBurstOptions(ro);
  ASSERT_TRUE(o.ok()) << o.error();
  EXPECT_EQ(o->min_burst, 8);
  EXPECT_EQ(o->max_gap_ms, 250);
  ro.Set("min_burst", "1");
  EXPECT_FALSE(ParseBurstOptions(ro).ok());
  RuleOptions bad;
  bad.Set("min_bursts", "3");
  auto e = ParseBurstOptions(bad);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().find("min_bursts"), std::string::npos);
}

TEST(LimitValue, ReadsTheOutermostLimitFromTheTextOrItsBindParameter) {
  EXPECT_EQ(LimitValue("SELECT id FROM a WHERE d = 3 ORDER BY id LIMIT 8", ""), 8);
  EXPECT_EQ(LimitValue("SELECT id FROM a WHERE d = $1 LIMIT $2", "$1 = '3', $2 = '8'"), 8);
  EXPECT_EQ(LimitValue("SELECT id FROM a WHERE d = $1 LIMIT $2", "$1 = '3', $2 = NULL"), -1);
  EXPECT_EQ(LimitValue("SELECT id FROM a WHERE d IN (SELECT d FROM b LIMIT 3)", ""), -1);
  EXPECT_EQ(LimitValue("SELECT 'limit 5', \"limit\" FROM a /* LIMIT 4 */ -- limit 3\n", ""), -1);
  EXPECT_EQ(LimitValue("SELECT $$ LIMIT 2 $$ FROM a LIMIT ALL", ""), -1);
  EXPECT_EQ(LimitValue("select id from a limit 12;", ""), 12);
  EXPECT_EQ(LimitValue("SELECT unlimited FROM a", ""), -1);
}

TEST(IsTransactionControl, BeginCommitRollbackEndAbortOnly) {
  for (const char* sql : {"BEGIN", "begin isolation level serializable;", "/* tag */ COMMIT", "START TRANSACTION",
                          "ROLLBACK", "END;", "abort"}) {
    EXPECT_TRUE(IsTransactionControl(sql)) << sql;
  }
  for (const char* sql : {"SELECT 1", "SAVEPOINT a", "UPDATE a SET b = 1", "WITH x AS (SELECT 1) SELECT * FROM x"}) {
    EXPECT_FALSE(IsTransactionControl(sql)) << sql;
  }
}

}  // namespace
}  // namespace pgsift

// The index advisor's candidates beyond equality and range: LIKE prefixes
// (decided from the raw statements' patterns, never keeping them), ORDER BY
// and GROUP BY alone, and how plan evidence ranks and weighs candidates.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pgsift/indexes.h"
#include "workload_fixture.h"

namespace pgsift {
namespace {

using V = std::vector<std::string>;

PlanEvidence Likes(std::string_view sql, std::string_view parameters = {}) {
  PlanEvidence e;
  CountLikePatterns(sql, parameters, &e);
  return e;
}

TEST(LikePatterns, PrefixOrNot) {
  EXPECT_EQ(Likes("SELECT 1 FROM t WHERE a LIKE 'abc%'").like_prefix, 1u);
  EXPECT_EQ(Likes("SELECT 1 FROM t WHERE a like 'abc%' AND b LIKE 'x_y'").like_prefix, 2u);
  PlanEvidence suffix = Likes("SELECT 1 FROM t WHERE a LIKE '%abc'");
  EXPECT_EQ(suffix.like_prefix, 0u);
  EXPECT_EQ(suffix.like_other, 1u);
  EXPECT_FALSE(suffix.LikePrefix());
  EXPECT_EQ(Likes("SELECT 1 FROM t WHERE a LIKE '_bc'").like_other, 1u);
  EXPECT_EQ(Likes("SELECT 1 FROM t WHERE a LIKE b || '%'").like_other, 1u);
  EXPECT_EQ(Likes("SELECT 1 FROM t WHERE a LIKE ''").like_other, 1u);
  // NOT LIKE and ILIKE: no btree serves them, not counted.
  PlanEvidence none = Likes("SELECT 1 FROM t WHERE a NOT LIKE 'abc%' AND b ILIKE 'abc%'");
  EXPECT_EQ(none.like_prefix + none.like_other, 0u);
  // The word inside a literal, a quoted identifier or a comment is no LIKE.
  PlanEvidence quoted =
      Likes("SELECT 'a LIKE ''%x''' AS \"LIKE '%y'\" FROM t /* LIKE '%z' */ WHERE a = 1 -- LIKE '%w'\n");
  EXPECT_EQ(quoted.like_prefix + quoted.like_other, 0u);
}

TEST(LikePatterns, BindParametersFromTheDetailLine) {
  EXPECT_TRUE(Likes("SELECT 1 FROM t WHERE a = $1 AND b LIKE $2", "$1 = '%no', $2 = 'ab%'").LikePrefix());
  EXPECT_FALSE(Likes("SELECT 1 FROM t WHERE b LIKE $2", "$1 = 'ab%', $2 = '%ab'").LikePrefix());
  // $1 must not match $12.
  EXPECT_FALSE(Likes("SELECT 1 FROM t WHERE b LIKE $1", "$12 = 'ab%', $1 = '%ab'").LikePrefix());
  EXPECT_FALSE(Likes("SELECT 1 FROM t WHERE b LIKE $1", "$1 = NULL").LikePrefix());
  EXPECT_FALSE(Likes("SELECT 1 FROM t WHERE b LIKE $1", "").LikePrefix());
}

using testing::MakeWorkload;

V Keys(const AdvisorResult& r) {
  V out;
  for (const IndexCandidate& c : r.candidates) {
    std::string kinds;
    for (const std::string& k : c.kinds) kinds += (kinds.empty() ? "" : ",") + k;
    out.push_back(c.Key() + " " + kinds);
  }
  return out;
}

Schema Clinic(const std::string& extra = "") {
  Schema s;
  Status st = ApplySchemaSql(
      "CREATE TABLE patients (id bigint PRIMARY KEY, email text, name text, created_at timestamptz, status text);\n" +
          extra,
      "schema.sql", &s);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error());
  return s;
}

PlanEvidenceMap LikeEvidence(uint64_t fingerprint, uint64_t prefix, uint64_t other) {
  PlanEvidenceMap m;
  m[fingerprint].like_prefix = prefix;
  m[fingerprint].like_other = other;
  return m;
}

TEST(LikeCandidates, PrefixGetsPatternOpsUnlessTheCollationIsC) {
  Workload w = MakeWorkload({{"SELECT id FROM patients WHERE email LIKE $1", 50}});
  PlanEvidenceMap prefix = LikeEvidence(1, 3, 0);
  Schema s = Clinic();
  AdvisorResult r = AdviseIndexes(w, s, AdvisorOptions{}, &prefix);
  EXPECT_EQ(Keys(r), V{"public.patients(email text_pattern_ops) like-prefix"});
  ASSERT_EQ(r.candidates.size(), 1u);
  EXPECT_TRUE(r.candidates[0].LikePrefix());
  EXPECT_EQ(r.candidates[0].Statement(),
            "CREATE INDEX CONCURRENTLY patients_email_idx ON public.patients (email text_pattern_ops);");
  s.collation = "C";
  r = AdviseIndexes(w, s, AdvisorOptions{}, &prefix);
  ASSERT_EQ(r.candidates.size(), 1u);
  EXPECT_EQ(r.candidates[0].Statement(), "CREATE INDEX CONCURRENTLY patients_email_idx ON public.patients (email);");
  s.collation = "en_US.UTF-8";
  r = AdviseIndexes(w, s, AdvisorOptions{}, &prefix);
  EXPECT_EQ(Keys(r), V{"public.patients(email text_pattern_ops) like-prefix"});
}

TEST(LikeCandidates, NoCandidateForSuffixesMixedOrUnknownPatterns) {
  Workload w = MakeWorkload({{"SELECT id FROM patients WHERE email LIKE $1", 50}});
  Schema s = Clinic();
  PlanEvidenceMap mixed = LikeEvidence(1, 3, 1);
  EXPECT_TRUE(AdviseIndexes(w, s, AdvisorOptions{}, &mixed).candidates.empty());
  PlanEvidenceMap suffix = LikeEvidence(1, 0, 2);
  EXPECT_TRUE(AdviseIndexes(w, s, AdvisorOptions{}, &suffix).candidates.empty());
  EXPECT_TRUE(AdviseIndexes(w, s, AdvisorOptions{}, nullptr).candidates.empty());
  Workload ilike = MakeWorkload({{"SELECT id FROM patients WHERE email ILIKE $1", 50}});
  PlanEvidenceMap prefix = LikeEvidence(1, 3, 0);
  EXPECT_TRUE(AdviseIndexes(ilike, s, AdvisorOptions{}, &prefix).candidates.empty());
}

TEST(LikeCandidates, ExistingIndexServesOnlyWithTheRightOperatorClass) {
  Workload w = MakeWorkload({{"SELECT id FROM patients WHERE email LIKE $1", 50}});
  PlanEvidenceMap prefix = LikeEvidence(1, 3, 0);
  Schema pattern = Clinic("CREATE INDEX patients_email_pattern ON patients (email text_pattern_ops);");
  ASSERT_EQ(pattern.Find("public", "patients")->indexes.back().opclasses, V{"text_pattern_ops"});
  EXPECT_TRUE(AdviseIndexes(w, pattern, AdvisorOptions{}, &prefix).candidates.empty());
  Schema plain = Clinic("CREATE INDEX patients_email ON patients (email);");
  EXPECT_EQ(Keys(AdviseIndexes(w, plain, AdvisorOptions{}, &prefix)),
            V{"public.patients(email text_pattern_ops) like-prefix"});
  plain.collation = "POSIX";
  EXPECT_TRUE(AdviseIndexes(w, plain, AdvisorOptions{}, &prefix).candidates.empty());
  // Equality first, the prefix after it.
  Workload eq = MakeWorkload({{"SELECT id FROM patients WHERE status = $1 AND email LIKE $2", 50}});
  EXPECT_EQ(Keys(AdviseIndexes(eq, Clinic(), AdvisorOptions{}, &prefix)),
            V{"public.patients(status,email text_pattern_ops) equality,like-prefix"});
}

TEST(SortCandidates, OrderByAloneNeedsALimit) {
  Schema s = Clinic();
  Workload w = MakeWorkload({
      {"SELECT id FROM patients ORDER BY created_at DESC LIMIT $1", 80},  // newest first
      {"SELECT id FROM patients ORDER BY name", 30},                      // the whole table: no
  });
  EXPECT_EQ(Keys(AdviseIndexes(w, s, AdvisorOptions{})), V{"public.patients(created_at) sort"});
  Schema indexed = Clinic("CREATE INDEX patients_created ON patients (created_at);");
  EXPECT_TRUE(AdviseIndexes(w, indexed, AdvisorOptions{}).candidates.empty());
}

TEST(SortCandidates, GroupByAfterEqualityAndAlone) {
  Schema s = Clinic();
  Workload w = MakeWorkload({
      {"SELECT status, count(*) FROM patients GROUP BY status", 40},
      {"SELECT name, count(*) FROM patients WHERE email = $1 GROUP BY name", 20},
  });
  EXPECT_EQ(Keys(AdviseIndexes(w, s, AdvisorOptions{})),
            (V{"public.patients(status) group", "public.patients(email,name) equality,group"}));
}

TEST(PlanVerdict, EvidenceRanksAndWeighsUnprovenCandidates) {
  Schema s = Clinic();
  Workload w = MakeWorkload({
      {"SELECT id FROM patients WHERE name = $1", 100},    // Seq Scan, 99% removed
      {"SELECT id FROM patients WHERE status = $1", 150},  // Seq Scan, 30% removed
      {"SELECT id FROM patients WHERE email = $1", 120},   // plans read it through an index
  });
  PlanEvidenceMap plans;
  TableScanEvidence& name = plans[1].tables["patients"];
  name = {"patients", 4, 4, 0, {}, 4, 9900, 100, 4, 80, 100};
  plans[2].tables["patients"] = {"patients", 2, 2, 0, {}, 2, 300, 700, 2, 50, 150};
  plans[3].tables["patients"] = {"patients", 1, 0, 1, {"patients_email_lower"}, 0, 0, 0, 0, 0, 0};
  AdvisorResult r = AdviseIndexes(w, s, AdvisorOptions{}, &plans);
  ASSERT_EQ(r.candidates.size(), 3u);
  // name: 100 ms x 0.99; status: 150 x 0.3; email: 120 x 0.1.
  EXPECT_EQ(Keys(r), (V{"public.patients(name) equality", "public.patients(status) equality",
                        "public.patients(email) equality"}));
  EXPECT_NEAR(r.candidates[0].plan_removed, 0.99, 1e-9);
  EXPECT_FALSE(r.candidates[0].PlanCounterEvidence(0.5));
  EXPECT_NEAR(r.candidates[1].plan_removed, 0.3, 1e-9);
  EXPECT_TRUE(r.candidates[1].PlanCounterEvidence(0.5));
  EXPECT_TRUE(r.candidates[2].plan_index_only);
  EXPECT_TRUE(r.candidates[2].PlanCounterEvidence(0.5));
  EXPECT_NEAR(r.candidates[0].score, 99, 1e-9);
  EXPECT_NEAR(r.candidates[2].score, 12, 1e-9);
  EXPECT_EQ(r.candidates[0].queries[0].evidence.seq_scans, 4u);
  EXPECT_EQ(DescribePlanEvidence(r.candidates[0].queries[0].evidence),
            "4 plans of 4 read patients with a Seq Scan and a Filter; the filter removed 99.0% of 10000 rows read (4 "
            "loops), 80.0% of the plan time");
  EXPECT_EQ(DescribePlanEvidence(r.candidates[2].queries[0].evidence),
            "1 plan read patients through an index (patients_email_lower)");
}

TEST(WriteCost, IndexEntriesPerHour) {
  SchemaTable t;
  EXPECT_LT(IndexEntriesPerHour(t, 3600), 0);  // offline: unknown
  t.n_tup_ins = 100;
  t.n_tup_upd = 50;
  t.n_tup_hot_upd = 30;
  t.n_tup_del = 7;
  EXPECT_LT(IndexEntriesPerHour(t, -1), 0);
  EXPECT_DOUBLE_EQ(IndexEntriesPerHour(t, 7200), 60);  // (100 + 20) / 2 h
}

}  // namespace
}  // namespace pgsift

#include "pgsift/lookup_shape.h"

#include <gtest/gtest.h>

namespace pgsift {
namespace {

TEST(KeyLookup, OneTableEqualityOnParameters) {
  auto k = ParseKeyLookup("SELECT id, name, birth_date FROM patients WHERE id = $1;");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->table, "patients");
  EXPECT_EQ(k->columns, std::vector<std::string>{"id"});
  k = ParseKeyLookup(
      "/* controller='x' */ SELECT \"p\".* FROM public.patients AS p WHERE p.clinic_id = $1 AND (p.email = $2) "
      "LIMIT $3");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->table, "public.patients");
  EXPECT_EQ(k->columns, (std::vector<std::string>{"clinic_id", "email"}));
  EXPECT_TRUE(ParseKeyLookup("select count(*) from appointments a where a.patient_id = $1").has_value());
  EXPECT_TRUE(ParseKeyLookup("SELECT (SELECT max(x) FROM t2) AS m FROM t WHERE id = $1").has_value());
}

TEST(KeyLookup, AnythingElseIsNot) {
  for (const char* q : {
           "SELECT * FROM patients p JOIN visits v ON v.patient_id = p.id WHERE p.id = $1",
           "SELECT * FROM patients, visits WHERE patients.id = $1",
           "SELECT * FROM patients WHERE id = $1 OR email = $2",
           "SELECT * FROM patients WHERE id = ANY($1)",
           "SELECT * FROM patients WHERE id > $1",
           "SELECT * FROM patients WHERE id = $1 ORDER BY name",
           "SELECT * FROM patients WHERE id IN ($1, $2)",
           "SELECT * FROM patients",
           "SELECT * FROM (SELECT * FROM patients) p WHERE id = $1",
           "UPDATE patients SET name = $1 WHERE id = $2",
           "SELECT $1",
           "SELECT a_from FROM t WHERE x = $1 AND",
       }) {
    EXPECT_FALSE(ParseKeyLookup(q).has_value()) << q;
  }
}

TEST(NPlusOneSuspect, ManyCallsAboutOneRowKeyShape) {
  SuspectOptions o;
  const char* lookup = "SELECT id, name FROM patients WHERE id = $1";
  EXPECT_TRUE(IsNPlusOneSuspect(50000, 49000, lookup, o));
  EXPECT_FALSE(IsNPlusOneSuspect(999, 999, lookup, o));       // too few calls
  EXPECT_FALSE(IsNPlusOneSuspect(50000, 500000, lookup, o));  // 10 rows per call
  EXPECT_FALSE(IsNPlusOneSuspect(50000, 50000, "SELECT id FROM patients WHERE id > $1", o));
  o.min_calls = 10;
  EXPECT_TRUE(IsNPlusOneSuspect(10, 10, lookup, o));
  EXPECT_FALSE(IsNPlusOneSuspect(0, 0, lookup, o));
}

}  // namespace
}  // namespace pgsift

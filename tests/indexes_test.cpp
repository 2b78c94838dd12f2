// The missing-index advisor: predicates from real statements, the offline
// schema reader, and candidate generation against a schema.
#include "pgsift/indexes.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "workload_fixture.h"

namespace pgsift {
namespace {

std::vector<std::string> Uses(const QueryPredicates& p) {
  std::vector<std::string> out;
  for (const ColumnUse& u : p.uses) {
    out.push_back((u.schema.empty() ? "" : u.schema + ".") + u.table + "." + u.column + " " +
                  std::string(ColumnOpName(u.op)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

using V = std::vector<std::string>;

TEST(Predicates, SimpleFilters) {
  QueryPredicates p = ExtractPredicates(
      "SELECT id, name FROM patients WHERE clinic_id = $1 AND birth_date >= $2 AND deleted_at IS NULL "
      "ORDER BY name LIMIT $3");
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(Uses(p), (V{"patients.birth_date range", "patients.clinic_id =", "patients.deleted_at IS NULL",
                        "patients.name ORDER BY"}));
  EXPECT_EQ(p.tables, V{"patients"});
  EXPECT_FALSE(p.writes);
}

TEST(Predicates, OperatorsInAnyBetweenLikeReversed) {
  QueryPredicates p = ExtractPredicates(
      "SELECT * FROM t WHERE a IN ($1, $2) AND b = ANY($3) AND c BETWEEN $4 AND $5 AND d LIKE $6 "
      "AND $7 < e AND f <> $8 AND NOT (g = $9) GROUP BY h");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(Uses(p), (V{"t.a IN", "t.b IN", "t.c range", "t.d LIKE", "t.e range", "t.h GROUP BY"}));
}

TEST(Predicates, AliasesAndJoins) {
  QueryPredicates p = ExtractPredicates(
      "SELECT a.id, p.name FROM appointments a JOIN public.patients p ON p.id = a.patient_id "
      "WHERE a.doctor_id = $1 AND p.name = $2 ORDER BY a.starts_at");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(Uses(p), (V{"appointments.doctor_id =", "appointments.patient_id join", "appointments.starts_at ORDER BY",
                        "public.patients.id join", "public.patients.name ="}));
}

TEST(Predicates, UnqualifiedColumnsNeedTheSchemaInMultiTableScopes) {
  const char* sql =
      "SELECT * FROM appointments JOIN doctors ON doctors.id = appointments.doctor_id WHERE specialty = $1";
  EXPECT_EQ(Uses(ExtractPredicates(sql)), (V{"appointments.doctor_id join", "doctors.id join"}));
  auto lookup = [](const std::string&, const std::string& table, const std::string& column) {
    return table == "doctors" ? column == "id" || column == "specialty" : column == "doctor_id";
  };
  EXPECT_EQ(Uses(ExtractPredicates(sql, lookup)),
            (V{"appointments.doctor_id join", "doctors.id join", "doctors.specialty ="}));
}

TEST(Predicates, CtesAndSubqueriesResolveToBaseTables) {
  QueryPredicates p = ExtractPredicates(
      "WITH recent AS (SELECT patient_id AS pid, starts_at FROM appointments WHERE starts_at > $1) "
      "SELECT * FROM recent r WHERE r.pid = $2");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(Uses(p), (V{"appointments.patient_id =", "appointments.starts_at range"}));
  p = ExtractPredicates(
      "SELECT * FROM (SELECT id AS appointment_id, doctor_id FROM appointments) s "
      "WHERE s.doctor_id = $1 AND s.appointment_id > $2");
  EXPECT_EQ(Uses(p), (V{"appointments.doctor_id =", "appointments.id range"}));
}

TEST(Predicates, CorrelatedAndInSubqueries) {
  QueryPredicates p = ExtractPredicates(
      "SELECT * FROM patients p WHERE EXISTS (SELECT 1 FROM lab_results l WHERE l.patient_id = p.id "
      "AND l.status = $1)");
  EXPECT_EQ(Uses(p), (V{"lab_results.patient_id join", "lab_results.status =", "patients.id join"}));
  p = ExtractPredicates(
      "SELECT name FROM patients WHERE id IN (SELECT patient_id FROM appointments WHERE doctor_id = $1)");
  EXPECT_EQ(Uses(p), (V{"appointments.doctor_id =", "appointments.patient_id join", "patients.id join"}));
}

TEST(Predicates, ExpressionsWritesAndErrors) {
  QueryPredicates p = ExtractPredicates("SELECT id FROM patients WHERE lower(email) = $1");
  ASSERT_EQ(p.uses.size(), 1u);
  EXPECT_EQ(p.uses[0].column, "lower(email)");
  EXPECT_TRUE(p.uses[0].expression);
  p = ExtractPredicates("UPDATE appointments SET reminded = $1 WHERE patient_id = $2");
  EXPECT_TRUE(p.writes);
  EXPECT_EQ(Uses(p), V{"appointments.patient_id ="});
  p = ExtractPredicates("DELETE FROM lab_results WHERE created_at < $1");
  EXPECT_EQ(Uses(p), V{"lab_results.created_at range"});
  p = ExtractPredicates("SELEC oops");
  EXPECT_FALSE(p.ok);
  EXPECT_FALSE(p.error.empty());
}

constexpr const char* kSchema = R"sql(
CREATE TABLE public.patients (id bigint PRIMARY KEY, email text, clinic_id int NOT NULL);
CREATE TABLE appointments (
  id bigint PRIMARY KEY,
  patient_id bigint NOT NULL REFERENCES patients (id),
  doctor_id int NOT NULL,
  starts_at timestamptz NOT NULL
);
CREATE TABLE lab_results (id bigint, patient_id bigint, status text, created_at timestamptz);
ALTER TABLE ONLY public.lab_results ADD CONSTRAINT lab_results_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.lab_results ADD CONSTRAINT lab_results_patient_fk FOREIGN KEY (patient_id) REFERENCES public.patients(id);
CREATE INDEX patients_email_lower ON public.patients USING btree (lower(email));
CREATE INDEX lab_pending ON lab_results (patient_id) WHERE status = 'pending';
CREATE INDEX appointments_doctor ON appointments (doctor_id, starts_at);
)sql";

TEST(Schema, ReadsTablesIndexesAndForeignKeys) {
  Schema s;
  ASSERT_TRUE(ApplySchemaSql(kSchema, "schema.sql", &s).ok());
  ASSERT_EQ(s.tables.size(), 3u);
  const SchemaTable* a = s.Find("", "appointments");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->columns, (V{"id", "patient_id", "doctor_id", "starts_at"}));
  ASSERT_EQ(a->foreign_keys.size(), 1u);
  EXPECT_EQ(a->foreign_keys[0].columns, V{"patient_id"});
  EXPECT_EQ(a->foreign_keys[0].ref_table, "public.patients");
  const SchemaTable* p = s.Find("public", "patients");
  ASSERT_EQ(p->indexes.size(), 2u);
  EXPECT_EQ(p->indexes[1].columns, V{"lower(email)"});
  const SchemaTable* l = s.Find("public", "lab_results");
  EXPECT_EQ(l->foreign_keys[0].name, "lab_results_patient_fk");
  const SchemaIndex& pending = l->indexes.back();
  EXPECT_TRUE(pending.partial);
  EXPECT_EQ(pending.predicate_columns, V{"status"});
}

TEST(Schema, SyntaxErrorNamesFileAndLine) {
  Schema s;
  Status st = ApplySchemaSql("CREATE TABLE a (id int);\n\nCREATE TABLE b (id int,,);\n", "dump.sql", &s);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("dump.sql:3:"), std::string::npos) << st.error();
}

TEST(Schema, MigrationsFolderInOrder) {
  // golang-migrate: create, add an FK, rename a column, drop an index.
  Result<Schema> s = LoadSchemaFiles({std::string(PGSIFT_FIXTURES) + "/migrations/golang-migrate"});
  ASSERT_TRUE(s.ok()) << s.error();
  const SchemaTable* p = s->Find("", "patients");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->HasColumn("full_name"));
  EXPECT_FALSE(p->HasColumn("name"));
  EXPECT_TRUE(p->HasColumn("external_ref"));
  std::vector<std::string> names;
  for (const SchemaIndex& i : p->indexes) names.push_back(i.name);
  EXPECT_EQ(names, (V{"patients_pkey", "patients_birth_date_idx"}));  // patients_mrn_idx dropped
  const SchemaTable* v = s->Find("public", "visits");
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->foreign_keys.size(), 1u);
  EXPECT_EQ(v->foreign_keys[0].name, "visits_patient_fk");
}

using testing::MakeWorkload;

std::vector<std::string> Keys(const AdvisorResult& r) {
  std::vector<std::string> out;
  for (const IndexCandidate& c : r.candidates) out.push_back(c.Key() + (c.foreign_key.empty() ? "" : " fk"));
  return out;
}

TEST(Advisor, SuggestsOnlyWhatNoIndexServes) {
  Schema s;
  ASSERT_TRUE(ApplySchemaSql(kSchema, "schema.sql", &s).ok());
  Workload w = MakeWorkload({
      {"SELECT * FROM patients WHERE id = $1", 5},                                // primary key
      {"SELECT id FROM patients WHERE lower(email) = $1", 7},                     // expression index
      {"SELECT * FROM lab_results WHERE patient_id = $1 AND status = $2", 9},     // partial index
      {"SELECT * FROM appointments WHERE doctor_id = $1 ORDER BY starts_at", 3},  // (doctor_id, starts_at)
      {"SELECT * FROM appointments WHERE patient_id = $1", 20},                   // FK, no index
      {"SELECT * FROM patients WHERE clinic_id = $1", 30},                        // missing
      {"SELECT * FROM patients WHERE clinic_id = $1 ORDER BY email", 4},          // longer: merges
      {"SELECT * FROM lab_results WHERE created_at >= $1", 2},                    // missing (range)
  });
  AdvisorResult r = AdviseIndexes(w, s, AdvisorOptions{});
  EXPECT_EQ(Keys(r), (V{"public.patients(clinic_id,email)", "public.appointments(patient_id) fk",
                        "public.lab_results(created_at)"}));
  ASSERT_EQ(r.candidates[0].queries.size(), 2u);
  EXPECT_EQ(r.candidates[0].total_ms, 34);
  EXPECT_EQ(r.candidates[0].Statement(),
            "CREATE INDEX CONCURRENTLY patients_clinic_id_email_idx ON public.patients (clinic_id, email);");
  // The FK of lab_results is served by no full index (the partial one does
  // not count); appointments' FK has no index at all.
  ASSERT_EQ(r.unindexed_fks.size(), 2u);
  EXPECT_EQ(r.unindexed_fks[0].table, "appointments");
  EXPECT_EQ(r.unindexed_fks[0].queries.size(), 1u);
  EXPECT_EQ(r.unindexed_fks[1].table, "lab_results");
}

TEST(Advisor, ExpressionCandidateStatement) {
  Schema s;
  ASSERT_TRUE(ApplySchemaSql("CREATE TABLE users (id int, \"Email\" text, name text);", "s.sql", &s).ok());
  Workload w = MakeWorkload(
      {{"SELECT * FROM users WHERE upper(name) = $1", 1}, {"SELECT * FROM users WHERE \"Email\" = $1", 2}});
  AdvisorResult r = AdviseIndexes(w, s, AdvisorOptions{});
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.candidates[0].Statement(), "CREATE INDEX CONCURRENTLY \"users_Email_idx\" ON public.users (\"Email\");");
  EXPECT_EQ(r.candidates[1].Statement(),
            "CREATE INDEX CONCURRENTLY users_upper_name_idx ON public.users ((upper(name)));");
}

}  // namespace
}  // namespace pgsift

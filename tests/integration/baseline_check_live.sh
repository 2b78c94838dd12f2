#!/usr/bin/env bash
# pgsift baseline capture + pgsift check on a real PostgreSQL 15 with data
# (fixtures/baseline/schema.sql): deterministic baselines, the refusal to
# touch a database not confirmed as scratch, and the issue's scenarios:
# (a) harmless migration passes, (b) dropped index fails with a shape diff,
# (c) an indexed column's type change fails, (d) a syntax error exits 2
# naming file and line, (e) ten re-runs of an unchanged schema never fail
# (EXPLAIN and EXPLAIN ANALYZE baselines). Planted canary values never reach
# any output or error message.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
fx=$here/../../fixtures/baseline
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-baseline.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work/pg" || true; rm -rf "$work"' EXIT
pg_start "$work/pg" "lc_messages = 'C'" "timezone = 'UTC'" "shared_preload_libraries = 'pg_stat_statements'"
export PGCLIENTENCODING=UTF8

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() {  # CODE CMD...
  local want=$1 got=0; shift
  "$@" >"$work/out" 2>"$work/err" || got=$?
  if [ "$got" != "$want" ]; then
    echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"
    fail "expected exit $want, got $got: $*"
  fi
}
scratch() {  # NAME: a fresh copy of the source (data and statistics)
  psql -XqAt -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 TEMPLATE clinic" \
    -c "COMMENT ON DATABASE $1 IS 'pgsift:scratch'"
}

psql -XqAt -c "CREATE DATABASE clinic"
psql -XqAt -d clinic -v ON_ERROR_STOP=1 -f "$fx/schema.sql" >/dev/null
canary=CANARY_Zq81x
# Two patients share the canary name: a unique index on name fails with a
# DETAIL that quotes it.
psql -XqAt -d clinic -c "UPDATE patients SET name = '$canary' WHERE id IN (3, 4)"

# Deterministic: captured twice, byte-identical.
"$pgsift" baseline capture --dsn dbname=clinic --queries "$fx/queries.sql" -o "$work/base.json"
"$pgsift" baseline capture --dsn dbname=clinic --queries "$fx/queries.sql" -o "$work/base2.json"
cmp "$work/base.json" "$work/base2.json" || fail "two captures differ"
grep -q '"format": "pgsift.baseline.v1"' "$work/base.json" || fail "no format"
grep -q '"index_name": "appointments_patient_id_idx"' "$work/base.json" || fail "baseline lacks the index"
grep -q '"generic_plan": true' "$work/base.json" || fail "query without params not planned generically"
grep -q "$canary" "$work/base.json" && fail "canary in baseline"

# Capture sessions are read-only: EXPLAIN ANALYZE of an UPDATE is refused.
printf -- '-- name: touch\nUPDATE patients SET name = name WHERE id = 1;\n' >"$work/dml.sql"
expect_exit 2 "$pgsift" baseline capture --dsn dbname=clinic --queries "$work/dml.sql" --analyze --repeats 1
grep -q "read-only transaction" "$work/err" || fail "DML capture not refused as read-only: $(cat "$work/err")"
grep -q "dml.sql:2: query touch" "$work/err" || fail "capture error does not name the query: $(cat "$work/err")"

# Guarded queries from pg_stat_statements: normalized, planned generically;
# the canary the application sent as a literal is not in the baseline.
psql -XqAt -d clinic -c "CREATE EXTENSION pg_stat_statements"
for i in 1 2 3; do
  psql -XqAt -d clinic -c "SELECT id FROM patients WHERE name = '$canary'" \
    -c "SELECT count(*) FROM appointments WHERE patient_id = 4 AND status <> 'done'" >/dev/null
done
"$pgsift" baseline capture --dsn dbname=clinic --from-pgss 50 -o "$work/pgss.json" 2>"$work/pgss.err"
grep -q "$canary" "$work/pgss.json" "$work/pgss.err" && fail "canary in the pg_stat_statements baseline"
grep -q '"display": "SELECT id FROM patients WHERE name = \$1"' "$work/pgss.json" || fail "pgss query missing"
grep -q '"source": "pg_stat_statements"' "$work/pgss.json" || fail "pgss source"
python3 - "$work/pgss.json" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
q = [x for x in d["queries"] if x["display"] == "SELECT id FROM patients WHERE name = $1"][0]
assert q["generic_plan"] and q["params"] == [] and q["name"].startswith("q_"), q
EOF2

check() {  # MIGRATIONS DB [extra args]
  local m=$1 db=$2; shift 2
  "$pgsift" check --baseline "${base:-$work/base.json}" --migrations "$fx/migrations/$m" --scratch-dsn "dbname=$db" \
    --scratch-is-disposable "$@"
}

# Safety: without --scratch-is-disposable nothing is applied.
scratch s_refuse
expect_exit 2 "$pgsift" check --baseline "$work/base.json" --migrations "$fx/migrations/drop_index" \
  --scratch-dsn dbname=s_refuse
grep -q "refusing to apply migrations" "$work/err" || fail "no refusal message"
[ "$(psql -XqAt -d s_refuse -c "SELECT count(*) FROM pg_indexes WHERE indexname = 'appointments_patient_id_idx'")" = 1 ] ||
  fail "index dropped despite the refusal"

# ... nor to a database named like the baseline's source, even when confirmed.
expect_exit 2 "$pgsift" check --baseline "$work/base.json" --migrations "$fx/migrations/drop_index" \
  --scratch-dsn dbname=clinic --scratch-is-disposable
grep -q "has the name of the baseline's source database" "$work/err" || fail "no same-name refusal: $(cat "$work/err")"
[ "$(psql -XqAt -d clinic -c "SELECT count(*) FROM pg_indexes WHERE indexname = 'appointments_patient_id_idx'")" = 1 ] ||
  fail "source changed"

# (a) harmless: a nullable column.
scratch s_a
expect_exit 0 check harmless s_a
grep -q "5 unchanged; 1 migration file applied" "$work/out" || fail "(a) summary: $(cat "$work/out")"
[ "$(psql -XqAt -d s_a -c "SELECT count(*) FROM information_schema.columns WHERE column_name = 'note'")" = 1 ] ||
  fail "(a) migration not applied"

# (b) dropped index: shape diff, exit 1, in every format. The baseline
# also guards a lookup by name with the canary as its sample value: the plan
# conditions hold it, the outputs must not.
{ cat "$fx/queries.sql"; printf -- "-- name: by_name\n-- params: '%s'\nSELECT id FROM appointments WHERE patient_id IN (SELECT id FROM patients WHERE name = \$1);\n" "$canary"; } >"$work/canary.sql"
"$pgsift" baseline capture --dsn dbname=clinic --queries "$work/canary.sql" -o "$work/canary.json"
"$pgsift" baseline capture --dsn dbname=clinic --queries "$work/canary.sql" --show-values -o "$work/shown.json"
grep -q "name = '$canary'::text" "$work/shown.json" || fail "canary not in the --show-values plan: test plants nothing"
grep -q "name = ?::text" "$work/canary.json" || fail "masked condition missing"
for f in text markdown json sarif junit; do
  scratch s_b
  base=$work/canary.json expect_exit 1 check drop_index s_b --format "$f" -o "$work/b.$f"
  grep -q "$canary" "$work/b.$f" "$work/err" && fail "(b) canary in $f"
done
grep -q "FAIL appointments_of_patient  regressed" "$work/b.text" || fail "(b) text"
grep -q "no longer uses index appointments_patient_id_idx" "$work/b.text" || fail "(b) lost index"
grep -q -- "-> Seq Scan on appointments" "$work/b.text" || fail "(b) new tree"
grep -q -- "-> Bitmap Index Scan using appointments_patient_id_idx" "$work/b.text" || fail "(b) old tree"
grep -q "error\[plan-index-lost\]" "$work/b.text" || fail "(b) finding"
grep -q "migration-require-concurrent-index-deletion" "$work/b.text" || fail "(b) lint finding missing"
grep -q "## pgsift check: plan regressions found" "$work/b.markdown" || fail "(b) markdown"
grep -q '```diff' "$work/b.markdown" || fail "(b) markdown diff"
python3 - "$work" <<'EOF'
import json, sys, xml.dom.minidom
w = sys.argv[1]
d = json.load(open(w + "/b.json"))
assert d["format"] == "pgsift.check.v1"
q = {x["name"]: x for x in d["queries"]}
assert q["appointments_of_patient"]["status"] == "regressed", q
assert q["appointments_of_patient"]["lost_indexes"] == ["appointments_patient_id_idx"]
assert q["by_name"]["status"] in ("regressed", "changed"), q["by_name"]
assert all(q[n]["status"] == "unchanged" for n in q if n not in ("appointments_of_patient", "by_name")), q
rules = {f["rule"] for f in d["findings"]}
assert {"plan-index-lost", "plan-seq-scan-new", "plan-cost-regression"} <= rules, rules
s = json.load(open(w + "/b.sarif"))
results = s["runs"][0]["results"]
assert any(r["ruleId"] == "plan-index-lost" for r in results)
xml.dom.minidom.parse(w + "/b.junit")
EOF

# SARIF against the 2.1.0 schema with the npm tools ci/setup installs (CI
# has them; elsewhere this one step is skipped, and says so).
modules=$here/../../.tools/node_modules
if command -v node >/dev/null && [ -d "$modules/ajv" ]; then
  node "$here/validate_sarif.js" "$modules" "$work/b.sarif" || fail "(b) SARIF does not validate"
else
  echo "baseline_check_live: SARIF schema validation skipped (no node or $modules)"
fi

# (c) type change of an indexed column the query compares with text.
scratch s_c
expect_exit 1 check type_change s_c
grep -q "FAIL patient_by_mrn  regressed" "$work/out" || fail "(c) $(cat "$work/out")"
grep -q "no longer uses index patients_mrn_idx" "$work/out" || fail "(c) lost index"

# CONCURRENTLY: the file runs outside a transaction block.
scratch s_conc
expect_exit 1 check concurrently s_conc --no-lint
grep -q "FAIL appointments_of_patient  regressed" "$work/out" || fail "concurrently: $(cat "$work/out")"
[ "$(psql -XqAt -d s_conc -c "SELECT count(*) FROM pg_indexes WHERE indexname = 'appointments_status_idx'")" = 1 ] ||
  fail "concurrently: index not created"

# (d) syntax error: exit 2, file and line, nothing applied.
scratch s_d
expect_exit 2 check syntax_error s_d
grep -q "syntax_error/V3__broken.sql:4: syntax error" "$work/out" || fail "(d) $(cat "$work/out")"
[ "$(psql -XqAt -d s_d -c "SELECT count(*) FROM information_schema.columns WHERE column_name = 'note'")" = 0 ] ||
  fail "(d) files applied despite a syntax error"

# A statement the server rejects: exit 2, file and line, the DETAIL (which
# quotes the duplicated canary name) left out.
for f in text markdown json sarif junit; do
  scratch s_dup
  expect_exit 2 check dup_canary s_dup --format "$f"
  grep -q "V2__unique_name.sql:2" "$work/out" "$work/err" || fail "dup: no file:line in $f"
  grep -q "$canary" "$work/out" "$work/err" && fail "dup: canary in $f output"
done

# pgsift creates the scratch copy itself (template: same data and
# statistics), drops it afterwards, and never changes the source.
expect_exit 1 "$pgsift" check --baseline "$work/base.json" --migrations "$fx/migrations/drop_index" \
  --create-scratch-from dbname=clinic --format json -o "$work/created.json"
python3 - "$work/created.json" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["statistics"].startswith("template copy of clinic"), d["statistics"]
assert d["relations_compared"] == 2 and d["rows_diff"] == {}, d
EOF2
[ "$(psql -XqAt -d clinic -c "SELECT count(*) FROM pg_indexes WHERE indexname = 'appointments_patient_id_idx'")" = 1 ] ||
  fail "the source was changed"
[ "$(psql -XqAt -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'pgsift_scratch%'")" = 0 ] ||
  fail "scratch copy left behind"

# Fidelity: a schema-only scratch (no data) plans differently, and the
# report says why (row estimates differ from the source).
psql -XqAt -c "CREATE DATABASE s_schema" -c "COMMENT ON DATABASE s_schema IS 'pgsift:scratch'"
"$(_pg_bindir)/pg_dump" --schema-only -d clinic | psql -XqAt -d s_schema >/dev/null
psql -XqAt -d s_schema -c ANALYZE
expect_exit 0 "$pgsift" check --baseline "$work/base.json" --migrations "$fx/migrations/harmless" \
  --scratch-dsn dbname=s_schema --scratch-is-disposable --no-lint
grep -q "row estimates differ from the source (plans may too): appointments 100000 -> 0 patients 20000 -> 0" "$work/out" ||
  fail "fidelity: $(cat "$work/out")"
grep -q " 0 unchanged" "$work/out" || fail "fidelity: schema-only plans expected to differ: $(cat "$work/out")"

# (e) noise: ten runs of the unchanged schema, EXPLAIN and EXPLAIN ANALYZE.
"$pgsift" baseline capture --dsn dbname=clinic --queries "$fx/queries.sql" --analyze --repeats 3 -o "$work/analyze.json"
grep -q '"median_ms"' "$work/analyze.json" || fail "no median in the ANALYZE baseline"
for i in 1 2 3 4 5 6 7 8 9 10; do
  scratch s_e
  expect_exit 0 check harmless s_e
  scratch s_e
  expect_exit 0 "$pgsift" check --baseline "$work/analyze.json" --migrations "$fx/migrations/harmless" \
    --scratch-dsn dbname=s_e --scratch-is-disposable
  grep -q "5 unchanged" "$work/out" || fail "(e) run $i: $(cat "$work/out")"
done
echo "baseline_check_live: ok"

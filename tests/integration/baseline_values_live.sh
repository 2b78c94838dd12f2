#!/usr/bin/env bash
# Representative bind values from real PostgreSQL 15 logs (baseline capture
# --values-from, check --values-from) and a fresh session per migration file.
#
# A pgbench workload (extended protocol: every value is a logged bind
# parameter) runs against the clinic schema plus a skewed table; its stderr
# log feeds pgsift analyze, then baseline capture. Asserts:
# - values matter: the frequent lab code plans as a Seq Scan with the log's
#   values, the generic plan uses the index; dropping that index fails the
#   generic check and passes the one with the workload's values;
# - the planted canary (a bind value) is in no baseline, no stderr, no check
#   output of any format, not even when a migration makes the value fail;
#   with --show-values it is (so the test plants something);
# - baselines with log values are deterministic; check without the logs or
#   with other logs says which queries are planned generically;
# - a SET in one migration file does not reach the next file or the re-plans.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
fx=$here/../../fixtures/baseline
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-values.XXXXXX")
chmod 755 "$work"
trap '[ -n "${PGSIFT_KEEP:-}" ] || { pg_stop "$work/pg" || true; rm -rf "$work"; }' EXIT
prefix='%m [%p] %q%u@%d app=%a '
pg_start "$work/pg" "lc_messages = 'C'" "timezone = 'UTC'" "log_timezone = 'UTC'" \
  "log_min_duration_statement = 0" "log_line_prefix = '$prefix'"
export PGCLIENTENCODING=UTF8
log=$work/pg/server.log
pgbench=$(_pg_bindir)/pgbench
[ -x "$pgbench" ] || pgbench=$(command -v pgbench)

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
# Skewed: 99% of lab orders have code 'routine', the rest one of 2000 rare codes.
psql -XqAt -d clinic -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE labs (id bigint PRIMARY KEY, patient_id bigint NOT NULL, code text NOT NULL);
INSERT INTO labs SELECT g, 1 + g % 20000, CASE WHEN g % 100 = 0 THEN 'rare_' || (g / 100) % 2000 ELSE 'routine' END
FROM generate_series(1, 200000) g;
CREATE INDEX labs_code_idx ON labs (code);
ANALYZE labs;
SQL
canary=CANARY_Vb77q

# The workload: extended protocol, so each value is a logged bind parameter.
cat >"$work/workload.sql" <<'SQL'
\set pid random(1, 20000)
SELECT count(*) FROM labs WHERE code = :code;
SELECT id FROM patients WHERE name = :who;
SELECT id, starts_at, status FROM appointments WHERE patient_id = :pid ORDER BY starts_at;
SQL
run_workload() {  # CODE: the lab code the application asks for
  "$pgbench" -n -M extended -t 40 -c 1 -D code="$1" -D who="$canary" -f "$work/workload.sql" clinic >/dev/null
}
run_workload routine
cp "$log" "$work/routine.log"
grep -q "parameters: \$1 = '$canary'" "$work/routine.log" || fail "the workload's log holds no bind parameters"

"$pgsift" analyze "$work/routine.log" --application pgbench --json "$work/a.json" -q
grep -q "$canary" "$work/a.json" && fail "canary in the analyze JSON"

capture() {  # OUT [extra args]
  local out=$1; shift
  "$pgsift" baseline capture --dsn dbname=clinic --from-analyze "$work/a.json" --top 10 "$@" -o "$out"
}
capture "$work/generic.json" 2>"$work/generic.err"
capture "$work/values.json" --values-from "$work/routine.log" 2>"$work/values.err"
capture "$work/values2.json" --values-from "$work/routine.log" 2>/dev/null
cmp "$work/values.json" "$work/values2.json" || fail "two captures with log values differ"
capture "$work/shown.json" --values-from "$work/routine.log" --show-values 2>/dev/null
grep -q "$canary" "$work/shown.json" || fail "canary not in the --show-values baseline: the test plants nothing"
grep -q "$canary" "$work/generic.json" "$work/generic.err" "$work/values.json" "$work/values.err" &&
  fail "canary in a baseline or its messages"
grep -q "3 of 3 queries planned with representative values from the logs" "$work/values.err" ||
  fail "capture does not say which queries got values: $(cat "$work/values.err")"

python3 - "$work" <<'EOF2'
import json, sys
w = sys.argv[1]
def queries(name):
    return {q["display"]: q for q in json.load(open(w + "/" + name))["queries"]}
g, v = queries("generic.json"), queries("values.json")
labs = [k for k in v if "FROM labs WHERE code" in k][0]
def scans(node, out):
    if node.get("relation") == "labs": out.append(node["node_type"])
    for c in node.get("children", []): scans(c, out)
    return out
gs, vs = scans(g[labs]["plan"], []), scans(v[labs]["plan"], [])
print("labs generic:", gs, "with log values:", vs)
assert g[labs]["generic_plan"] and not v[labs]["generic_plan"], (g[labs], v[labs])
assert vs == ["Seq Scan"], vs
assert gs and "Seq Scan" not in gs, gs
for q in v.values():
    assert q["params_origin"] == "log" and q["params"] == [] and len(q["values_tag"]) == 16, q
    assert "generic_fallback_plan" in q, q
assert scans(v[labs]["generic_fallback_plan"], []) == gs
EOF2

check() {  # BASELINE MIGRATIONS DB [extra args]
  local b=$1 m=$2 db=$3; shift 3
  "$pgsift" check --baseline "$b" --migrations "$fx/migrations/$m" --scratch-dsn "dbname=$db" \
    --scratch-is-disposable --no-lint "$@"
}

# Values matter: without the lab index, the workload's code still reads the
# table with a Seq Scan (no change), the generic plan lost its index.
scratch s_labs
expect_exit 0 check "$work/values.json" drop_labs_index s_labs --values-from "$work/routine.log"
grep -q "bind values: 3 queries planned with the capture's values from the logs" "$work/out" ||
  fail "values note: $(cat "$work/out")"
scratch s_labs
expect_exit 1 check "$work/generic.json" drop_labs_index s_labs
grep -q "no longer uses index labs_code_idx" "$work/out" || fail "generic labs: $(cat "$work/out")"

# Without the logs, the log-valued baseline is compared on generic plans, and
# the report says which queries and why.
scratch s_labs
expect_exit 1 check "$work/values.json" drop_labs_index s_labs
grep -q "planned generically (generic plans compared; pass --values-from with the capture's logs)" "$work/out" ||
  fail "fallback note: $(cat "$work/out")"
grep -q "generic fallback: no --values-from" "$work/out" || fail "fallback per query: $(cat "$work/out")"

# Other logs (another lab code): other values, other tag: generic, said so.
run_workload rare_7
tail -n +"$(($(wc -l <"$work/routine.log") + 1))" "$log" >"$work/rare.log"
scratch s_labs
expect_exit 1 check "$work/values.json" drop_labs_index s_labs --values-from "$work/rare.log"
grep -q "the --values-from logs give other values than the capture's" "$work/out" ||
  fail "tag mismatch note: $(cat "$work/out")"

# Canary: every output format, with values, a regression (dropped index) and
# a migration that makes the value fail (name becomes an int: the server's
# message would quote the value).
for m in drop_index name_to_int; do
  for f in text markdown json sarif junit; do
    scratch s_c
    got=0
    check "$work/values.json" "$m" s_c --values-from "$work/routine.log" --format "$f" >"$work/c.$m.$f" \
      2>"$work/c.$m.$f.err" || got=$?
    [ "$got" = 1 ] || { cat "$work/c.$m.$f" "$work/c.$m.$f.err"; fail "canary run $m $f: exit $got"; }
    grep -q "$canary" "$work/c.$m.$f" "$work/c.$m.$f.err" && fail "canary in check $m $f output"
  done
done
grep -q "FAIL q_[0-9a-f]*  regressed.*\[log values\]" "$work/c.drop_index.text" ||
  fail "drop_index with values: $(cat "$work/c.drop_index.text")"
grep -q "plans generically but not with the capture's log values" "$work/c.name_to_int.text" ||
  fail "name_to_int: $(cat "$work/c.name_to_int.text")"
scratch s_c
got=0
check "$work/shown.json" name_to_int s_c --values-from "$work/routine.log" --show-values >"$work/c.shown" 2>&1 || got=$?
grep -q "$canary" "$work/c.shown" || fail "--show-values check does not show the failing value: the canary plants nothing"

# A SET in one migration file stays in that file: the next file creates its
# table in public, and the re-plans use index scans again.
"$pgsift" baseline capture --dsn dbname=clinic --queries "$fx/queries.sql" -o "$work/base.json"
scratch s_set
expect_exit 0 check "$work/base.json" set_leak s_set
grep -q "5 unchanged; 2 migration files applied" "$work/out" || fail "set_leak: $(cat "$work/out")"
grep -q "planner settings differ" "$work/out" && fail "set_leak: a SET reached the re-planning: $(cat "$work/out")"
[ "$(psql -XqAt -d s_set -c "SELECT to_regclass('public.visits_archive') IS NOT NULL")" = t ] ||
  fail "set_leak: the second file did not run in public"
echo "baseline_values_live: ok"

#!/usr/bin/env bash
# Numbers that were plainly wrong (issue 18, section 5), on a real
# PostgreSQL 15 started here (shared_buffers = 256MB, a log_line_prefix
# without %e, no HypoPG in the database):
#   - snapshot settings: shared_buffers is 32768 x 8kB = 268435456 bytes
#     (was stored as '327688kB');
#   - analyze --sort errors shows an errors column; "unknown" SQLSTATEs say
#     that %e is missing from log_line_prefix;
#   - check: a new index that makes a query 50x cheaper is "improved" with
#     no warning; a migration that fails and is rolled back is not "applied";
#   - baseline capture --values-from counts the queries whose plan used the
#     logged values (a value that no longer fits the column's type falls
#     back to the generic plan and is not counted);
#   - indexes --dsn on a database without HypoPG says so (not "pass --dsn").
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
fx=$here/../../fixtures/baseline
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-numbers.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work/pg" || true; rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
pg_start_logging "$work/pg" '%m [%p] %q%u@%d app=%a ' "shared_buffers = '256MB'" \
    "shared_preload_libraries = 'pg_stat_statements'" 2>/dev/null
log=$work/pg/data/log/pg.log
pgbench=$(_pg_bindir)/pgbench
[ -x "$pgbench" ] || pgbench=$(command -v pgbench)
psql -XqAt -c "CREATE DATABASE clinic"
psql -XqAt -d clinic -v ON_ERROR_STOP=1 -f "$fx/schema.sql" >/dev/null
psql -XqAt -d clinic -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION pg_stat_statements;
CREATE TABLE labs (id bigint PRIMARY KEY, code text NOT NULL);
INSERT INTO labs SELECT g, CASE WHEN g % 100 = 0 THEN 'rare' ELSE 'routine' END FROM generate_series(1, 20000) g;
ANALYZE labs;
SQL

# --- settings
"$pgsift" snapshot --dsn dbname=clinic -o "$work/snap.json.gz" >/dev/null
python3 - "$work/snap.json.gz" <<'EOF' || fail=1
import gzip, json, sys
s = json.load(gzip.open(sys.argv[1]))["settings"]
sb = s.get("shared_buffers")
want = {"setting": "32768", "unit": "8kB", "bytes": 256 * 1024 * 1024}
if sb != want:
    print(f"FAIL: shared_buffers stored as {sb!r}, want {want!r}", file=sys.stderr)
    sys.exit(1)
EOF

# --- errors without %e
{ echo "SELECT 1 / 0;"; echo "SELECT 2 / 0;"; echo "SELECT * FROM no_such_table;"
  for i in 1 2 3; do echo "SELECT id FROM patients WHERE name = 'patient $i';"; done
} | PGAPPNAME=clinic-web psql -XqAt -d clinic -f - >/dev/null 2>&1 || true
# --- extended protocol: logged bind values for baseline capture --values-from
cat >"$work/w.sql" <<'SQL'
SELECT count(*) FROM labs WHERE code = :code;
SELECT id, name FROM patients WHERE clinic_id = :clinic;
SQL
"$pgbench" -n -M extended -t 20 -c 1 -D code=routine -D clinic=3 -f "$work/w.sql" clinic >/dev/null
pg_quiesce "$work/pg"
cp "$log" "$work/app.log"

# --- failed statements are errors, not calls, however the server logs
# statements: log_statement = all + log_duration ("statement:" before it
# runs, then "duration:") and log_min_duration_statement = 0 (one line after)
for mode in audit timed; do
    { if [ $mode = audit ]; then
          echo "SET log_min_duration_statement = -1;"; echo "SET log_statement = 'all';"; echo "SET log_duration = on;"
      fi
      for i in 1 2 3 4 5; do echo "SELECT code FROM labs WHERE id = $i;"; done
      for i in 1 2 3; do echo "SELECT 'not a number $i'::int;"; done
      echo "SELECT code FROM labs WHERE id = 6;"
    } | PGAPPNAME=clinic-$mode psql -XqAt -d clinic -f - >/dev/null 2>&1 || true
done
pg_quiesce "$work/pg"
cp "$log" "$work/modes.log"
for mode in audit timed; do
    "$pgsift" analyze "$work/modes.log" --application clinic-$mode -q --json "$work/$mode.json" 2>/dev/null || true
done
python3 - "$work/audit.json" "$work/timed.json" <<'EOF' || fail=1
import json, sys
ok = True
want = {"SELECT code FROM labs WHERE id = $1": (6, 0), "SELECT $1::int": (0, 3)}
for path in sys.argv[1:]:
    r = json.load(open(path))
    calls = {q["normalized"]: (q["calls"], sum(q["errors_by_sqlstate"].values())) for q in r["queries"]}
    got = {k: calls.get(k) for k in want}
    if got != want:
        print(f"FAIL: {path}: (calls, errors) {got}, want {want}", file=sys.stderr); ok = False
    apps = {k: v["calls"] for k, v in r["summary"]["by_application"].items()}
    if sum(apps.values()) != r["summary"]["calls"]:
        print(f"FAIL: {path}: calls by application {apps} do not add up to {r['summary']['calls']}", file=sys.stderr)
        ok = False
sys.exit(0 if ok else 1)
EOF

"$pgsift" analyze "$work/app.log" --sort errors --top 3 >"$work/errors.out" 2>&1 || true
python3 - "$work/errors.out" <<'EOF' || fail=1
import re, sys
out = open(sys.argv[1]).read()
ok = True
header = next((l for l in out.splitlines() if l.lstrip().startswith("#") and "calls" in l), "")
cols = header.split()
if "errors" not in cols:
    print(f"FAIL: --sort errors: no errors column in {header!r}", file=sys.stderr); ok = False
else:
    first = next(l for l in out.splitlines()[out.splitlines().index(header) + 1:] if l.strip())
    if first.split()[cols.index("errors")] != "2" or "/ $2" not in first:
        print(f"FAIL: first row should be the division with 2 errors: {first!r}", file=sys.stderr); ok = False
if "Errors by SQLSTATE: unknown 3" not in out:
    print(f"FAIL: expected 3 errors of unknown SQLSTATE:\n{out}", file=sys.stderr); ok = False
if not re.search(r"unknown: .*app\.log's log_line_prefix '.*' has no %e", out):
    print(f"FAIL: no hint that %e is missing:\n{out}", file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
EOF

# --- indexes --dsn without HypoPG
"$pgsift" indexes "$work/app.log" --dsn dbname=clinic >"$work/indexes.out" 2>&1 || true
grep -q "hypopg extension is not installed" "$work/indexes.out" ||
    bad "indexes --dsn does not say HypoPG is missing: $(cat "$work/indexes.out")"
grep -q "pass --dsn" "$work/indexes.out" && bad "indexes --dsn tells the user to pass --dsn"

# --- baseline capture --values-from: the labs value no longer fits its column
"$pgsift" analyze "$work/app.log" --application pgbench --json "$work/a.json" -q
psql -XqAt -d clinic -c "ALTER TABLE labs ALTER code TYPE int USING (CASE WHEN code = 'rare' THEN 1 ELSE 0 END)"
"$pgsift" baseline capture --dsn dbname=clinic --from-analyze "$work/a.json" --top 10 \
    --values-from "$work/app.log" --prefix '%m [%p] %q%u@%d app=%a ' -o "$work/base.json" 2>"$work/capture.err" ||
    bad "capture: $(cat "$work/capture.err")"
logged=$(python3 -c "import json,sys; print(sum(q.get('params_origin') == 'log' for q in json.load(open(sys.argv[1]))['queries']))" "$work/base.json")
[ "$logged" = 1 ] || bad "the baseline has $logged queries with log values, expected 1"
grep -q "^pgsift: $logged of 2 queries planned with representative values from the logs" "$work/capture.err" ||
    bad "capture's count disagrees with its baseline ($logged of 2): $(cat "$work/capture.err")"

# --- check: an improvement, and a rolled-back migration
cat >"$work/names.sql" <<'SQL'
-- name: patient_by_name
-- params: 'patient 42'
SELECT id FROM patients WHERE name = $1;
SQL
"$pgsift" baseline capture --dsn dbname=clinic --queries "$work/names.sql" -o "$work/names.json" 2>/dev/null
mkdir -p "$work/m_index" "$work/m_fail"
echo "CREATE INDEX patients_name_idx ON patients (name);" >"$work/m_index/V1__name_index.sql"
printf 'CREATE INDEX patients_name_idx ON patients (name);\nSELECT 1 / 0;\n' >"$work/m_fail/V1__broken.sql"
scratch() {
    psql -XqAt -c "DROP DATABASE IF EXISTS s_$1" -c "CREATE DATABASE s_$1 TEMPLATE clinic" \
        -c "COMMENT ON DATABASE s_$1 IS 'pgsift:scratch'"
}
for m in m_index m_fail; do
    scratch "$m"
    "$pgsift" check --no-lint --baseline "$work/names.json" --migrations "$work/$m" --scratch-dsn "dbname=s_$m" \
        --scratch-is-disposable --format json -o "$work/$m.json" >/dev/null 2>"$work/$m.err" || true
    scratch "$m"
    "$pgsift" check --no-lint --baseline "$work/names.json" --migrations "$work/$m" --scratch-dsn "dbname=s_$m" \
        --scratch-is-disposable >"$work/$m.out" 2>&1 || true
done
python3 - "$work" <<'EOF' || fail=1
import json, sys
w = sys.argv[1]
ok = True
def bad(msg):
    global ok
    ok = False
    print("FAIL:", msg, file=sys.stderr)
r = json.load(open(f"{w}/m_index.json"))
q = r["queries"][0]
if not (q["cost_before"] >= 2 * q["cost_after"] and q["cost_before"] - q["cost_after"] >= 100):
    bad(f"the new index did not make the query much cheaper: {q['cost_before']} -> {q['cost_after']}")
if q["status"] != "improved": bad(f"status {q['status']}, want improved")
warn = [f for f in r["findings"] if f["severity"] in ("warning", "error")]
if warn: bad(f"an improvement reported as {[(f['rule'], f['severity']) for f in warn]}")
text = open(f"{w}/m_index.out").read()
if "1 improved" not in text or "1 migration file applied" not in text: bad(f"summary: {text.splitlines()[0]}")
failed = open(f"{w}/m_fail.out").read()
first = failed.splitlines()[0]
if "applied" in first and "0 migration files applied" not in first: bad(f"rolled back yet applied: {first}")
if "failed and was rolled back" not in first: bad(f"does not say the migration was rolled back: {first}")
fj = json.load(open(f"{w}/m_fail.json"))
if fj["migrations"] != [] or fj.get("failed_migration", {}).get("rolled_back") is not True:
    bad(f"JSON: migrations {fj['migrations']}, failed_migration {fj.get('failed_migration')}")
sys.exit(0 if ok else 1)
EOF
[ "$fail" = 0 ] && echo "ok: settings, errors column and %e hint, check improvement and rollback, values count, HypoPG" ||
    exit 1

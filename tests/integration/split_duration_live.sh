#!/usr/bin/env bash
# A server that logs each statement and its duration on separate lines
# (log_statement = 'all' with log_duration = on, log_min_duration_statement
# off: the README's pairing for full logs). Real PostgreSQL 15, a small
# workload of two applications and one N+1 burst. pgsift must put each
# duration where its statement was counted: the per-user, -database and
# -application totals equal the total time, the journey SLOs of `report
# --logs` see the calls with their times, and the N+1 finding says how long
# its bursts took (not "not logged").
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
bindir=$(_pg_bindir)
psql_bin=$bindir/psql
[ -x "$psql_bin" ] || psql_bin=psql

work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-split.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

pg_start_logging "$work" '%m [%p] %q%u@%d app=%a session=%c ' \
  "shared_preload_libraries = 'pg_stat_statements'" \
  "log_min_duration_statement = -1" "log_statement = 'all'" "log_duration = on" 2>/dev/null
sql() { PGAPPNAME=$1 "$psql_bin" -X -q -v ON_ERROR_STOP=1 -f - >/dev/null; }
echo "CREATE EXTENSION pg_stat_statements;
CREATE TABLE visits (id int PRIMARY KEY, patient_id int, note text);
INSERT INTO visits SELECT g, g % 40, 'n' FROM generate_series(1, 400) g;" | sql setup
"$pgsift" snapshot -o "$work/a.json.gz" >/dev/null
# web: 10 calls of ~2 ms; worker: 5; then a list of 6 and one lookup per row.
for i in $(seq 1 10); do echo "SELECT pg_sleep(0.002), $i AS n;"; done | sql web
for i in $(seq 1 5); do echo "SELECT count(*) FROM visits WHERE patient_id = $i;"; done | sql worker
{
  echo "SELECT id FROM visits ORDER BY id LIMIT 6;"
  for i in 1 2 3 4 5 6; do echo "SELECT note FROM visits WHERE id = $i;"; done
} | sql web
"$pgsift" snapshot -o "$work/b.json.gz" >/dev/null
pg_quiesce "$work"
pg_stop "$work" >/dev/null 2>&1
log=$work/data/log/pg.log
grep -q "LOG:  duration: [0-9.]* ms$" "$log" || bad "the server did not log durations on their own lines"

"$pgsift" analyze -q --json "$work/analyze.json" "$log"
printf '[journeys.web]\napplication_name = "web"\np95_ms = 1000\n' >"$work/journeys.toml"
"$pgsift" report --from "$work/a.json.gz" --to "$work/b.json.gz" --logs "$log" --config "$work/journeys.toml" \
  --format json -o "$work/report.json" 2>"$work/report.err" || bad "report: $(cat "$work/report.err")"

python3 - "$work" <<'EOF' || fail=1
import json, sys
w = sys.argv[1]
ok = True
def bad(msg):
    global ok
    print("FAIL:", msg, file=sys.stderr)
    ok = False
a = json.load(open(f"{w}/analyze.json"))
s = a["summary"]
total = s["total_duration_ms"]
if total <= 20:
    bad(f"total time {total} ms: the 10 sleeps alone take 20 ms")
for dim in ("by_user", "by_database", "by_application"):
    got = sum(v["total_ms"] for v in s[dim].values())
    if abs(got - total) > 0.01:
        bad(f"{dim}: {got} ms in all, the total is {total} ms: {s[dim]}")
web = s["by_application"].get("web", {})
if web.get("calls") != 17 or web.get("total_ms", 0) < 20:
    bad(f"application web: expected 17 calls and >= 20 ms, got {web}")
if s.get("durations_without_statement", 0) != 0:
    bad(f"durations without a statement: {s.get('durations_without_statement')}")
nplus = [f for f in a.get("findings", []) if f["rule"] == "workload-n-plus-one"]
if not any(f["facts"].get("child") == "SELECT note FROM visits WHERE id = $1" for f in nplus):
    bad("no N+1 finding for the list of 6 and its 6 lookups")
for f in nplus:
    t = f.get("facts", {}).get("time in bursts", "")
    if not t or "not logged" in t:
        bad(f"N+1 finding without the time of its bursts: {f.get('facts')}")
r = json.load(open(f"{w}/report.json"))
j = {x["journey"]: x for x in r.get("journeys", [])}
if "web" not in j or j["web"]["calls"] != 17 or j["web"]["measured_ms"] <= 0:
    bad(f"journey web: expected 17 calls with a p95 time, got {j.get('web')}")
print("split durations:", f"total {total} ms,", "web", web, "journey", j.get("web", {}).get("calls"))
sys.exit(0 if ok else 1)
EOF
exit $fail

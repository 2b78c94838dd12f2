#!/usr/bin/env bash
# pgsift's own statements stay out of what it reports (issue 18, section 3).
# A real PostgreSQL 15 with pg_stat_statements, hypopg and a log_line_prefix
# with %a runs an application workload; then pgsift runs `indexes --dsn`,
# `baseline capture`, `lint --dsn` and `snapshot` against it. Checked:
#   - the server's own pg_stat_statements rows that start with the pgsift
#     comment exist (pgsift tagged its statements) and none of their
#     fingerprints is in the snapshot or in the report's queries;
#   - every pgsift session is logged as application_name pgsift/<command>;
#   - `analyze` and `report --logs` of the log leave pgsift's statements out
#     and say how many; --include-pgsift keeps them.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
fx=$here/../../fixtures/baseline
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-own.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work" || true; rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

pg_start_logging "$work" '%m [%p] %q%u@%d app=%a session=%c ' \
    "shared_preload_libraries = 'pg_stat_statements'" "pg_stat_statements.track_utility = on" 2>/dev/null
export PGCLIENTENCODING=UTF8
psql -XqAt -c "CREATE DATABASE clinic"
export PGDATABASE=clinic
psql -XqAt -v ON_ERROR_STOP=1 -f "$fx/schema.sql" >/dev/null
psql -XqAt -c "CREATE EXTENSION pg_stat_statements" -c "CREATE EXTENSION hypopg" >/dev/null
# The application: lookups by an unindexed column (an index candidate).
for ((i = 1; i <= 30; i++)); do echo "SELECT id, name FROM patients WHERE mrn = 'MRN$i';"; done |
    PGAPPNAME=clinic-web psql -XqAt -v ON_ERROR_STOP=1 -f - >/dev/null
# An application that calls itself pgsift/<not a command> and tags its
# statements as pgsift does: its load is the application's, not pgsift's
# (it must not vanish from analyze).
for ((i = 1; i <= 5; i++)); do echo "SELECT /* pgsift */ count(*) FROM patients WHERE id > $i;"; done |
    PGAPPNAME=pgsift/x psql -XqAt -v ON_ERROR_STOP=1 -f - >/dev/null
"$pgsift" snapshot --dsn dbname=clinic -o "$work/a.json.gz" >/dev/null

# pgsift at work on the server.
pg_quiesce "$work"
cp "$work/data/log/pg.log" "$work/app.log"
"$pgsift" indexes "$work/app.log" --dsn dbname=clinic >/dev/null 2>"$work/indexes.err" || [ $? = 1 ] ||
    bad "indexes --dsn: $(cat "$work/indexes.err")"
"$pgsift" baseline capture --dsn dbname=clinic --queries "$fx/queries.sql" -o "$work/base.json" 2>"$work/base.err" ||
    bad "baseline capture: $(cat "$work/base.err")"
echo 'CREATE INDEX patients_mrn_idx ON patients (mrn);' >"$work/V2__mrn.sql"
"$pgsift" lint --dsn dbname=clinic "$work/V2__mrn.sql" >/dev/null 2>"$work/lint.err" || [ $? = 1 ] ||
    bad "lint --dsn: $(cat "$work/lint.err")"
"$pgsift" snapshot --dsn dbname=clinic -o "$work/b.json.gz" >"$work/snap.out" 2>&1
grep -q "statements of pgsift itself left out" "$work/snap.out" ||
    bad "snapshot does not say how many of pgsift's statements it left out: $(cat "$work/snap.out")"

# What the server recorded as pgsift's own (raw text, tagged).
psql -XqAt -c "SELECT json_build_object('query', query) FROM pg_stat_statements
               WHERE query LIKE '%/* pgsift */%'" >"$work/own.jsonl"
own=$(grep -c . "$work/own.jsonl" || true)
[ "$own" -ge 10 ] || bad "expected pgsift's tagged statements in pg_stat_statements, found $own"
"$pgsift" fingerprint --jsonl "$work/own.jsonl" >"$work/own.fp"
pg_quiesce "$work"
pg_stop "$work" 2>/dev/null
"$pgsift" report --from "$work/a.json.gz" --to "$work/b.json.gz" --logs "$work/data/log/pg.log" \
    --format json -o "$work/report.json" 2>"$work/report.err" || bad "report: $(cat "$work/report.err")"
"$pgsift" report --from "$work/a.json.gz" --to "$work/b.json.gz" --logs "$work/data/log/pg.log" \
    -o "$work/report.md" 2>/dev/null || true
"$pgsift" analyze -q --json "$work/analyze.json" "$work/data/log/pg.log"
"$pgsift" analyze --top 0 "$work/data/log/pg.log" >"$work/analyze.out" 2>&1 || true
"$pgsift" analyze -q --include-pgsift --json "$work/all.json" "$work/data/log/pg.log"
# pgsift's statements are left out only where the user's selection kept them
"$pgsift" analyze -q --application pgsift/x --json "$work/only_x.json" "$work/data/log/pg.log"

python3 - "$work" <<'EOF' || fail=1
import gzip, json, sys
w = sys.argv[1]
ok = True
def bad(msg):
    global ok
    ok = False
    print("FAIL:", msg, file=sys.stderr)
own = {json.loads(l)["fingerprint"] for l in open(f"{w}/own.fp") if l.strip()}
snap = json.load(gzip.open(f"{w}/b.json.gz"))
in_snap = [e["query"] for e in snap["entries"] if e["fingerprint"] in own]
if in_snap: bad(f"pgsift's statements in the snapshot: {in_snap[:5]}")
if snap.get("pgsift_left_out", 0) < 1: bad("snapshot: pgsift_left_out not counted")
rep = json.load(open(f"{w}/report.json"))
listed = [q["query"] for k in ("top_queries", "new_queries", "regressions") for q in rep.get(k, [])
          if q["fingerprint"] in own]
if listed: bad(f"pgsift's statements in the report: {listed[:5]}")
left = rep.get("pgsift_left_out", {})
if left.get("pg_stat_statements", 0) < 1 or left.get("logs", 0) < 1:
    bad(f"report does not count what it left out: {left}")
if "statements of pgsift itself left out" not in open(f"{w}/report.md").read():
    bad("report.md does not say how many of pgsift's statements were left out")
def apps(path):
    return json.load(open(path))["summary"]["by_application"]
a, everything = apps(f"{w}/analyze.json"), apps(f"{w}/all.json")
names = lambda b: {x["name"] if isinstance(x, dict) else x for x in b}
if any(n.startswith("pgsift") and n != "pgsift/x" for n in names(a)):
    bad(f"analyze shows pgsift's sessions: {names(a)}")
posing = a.get("pgsift/x") if isinstance(a, dict) else None
if not posing or posing.get("calls") != 5:
    bad(f"the application pgsift/x (not a pgsift command) was left out: {posing}")
if json.load(open(f"{w}/analyze.json"))["summary"].get("pgsift_left_out_ms", 0) <= 0:
    bad("analyze: the time of pgsift's left-out statements is not counted")
if " in all; --include-pgsift keeps them)" not in open(f"{w}/analyze.out").read():
    bad("analyze does not say how long pgsift's left-out statements took")
for cmd in ("pgsift/snapshot", "pgsift/indexes", "pgsift/baseline", "pgsift/lint"):
    if cmd not in names(everything): bad(f"no session logged as {cmd}: {names(everything)}")
left = json.load(open(f"{w}/analyze.json"))["summary"]["pgsift_left_out"]
if left < 1: bad("analyze: pgsift_left_out not counted")
if f"{left} statements of pgsift itself left out" not in open(f"{w}/analyze.out").read():
    bad("analyze does not say how many of pgsift's statements it left out")
only_x = json.load(open(f"{w}/only_x.json"))["summary"]
if only_x["pgsift_left_out"] != 0 or only_x["calls"] != 5:
    bad(f"--application pgsift/x: 5 calls and none of pgsift's left out (the filter left them out): "
        f"{only_x['calls']} calls, {only_x['pgsift_left_out']} left out")
print(f"pgsift's tagged pg_stat_statements rows: {len(own)}; left out of the log: {left}")
sys.exit(0 if ok else 1)
EOF
exit $fail

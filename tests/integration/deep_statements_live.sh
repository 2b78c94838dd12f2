#!/usr/bin/env bash
# Statements nested too deeply (issue 16 §2), end to end: a real PostgreSQL 15
# is sent `+ 1`, `||` and UNION ALL chains deep enough that it answers "stack
# depth limit exceeded" (and logs the statement), a deep chain it runs, and
# "/*/*/*..." nested comments; pgsift analyze, report --logs and indexes read
# that log, and pgsift fingerprint and lint read generated SQL files of each
# construct at 1k/10k/100k. Every command must exit normally (no SIGSEGV, no
# hang: the ctest timeout), and the deep statements must be counted as
# fallbacks with their reason. Without the parser-load check pgsift exits 139.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/../pg/pgctl.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-deep.XXXXXX")
chmod 755 "$work"
cleanup() { pg_stop "$work" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
pg_start "$work" "shared_preload_libraries = 'pg_stat_statements'" \
  "log_min_duration_statement = 0" "log_line_prefix = '%m [%p] %q%u@%d '" \
  "logging_collector = on" "log_directory = 'log'" "log_filename = 'pg.log'" >/dev/null 2>&1
bindir=$(_pg_bindir)
psql_() { "$bindir/psql" -X -q "$@"; }
psql_ -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pg_stat_statements" -c "CREATE TABLE t (a int, b int)"
"$pgsift" snapshot -o "$work/a.json.gz" >/dev/null

gen() {  # gen CONSTRUCT DEPTH: one generated statement
  python3 - "$1" "$2" <<'PY'
import sys
c, n = sys.argv[1], int(sys.argv[2])
print({
    "plus": "SELECT 1" + " + 1" * n,
    "concat": "SELECT 'a'" + " || 'a'" * n,
    "union": "SELECT 1" + " UNION ALL SELECT 1" * n,
    "parens": "SELECT " + "(" * n + "1" + ")" * n,
    "subqueries": "SELECT (" * n + "SELECT 1" + ")" * n,
    "comments": "SELECT 1 " + "/*" * n + "x" + "*/" * n,
    "spaced_comments": "SELECT 1 " + "/* " * n + "x" + " */" * n,
}[c])
PY
}

# Rejected by the server (logged as ERROR + STATEMENT), and run by it (logged
# with their duration).
for spec in plus:30000 concat:25000 union:30000; do
  gen "${spec%%:*}" "${spec##*:}" >"$work/q.sql"
  psql_ -f "$work/q.sql" >/dev/null 2>"$work/err" || true
  grep -q "stack depth limit exceeded" "$work/err" || { echo "FAIL: server accepted ${spec}: $(head -c 300 "$work/err")"; exit 1; }
done
for spec in plus:2100 comments:10000 spaced_comments:100000 parens:1000; do
  gen "${spec%%:*}" "${spec##*:}" >"$work/q.sql"
  psql_ -v ON_ERROR_STOP=1 -f "$work/q.sql" >/dev/null
done
psql_ -c "SELECT a FROM t WHERE b = 42" >/dev/null
"$pgsift" snapshot -o "$work/b.json.gz" >/dev/null
psql_ -c "SELECT pg_rotate_logfile()" >/dev/null  # flush
sleep 1
log=$work/data/log/pg.log
grep -q "stack depth limit exceeded" "$log" || { echo "FAIL: the server did not log the rejected statements"; exit 1; }

status=0
fail() { echo "FAIL: $*"; status=1; }
run() {  # run NAME CMD...: exit code in $code, never a signal
  set +e
  "${@:2}" >"$work/$1.out" 2>"$work/$1.err"
  code=$?
  set -e
  [ "$code" -lt 128 ] || fail "$1: killed by signal $((code - 128)): $(tail -c 500 "$work/$1.err")"
}

for j in 1 2; do
  run analyze$j "$pgsift" analyze -j "$j" --json "$work/analyze$j.json" "$log"
  [ "$code" -eq 0 ] || fail "analyze -j $j: exit $code"
  python3 - "$work/analyze$j.json" <<'PY' || fail "analyze -j $j: fallback counts"
import json, sys
doc = json.load(open(sys.argv[1]))
cache = doc["summary"]["fingerprint_cache"]
deep = [q for q in doc["queries"] if q.get("fallback")]
# The 2100-term chain (4200 units) and the 10k packed comments ran and were logged with
# their duration: both are too deep or too costly for libpg_query.
assert cache["too_complex_statements"] >= 2, cache
assert cache["fallbacks"] >= cache["too_complex_statements"], cache
assert len(deep) >= 2, [q.get("normalized", "")[:80] for q in deep]
# The ordinary statement is still fingerprinted exactly.
assert any(q["normalized"] == "SELECT a FROM t WHERE b = $1" and not q.get("fallback") for q in doc["queries"])
print("analyze:", cache)
PY
done
grep -q "nested too deeply (or too costly to scan)" "$work/analyze1.err" || fail "analyze: no note on stderr"

run report "$pgsift" report --from "$work/a.json.gz" --to "$work/b.json.gz" --logs "$log" --format json -o "$work/report.json"
[ "$code" -eq 0 ] || fail "report --logs: exit $code: $(tail -c 500 "$work/report.err")"
run indexes "$pgsift" indexes "$log" --dsn "host=$PGHOST port=$PGPORT user=postgres dbname=postgres" --json
[ "$code" -le 1 ] || fail "indexes: exit $code: $(tail -c 500 "$work/indexes.err")"

# fingerprint and lint on generated SQL files (SQL, not logs).
for c in plus concat union parens subqueries comments; do
  for n in 1000 10000 100000; do
    gen "$c" "$n" >"$work/$c.$n.sql"
    run fp "$pgsift" fingerprint "$work/$c.$n.sql"
    [ "$code" -eq 0 ] || fail "fingerprint $c $n: exit $code"
    if [ "$n" -gt 1000 ]; then
      grep -q '"fallback":true' "$work/fp.out" || fail "fingerprint $c $n: no fallback: $(head -c 300 "$work/fp.out")"
    else
      grep -q '"fallback"' "$work/fp.out" && fail "fingerprint $c $n: fallback at 1k: $(head -c 300 "$work/fp.out")"
    fi
    { echo "CREATE INDEX i ON t (a);"; cat "$work/$c.$n.sql"; echo ";"; echo "DROP TABLE t;"; } >"$work/m.sql"
    run lint "$pgsift" lint "$work/m.sql"
    [ "$code" -le 2 ] || fail "lint $c $n: exit $code"
    grep -q "ban-drop-table\|drop-table" "$work/lint.out" "$work/lint.err" ||
      fail "lint $c $n: the statement after the deep one was not linted: $(head -c 500 "$work/lint.out")"
  done
done
[ "$status" -eq 0 ] && echo "deep statements: analyze, report --logs, indexes, fingerprint and lint exit normally"
exit "$status"

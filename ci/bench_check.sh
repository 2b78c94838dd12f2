#!/usr/bin/env bash
# ci/bench_check.sh PGSIFT [RUNS] - the check row of ci/bench (issue 23):
# `pgsift check` of 50 guarded queries on a template-copied scratch database,
# timed after the server is up (limit 10 s), and where the time goes:
# CREATE DATABASE ... TEMPLATE, the migration, the EXPLAIN round trips.
#
# Starts a throw-away PostgreSQL 15 (tests/pg/pgctl.sh) with the real schema
# and data of fixtures/baseline/schema.sql. The 50 guarded queries are a
# SCALED BENCHMARK INPUT, not a fixture: the 5 queries of
# fixtures/baseline/queries.sql ten times under names _1 .. _10.
# Migration: fixtures/baseline/migrations/harmless. Medians of RUNS (3).
set -euo pipefail
pgsift=$1
runs=${2:-3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
fx=$here/fixtures/baseline
# shellcheck source=../tests/pg/pgctl.sh
. "$here/tests/pg/pgctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-bench-check.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work/pg" >&2 || true; rm -rf "$work"' EXIT
pg_start "$work/pg" "lc_messages = 'C'" "timezone = 'UTC'" >&2
psql -XqAt -c "CREATE DATABASE clinic"
psql -XqAt -d clinic -v ON_ERROR_STOP=1 -f "$fx/schema.sql" >/dev/null
for i in $(seq 1 10); do sed "s/^-- name: \(.*\)/-- name: \1_$i/" "$fx/queries.sql"; echo; done >"$work/queries50.sql"
n=$(grep -c '^-- name:' "$work/queries50.sql")
"$pgsift" baseline capture --dsn dbname=clinic --queries "$work/queries50.sql" -o "$work/base.json"
# EXPLAIN round trips alone: the 50 queries' generic plans, one psql session.
python3 - "$work/queries50.sql" >"$work/explain.sql" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for i, block in enumerate(re.split(r"^-- name: .*$", text, flags=re.M)[1:]):
    sql = "\n".join(l for l in block.splitlines() if not l.startswith("--")).strip().rstrip(";")
    params = len(set(re.findall(r"\$(\d+)", sql)))
    types = "(" + ", ".join(["unknown"] * params) + ")" if params else ""
    print(f"PREPARE q{i}{types} AS {sql};")
    args = "(" + ", ".join(["NULL"] * params) + ")" if params else ""
    print(f"SET plan_cache_mode = force_generic_plan; EXPLAIN (FORMAT JSON) EXECUTE q{i}{args};")
PY
now() { date +%s.%N; }
median() { sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'; }
create=() migrate=() explain=() check=()
for ((r = 1; r <= runs; r++)); do
  psql -XqAt -c "DROP DATABASE IF EXISTS s_bench" >/dev/null 2>&1
  t0=$(now); psql -XqAt -c "CREATE DATABASE s_bench TEMPLATE clinic"; t1=$(now)
  create+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
  t0=$(now); psql -XqAt -d s_bench -v ON_ERROR_STOP=1 -f "$fx/migrations/harmless/V2__add_note.sql" >/dev/null; t1=$(now)
  migrate+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
  t0=$(now); psql -XqAt -d s_bench -v ON_ERROR_STOP=1 -f "$work/explain.sql" >/dev/null; t1=$(now)
  explain+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
  psql -XqAt -c "DROP DATABASE s_bench"
  t0=$(now)
  "$pgsift" check --baseline "$work/base.json" --migrations "$fx/migrations/harmless" \
    --create-scratch-from dbname=clinic --scratch-dsn dbname=s_bench --scratch-is-disposable -o "$work/check.txt" ||
    { cat "$work/check.txt" >&2; exit 1; }
  t1=$(now)
  check+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
done
grep -q "$n unchanged" "$work/check.txt" || { echo "ci/bench_check.sh: check did not compare $n queries:" >&2; cat "$work/check.txt" >&2; exit 1; }
c=$(printf '%s\n' "${check[@]}" | median)
echo "Check ($n guarded queries, median of $runs runs, s; server already up):"
printf '%-52s %9s %8s %8s\n' step "median s" "limit s" ratio
printf '%-52s %9.3f %8.2f %7.2fx\n' "pgsift check --create-scratch-from (whole run)" "$c" 10 "$(awk -v c="$c" 'BEGIN { print c / 10 }')"
printf '%-52s %9.3f\n' "  of which alone: CREATE DATABASE ... TEMPLATE (psql)" "$(printf '%s\n' "${create[@]}" | median)"
printf '%-52s %9.3f\n' "  of which alone: the migration (psql)" "$(printf '%s\n' "${migrate[@]}" | median)"
printf '%-52s %9.3f\n' "  of which alone: $n EXPLAIN round trips (one psql)" "$(printf '%s\n' "${explain[@]}" | median)"
echo "(load average during the run: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores)"

#!/usr/bin/env bash
# Sample mode of the scratch database (check --create-scratch-from DSN
# --sample PERCENT) on a real PostgreSQL 15, and the fidelity of each mode:
# how many of the guarded queries' scratch plans equal the source's plans
# (fixtures/baseline: schema with data, queries.sql), and the cost ratios.
# Asserts: the report names the mode; the source is only read and may be in
# use (another session stays connected); the scratch database is dropped; a
# 50% sample plans every guarded query with the source's plan shape; a
# schema-only scratch does not (so the comparison can fail); with
# --source-stats a 1% and a 10% sample plan every guarded query like the
# source while the 1% sample alone does not; the mode needs a superuser.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
fx=$here/../../fixtures/baseline
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-sample.XXXXXX")
chmod 755 "$work"
holder=
cleanup() {
  if [ -n "$holder" ]; then kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; fi
  pg_stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT
pg_start "$work/pg" "lc_messages = 'C'" "timezone = 'UTC'"
export PGCLIENTENCODING=UTF8
bindir=$(_pg_bindir)
fail() { echo "FAIL: $*" >&2; exit 1; }

psql -XqAt -c "CREATE DATABASE clinic"
psql -XqAt -d clinic -v ON_ERROR_STOP=1 -f "$fx/schema.sql" >/dev/null
# A small table that a 1% sample misses: --source-stats copies one row of it
# so that its heap can grow to the source's size.
psql -XqAt -d clinic -v ON_ERROR_STOP=1 -c "CREATE TABLE clinics (id int PRIMARY KEY, name text NOT NULL)" \
  -c "INSERT INTO clinics SELECT g, 'clinic ' || g FROM generate_series(1, 5) g" -c "ANALYZE clinics"
"$pgsift" baseline capture --dsn dbname=clinic --queries "$fx/queries.sql" -o "$work/base.json"

# The source stays in use during the sample (a template copy would refuse).
psql -XqAt -d clinic -c "SELECT pg_sleep(3600)" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 100); do
  [ "$(psql -XqAt -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'clinic' AND query LIKE '%pg_sleep%'")" = 1 ] && break
  sleep 0.2
done

run() {  # LABEL ARGS...: check the harmless migration, JSON into $work/LABEL.json
  local label=$1 got=0; shift
  "$pgsift" check --baseline "$work/base.json" --migrations "$fx/migrations/harmless" --no-lint --fail-on none \
    --format json -o "$work/$label.json" "$@" 2>"$work/$label.err" || got=$?
  [ "$got" = 0 ] || { cat "$work/$label.err"; fail "$label: exit $got"; }
}
for p in 100 50 20 10 1; do
  run "sample$p" --create-scratch-from dbname=clinic --sample "$p" --pg-dump "$bindir/pg_dump"
done
# The source-statistics mode: the same samples, plus the source's row counts
# and column statistics.
for p in 10 1 0.5 0.2 0.01; do
  run "stats$p" --create-scratch-from dbname=clinic --sample "$p" --source-stats --pg-dump "$bindir/pg_dump"
done
# The source DSN's password reaches pg_dump through its environment, never
# its command line (ps shows that to every user of the machine): a pg_dump
# wrapper records both (the server trusts local connections: the password is
# unused).
cat >"$work/pg_dump_spy" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >>"$work/pg_dump.argv"
printf 'PGPASSWORD=%s\n' "\$PGPASSWORD" >>"$work/pg_dump.env"
exec "$bindir/pg_dump" "\$@"
EOF
chmod 755 "$work/pg_dump_spy"
run spy --create-scratch-from "dbname=clinic password=pgsift-canary-pw" --sample 10 --pg-dump "$work/pg_dump_spy"
# (with the bounded waits pgsift adds to every DSN: connect_timeout, keepalives;
# not tcp_user_timeout, which pg_dump before 12 does not know; and pgsift's
# application_name, so the dump's statements are known as pgsift's own)
grep -qx -- "--dbname=connect_timeout='10' dbname='clinic' application_name='pgsift/check' keepalives='1' keepalives_idle='30' keepalives_interval='10' keepalives_count='3'" \
  "$work/pg_dump.argv" || fail "pg_dump's arguments: $(cat "$work/pg_dump.argv")"
if grep -q pgsift-canary-pw "$work/pg_dump.argv"; then fail "the source password is on pg_dump's command line"; fi
grep -qx "PGPASSWORD=pgsift-canary-pw" "$work/pg_dump.env" ||
  fail "pg_dump's environment: $(cat "$work/pg_dump.env")"
# A cap on the dead space written: the heaps stay smaller than the source's,
# the row counts are still the source's.
run stats1_cap1mb --create-scratch-from dbname=clinic --sample 1 --source-stats --grow-cap-mb 1 \
  --pg-dump "$bindir/pg_dump"
# A migration that re-ANALYZEs or rewrites a sampled table gives it the
# sample's statistics again (README: documented, visible as a row count that
# differs from the source's).
mkdir -p "$work/mig_analyze" "$work/mig_rewrite"
echo "ANALYZE appointments;" >"$work/mig_analyze/V2__analyze.sql"
echo "VACUUM FULL appointments;" >"$work/mig_rewrite/V2__vacuum_full.sql"
for m in analyze rewrite; do
  got=0
  "$pgsift" check --baseline "$work/base.json" --migrations "$work/mig_$m" --no-lint --fail-on none --format json \
    -o "$work/stats1_$m.json" --create-scratch-from dbname=clinic --sample 1 --source-stats \
    --pg-dump "$bindir/pg_dump" 2>"$work/stats1_$m.err" || got=$?
  [ "$got" = 0 ] || { cat "$work/stats1_$m.err"; fail "stats1_$m: exit $got"; }
done
psql -XqAt -c "CREATE DATABASE s_schema" -c "COMMENT ON DATABASE s_schema IS 'pgsift:scratch'"
"$bindir/pg_dump" --schema-only -d clinic | psql -XqAt -d s_schema >/dev/null
psql -XqAt -d s_schema -c ANALYZE
run schema_only --scratch-dsn dbname=s_schema --scratch-is-disposable

[ "$(psql -XqAt -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'pgsift_scratch%'")" = 0 ] ||
  fail "a sample scratch database was left behind"
[ "$(psql -XqAt -d clinic -c "SELECT count(*) FROM appointments")" = 100000 ] || fail "the source changed"

python3 - "$work" <<'EOF2'
import json, sys
w = sys.argv[1]
base = {q["name"]: q["total_cost"] for q in json.load(open(f"{w}/base.json"))["queries"]}
rows = []
labels = ["sample100", "sample50", "sample20", "sample10", "sample1", "schema_only",
          "stats10", "stats1", "stats0.5", "stats0.2", "stats0.01", "stats1_cap1mb", "stats1_analyze", "stats1_rewrite"]
for label in labels:
    d = json.load(open(f"{w}/{label}.json"))
    qs = d["queries"]
    same = sum(q["status"] == "unchanged" and not q["changes"] for q in qs)
    ratios = [q["cost_after"] / base[q["name"]] for q in qs if base[q["name"]] > 0]
    # Costs are compared with the scratch database before the migrations
    # (except where a migration re-ANALYZEd or rewrote a table).
    assert label.endswith(("_analyze", "_rewrite")) or all(abs(q["cost_after"] - q["cost_before"]) < 0.01 for q in qs), (label, qs)
    rows.append((label, same, len(qs), min(ratios), max(ratios), d["statistics"], d["rows_diff"]))
    print(f"fidelity {label:12} same shape {same}/{len(qs)}  cost ratio {min(ratios):.3f}..{max(ratios):.3f}  "
          f"row counts differ: {sorted(d['rows_diff'])}  [{d['statistics']}]")
by = {r[0]: r for r in rows}
assert by["sample50"][5].startswith("sample of clinic: 50% of every table's rows"), by["sample50"][5]
assert "foreign key NOT VALID" in by["sample50"][5], by["sample50"][5]
assert "costs compared with the same scratch database before the migrations" in by["sample50"][5], by["sample50"][5]
assert by["sample100"][1] == by["sample100"][2], by["sample100"]
assert by["sample50"][1] == by["sample50"][2], by["sample50"]
assert 0.9 <= by["sample100"][3] and by["sample100"][4] <= 1.1, by["sample100"]
assert by["schema_only"][1] < by["schema_only"][2], by["schema_only"]
# Source statistics: a 1% sample plans like the source where the sample
# alone does not (so this fails when the copy breaks), with the source's row
# counts; every copied column reads back as the source's.
assert by["sample1"][1] < by["sample1"][2] and by["sample1"][6], by["sample1"]
for label in ["stats10", "stats1"]:
    assert by[label][1] == by[label][2], by[label]
    assert by[label][6] == {}, by[label]
for label in ["stats10", "stats1", "stats0.5", "stats0.2"]:
    st = by[label][5]
    assert "then the source's statistics (--source-stats): row counts of 3 tables" in st, st
    assert "3 of 3 at the source's size" in st, st
    assert "column statistics of 12 columns from the source's pg_stats" in st, st
    assert "differing" not in st and "not taken" not in st, st
assert "1 table the sample missed given one row" in by["stats1"][5], by["stats1"][5]
assert "2 stopped by --grow-cap-mb" in by["stats1_cap1mb"][5] and by["stats1_cap1mb"][6] == {}, by["stats1_cap1mb"]
for label in ["stats1_analyze", "stats1_rewrite"]:
    assert "appointments" in by[label][6], by[label]
EOF2
# --sample needs a database to sample.
got=0
"$pgsift" check --baseline "$work/base.json" --migrations "$fx/migrations/harmless" --sample 10 \
  --scratch-dsn dbname=s_schema --scratch-is-disposable >"$work/out" 2>&1 || got=$?
[ "$got" = 2 ] && grep -q -- "--sample needs --create-scratch-from" "$work/out" || fail "--sample alone: $(cat "$work/out")"
# --source-stats needs the sample, and a superuser on the scratch server: a
# role that may create databases and read the source, but not write
# pg_statistic, gets a clear error before anything is loaded, and the scratch
# database is dropped.
got=0
"$pgsift" check --baseline "$work/base.json" --migrations "$fx/migrations/harmless" --source-stats \
  --create-scratch-from dbname=clinic >"$work/out" 2>&1 || got=$?
[ "$got" = 2 ] && grep -q -- "--source-stats needs --create-scratch-from DSN --sample PERCENT" "$work/out" ||
  fail "--source-stats alone: $(cat "$work/out")"
psql -XqAt -c "CREATE ROLE plain LOGIN CREATEDB"
psql -XqAt -d clinic -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO plain"
got=0
"$pgsift" check --baseline "$work/base.json" --migrations "$fx/migrations/harmless" --no-lint \
  --create-scratch-from "dbname=clinic user=plain" --sample 1 --source-stats --pg-dump "$bindir/pg_dump" \
  >"$work/out" 2>&1 || got=$?
[ "$got" = 2 ] && grep -q "needs a superuser role on the scratch server" "$work/out" ||
  fail "--source-stats as a plain role: exit $got: $(cat "$work/out")"
[ "$(psql -XqAt -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'pgsift_scratch%'")" = 0 ] ||
  fail "the plain role's scratch database was left behind"
echo "baseline_sample_live: ok"

#!/usr/bin/env bash
# N+1 precision on a real PostgreSQL 15 (issue 18 section 2): healthy traffic
# that looks like bursts gives no workload-n-plus-one warning, real N+1s
# still do. Each scenario runs under its own application_name and is read
# back from the server's own log with `pgsift analyze --application NAME`:
#   clinic-mixed      pgbench, one connection, several scripts of unrelated
#                     lookups with random keys, an UPDATE script among them
#   clinic-pages      pgbench, one connection, two scripts at random: a list
#                     (LIMIT 10) and a lookup with a random key; runs of
#                     lookups after the list happen by chance and fit the LIMIT
#   clinic-reports    a burst of lookups on an unindexed column that opens
#                     its session (the cost is a missing index)
#   clinic-dashboard  30 GROUP BY queries in a loop after a single-row lookup
#   clinic-web        a real N+1 (a list, then one lookup per row) in a
#                     transaction, LIMIT as a bind parameter (pgbench -M extended)
#   clinic-visits     a real N+1 after a list without LIMIT (5 rows per doctor),
#                     with auto_explain (log_analyze) showing the list's rows
#   clinic-visits-bare the same without auto_explain: rows unknown, "possible"
#   clinic-front      5 lookups after a single-row lookup without LIMIT that
#                     auto_explain shows returning 1 row: not a list
#   shop-tagged       pgbench through pgbouncer (transaction pooling, 4
#                     clients, 2 server connections): a list and one lookup
#                     per row, with sqlcommenter tags (traceparent)
#   shop-untagged     the same without tags
# usage: n_plus_one_precision_live.sh PGSIFT [KEEPDIR]
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
command -v pgbouncer >/dev/null || { echo "n_plus_one_precision_live: pgbouncer missing (ci/setup installs it)"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-nplus1-precision.XXXXXX")
chmod 755 "$work"
cleanup() {
    [ -f "$work/bouncer/pgbouncer.pid" ] && kill "$(cat "$work/bouncer/pgbouncer.pid")" 2>/dev/null || true
    pg_stop "$work" || true
    if [ -n "${2:-}" ]; then cp "$work"/data/log/pg.* "$2"/ 2>/dev/null || true; fi
    rm -rf "$work"
}
trap 'cleanup "$@"' EXIT

pg_start_logging "$work" '%m [%p] %q%u@%d app=%a session=%c '
bindir=$(_pg_bindir)
pgbench=$bindir/pgbench
[ -x "$pgbench" ] || pgbench=$(command -v pgbench)
psql_bin=$bindir/psql
[ -x "$psql_bin" ] || psql_bin=psql
q() { PGAPPNAME=$1 "$psql_bin" -X -q -v ON_ERROR_STOP=1 -f - >/dev/null; }
pgb() {  # pgb APP PORT MODE CLIENTS TRANSACTIONS SCRIPT...
    local app=$1 port=$2 mode=$3 clients=$4 tx=$5
    shift 5
    PGAPPNAME=$app PGPORT=$port "$pgbench" -n -M "$mode" -c "$clients" -j 1 -t "$tx" --random-seed=7 "$@" \
        >"$work/pgbench.out" 2>&1 || { cat "$work/pgbench.out" >&2; exit 1; }
}

q clinic-setup <<'SQL'
CREATE TABLE patients (id integer PRIMARY KEY, name text NOT NULL, birth_date date NOT NULL);
CREATE TABLE doctors (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE appointments (
    id integer PRIMARY KEY, patient_id integer NOT NULL, doctor_id integer NOT NULL,
    status text NOT NULL, starts_at timestamptz NOT NULL, reminded boolean NOT NULL DEFAULT false);
INSERT INTO patients SELECT g, 'patient ' || g, date '1950-01-01' + (g * 37) % 25000 FROM generate_series(1, 2000) g;
INSERT INTO doctors SELECT g, 'doctor ' || g FROM generate_series(1, 20) g;
INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 50) g;
INSERT INTO appointments SELECT g, (g * 7919) % 2000 + 1, g % 20 + 1, (ARRAY['booked', 'done', 'missed'])[g % 3 + 1],
       timestamptz '2026-01-05 08:00+00' + (g % 1500) * interval '15 minutes'
  FROM generate_series(1, 200000) g;
CREATE INDEX ON appointments (doctor_id, starts_at);
CREATE TABLE visits AS SELECT d AS doctor_id, (d * 97 + k * 13) % 2000 + 1 AS patient_id
  FROM generate_series(1, 20) d, generate_series(1, 5) k;
CREATE INDEX ON visits (doctor_id);
ANALYZE;
SQL

# ---------------------------------------------------------------- clinic-mixed
cat >"$work/lookups.sql" <<'SQL'
\set p random(1, 2000)
\set d random(1, 20)
SELECT id, name, birth_date FROM patients WHERE id = :p;
SELECT id, name FROM doctors WHERE id = :d;
SQL
cat >"$work/visit.sql" <<'SQL'
\set p random(1, 2000)
\set a random(1, 200000)
BEGIN;
SELECT id, name, birth_date FROM patients WHERE id = :p;
SELECT id, patient_id, starts_at FROM appointments WHERE id = :a;
UPDATE appointments SET reminded = true WHERE id = :a;
COMMIT;
SQL
cat >"$work/remind.sql" <<'SQL'
\set a random(1, 200000)
UPDATE appointments SET reminded = NOT reminded WHERE id = :a;
SQL
pgb clinic-mixed "$PGPORT" extended 1 300 -f "$work/lookups.sql@6" -f "$work/visit.sql@1" -f "$work/remind.sql@2"

# ---------------------------------------------------------------- clinic-pages
cat >"$work/page.sql" <<'SQL'
\set doc random(1, 20)
SELECT id, patient_id, starts_at FROM appointments WHERE doctor_id = :doc ORDER BY starts_at, id LIMIT 10;
SQL
cat >"$work/lookup.sql" <<'SQL'
\set p random(1, 2000)
SELECT id, name, birth_date FROM patients WHERE id = :p;
SQL
pgb clinic-pages "$PGPORT" extended 1 600 -f "$work/page.sql" -f "$work/lookup.sql"

# ---------------------------------------------------------------- clinic-reports
{
    for p in $(seq 101 130); do
        echo "SELECT id, doctor_id, starts_at FROM appointments WHERE patient_id = $p;"
    done
} | q clinic-reports

# ---------------------------------------------------------------- clinic-dashboard
{
    echo "SELECT id, name FROM users WHERE id = 7;"
    for i in $(seq 1 30); do
        echo "SELECT status, count(*) FROM appointments WHERE doctor_id = $((i % 20 + 1)) AND starts_at >= '2026-01-05' GROUP BY status;"
    done
} | q clinic-dashboard

# ---------------------------------------------------------------- clinic-web
{
    echo '\set doc random(1, 20)'
    echo '\set lim 6'
    echo 'BEGIN;'
    echo 'SELECT id, patient_id, starts_at FROM appointments WHERE doctor_id = :doc ORDER BY starts_at, id LIMIT :lim;'
    for i in 1 2 3 4 5 6; do
        echo "\\set p$i random(1, 2000)"
        echo "SELECT id, name, birth_date FROM patients WHERE id = :p$i;"
    done
    echo 'COMMIT;'
} >"$work/web.sql"
pgb clinic-web "$PGPORT" extended 2 5 -f "$work/web.sql"

# ---------------------------------------------------------------- clinic-visits, clinic-front
lookups5() {  # five patient lookups with random keys
    for i in 1 2 3 4 5; do
        echo "\\set p$i random(1, 2000)"
        echo "SELECT id, name, birth_date FROM patients WHERE id = :p$i;"
    done
}
{ echo '\set doc random(1, 20)'; echo 'SELECT patient_id FROM visits WHERE doctor_id = :doc;'; lookups5; } >"$work/visits.sql"
{ echo '\set doc random(1, 20)'; echo 'SELECT id, name FROM doctors WHERE id = :doc;'; lookups5; } >"$work/front.sql"
explain='-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_analyze=on'
PGOPTIONS=$explain pgb clinic-visits "$PGPORT" extended 2 5 -f "$work/visits.sql"
pgb clinic-visits-bare "$PGPORT" extended 2 5 -f "$work/visits.sql"
PGOPTIONS=$explain pgb clinic-front "$PGPORT" extended 2 5 -f "$work/front.sql"

# ---------------------------------------------------------------- pgbouncer
mkdir -p "$work/bouncer"
bport=$(_pg_free_port)
echo '"postgres" ""' >"$work/bouncer/users.txt"
cat >"$work/bouncer/pgbouncer.ini" <<EOF2
[databases]
postgres = host=127.0.0.1 port=$PGPORT dbname=postgres user=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
auth_type = trust
auth_file = $work/bouncer/users.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 50
logfile = $work/bouncer/pgbouncer.log
pidfile = $work/bouncer/pgbouncer.pid
EOF2
chown -R postgres "$work/bouncer" 2>/dev/null || true
_pg_as pgbouncer -d "$work/bouncer/pgbouncer.ini"
for ((i = 0; i < 100; i++)); do
    PGPORT=$bport "$psql_bin" -X -At -c 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.1
done

shop_script() {  # shop_script TAGGED
    local tag=""
    echo '\set doc random(1, 20)'
    echo '\set t random(100000000, 999999999)'
    [ "$1" = 1 ] && tag="/*controller='schedule',action='index',traceparent='00-4bf92f3577b34da6a3ce929:t-00f067aa0ba902b7-01'*/"
    echo "SELECT id, patient_id, starts_at FROM appointments WHERE doctor_id = :doc ORDER BY starts_at, id LIMIT 6 $tag;"
    for i in 1 2 3 4 5 6; do
        echo "\\set p$i random(1, 2000)"
        echo "SELECT id, name, birth_date FROM patients WHERE id = :p$i $tag;"
    done
}
shop_script 1 >"$work/shop_tagged.sql"
shop_script 0 >"$work/shop_untagged.sql"
pgb shop-tagged "$bport" simple 4 10 -f "$work/shop_tagged.sql"
pgb shop-untagged "$bport" simple 4 10 -f "$work/shop_untagged.sql"
kill "$(cat "$work/bouncer/pgbouncer.pid")"
rm -f "$work/bouncer/pgbouncer.pid"

pg_stop "$work"
python3 "$here/n_plus_one_precision_check.py" "$pgsift" "$work/data/log/pg.log"

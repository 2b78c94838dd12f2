#!/usr/bin/env bash
# TLS client-certificate authentication (3省2ガイドライン): a real PostgreSQL 15
# with ssl=on and only `hostssl ... cert clientcert=verify-full` in
# pg_hba.conf, certificates made here with openssl. `pgsift snapshot`
# connects with sslmode=verify-full and the client certificate given in the
# DSN and in libpq's environment; without the certificate, or with a CA that
# did not sign the server's, it fails with exit 2 and a message naming the
# cause, never showing the password. The server log shows what the session
# did: read-only, with timeouts, as application_name pgsift/snapshot, over TLS.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/../pg/pgctl.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-tls.XXXXXX")
chmod 755 "$work"
cleanup() { pg_stop "$work" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

# First start: initdb, the extension; then certificates and pg_hba.conf.
pg_start "$work" "shared_preload_libraries = 'pg_stat_statements'" >/dev/null 2>&1
bindir=$(_pg_bindir)
"$bindir/psql" -X -q -c 'CREATE EXTENSION pg_stat_statements' -c 'SELECT 1' >/dev/null
pg_stop "$work" >/dev/null 2>&1

certs=$work/certs
mkdir -p "$certs"
cd "$certs"
ossl() { openssl "$@" >/dev/null 2>&1; }
# A CA, a server certificate for 127.0.0.1 (checked by verify-full), a client
# certificate whose CN is the database user (checked by `cert` auth), and a
# second CA that signed nothing of this server's.
ossl req -x509 -new -nodes -newkey rsa:2048 -days 2 -subj "/CN=pgsift test CA" -keyout ca.key -out ca.crt
ossl req -new -nodes -newkey rsa:2048 -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
printf 'subjectAltName=IP:127.0.0.1\n' >server.ext
ossl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.crt
ossl req -new -nodes -newkey rsa:2048 -subj "/CN=postgres" -keyout client.key -out client.csr
ossl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out client.crt
ossl req -x509 -new -nodes -newkey rsa:2048 -days 2 -subj "/CN=some other CA" -keyout other.key -out other.crt
chmod 600 client.key
data=$work/data
cp server.crt server.key ca.crt "$data/"
chmod 600 "$data/server.key"
[ "$(id -u)" -eq 0 ] && chown postgres: "$data/server.crt" "$data/server.key" "$data/ca.crt"
cat >"$data/pg_hba.conf" <<'HBA'
local   all all                  trust
hostssl all all 127.0.0.1/32     cert clientcert=verify-full
HBA
[ "$(id -u)" -eq 0 ] && chown postgres: "$data/pg_hba.conf"
pg_start "$work" "shared_preload_libraries = 'pg_stat_statements'" "ssl = on" \
  "ssl_cert_file = 'server.crt'" "ssl_key_file = 'server.key'" "ssl_ca_file = 'ca.crt'" \
  "log_connections = on" "log_statement = 'all'" "log_line_prefix = '%m [%p] app=%a '" \
  "logging_collector = on" "log_directory = 'log'" "log_filename = 'pg.log'" >/dev/null 2>&1
cd "$work"
unset PGHOST PGUSER PGDATABASE
base="host=127.0.0.1 port=$PGPORT user=postgres dbname=postgres"
secret='Sekret-Pw-4711'

run() {  # run NAME ARGS...: pgsift snapshot, output in $work/NAME.out, exit code in $code
  local name=$1
  shift
  set +e
  "$pgsift" snapshot "$@" >"$work/$name.out" 2>&1
  code=$?
  set -e
}

# 1. Client certificate in the DSN.
run dsn --dsn "$base sslmode=verify-full sslrootcert=$certs/ca.crt sslcert=$certs/client.crt sslkey=$certs/client.key" \
  -o "$work/dsn.json.gz"
[ "$code" -eq 0 ] || fail "snapshot with the client certificate in the DSN: exit $code: $(cat "$work/dsn.out")"
[ -s "$work/dsn.json.gz" ] || fail "no snapshot written"

# 2. Client certificate in libpq's environment (no --dsn, no DATABASE_URL).
(
  export PGHOST=127.0.0.1 PGUSER=postgres PGDATABASE=postgres PGSSLMODE=verify-full \
    PGSSLROOTCERT=$certs/ca.crt PGSSLCERT=$certs/client.crt PGSSLKEY=$certs/client.key
  unset DATABASE_URL
  "$pgsift" snapshot -o "$work/env.json.gz" >"$work/env.out" 2>&1
) && code=0 || code=$?
[ "$code" -eq 0 ] || fail "snapshot with PGSSL* environment: exit $code: $(cat "$work/env.out")"

# 3. No client certificate (sslcert pointing nowhere, so libpq's default
#    ~/.postgresql/postgresql.crt is not used either), password in the DSN.
run nocert --dsn "$base password=$secret sslmode=verify-full sslrootcert=$certs/ca.crt sslcert=$work/none.crt" \
  -o "$work/nocert.json.gz"
[ "$code" -eq 2 ] || fail "snapshot without a client certificate: exit $code, want 2"
grep -qi "certificate" "$work/nocert.out" || fail "no clear cause without a client certificate: $(cat "$work/nocert.out")"

# 4. The server's certificate signed by another CA: verify-full refuses it.
run wrongca --dsn "postgresql://postgres:$secret@127.0.0.1:$PGPORT/postgres?sslmode=verify-full&sslrootcert=$certs/other.crt&sslcert=$certs/client.crt&sslkey=$certs/client.key" \
  -o "$work/wrongca.json.gz"
[ "$code" -eq 2 ] || fail "snapshot trusting another CA: exit $code, want 2"
grep -qi "certificate verify failed" "$work/wrongca.out" || fail "no clear cause with the wrong CA: $(cat "$work/wrongca.out")"

# 5. Without TLS: pg_hba.conf has no entry, refused.
run nossl --dsn "$base sslmode=disable" -o "$work/nossl.json.gz"
[ "$code" -eq 2 ] || fail "snapshot without TLS: exit $code, want 2"
grep -q "no encryption" "$work/nossl.out" || fail "no clear cause without TLS: $(cat "$work/nossl.out")"

if grep -l -- "$secret" "$work"/*.out; then fail "the password was printed"; fi
for f in nocert wrongca nossl; do echo "$f: $(head -c 300 "$work/$f.out")"; done

# What the server saw from pgsift's sessions.
pg_stop "$work" >/dev/null 2>&1
log=$data/log/pg.log
grep -qE "connection authorized: user=postgres database=postgres (application_name=pgsift/snapshot )?SSL enabled" "$log" ||
  fail "the server log shows no TLS connection"
for stmt in "SET default_transaction_read_only = on" "SET statement_timeout = " "SET lock_timeout = " \
  "SET idle_in_transaction_session_timeout = "; do
  first=${stmt%% *} rest=${stmt#* }
  grep -qF "app=pgsift/snapshot LOG:  statement: $first /* pgsift */ $rest" "$log" ||
    fail "pgsift's session did not run '$stmt' as app pgsift/snapshot"
done
# Nothing pgsift ran could write: every statement is a SET, SHOW or SELECT.
grep "app=pgsift/snapshot LOG:  statement:" "$log" |
  grep -v "statement: SET /\* pgsift \*/ \|statement: SELECT /\* pgsift \*/ \|statement: SHOW /\* pgsift \*/ " &&
  fail "pgsift ran something other than SET/SELECT"
[ "$status" -eq 0 ] && echo "TLS client-certificate checks passed ($(grep -c 'app=pgsift/snapshot LOG:  statement:' "$log") statements, all read-only)"
exit "$status"

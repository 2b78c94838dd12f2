#!/usr/bin/env bash
# Start-up cost: the pgsift executable links no library that only commands
# connecting to PostgreSQL need (libpq and its GSSAPI/LDAP/TLS chain are
# opened with dlopen on first use, analyzer/db/pq_lazy.cpp), nor libarchive's
# libxml2/ICU (libarchive is linked statically for its decompression
# filters); at most 12 shared libraries in all (42 before). Then the
# dlopen path works: a connection attempt reaches libpq and reports its
# error, and libpq is not loaded by a command that does not connect.
#
# usage: startup_libraries.sh PGSIFT
set -euo pipefail
pgsift=$1
fail() { echo "FAIL: $*"; exit 1; }

needed=$(readelf -d "$pgsift" | awk '/\(NEEDED\)/ { gsub(/[\[\]]/, "", $5); print $5 }')
echo "NEEDED:" $needed
for lib in libpq libpqxx libgssapi libldap libkrb5 libssl libcrypto libarchive libxml2 libicu; do
  if grep -q "^$lib" <<<"$needed"; then fail "$pgsift needs $lib at start-up"; fi
done
count=$(ldd "$pgsift" | wc -l)
echo "ldd: $count lines"
[ "$count" -le 12 ] || fail "$count shared libraries at start-up (at most 12)"

# --version and lint map no libpq.
sql=$(mktemp --suffix=.sql)
trap 'rm -f "$sql"' EXIT
echo 'CREATE INDEX i ON t (a);' >"$sql"
for args in "--version" "lint --fail-on none $sql"; do
  # shellcheck disable=SC2086
  trace=$(LD_DEBUG=files "$pgsift" $args 2>&1 >/dev/null || true)
  if grep -q 'file=libpq' <<<"$trace"; then
    fail "pgsift $args loaded libpq"
  fi
done

# A command that connects opens libpq on first use: its error comes back.
out=$("$pgsift" snapshot --dsn "host=/nonexistent-pgsift-dir dbname=x connect_timeout=1" -o /dev/null 2>&1) && \
  fail "snapshot against no server succeeded"
grep -q 'nonexistent-pgsift-dir/.s.PGSQL' <<<"$out" || fail "no libpq error from a failed connection: $out"
trace=$(LD_DEBUG=files "$pgsift" snapshot --dsn "host=/nonexistent-pgsift-dir dbname=x" -o /dev/null 2>&1 || true)
grep -q 'file=libpq.so.5' <<<"$trace" || fail "libpq not loaded by a command that connects"
echo "OK"

#!/usr/bin/env bash
# A server that accepts the TCP connection and never answers (issue 16 §5):
# pgsift gives up after its default connect_timeout (here shortened with
# PGSIFT_CONNECT_TIMEOUT=2) with exit 2 and a password-free message, instead
# of hanging forever. The DSN sets no connect_timeout of its own.
set -uo pipefail
pgsift=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-silent.XXXXXX")
listener_pid=""
cleanup() { [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
python3 - "$work/port" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    c, _ = s.accept()
    held.append(c)  # accepted, never answered, never closed
PY
listener_pid=$!
for _ in $(seq 1 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
fails=0
dsn="host=127.0.0.1 port=$port user=app dbname=clinic password=silent_pw"
run() {
  local what=$1
  shift
  local start end rc
  start=$(date +%s)
  PGSIFT_CONNECT_TIMEOUT=2 timeout 60 "$@" >/dev/null 2>"$work/err"
  rc=$?
  end=$(date +%s)
  if [ "$rc" -eq 124 ]; then
    echo "FAIL: $what hung (killed after 60 s)" >&2
    fails=$((fails + 1))
    return
  fi
  if [ "$rc" -ne 2 ] || [ $((end - start)) -gt 20 ]; then
    echo "FAIL: $what: exit $rc after $((end - start)) s, expected 2 within 20 s" >&2
    fails=$((fails + 1))
  fi
  if grep -q silent_pw "$work/err"; then
    echo "FAIL: $what: the password is in the message" >&2
    fails=$((fails + 1))
  fi
  echo "$what: exit $rc after $((end - start)) s: $(head -c 200 "$work/err")"
}
run "snapshot" "$pgsift" snapshot --dsn "$dsn" -o "$work/snap.json.gz"
run "snapshot (URI)" "$pgsift" snapshot --dsn "postgresql://app:silent_pw@127.0.0.1:$port/clinic" -o "$work/s.gz"
printf 'CREATE TABLE t (id int);\n' >"$work/001.sql"
run "check --scratch-dsn" "$pgsift" check --baseline "$2/baseline/clinic.baseline.json" --migrations "$work/001.sql" \
  --scratch-dsn "$dsn" --scratch-is-disposable
[ "$fails" -eq 0 ] || exit 1
echo "connect_silent_server: ok"

#!/usr/bin/env bash
# Log time zones whose abbreviation has several meanings. A real PostgreSQL
# 15 with log_timezone = 'Asia/Manila' prints PST (+08:00, all year), which
# pgsift reads as US Pacific (-08:00) unless told; 'Asia/Kolkata' prints IST
# (+05:30), which pgsift reads as India's (Israel and Ireland print IST
# too). For Manila the summary must say how PST was read, and `--log-zone
# PST=+08:00` must put the queries at the time they really ran.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
bindir=$(_pg_bindir)
psql_bin=$bindir/psql
[ -x "$psql_bin" ] || psql_bin=psql

work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-zone.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work/s" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# One server per zone: its log, the UTC second the queries ran, and the
# abbreviation and offset the zone has now (from the system's tzdata, as
# the server's).
run_zone() {
  local zone=$1 out=$2
  mkdir -p "$work/s"
  pg_start_logging "$work/s" '%m [%p] %q%u@%d ' "log_timezone = '$zone'" "log_min_duration_statement = 0" 2>/dev/null
  date -u +%s >"$out.t0"
  for i in 1 2 3; do echo "SELECT $i AS n, pg_sleep(0.01);"; done | "$psql_bin" -X -q -v ON_ERROR_STOP=1 -f - >/dev/null
  date -u +%s >"$out.t1"
  pg_stop "$work/s" >/dev/null 2>&1
  cp "$work/s/data/log/pg.log" "$out.log"
  rm -rf "$work/s"
  python3 -c "
import datetime, zoneinfo, sys
now = datetime.datetime.now(zoneinfo.ZoneInfo(sys.argv[1]))
m = int(now.utcoffset().total_seconds() // 60)
print(now.tzname(), ('+' if m >= 0 else '-') + '%02d:%02d' % divmod(abs(m), 60))" "$zone" >"$out.zone"
}
run_zone Asia/Manila "$work/il"
run_zone Asia/Kolkata "$work/in"
read -r il_abbr il_offset <"$work/il.zone"
grep -q " $il_abbr " "$work/il.log" || bad "the Manila server did not print $il_abbr: $(head -1 "$work/il.log")"

"$pgsift" analyze --json "$work/il.json" "$work/il.log" >"$work/il.txt" 2>&1 || bad "analyze il: $(cat "$work/il.txt")"
"$pgsift" analyze --log-zone "$il_abbr=$il_offset" --json "$work/il-given.json" "$work/il.log" >"$work/il-given.txt" 2>&1 ||
  bad "analyze il --log-zone: $(cat "$work/il-given.txt")"
"$pgsift" analyze --json "$work/in.json" "$work/in.log" >"$work/in.txt" 2>&1 || bad "analyze in: $(cat "$work/in.txt")"
grep -q "log-zone $il_abbr=" "$work/il.txt" || bad "the summary does not say how $il_abbr was read: $(head -3 "$work/il.txt")"
if grep -q "log-zone" "$work/il-given.txt"; then bad "a zone given with --log-zone is still doubted"; fi
# an abbreviation given twice is refused, not silently the last value
if "$pgsift" analyze --log-zone "$il_abbr=$il_offset" --log-zone "$il_abbr=-08:00" "$work/il.log" >"$work/twice.txt" 2>&1; then
    bad "--log-zone given twice for $il_abbr was accepted"
fi
grep -q "given twice" "$work/twice.txt" || bad "--log-zone twice: no clear error: $(cat "$work/twice.txt")"
grep -q "times in IST read as India" "$work/in.txt" || bad "Kolkata's IST: no note that IST was read as India's"

# A bad --log-zone is a usage error that names the flag.
if "$pgsift" analyze --log-zone IST "$work/in.log" >"$work/bad.txt" 2>&1; then bad "--log-zone IST was accepted"; fi
grep -q -- "--log-zone IST: expected" "$work/bad.txt" || bad "bad --log-zone message: $(cat "$work/bad.txt")"

python3 - "$work" "$il_abbr" <<'PY' || fail=1
import datetime, json, sys
w, abbr = sys.argv[1:]
ok = True
def bad(msg):
    global ok
    print("FAIL:", msg, file=sys.stderr)
    ok = False
def seen(name):
    s = json.load(open(f"{w}/{name}.json"))["summary"]
    # The last query is the workload's (the server's start may log some before it).
    last = datetime.datetime.fromisoformat(s["last_seen"].replace("Z", "+00:00")).timestamp()
    return s, last
def window(tag):
    return int(open(f"{w}/{tag}.t0").read()), int(open(f"{w}/{tag}.t1").read())
il, il_last = seen("il")
given, given_last = seen("il-given")
ind, in_last = seen("in")
t0, t1 = window("il")
if not (t0 - 2 <= given_last <= t1 + 2):
    bad(f"--log-zone {abbr}: last query at {given['last_seen']}, it ran between {t0} and {t1} (epoch)")
if t0 - 2 <= il_last <= t1 + 2:
    bad(f"without --log-zone the Manila times came out right ({il['last_seen']}): the test proves nothing")
tz = il["inputs"][0].get("time_zone")
if not tz or tz.get("zone") != abbr or tz["records_unknown_zone"] + tz["records_ambiguous_zone"] == 0:
    bad(f"analyze JSON inputs[0].time_zone: {tz}")
if "time_zone" in given["inputs"][0]:
    bad(f"a given zone is still reported: {given['inputs'][0]['time_zone']}")
t0, t1 = window("in")
if not (t0 - 2 <= in_last <= t1 + 2):
    bad(f"Kolkata: last query at {ind['last_seen']}, it ran between {t0} and {t1} (epoch)")
print(f"Manila ({abbr}): unnoted {il['last_seen']}, given {given['last_seen']}; Kolkata {ind['last_seen']}")
sys.exit(0 if ok else 1)
PY
exit $fail

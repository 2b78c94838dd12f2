#!/usr/bin/env bash
# Outputs that cannot be written (issue 16 §5): a full disk on stdout and on
# files (/dev/full, a 64 KiB tmpfs), a path whose parent is a file. Every
# command exits 2 with the path and the errno text, an existing report is
# left intact (the new one goes to a temporary file renamed over it), no
# temporary file is left behind, and `| head` stays quiet (SIGPIPE, 141).
set -uo pipefail
pgsift=$1
fixtures=$2
log=$fixtures/logs/clinic.stderr.log
migrations=$fixtures/migrations/sqitch/deploy
snapshot=$fixtures/pgss/a.json.gz
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-outfail.XXXXXX")
mounted=""
cleanup() { [ -n "$mounted" ] && umount "$mounted" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect_error WHAT NEEDLE -- command...: exit 2 and NEEDLE on stderr.
expect_error() {
  local what=$1 needle=$2
  shift 3
  "$@" >/dev/null 2>"$work/err"
  local rc=$?
  if [ "$rc" -ne 2 ]; then fail "$what: exit $rc, expected 2 ($(head -c 300 "$work/err"))"; return; fi
  grep -qF -- "$needle" "$work/err" || fail "$what: stderr lacks '$needle': $(head -c 300 "$work/err")"
}
# expect_stdout_error WHAT -- command...: stdout is /dev/full.
expect_stdout_error() {
  local what=$1
  shift 2
  "$@" >/dev/full 2>"$work/err"
  local rc=$?
  if [ "$rc" -ne 2 ]; then fail "$what > /dev/full: exit $rc, expected 2"; return; fi
  grep -qF "cannot write standard output: No space left on device" "$work/err" ||
    fail "$what > /dev/full: stderr: $(head -c 300 "$work/err")"
}

# 1. stdout on a full disk, every command that writes to stdout.
expect_stdout_error "analyze" -- "$pgsift" analyze "$log"
expect_stdout_error "fingerprint" -- "$pgsift" fingerprint <<<"SELECT 1"
expect_stdout_error "lint" -- "$pgsift" lint "$migrations"
expect_stdout_error "report" -- "$pgsift" report --from "$snapshot" --to "$fixtures/pgss/b.json.gz"

# 2. Files on a full disk: /dev/full as the path.
expect_error "analyze --json /dev/full" "cannot write /dev/full: No space left on device" -- \
  "$pgsift" analyze -q --json /dev/full "$log"
expect_error "lint -o /dev/full" "cannot write /dev/full: No space left on device" -- \
  "$pgsift" lint -o /dev/full "$migrations"
expect_error "report -o /dev/full" "cannot write /dev/full: No space left on device" -- \
  "$pgsift" report --from "$snapshot" --to "$fixtures/pgss/b.json.gz" -o /dev/full
expect_error "snapshot -o /dev/full" "cannot write /dev/full: No space left on device" -- \
  "$pgsift" snapshot --from-export "$fixtures/pgss/pgss_15.csv" -o /dev/full

# 3. A path whose parent is a file.
touch "$work/plainfile"
expect_error "analyze --json under a file" "cannot write $work/plainfile/r.json: Not a directory" -- \
  "$pgsift" analyze -q --json "$work/plainfile/r.json" "$log"
expect_error "lint -o under a file" "cannot write $work/plainfile/r.txt: Not a directory" -- \
  "$pgsift" lint -o "$work/plainfile/r.txt" "$migrations"

# 4. A disk that fills up mid-report: the existing report stays as it was.
"$pgsift" analyze -q --json "$work/full.json" "$log" || fail "analyze --json on a roomy disk"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/full.json" || fail "analyze --json: invalid JSON"
size=$(stat -c %s "$work/full.json")
mkdir "$work/small"
if mount -t tmpfs -o size=64k tmpfs "$work/small" 2>/dev/null; then
  mounted=$work/small
  echo '{"previous": "report"}' >"$work/small/report.json"
  cp "$work/small/report.json" "$work/previous.json"
  # Leave less room than the new report needs.
  head -c $((64 * 1024 - size / 2 - 8192)) /dev/zero >"$work/small/filler" 2>/dev/null
  expect_error "analyze --json on a full tmpfs" "cannot write $work/small/report.json: No space left on device" -- \
    "$pgsift" analyze -q --json "$work/small/report.json" "$log"
  cmp -s "$work/small/report.json" "$work/previous.json" || fail "the existing report was replaced by a partial one"
  expect_error "lint -o on a full tmpfs" "cannot write $work/small/report.json: No space left on device" -- \
    "$pgsift" lint --format json -o "$work/small/report.json" "$migrations" "$fixtures/migrations"
  cmp -s "$work/small/report.json" "$work/previous.json" || fail "lint replaced the existing report"
  leftovers=$(find "$work/small" -name '.*pgsift-*' | wc -l)
  [ "$leftovers" -eq 0 ] || fail "temporary files left behind: $(ls -a "$work/small")"
  rm -f "$work/small/filler"
  "$pgsift" analyze -q --json "$work/small/report.json" "$log" || fail "analyze --json once there is room again"
  cmp -s "$work/small/report.json" "$work/full.json" || fail "the report written with room differs"
else
  echo "note: cannot mount a tmpfs here; the full-disk file case is covered by /dev/full only" >&2
fi

# 5. `| head` stays quiet: killed by SIGPIPE (141), nothing on stderr.
big=$work/big.log
for _ in $(seq 1 20); do cat "$log"; done >"$big"
"$pgsift" analyze --top 500 "$big" 2>"$work/err" | head -c 10 >/dev/null
rc=${PIPESTATUS[0]}
{ [ "$rc" -eq 141 ] || [ "$rc" -eq 0 ]; } || fail "| head: exit $rc, expected 141 (or 0 if all fit in the pipe)"
[ ! -s "$work/err" ] || fail "| head: stderr not empty: $(head -c 300 "$work/err")"
"$pgsift" fingerprint --jsonl < <(for i in $(seq 1 100000); do echo "\"SELECT $i\""; done) 2>"$work/err" | head -1 >/dev/null
rc=${PIPESTATUS[0]}
[ "$rc" -eq 141 ] || fail "fingerprint --jsonl | head: exit $rc, expected 141"
[ ! -s "$work/err" ] || fail "fingerprint | head: stderr not empty: $(head -c 300 "$work/err")"

# 6. "-" is standard output for --json and --html (it wrote a file named
# "-"): the same bytes as the file, no table mixed in, no file "-".
(cd "$work" && "$pgsift" analyze -q --json file.json "$log" && "$pgsift" analyze --json - "$log" >stdout.json &&
  "$pgsift" analyze --html - "$log" >stdout.html) || fail "analyze --json -/--html -: exit $?"
cmp -s "$work/file.json" "$work/stdout.json" || fail "analyze --json - differs from --json FILE"
head -c 15 "$work/stdout.html" | grep -qi '<!doctype html' || fail "analyze --html - did not write the HTML to stdout"
[ ! -e "$work/-" ] || fail "analyze --json -/--html - wrote a file named '-'"
expect_error "--json - --html -" "only one of them" -- "$pgsift" analyze --json - --html - "$log"
expect_stdout_error "analyze --json - on a full stdout" -- "$pgsift" analyze --json - "$log"

if [ "$fails" -ne 0 ]; then
  echo "output_failures: $fails failure(s)" >&2
  exit 1
fi
echo "output_failures: ok"

#!/usr/bin/env bash
# Canary: values from a server log never reach lint output. A real
# PostgreSQL 15 runs a workload with canary literals (simple protocol) and
# canary bind values (pgbench -M extended -D), the log goes through
# `pgsift analyze --json`, and `pgsift lint --workload` reports on that
# workload in every format; no canary may appear in any of them (or in the
# analyze JSON), while the workload-aware findings must be there.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/../pg/pgctl.sh"

canary_literal='CanaryMrnLiteral5521'
canary_bind='CanaryBindValue7788'
canary_email='canary.patient@example.org'

work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-canary.XXXXXX")
chmod 755 "$work"
cleanup() { pg_stop "$work" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

prefix='%m [%p] %q%u@%d app=%a '
pg_start "$work" "logging_collector = on" "log_directory = 'log'" "log_filename = 'pg.log'" \
  "log_min_duration_statement = 0" "log_line_prefix = '$prefix'" "lc_messages = 'C'" \
  "log_timezone = 'UTC'" >/dev/null 2>&1
bindir=$(_pg_bindir)
psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1)

"${psql[@]}" <<'SQL'
CREATE TABLE patients (id bigint PRIMARY KEY, mrn text NOT NULL, email text);
INSERT INTO patients SELECT g, 'mrn' || g, NULL FROM generate_series(1, 1000) g;
CREATE INDEX patients_mrn_idx ON patients (mrn);
SQL
for i in $(seq 1 40); do
  echo "SELECT id FROM patients WHERE mrn = '$canary_literal';"
  echo "UPDATE patients SET email = '$canary_email' WHERE id = $i;"
done | "${psql[@]}" >/dev/null
echo 'SELECT id, email FROM patients WHERE mrn = :mrn;' >"$work/bench.sql"
"$bindir/pgbench" -n -M extended -D "mrn=$canary_bind" -f "$work/bench.sql" -t 60 >/dev/null 2>&1
pg_stop "$work" >/dev/null 2>&1
log=$work/data/log/pg.log
for c in "$canary_literal" "$canary_bind" "$canary_email"; do
  grep -q "$c" "$log" || { echo "canary $c was not planted in the log"; exit 1; }
done

out=$work/out
mkdir -p "$out"
"$pgsift" analyze -q --prefix "$prefix" --json "$out/workload.json" "$log" >"$out/analyze.txt" 2>&1
cat >"$work/schema.sql" <<'SQL'
CREATE TABLE patients (id bigint PRIMARY KEY, mrn text NOT NULL, email text);
CREATE INDEX patients_mrn_idx ON patients (mrn);
SQL
cat >"$work/V2__drop_mrn_index.sql" <<'SQL'
DROP INDEX patients_mrn_idx;
ALTER TABLE patients ADD COLUMN note text;
SQL
status=0
for format in text json sarif junit github; do
  set +e
  "$pgsift" lint --workload "$out/workload.json" --schema "$work/schema.sql" --format "$format" \
    "$work/V2__drop_mrn_index.sql" >"$out/lint.$format" 2>"$out/lint.$format.err"
  code=$?
  set -e
  [ "$code" -eq 1 ] || { echo "lint --format $format: exit $code"; cat "$out/lint.$format.err"; status=1; }
  for rule in migration-drops-used-index migration-locks-hot-table; do
    grep -q "$rule" "$out/lint.$format" || { echo "lint --format $format: no $rule finding"; status=1; }
  done
done
for c in "$canary_literal" "$canary_bind" "$canary_email"; do
  if grep -rl -- "$c" "$out"; then
    echo "canary $c leaked into the files above"
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "no canary in analyze JSON or any lint output ($(ls "$out" | wc -l) files)"
grep -A4 'migration-drops-used-index' "$out/lint.text" | head -8
exit "$status"

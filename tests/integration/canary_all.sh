#!/usr/bin/env bash
# The one canary harness: patient data from a real server never reaches any
# pgsift output. A real PostgreSQL 15 (pg_stat_statements, auto_explain,
# stderr + csvlog + jsonlog) runs a clinic workload whose Japanese patient
# names, insurance numbers and dates of birth sit in
#   - literals of statements (simple protocol), and a utility statement that
#     pg_stat_statements keeps verbatim,
#   - bind parameters (pgbench -M extended: DETAIL "parameters: $1 = ..."),
#   - error messages (invalid input, unique and check violations),
#   - auto_explain plans, text, JSON, YAML and XML (Filter / Index Cond with the value,
#     custom plans of bound statements too).
# Every command's every output format and every message it prints goes to
# one directory, which is grepped for every canary: zero hits. Each canary
# is first proven to be in the server's log, so the test can fail.
#
# Adding an output: run it with `out NAME command...` (stdout and stderr are
# kept) or write a file into "$out"; the grep at the end covers it.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/../pg/pgctl.sh"

# Literals (simple protocol) and bind values (extended protocol).
lit_name='山田花子カナリア'
lit_ins='83917465'
lit_dob='1951-07-23'
bind_name='鈴木一郎カナリア'
bind_ins='57204913'
bind_dob='1949-02-11'
# Issue 16 §3: a literal read under standard_conforming_strings = off and in
# E'' strings (backslash-escaped quotes), an EXECUTE argument, a comment, a
# statement line holding a severity word (found again when the log lost its
# continuation tabs).
esc_name='佐藤エスケープカナリア'
exec_name='高橋エグゼキュートカナリア'
cmt_name='田中コメントカナリア'
tab_name='伊藤タブカナリア'
canaries=("$lit_name" "$lit_ins" "$lit_dob" "$bind_name" "$bind_ins" "$bind_dob" "$esc_name" "$exec_name" "$cmt_name"
  "$tab_name")

work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-canary.XXXXXX")
chmod 755 "$work"
cleanup() { pg_stop "$work" >/dev/null 2>&1 || true; [ -n "${PGSIFT_KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
out=$work/out
mkdir -p "$out"
status=0
fail() { echo "FAIL: $*"; status=1; }
# out NAME CMD...: runs a pgsift command, keeps stdout and stderr as outputs.
out() {
  local name=$1
  shift
  set +e
  "$@" >"$out/$name.stdout" 2>"$out/$name.stderr"
  local code=$?
  set -e
  echo "$code" >"$out/$name.code"
  [ "$code" -lt 3 ] || fail "$name: exit $code (crash?): $(tail -c 500 "$out/$name.stderr")"
}

prefix='%m [%p] %q%u@%d app=%a '
pg_start "$work" "shared_preload_libraries = 'pg_stat_statements,auto_explain'" \
  "pg_stat_statements.track_utility = on" "auto_explain.log_min_duration = -1" \
  "logging_collector = on" "log_directory = 'log'" "log_filename = 'pg.log'" \
  "log_destination = 'stderr,csvlog,jsonlog'" "log_min_duration_statement = 0" \
  "log_line_prefix = '$prefix'" "lc_messages = 'C'" "log_timezone = 'UTC'" >/dev/null 2>&1
bindir=$(_pg_bindir)
psql=("$bindir/psql" -X -q)
"${psql[@]}" -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION pg_stat_statements;
CREATE TABLE patients (id bigint PRIMARY KEY, name text NOT NULL, insurance_no text UNIQUE,
                       birth_date date CHECK (birth_date > '1900-01-01'));
INSERT INTO patients SELECT g, 'name' || g, 'ins' || g, '1980-01-01' FROM generate_series(1, 3000) g;
CREATE INDEX patients_name_idx ON patients (name);
ANALYZE patients;
SQL
out snapshot_a "$pgsift" snapshot -o "$out/a.json.gz"

{
  echo "COMMENT ON TABLE patients IS '$lit_name $lit_ins $lit_dob';"
  echo "INSERT INTO patients VALUES (900001, '$lit_name', '$lit_ins', '$lit_dob');"
  for i in $(seq 1 30); do
    echo "SELECT id, birth_date FROM patients WHERE name = '$lit_name' AND birth_date = '$lit_dob';"
    echo "UPDATE patients SET insurance_no = '$lit_ins' WHERE id = 900001;"
  done
  echo "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on;"
  echo "SELECT count(*) FROM patients WHERE insurance_no = '$lit_ins' OR name = '$lit_name';"
  echo "SET auto_explain.log_format = json;"
  echo "SELECT count(*) FROM patients WHERE birth_date = '$lit_dob' AND name <> '$lit_name';"
  # YAML and XML plans quote the query text (YAML's was read as SQL, unmasked).
  echo "SET auto_explain.log_format = yaml;"
  echo "SELECT count(*) FROM patients WHERE name = '$lit_name' OR insurance_no = '$lit_ins';"
  echo "SET auto_explain.log_format = xml;"
  echo "SELECT count(*) FROM patients WHERE name = '$lit_name' AND birth_date <> '$lit_dob';"
  echo "SET auto_explain.log_min_duration = -1;"
  # A message an application raises is free text (it reached the HTML).
  echo "DO \$\$ BEGIN RAISE EXCEPTION 'patient % not found', '$lit_name'; END \$\$;"
  # Backslash-escaped quotes: '...' under standard_conforming_strings = off,
  # E'...' under either setting.
  echo "SET standard_conforming_strings = off;"
  echo "SELECT id FROM patients WHERE name = 'O\\'Brien $esc_name' AND birth_date = '$lit_dob';"
  echo "SET standard_conforming_strings = on;"
  echo "SELECT id FROM patients WHERE name = E'O\\'Brien $esc_name' OR name = E'\\\\$esc_name';"
  # An EXECUTE argument and a comment carry values too.
  echo "PREPARE lookup(text) AS SELECT id FROM patients WHERE name = \$1;"
  echo "EXECUTE lookup('$exec_name');"
  echo "SELECT /* patient=$cmt_name */ count(*) FROM patients;"
  # A continuation line with a value before a severity word.
  printf "SELECT id FROM patients\nWHERE name = '%s' OR name = 'x LOG:  y';\n" "$tab_name"
  # Errors whose messages quote the values.
  echo "SELECT '$lit_name'::int;"
  echo "INSERT INTO patients VALUES (900002, '$lit_name', '$lit_ins', '$lit_dob');"
  echo "INSERT INTO patients VALUES (900003, '$lit_name', 'x-$lit_ins', '1800-01-01');"
  # A cancelled statement (57014, statement_timeout): the HTML's cancelled queries.
  echo "SET statement_timeout = '200ms';"
  echo "SELECT pg_sleep(2), id FROM patients WHERE name = '$lit_name' AND birth_date = '$lit_dob';"
  echo "RESET statement_timeout;"
} | "${psql[@]}" >/dev/null 2>&1 || true

cat >"$work/bind.sql" <<'SQL'
SET auto_explain.log_min_duration = 0;
SELECT id FROM patients WHERE name = :name AND insurance_no = :ins AND birth_date = :dob;
INSERT INTO patients VALUES (:id, :name, :ins, :dob) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name;
SQL
"$bindir/pgbench" -n -M extended -D "name=$bind_name" -D "ins=$bind_ins" -D "dob=$bind_dob" -D id=900010 \
  -f "$work/bind.sql" -t 12 >/dev/null 2>&1
# A bound value that fails: the error and its CONTEXT quote the parameter.
printf 'SELECT :dob::int;\n' >"$work/bind_error.sql"
"$bindir/pgbench" -n -M extended -D "dob=$bind_dob" -f "$work/bind_error.sql" -t 1 >/dev/null 2>&1 || true
"${psql[@]}" -c "\\copy (SELECT * FROM pg_stat_statements) TO '$work/pgss_export.csv' CSV HEADER"
out snapshot_b "$pgsift" snapshot -o "$out/b.json.gz"
pg_stop "$work" >/dev/null 2>&1

logdir=$work/data/log
log=$logdir/pg.log
# Each canary is where it should be, so a zero-hit grep means something.
planted() { grep -qE -- "$2" "$3" || fail "canary not planted: $1 (/$2/ in $(basename "$3"))"; }
planted "literal in a statement" "statement: .*$lit_name" "$log"
planted "bind values in DETAIL" "parameters: .*$bind_name.*$bind_ins|parameters: .*$bind_ins.*$bind_name" "$log"
planted "value in an error message" "ERROR: .*$lit_name" "$log"
planted "bind value in an error" "ERROR: .*$bind_dob" "$log"
planted "value in a unique-violation DETAIL" "Key \\(insurance_no\\)=\\($lit_ins\\)" "$log"
planted "value in a text plan" "(Filter|Cond): .*$lit_ins" "$log"
planted "value in a JSON plan" "\"Filter\": .*$lit_dob" "$log"
planted "a cancelled statement" "canceling statement due to statement timeout" "$log"
planted "bind value in a custom plan" "(Filter|Cond): .*$bind_ins" "$log"
planted "literal in the pg_stat_statements export" "$lit_name" "$work/pgss_export.csv"
planted "backslash-quoted literal (standard_conforming_strings off)" "statement: .*'O\\\\'Brien $esc_name'" "$log"
planted "backslash-quoted literal in E''" "statement: .*E'O\\\\'Brien $esc_name'" "$log"
planted "EXECUTE argument" "statement: EXECUTE lookup\\('$exec_name'\\)" "$log"
planted "value in a comment" "/\\* patient=$cmt_name \\*/" "$log"
planted "value on a continuation line" "^$(printf '\t')WHERE name = '$tab_name' OR name = 'x LOG:  y'" "$log"
for f in pg.log pg.csv pg.json; do
  for c in "${canaries[@]}"; do planted "$c in $f" "$c" "$logdir/$f"; done
done

# analyze: every log format, text and JSON, one thread and two.
out analyze_stderr "$pgsift" analyze --top 50 --prefix "$prefix" --json "$out/analyze_stderr.json" "$log"
out analyze_csv "$pgsift" analyze --top 50 --json "$out/analyze_csv.json" "$logdir/pg.csv"
out analyze_jsonlog "$pgsift" analyze --top 50 -j 2 --json "$out/analyze_jsonlog.json" "$logdir/pg.json"
out analyze_sorted "$pgsift" analyze --top 50 --sort errors "$logdir/pg.csv"
# The HTML report of each format: queries, error groups (their messages quote
# the values), sessions, findings.
out analyze_html_stderr "$pgsift" analyze -q --prefix "$prefix" --html "$out/analyze_stderr.html" "$log"
out analyze_html_csv "$pgsift" analyze -q --html "$out/analyze_csv.html" "$logdir/pg.csv"
out analyze_html_jsonlog "$pgsift" analyze -q -j 2 --html "$out/analyze_jsonlog.html" "$logdir/pg.json"
for f in stderr csv jsonlog; do
  grep -q 'invalid input syntax for type integer: ?' "$out/analyze_$f.html" ||
    fail "analyze --html ($f): the redacted error group is missing"
  grep -q 'FROM patients WHERE name = \$1' "$out/analyze_$f.html" ||
    fail "analyze --html ($f): the canary statement is missing"
  # The auto_explain plans of the canary statements, their conditions masked.
  grep -q '<pre class="plan">' "$out/analyze_$f.html" || fail "analyze --html ($f): no plan in a drill-down"
  grep -qE '(Filter|Cond): .*\?::(text|date)' "$out/analyze_$f.html" ||
    fail "analyze --html ($f): no plan condition with its value masked"
  grep -q 'id="cancelled-queries"' "$out/analyze_$f.html" && grep -q 'canceling statement due to statement timeout' \
    "$out/analyze_$f.html" || fail "analyze --html ($f): the cancelled statement is not listed"
done
# Diagnostics: a wrong prefix (the error quotes what the lines look like),
# and a damaged copy of the log (skip hints with file:line).
out analyze_wrong_prefix "$pgsift" analyze --prefix '%t [%p]: [%l-1] ' "$log"
head -c 20000 "$logdir/pg.csv" >"$work/cut.csv"
sed -n '200,400p' "$log" >>"$work/cut.csv"
out analyze_damaged "$pgsift" analyze --format csv "$work/cut.csv"
grep -qE "skipped .*cut.csv:[0-9]+: " "$out/analyze_damaged.stdout" || fail "the damaged log gave no skip diagnostic"

# The same log with the tab of that continuation line lost: the line is
# skipped, and its diagnostic gives position and reason, not the line.
awk '/statement: SELECT id FROM patients$/ { print; getline; sub(/^\t/, ""); print }' "$log" >"$work/notab.log"
out analyze_notab "$pgsift" analyze --prefix "$prefix" "$work/notab.log"
grep -qE "skipped .*notab.log:2: " "$out/analyze_notab.stdout" || fail "the line that lost its tab gave no skip diagnostic"

# snapshot from a pg_stat_statements export; report in every format.
out snapshot_export "$pgsift" snapshot --from-export "$work/pgss_export.csv" --label clinic -o "$out/e.json.gz"
for f in md json html; do
  out "report_$f" "$pgsift" report --from "$out/a.json.gz" --to "$out/b.json.gz" --logs "$log" --format "$f" \
    -o "$out/report.$f"
done
out report_partial "$pgsift" report --from "$out/a.json.gz" --to "$out/b.json.gz" --partial --label clinic \
  -o "$out/partial.json"
out report_fleet "$pgsift" report --merge "$out/partial.json" --format md -o "$out/fleet.md"
out report_fleet_html "$pgsift" report --merge "$out/partial.json" --format html -o "$out/fleet.html"
out report_export "$pgsift" report --from "$out/a.json.gz" --to "$out/e.json.gz" --format md -o "$out/report_e.md"

# lint with the workload in every format.
cat >"$work/schema.sql" <<'SQL'
CREATE TABLE patients (id bigint PRIMARY KEY, name text NOT NULL, insurance_no text UNIQUE, birth_date date);
CREATE INDEX patients_name_idx ON patients (name);
SQL
cat >"$work/V2__drop_name_index.sql" <<'SQL'
DROP INDEX patients_name_idx;
ALTER TABLE patients ADD COLUMN note text;
SQL
for f in text json sarif junit github; do
  out "lint_$f" "$pgsift" lint --workload "$out/analyze_stderr.json" --schema "$work/schema.sql" --format "$f" \
    "$work/V2__drop_name_index.sql"
  [ "$(cat "$out/lint_$f.code")" -eq 1 ] || fail "lint --format $f: exit $(cat "$out/lint_$f.code"), want 1"
  for rule in migration-drops-used-index migration-locks-hot-table; do
    grep -q "$rule" "$out/lint_$f.stdout" || fail "lint --format $f: no $rule finding"
  done
done

# fingerprint: the same statements given by hand.
grep -o "statement: SELECT id, birth_date FROM patients WHERE name = [^;]*;" "$log" | head -1 |
  sed 's/^statement: //' >"$work/stmt.sql"
out fingerprint "$pgsift" fingerprint "$work/stmt.sql"
out fingerprint_jsonl "$pgsift" fingerprint --jsonl < <(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$work/stmt.sql")

# The outputs are non-trivial (the canary statements are in them, masked).
grep -q '"calls"' "$out/analyze_stderr.json" || fail "analyze JSON is empty"
grep -q 'FROM patients WHERE name = \$1' "$out/analyze_stderr.json" || fail "the canary statement is not in the analyze JSON"
grep -q 'WHERE name = \$1' "$out/fingerprint.stdout" || fail "fingerprint did not normalize the statement"
# fingerprint of the EXECUTE, comment and backslash statements, as files and --jsonl.
n=0
for re in "EXECUTE lookup\\(.*" "SELECT /\\* patient=.*" "SELECT id FROM patients WHERE name = 'O.*" \
  "SELECT id FROM patients WHERE name = E'O.*"; do
  n=$((n + 1))
  grep -oE "statement: $re" "$log" | head -1 | sed 's/^statement: //' >"$work/stmt$n.sql"
  grep -qE "$esc_name|$exec_name|$cmt_name" "$work/stmt$n.sql" || fail "statement $n (/$re/) not found in the log"
  out "fingerprint_$n" "$pgsift" fingerprint "$work/stmt$n.sql"
  out "fingerprint_jsonl_$n" "$pgsift" fingerprint --jsonl \
    < <(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1]).read()))' "$work/stmt$n.sql")
  grep -q '"normalized"' "$out/fingerprint_$n.stdout" || fail "fingerprint of statement $n printed nothing"
done
grep -qF 'EXECUTE lookup($1)' "$out/fingerprint_1.stdout" || fail "fingerprint did not mask the EXECUTE argument"
for f in analyze_stderr analyze_csv analyze_jsonlog; do
  grep -qF 'EXECUTE lookup($1)' "$out/$f.json" || fail "$f: no masked EXECUTE statement"
  grep -qF 'FROM patients WHERE name = $1' "$out/$f.json" || fail "$f: no masked statement"
done

# The same server again (its log now goes to another file), for the commands
# that read a live database: pg_stat_statements and the catalog kept the
# workload; hypopg for the index advisor's proof.
pg_start "$work" "shared_preload_libraries = 'pg_stat_statements'" "logging_collector = on" \
  "log_directory = 'log'" "log_filename = 'after.log'" "lc_messages = 'C'" "log_timezone = 'UTC'" >/dev/null 2>&1
"${psql[@]}" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION hypopg"

# indexes: offline (schema file, and the live schema dumped to JSON) and live
# (--dsn: catalog and HypoPG proof), text and JSON, on every log format.
for f in text json; do
  flag=()
  [ "$f" = json ] && flag=(--json)
  out "indexes_offline_$f" "$pgsift" indexes --schema "$work/schema.sql" "${flag[@]}" "$log"
  out "indexes_live_$f" "$pgsift" indexes --dsn dbname=postgres "${flag[@]}" "$logdir/pg.csv"
done
out indexes_dump "$pgsift" indexes --dsn dbname=postgres --dump-schema "$out/schema_dump.json" "$logdir/pg.json"
out indexes_from_dump "$pgsift" indexes --schema "$out/schema_dump.json" --json "$log"
grep -q '"proof": "hypopg"' "$out/indexes_live_json.stdout" || fail "indexes --dsn did not run the HypoPG proof"
grep -qE '"queries_seen": [1-9]' "$out/indexes_live_json.stdout" ||
  fail "indexes --dsn read no query: $(head -c 400 "$out/indexes_live_json.stdout")"
grep -q "index-missing" "$out/indexes_offline_text.stdout" || fail "indexes offline: no index-missing finding"

# baseline capture: guarded queries from pg_stat_statements (which keeps the
# COMMENT with the canaries verbatim) and from the analyze JSON, EXPLAIN and
# EXPLAIN ANALYZE; then check after a migration that drops an index the
# guarded lookup uses, in every format.
out baseline_pgss "$pgsift" baseline capture --dsn dbname=postgres --from-pgss 100 -o "$out/baseline_pgss.json"
out baseline_analyze "$pgsift" baseline capture --dsn dbname=postgres --from-analyze "$out/analyze_stderr.json" \
  --top 50 --analyze --repeats 1 -o "$out/baseline_analyze.json"
for b in pgss analyze; do
  [ "$(cat "$out/baseline_$b.code")" -eq 0 ] || fail "baseline capture ($b): exit $(cat "$out/baseline_$b.code")"
  grep -q 'FROM patients WHERE name = \$1' "$out/baseline_$b.json" ||
    fail "baseline ($b) does not guard the canary lookup"
done
# A queries file whose sample values are the canaries: user-written values,
# kept in the baseline by design (so that file is not an output here), but
# never printed by check (plan conditions are masked).
cat >"$work/guarded.sql" <<SQL
-- name: by_name
-- params: '$lit_name', '$lit_dob'
SELECT id, birth_date FROM patients WHERE name = \$1 AND birth_date = \$2::date;
SQL
out baseline_file "$pgsift" baseline capture --dsn dbname=postgres --queries "$work/guarded.sql" \
  -o "$work/baseline_file.json"
grep -qF "$lit_name" "$work/baseline_file.json" || fail "the queries-file baseline lacks its sample values"
mkdir -p "$work/migrations"
cp "$work/V2__drop_name_index.sql" "$work/migrations/"
n=0
for b in pgss file; do
  base=$out/baseline_$b.json
  [ "$b" = file ] && base=$work/baseline_file.json
  for f in text markdown json sarif junit; do
    n=$((n + 1))
    "${psql[@]}" -c "DROP DATABASE IF EXISTS scratch$n" -c "CREATE DATABASE scratch$n TEMPLATE postgres" \
      -c "COMMENT ON DATABASE scratch$n IS 'pgsift:scratch'"
    out "check_${b}_$f" "$pgsift" check --baseline "$base" --migrations "$work/migrations" \
      --scratch-dsn "dbname=scratch$n" --scratch-is-disposable --format "$f" -o "$out/check_${b}.$f"
    [ "$(cat "$out/check_${b}_$f.code")" -eq 1 ] ||
      fail "check ($b, $f): exit $(cat "$out/check_${b}_$f.code"), want 1: $(tail -c 300 "$out/check_${b}_$f.stderr")"
  done
  grep -q "plan-index-lost" "$out/check_$b.text" || fail "check ($b): no plan-index-lost finding"
done
# check on a sample given the source's statistics (--source-stats): the
# source's pg_stats (most common values, histogram) hold the canary names and
# go to the scratch server; no output may show them.
"${psql[@]}" -c "INSERT INTO patients SELECT 950000 + g, '$lit_name', NULL, '$lit_dob' FROM generate_series(1, 60) g" \
  -c "ANALYZE patients"
"${psql[@]}" -At -c "SELECT attname, most_common_vals::text FROM pg_stats WHERE tablename = 'patients'" \
  >"$work/pg_stats.txt"
planted "name in the source's most common values" "^name\|.*$lit_name" "$work/pg_stats.txt"
planted "birth date in the source's most common values" "^birth_date\|.*$lit_dob" "$work/pg_stats.txt"
for f in text markdown json sarif junit; do
  out "check_stats_$f" "$pgsift" check --baseline "$out/baseline_pgss.json" --migrations "$work/migrations" \
    --create-scratch-from dbname=postgres --sample 50 --source-stats --pg-dump "$bindir/pg_dump" --format "$f" \
    -o "$out/check_stats.$f"
  [ "$(cat "$out/check_stats_$f.code")" -eq 1 ] ||
    fail "check --source-stats ($f): exit $(cat "$out/check_stats_$f.code"), want 1: $(tail -c 300 "$out/check_stats_$f.stderr")"
done
# Every format says which mode planned (SARIF run.properties, JUnit <properties>;
# XML writes the apostrophe as &#39;).
for f in text markdown json sarif junit; do
  grep -qE "column statistics of [1-9][0-9]* columns from the source('|&#39;)s pg_stats" "$out/check_stats.$f" ||
    fail "check --source-stats ($f): the report does not say the source's statistics were used"
done
# Errors: a migration that fails on the scratch database with a DETAIL that
# quotes a canary from the table ("Key (name)=(...) is duplicated"), a
# baseline that is not one.
cat >"$work/migrations/V3__unique_name.sql" <<'SQL'
UPDATE patients SET name = (SELECT name FROM patients WHERE id = 900001) WHERE id = 1;
CREATE UNIQUE INDEX patients_name_key ON patients (name);
SQL
"${psql[@]}" -c "CREATE DATABASE scratch_err TEMPLATE postgres" -c "COMMENT ON DATABASE scratch_err IS 'pgsift:scratch'"
out check_error "$pgsift" check --baseline "$out/baseline_pgss.json" --migrations "$work/migrations" \
  --scratch-dsn dbname=scratch_err --scratch-is-disposable
[ "$(cat "$out/check_error.code")" -eq 2 ] || fail "check with a failing migration: exit $(cat "$out/check_error.code")"
out check_not_baseline "$pgsift" check --baseline "$out/analyze_stderr.json" --migrations "$work/migrations" \
  --scratch-dsn dbname=scratch_err --scratch-is-disposable
# Values in the server's primary message: a guarded query whose sample value
# no longer fits the column after a migration ("invalid input syntax for
# type bigint: ..." when re-planned), in every format; a migration that fails
# on a row's value.
cat >"$work/typed.sql" <<SQL
-- name: by_name_typed
-- params: '$lit_name'
SELECT id FROM patients WHERE name = \$1;
SQL
out baseline_typed "$pgsift" baseline capture --dsn dbname=postgres --queries "$work/typed.sql" \
  -o "$work/baseline_typed.json"
[ "$(cat "$out/baseline_typed.code")" -eq 0 ] || fail "baseline capture (typed): $(tail -c 300 "$out/baseline_typed.stderr")"
mkdir -p "$work/mig_type" "$work/mig_type_fail"
echo "ALTER TABLE patients ALTER COLUMN name TYPE bigint USING id;" >"$work/mig_type/V2__name_bigint.sql"
echo "ALTER TABLE patients ALTER COLUMN name TYPE bigint USING CASE WHEN id = 900001 THEN name::bigint ELSE id END;" \
  >"$work/mig_type_fail/V2__name_bigint.sql"
for f in text markdown json sarif junit; do
  "${psql[@]}" -c "DROP DATABASE IF EXISTS scratch_type" -c "CREATE DATABASE scratch_type TEMPLATE postgres" \
      -c "COMMENT ON DATABASE scratch_type IS 'pgsift:scratch'"
  out "check_value_$f" "$pgsift" check --baseline "$work/baseline_typed.json" --migrations "$work/mig_type" \
    --scratch-dsn dbname=scratch_type --scratch-is-disposable --format "$f" -o "$out/check_value.$f"
  grep -q "invalid input syntax for type bigint" "$out/check_value.$f" "$out/check_value_$f.stderr" ||
    fail "check ($f): the failing re-plan is not reported: $(tail -c 300 "$out/check_value_$f.stderr")"
done
"${psql[@]}" -c "DROP DATABASE IF EXISTS scratch_type" -c "CREATE DATABASE scratch_type TEMPLATE postgres" \
  -c "COMMENT ON DATABASE scratch_type IS 'pgsift:scratch'"
out check_value_migration "$pgsift" check --baseline "$work/baseline_typed.json" --migrations "$work/mig_type_fail" \
  --scratch-dsn dbname=scratch_type --scratch-is-disposable
[ "$(cat "$out/check_value_migration.code")" -eq 2 ] ||
  fail "check with a migration failing on a value: exit $(cat "$out/check_value_migration.code")"
grep -q "invalid input syntax for type bigint" "$out/check_value_migration.stdout" "$out/check_value_migration.stderr" ||
  fail "check: the failing migration is not reported: $(tail -c 300 "$out/check_value_migration.stderr")"
pg_stop "$work" >/dev/null 2>&1
planted "value in the primary message of a failing re-plan and migration" \
  "ERROR: +invalid input syntax for type bigint: \"$lit_name\"" "$logdir/after.log"
planted "value in the failing migration's DETAIL" "Key \\(name\\)=\\($lit_name\\) is duplicated" "$logdir/after.log"

for f in "$out"/*.gz; do gzip -dc "$f" >"$f.txt"; done
files=$(find "$out" -type f ! -name '*.gz' | wc -l)
for c in "${canaries[@]}"; do
  if grep -rlF -- "$c" "$out"; then fail "canary $c leaked into the files above"; fi
done
[ "$status" -eq 0 ] && echo "no canary in $files output files (analyze text/JSON/HTML x3 formats, diagnostics, snapshots, report md/json/html/partial/fleet, lint text/json/sarif/junit/github, fingerprint, indexes offline/live text/JSON and --dump-schema, baseline capture from pg_stat_statements/analyze JSON/queries file, check text/markdown/json/sarif/junit, also on a sample with the source's pg_stats, and its errors; backslash-quoted literals, EXECUTE arguments, comments, a line that lost its tab, values in the server's primary message)"
exit "$status"

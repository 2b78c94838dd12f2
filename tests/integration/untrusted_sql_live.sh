#!/usr/bin/env bash
# Issue 16 section 1: statement text from a log, pg_stat_statements, a
# queries file or a baseline file is untrusted. A low-privilege role
# (reporter) sends privilege-escalation payloads to a real PostgreSQL 15,
# which refuses them and logs them (STATEMENT:, log_min_error_statement =
# error); pgsift then reads that log, pg_stat_statements, a queries file and
# a hand-edited baseline with a SUPERUSER connection: indexes --dsn, baseline
# capture --from-analyze / --from-pgss / --queries, and check replaying the
# baseline. The reporter role, the catalogs and the file system must stay as
# they were (checked with queries before and after each run), and every
# command must count what it refused.
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-untrusted.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work/pg" || true; rm -rf "$work"' EXIT
pg_start "$work/pg" \
  "logging_collector = on" \
  "log_destination = 'stderr'" \
  "log_directory = 'log'" \
  "log_filename = 'pg.log'" \
  "log_rotation_size = 0" \
  "log_rotation_age = 0" \
  "log_min_duration_statement = 0" \
  "log_min_error_statement = error" \
  "log_line_prefix = '%m [%p] %q%u@%d app=%a '" \
  "lc_messages = 'C'" \
  "shared_preload_libraries = 'pg_stat_statements'"
export PGCLIENTENCODING=UTF8
log=$work/pg/data/log/pg.log
superuser="dbname=clinic user=postgres"
# A payload that reached the server writes here (the server runs as another
# OS user: the directory is writable for everyone).
mkdir -m 1777 "$work/drop"
pwned_file=$work/drop/pwned

fail() { echo "FAIL: $*" >&2; exit 1; }

psql -XqAt -c "CREATE DATABASE clinic"
psql -XqAt -d clinic -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION hypopg;
CREATE EXTENSION pg_stat_statements;
CREATE TABLE patients (id bigint PRIMARY KEY, name text NOT NULL, clinic_id integer NOT NULL);
INSERT INTO patients SELECT g, 'patient ' || g, g % 40 FROM generate_series(1, 30000) g;
ANALYZE patients;
CREATE ROLE reporter LOGIN;
GRANT SELECT ON patients TO reporter;
SQL

# What must not change: the roles and their attributes, every relation,
# large objects, per-role settings, the databases, and the file system.
state() {
  psql -XqAt -v ON_ERROR_STOP=1 -d clinic \
    -c "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls
          FROM pg_roles ORDER BY rolname" \
    -c "SELECT count(*) FROM pg_auth_members" \
    -c "SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY 1" \
    -c "SELECT count(*) FROM pg_largeobject_metadata" \
    -c "SELECT count(*) FROM pg_db_role_setting" \
    -c "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database"
  if [ -e "$pwned_file" ]; then echo "pwned file exists"; fi
}
state >"$work/state.before"
grep -q "^reporter|f|f|f|t|f|f$" "$work/state.before" || fail "reporter role not set up as expected"
untouched() {  # LABEL
  state >"$work/state.after"
  if ! diff "$work/state.before" "$work/state.after" >"$work/state.diff"; then
    cat "$work/state.diff" >&2
    fail "$1: the server changed (a payload was executed)"
  fi
}

# ------------------------------------------------ the payloads, really logged
as_reporter() { psql -X -q -U reporter -d clinic -c "$1" >/dev/null 2>&1 || true; }
as_reporter "SELECT id FROM patients WHERE name = 'x'; COMMIT; BEGIN READ WRITE; ALTER ROLE reporter CREATEROLE; COMMIT"
as_reporter "SELECT id FROM patients WHERE clinic_id = 3 /* ; */; COMMIT AND CHAIN; ALTER ROLE reporter SUPERUSER; COMMIT"
as_reporter "SELECT count(*) FROM patients WHERE name = \$q\$;\$q\$; COMMIT; BEGIN READ WRITE; CREATE TABLE public.pwned_canary (); COMMIT"
as_reporter "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE"
as_reporter "SELECT set_config('default_transaction_read_only', 'off', false)"
as_reporter "DO \$\$BEGIN EXECUTE 'ALTER ROLE reporter CREATEROLE'; END\$\$"
as_reporter "COPY (SELECT 1) TO PROGRAM 'touch $pwned_file'"
as_reporter "SELECT lo_export(1, '$pwned_file')"
as_reporter "SELECT dblink_exec('dbname=clinic', 'ALTER ROLE reporter SUPERUSER')"
as_reporter "SELECT query_to_xml('SELECT 1', true, false, '')"
for _ in 1 2 3; do as_reporter "SELECT id FROM patients WHERE name = 'patient 7'"; done
pg_quiesce "$work/pg"  # every line is in the file
for p in "ALTER ROLE reporter CREATEROLE; COMMIT" "COMMIT AND CHAIN" "set_config(" "TO PROGRAM" "lo_export(" \
  "dblink_exec("; do
  grep -qF -- "$p" "$log" || fail "the server did not log the payload with: $p"
done
grep -q "STATEMENT:  SELECT id FROM patients WHERE name = 'x'; COMMIT; BEGIN READ WRITE" "$log" ||
  fail "the refused payload is not in the log as a STATEMENT"
untouched "the reporter's own attempts"
# What pgsift reads: the log as the payloads left it (pgsift's own
# statements are logged too from here on).
cp "$log" "$work/payloads.log"
log=$work/payloads.log

# ------------------------------------------------ indexes LOG --dsn superuser
"$pgsift" indexes "$log" --dsn "$superuser" >"$work/indexes.txt" 2>"$work/indexes.err" ||
  { cat "$work/indexes.err"; fail "indexes failed"; }
untouched "indexes --dsn"
"$pgsift" indexes "$log" --dsn "$superuser" --json >"$work/indexes.json" 2>/dev/null
untouched "indexes --dsn --json"
grep -q "proven with HypoPG, 3 queries refused by the statement gate (not sent to the server)" "$work/indexes.txt" ||
  fail "indexes: refusals not counted in the text output: $(tail -1 "$work/indexes.txt")"
grep -q "CREATE INDEX CONCURRENTLY patients_name_idx ON public.patients (name)" "$work/indexes.txt" ||
  fail "indexes: the honest query was not proven any more"
grep -Eq "^pgsift indexes: query [0-9a-f]{16}: not sent to the server: 5 statements \(exactly one is allowed\)$" \
  "$work/indexes.err" || fail "indexes: no refusal message naming the fingerprint: $(cat "$work/indexes.err")"
python3 - "$work/indexes.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["proof"] == "hypopg", d["proof"]
assert d["queries_refused"] == 3, d["queries_refused"]
errors = [q.get("proof_error", "") for c in d["candidates"] for q in c["queries"]]
assert sum(e.startswith("not sent to the server:") for e in errors) == 3, errors
EOF

# ------------------------------------------------ baseline capture --from-analyze
"$pgsift" analyze "$log" --user reporter --json "$work/analyze.json" -q
"$pgsift" baseline capture --dsn "$superuser" --from-analyze "$work/analyze.json" --top 100 \
  -o "$work/from-analyze.json" 2>"$work/from-analyze.err" || { cat "$work/from-analyze.err"; fail "capture failed"; }
untouched "baseline capture --from-analyze"
"$pgsift" baseline capture --dsn "$superuser" --from-analyze "$work/analyze.json" --top 100 --analyze --repeats 1 \
  -o "$work/from-analyze-a.json" 2>/dev/null || fail "capture --analyze failed"
untouched "baseline capture --from-analyze --analyze"
# Refused: the three multi-statement payloads, set_config, dblink_exec,
# lo_export, query_to_xml (DO, SET and COPY are no candidates at all).
python3 - "$work/from-analyze.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["refused"] == 7, (d.get("refused"), open(sys.argv[1].replace(".json", ".err")).read())
assert [q["display"] for q in d["queries"]] == ["SELECT id FROM patients WHERE name = $1"], d["queries"]
EOF
grep -q "; 7 queries refused by the statement gate (not sent to the server)" "$work/from-analyze.err" ||
  fail "capture: refusals not counted: $(cat "$work/from-analyze.err")"
grep -Eq "^pgsift: skipped query q_[0-9a-f]{16} \(fingerprint [0-9a-f]{16}\) not sent to the server: calls set_config\(\)" \
  "$work/from-analyze.err" || fail "capture: no refusal message for set_config"
grep -q "reporter" "$work/from-analyze.err" && fail "capture: a refusal message quotes the statement"

# ------------------------------------------------ a queries file
cat >"$work/queries.sql" <<EOF
-- name: honest
-- params: 'patient 7'
SELECT id FROM patients WHERE name = \$1;
-- name: param_payload
-- params: '1'); COMMIT; BEGIN READ WRITE; ALTER ROLE reporter CREATEROLE; COMMIT; SELECT ('1'
SELECT id FROM patients WHERE name = \$1;
-- name: set_config
SELECT set_config('default_transaction_read_only', 'off', false);
-- name: dollar_quoted
SELECT \$x\$; ALTER ROLE reporter SUPERUSER; \$x\$ FROM patients;
-- name: do_block
DO \$\$BEGIN EXECUTE 'ALTER ROLE reporter CREATEROLE'; END\$\$;
-- name: copy_program
COPY (SELECT 1) TO PROGRAM 'touch $pwned_file';
-- name: lo_export
SELECT lo_export(1, '$pwned_file');
-- name: dblink
SELECT dblink_exec('dbname=clinic', 'ALTER ROLE reporter SUPERUSER');
-- name: query_to_xml
SELECT query_to_xml('CREATE TABLE public.pwned_canary ()', true, false, '');
-- name: modifying_cte
WITH d AS (DELETE FROM patients RETURNING id) SELECT count(*) FROM d;
-- name: select_into
SELECT * INTO pwned_canary FROM patients;
-- name: chain
COMMIT AND CHAIN;
-- name: characteristics
SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE;
EOF
"$pgsift" baseline capture --dsn "$superuser" --queries "$work/queries.sql" -o "$work/from-file.json" \
  2>"$work/from-file.err" || { cat "$work/from-file.err"; fail "capture --queries failed"; }
untouched "baseline capture --queries"
"$pgsift" baseline capture --dsn "$superuser" --queries "$work/queries.sql" --analyze --repeats 1 \
  -o "$work/from-file-a.json" 2>/dev/null || fail "capture --queries --analyze failed"
untouched "baseline capture --queries --analyze"
# The statement "dollar_quoted" is one SELECT of a string: allowed, and harmless.
python3 - "$work/from-file.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["refused"] == 11, d.get("refused")
assert sorted(q["name"] for q in d["queries"]) == ["dollar_quoted", "honest"], [q["name"] for q in d["queries"]]
EOF
grep -q "query param_payload (fingerprint [0-9a-f]*) not sent to the server: parameter \$1 is not one SQL literal" \
  "$work/from-file.err" || fail "capture: the parameter payload was not refused: $(cat "$work/from-file.err")"
grep -q "; 11 queries refused by the statement gate" "$work/from-file.err" || fail "capture --queries: count"

# ------------------------------------------------ pg_stat_statements
"$pgsift" baseline capture --dsn "$superuser" --from-pgss 100 -o "$work/from-pgss.json" 2>"$work/from-pgss.err" ||
  { cat "$work/from-pgss.err"; fail "capture --from-pgss failed"; }
untouched "baseline capture --from-pgss"
# The reporter's set_config and query_to_xml ran (pg_stat_statements keeps
# only statements that completed): both refused.
python3 - "$work/from-pgss.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d.get("refused", 0) >= 2, d.get("refused")
assert not any("set_config" in q["sql"] or "query_to_xml" in q["sql"] for q in d["queries"]), d["queries"]
EOF
grep -qF "not sent to the server: calls set_config()" "$work/from-pgss.err" || fail "pgss: set_config not refused"
grep -qF "not sent to the server: calls query_to_xml()" "$work/from-pgss.err" || fail "pgss: query_to_xml not refused"

# ------------------------------------------------ check replays a hand-edited baseline
# The capture's honest entries, edited: one statement and one parameter
# carry the payload. The scratch database is on the same cluster, writable.
python3 - "$work/from-file.json" "$work/edited.json" "$pwned_file" <<'EOF'
import copy, json, sys
d = json.load(open(sys.argv[1]))
honest = [q for q in d["queries"] if q["name"] == "honest"][0]
evil_sql = copy.deepcopy(honest)
evil_sql["name"] = "evil_sql"
evil_sql["sql"] = ("SELECT id FROM patients WHERE name = $1; COMMIT; BEGIN READ WRITE; "
                   "ALTER ROLE reporter CREATEROLE; COMMIT")
evil_param = copy.deepcopy(honest)
evil_param["name"] = "evil_param"
evil_param["params"] = ["'x'); COMMIT; BEGIN READ WRITE; ALTER ROLE reporter SUPERUSER; COMMIT; SELECT ('x'"]
evil_chain = copy.deepcopy(honest)
evil_chain["name"] = "evil_chain"
evil_chain["sql"] = "SELECT id FROM patients WHERE name = $1 /* ; */; COMMIT AND CHAIN; ALTER ROLE reporter CREATEROLE"
evil_copy = copy.deepcopy(honest)
evil_copy["name"] = "evil_copy"
evil_copy["sql"] = "SELECT id FROM patients WHERE name = $1; COPY (SELECT 1) TO PROGRAM 'touch " + sys.argv[3] + "'"
d["queries"] = [honest, evil_sql, evil_param, evil_chain, evil_copy]
json.dump(d, open(sys.argv[2], "w"), indent=2)
EOF
psql -XqAt -c "CREATE DATABASE scratch TEMPLATE clinic"
psql -XqAt -c "COMMENT ON DATABASE scratch IS 'pgsift:scratch'"  # disposable, marked once
state >"$work/state.before"  # now with the scratch database
mkdir "$work/migrations"
echo "ALTER TABLE patients ADD COLUMN note text;" >"$work/migrations/V1__note.sql"
for format in text json; do
  rc=0
  "$pgsift" check --baseline "$work/edited.json" --migrations "$work/migrations" --scratch-dsn "dbname=scratch" \
    --scratch-is-disposable --no-lint --format "$format" -o "$work/check.$format" 2>"$work/check.err" || rc=$?
  # A refused guarded query is a guard lost: an error finding, exit 1.
  [ "$rc" = 1 ] || { cat "$work/check.err" "$work/check.$format"; fail "check exited $rc, want 1"; }
  psql -XqAt -d scratch -c "ALTER TABLE patients DROP COLUMN note"
  untouched "check --format $format"
done
grep -q "1 unchanged, 4 refused (not sent to the server); 1 migration file applied" "$work/check.text" ||
  fail "check: refusals not counted in the text output: $(head -1 "$work/check.text")"
grep -q "pgsift check: query evil_param (fingerprint [0-9a-f]*) not sent to the server: parameter \$1 is not one SQL literal" \
  "$work/check.err" || fail "check: no refusal message for the parameter: $(cat "$work/check.err")"
python3 - "$work/check.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["refused"] == 4, d["refused"]
status = {q["name"]: q["status"] for q in d["queries"]}
assert status == {"honest": "unchanged", "evil_sql": "refused", "evil_param": "refused", "evil_chain": "refused",
                  "evil_copy": "refused"}, status
refused = sorted(f["message"].split(":")[0] for f in d["findings"] if f["rule"] == "plan-query-refused")
assert refused == ["evil_chain", "evil_copy", "evil_param", "evil_sql"], d["findings"]
assert all(f["severity"] == "error" for f in d["findings"] if f["rule"] == "plan-query-refused"), d["findings"]
EOF

# ------------------------------------------------ a database that keeps standard_conforming_strings off
# There 'a\' does not end a string for the server, while the gate's parser
# ends it (as the SQL standard does): the server would call what the gate
# took for text (found by a black-box test: dblink_exec made a role
# SUPERUSER through capture --queries --analyze). pgsift's sessions set
# standard_conforming_strings = on, so the server reads what the gate read.
psql -XqAt -d clinic -c "CREATE EXTENSION dblink"
psql -XqAt -c "ALTER DATABASE clinic SET standard_conforming_strings = off"
state >"$work/state.before"
target="host=$PGHOST port=$PGPORT user=postgres dbname=clinic"
{
  echo "-- name: hidden_call"
  printf "SELECT 'a\\\\' AS x, ' , dblink_exec(\$q\$%s\$q\$, \$q\$ALTER ROLE reporter CREATEROLE\$q\$) -- ' AS y\n" "$target"
} >"$work/legacy.sql"
grep -q "dblink_exec" "$work/legacy.sql" || fail "legacy.sql not written"
# The payload is real: with the database's own setting the server runs it.
psql -XqAt -d clinic -c "BEGIN" -c "$(tail -n 1 "$work/legacy.sql")" -c "ROLLBACK" >/dev/null 2>&1 || true
[ "$(psql -XqAt -c "SELECT rolcreaterole FROM pg_roles WHERE rolname = 'reporter'")" = t ] ||
  fail "the legacy payload did not work against the server itself (test set-up)"
psql -XqAt -c "ALTER ROLE reporter NOCREATEROLE"
for analyze in "" "--analyze"; do
  "$pgsift" baseline capture --dsn "$superuser" --queries "$work/legacy.sql" $analyze --repeats 1 \
    -o "$work/legacy.json" 2>"$work/legacy.err" || { cat "$work/legacy.err"; fail "capture of the legacy file failed"; }
  untouched "baseline capture --queries $analyze, standard_conforming_strings off"
done
psql -XqAt -c "ALTER DATABASE clinic RESET standard_conforming_strings"

echo "untrusted_sql_live: ok"

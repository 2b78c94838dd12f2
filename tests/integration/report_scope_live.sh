#!/usr/bin/env bash
# A report refuses inputs that do not belong together (issue 18, section 4).
# A real PostgreSQL 15 with two databases, clinic and shop, both busy during
# the window; clinic is also busy before snapshot a and after snapshot b.
# A second server holds a database also named clinic. Checked:
#   - swapped snapshots (--from later than --to): exit 2, "swapped";
#   - snapshots of different servers: exit 2; --allow-server-move accepts;
#   - snapshots of different databases of one server: exit 2;
#   - report --logs counts only the window's records of clinic: its errors
#     are the 2 planted in clinic during the window (not shop's 3, nor the
#     1 before and the 1 after), and log_scope's counts equal those of an
#     independent count over the csvlog (time in [a, b], database clinic);
#   - exports taken with --captured-at give a window, not "? to ?".
set -euo pipefail
pgsift=$1
here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=../pg/pgctl.sh
. "$here/../pg/pgctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-scope.XXXXXX")
chmod 755 "$work"
trap 'pg_stop "$work/one" || true; pg_stop "$work/two" || true; rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

pg_start_logging "$work/one" '%m [%p] %q%u@%d app=%a session=%c state=%e ' \
    "shared_preload_libraries = 'pg_stat_statements'" 2>/dev/null
psql -XqAt -c "CREATE DATABASE clinic" -c "CREATE DATABASE shop"
psql -XqAt -d clinic -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION pg_stat_statements;
CREATE TABLE patients (id int PRIMARY KEY, name text);
INSERT INTO patients SELECT g, 'p' || g FROM generate_series(1, 100) g;
SQL
psql -XqAt -d shop -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION pg_stat_statements;
CREATE TABLE orders (id int PRIMARY KEY, total int);
INSERT INTO orders SELECT g, g FROM generate_series(1, 100) g;
SQL
# $1 database, $2 application, $3 lookups, $4 errors (division by zero)
work_on() {
    { for ((i = 1; i <= $3; i++)); do
          if [ "$1" = clinic ]; then echo "SELECT name FROM patients WHERE id = $i;"
          else echo "SELECT total FROM orders WHERE id = $i;"; fi
      done
      for ((i = 1; i <= $4; i++)); do echo "SELECT 1 / 0;"; done
    } | PGAPPNAME=$2 psql -XqAt -d "$1" -f - >/dev/null 2>&1 || true
}
snap() { sleep 1; "$pgsift" snapshot --dsn "dbname=$1" -o "$work/$2" 2>/dev/null; sleep 1; }
export_pgss() {
    psql -XqAt -d clinic -c "\\copy (SELECT * FROM pg_stat_statements) TO '$work/$1' CSV HEADER"
    date -u '+%Y-%m-%d %H:%M:%S+00' >"$work/$1.at"
    sleep 1  # the next export's second is a later one (captured_at has seconds)
}

work_on clinic clinic-before 5 1
snap clinic a.json.gz
export_pgss a.csv
work_on clinic clinic-web 20 2
work_on shop shop-web 15 3
export_pgss b.csv
snap clinic b.json.gz
snap shop shop_b.json.gz
work_on clinic clinic-after 7 1
pg_quiesce "$work/one"
pg_stop "$work/one" 2>/dev/null

# Another server with a database of the same name.
pg_start "$work/two" "shared_preload_libraries = 'pg_stat_statements'" 2>/dev/null
psql -XqAt -c "CREATE DATABASE clinic"
psql -XqAt -d clinic -c "CREATE EXTENSION pg_stat_statements" >/dev/null
work_on clinic clinic-web 3 0
"$pgsift" snapshot --dsn dbname=clinic -o "$work/other.json.gz" 2>/dev/null
pg_stop "$work/two" 2>/dev/null

# expect_refused NAME PATTERN ARGS...: exit 2 and PATTERN in stderr.
expect_refused() {
    local name=$1 pattern=$2 rc=0; shift 2
    "$pgsift" report "$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
    [ "$rc" = 2 ] || bad "$name: exit $rc, expected 2 (stderr: $(cat "$work/$name.err"))"
    grep -q -- "$pattern" "$work/$name.err" || bad "$name: no '$pattern' in: $(cat "$work/$name.err")"
    [ ! -s "$work/$name.out" ] || bad "$name: printed a report anyway"
}
expect_refused swapped "swapped" --from "$work/b.json.gz" --to "$work/a.json.gz"
expect_refused servers "different servers" --from "$work/a.json.gz" --to "$work/other.json.gz"
expect_refused databases "different databases (clinic and shop)" --from "$work/a.json.gz" --to "$work/shop_b.json.gz"
"$pgsift" report --from "$work/a.json.gz" --to "$work/other.json.gz" --allow-server-move -o "$work/moved.md" \
    2>"$work/moved.err" || bad "--allow-server-move: $(cat "$work/moved.err")"

log=$work/one/data/log
"$pgsift" report --from "$work/a.json.gz" --to "$work/b.json.gz" --logs "$log/pg.csv" --format json \
    -o "$work/r.json" 2>"$work/r.err" || bad "report --logs: $(cat "$work/r.err")"
"$pgsift" report --from "$work/a.json.gz" --to "$work/b.json.gz" --logs "$log/pg.log" \
    -o "$work/r.md" 2>"$work/r_md.err" || bad "report --logs (stderr log): $(cat "$work/r_md.err")"
grep -E '^Logs: ' "$work/r.md" >&2 || bad "no 'Logs:' scope line in the Markdown report"

# Exports with their capture time.
for x in a b; do
    "$pgsift" snapshot --from-export "$work/$x.csv" --label clinic --captured-at "$(cat "$work/$x.csv.at")" \
        -o "$work/export_$x.json.gz" >/dev/null
done
"$pgsift" report --from "$work/export_a.json.gz" --to "$work/export_b.json.gz" -o "$work/export.md" 2>/dev/null
grep -E '^Window: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z to [0-9]{4}' "$work/export.md" ||
    bad "export report has no window: $(grep Window "$work/export.md")"
expect_refused export_swapped "swapped" --from "$work/export_b.json.gz" --to "$work/export_a.json.gz"
rc=0
"$pgsift" snapshot --from-export "$work/a.csv" --captured-at "next tuesday" -o "$work/x.json.gz" 2>"$work/x.err" ||
    rc=$?
[ "$rc" = 2 ] && grep -q "captured-at" "$work/x.err" || bad "--captured-at 'next tuesday': exit $rc $(cat "$work/x.err")"

python3 - "$work" <<'EOF' || fail=1
import csv, datetime, gzip, json, sys
w = sys.argv[1]
ok = True
def bad(msg):
    global ok
    ok = False
    print("FAIL:", msg, file=sys.stderr)
def t(iso):
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
a = json.load(gzip.open(f"{w}/a.json.gz"))
b = json.load(gzip.open(f"{w}/b.json.gz"))
for s in (a, b):
    if not s.get("system_identifier") or not s.get("database_oid") or s.get("datname") != "clinic":
        bad(f"snapshot does not record server/database: {[s.get(k) for k in ('system_identifier', 'database_oid', 'datname')]}")
since, until = t(a["captured_at"]), t(b["captured_at"]) + datetime.timedelta(seconds=1)
# The truth, from the csvlog: log_time, user, database, ..., application_name (col 22).
kept = before = after = 0
other, errors = {}, 0
for row in csv.reader(open(f"{w}/one/data/log/pg.csv", newline="")):
    app = row[22]
    if app.startswith("pgsift") or row[13].startswith("/* pgsift */") or row[19].startswith("/* pgsift */"):
        continue
    when = datetime.datetime.strptime(row[0][:23], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
    if when < since: before += 1
    elif when >= until: after += 1
    elif row[2] != "clinic": other[row[2]] = other.get(row[2], 0) + 1
    else:
        kept += 1
        errors += row[11] == "ERROR"
r = json.load(open(f"{w}/r.json"))
scope = r.get("log_scope")
if scope is None:
    bad("no log_scope in the JSON report")
else:
    got = (scope["kept"], scope["before_window"], scope["after_window"], scope["other_databases"])
    want = (kept, before, after, other)
    if got != want: bad(f"log_scope (kept, before, after, other databases) {got}, csvlog says {want}")
    if scope["databases"] != ["clinic"]: bad(f"scope databases {scope['databases']}")
    if other.get("shop", 0) < 15: bad(f"the test's shop records were not in the window: {other}")
if errors != 2: bad(f"csvlog: {errors} clinic errors in the window, the test planted 2")
if r.get("log_errors") != 2: bad(f"report counted {r.get('log_errors')} errors, the window of clinic had 2")
print(f"scope: kept {kept}, before {before}, after {after}, other {other}")
sys.exit(0 if ok else 1)
EOF
[ "$fail" = 0 ] && echo "ok: mismatched snapshots refused, logs scoped to the window and database" || exit 1

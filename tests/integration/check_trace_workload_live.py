#!/usr/bin/env python3
"""`pgsift check --workload` and the index trace on a real PostgreSQL.

Started by check_trace_workload_live.sh (the server is up with
pg_stat_statements, PG* exported). A source database `shop` gets
check_trace_setup.sql and a workload of reads and writes of orders and
customers, seen by pg_stat_statements; `pgsift snapshot` writes it to a
snapshot file. Then:
- `check --workload SNAPSHOT` on a copy of shop applies
  fixtures/check_trace/workload/: for each statement that blocked writes (or
  reads and writes) of a table, the reads/s and writes/s it reports equal the
  calls / window of the snapshot's queries touching that table, computed here
  from the same snapshot JSON (tables found in the query text by name, writes
  by the first keyword); the wait is the time from the statement to its
  transaction's COMMIT (the statements' traced times added up here), or the
  statement's own time in an implicit transaction. Text, Markdown, JSON say it;
  SARIF and JUnit carry it in the message of a lint-missed finding
  (fixtures/check_trace/function_lock/).
- with --create-scratch-from --sample 50: the wait is the measured time x 2,
  and the report says it was scaled from a 50% sample.
- fixtures/check_trace/indexes/: an index created (with its size on disk as
  pg_relation_size gives it afterwards), one dropped, one left invalid by
  CREATE INDEX ON ONLY a partitioned table (pg_index.indisvalid false), and
  made valid again by 002.
usage: check_trace_workload_live.py PGSIFT REPO_ROOT WORKDIR PG_BINDIR
"""
import datetime
import gzip
import json
import os
import re
import subprocess
import sys

from live_checks import fail, failures, psql

pgsift, root, work, bindir = sys.argv[1:5]
here = os.path.dirname(os.path.abspath(__file__))
ROLE = "trace_migrator"


psql("postgres", f"CREATE ROLE {ROLE} LOGIN NOSUPERUSER", f"CREATE DATABASE shop OWNER {ROLE}")
psql("shop", user=ROLE, file=os.path.join(here, "check_trace_setup.sql"))
# Issue 24: a table of the same name in another schema, and a table whose
# foreign key references customers.
psql("shop", "CREATE SCHEMA archive", "CREATE TABLE archive.customers (id bigint PRIMARY KEY, name text)",
     "INSERT INTO archive.customers SELECT g, 'old' FROM generate_series(1, 200) g",
     "CREATE TABLE deliveries (id serial PRIMARY KEY, customer_id bigint REFERENCES customers (id), note text)",
     user=ROLE)
psql("shop", "CREATE EXTENSION pg_stat_statements")
queries = os.path.join(work, "queries.sql")
with open(queries, "w") as f:
    f.write("-- name: customer_by_id\nSELECT name FROM customers WHERE id = 42;\n")
base = os.path.join(work, "base.json")
subprocess.run([pgsift, "baseline", "capture", "--dsn", f"dbname=shop user={ROLE}", "--queries", queries, "-o", base],
               check=True)

# The workload: an application's reads and writes, counted by pg_stat_statements.
psql("shop", "SELECT pg_stat_statements_reset()")
app = os.path.join(work, "app.sql")
with open(app, "w") as f:
    for i in range(1, 201):
        f.write(f"SELECT name FROM customers WHERE id = {i};\n")
    for i in range(1, 41):
        f.write(f"UPDATE customers SET name = name WHERE id = {i};\n")
    for i in range(1, 121):
        f.write(f"SELECT total FROM orders WHERE customer_id = {i};\n")
    for i in range(1, 81):
        f.write(f"UPDATE orders SET note = 'n' WHERE id = {i};\n")
    for i in range(1, 31):
        f.write(f"SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.id = {i};\n")
    # Not customers: another schema's table, and a WITH query of that name.
    for i in range(1, 101):
        f.write(f"SELECT name FROM archive.customers WHERE id = {i};\n")
    for i in range(1, 61):
        f.write(f"WITH customers AS (SELECT {i} AS id) SELECT * FROM customers WHERE id = {i};\n")
    # Through the foreign key: an INSERT checks customers (waits behind
    # ACCESS EXCLUSIVE on it); an UPDATE of another column does not.
    for i in range(1, 51):
        f.write(f"INSERT INTO deliveries (customer_id) VALUES ({i});\n")
    for i in range(1, 21):
        f.write(f"UPDATE deliveries SET note = 'n' WHERE id = {i};\n")
psql("shop", user=ROLE, file=app)
snap = os.path.join(work, "shop.json.gz")
subprocess.run([pgsift, "snapshot", "--dsn", "dbname=shop user=postgres", "-o", snap], check=True,
               capture_output=True)

# The rates, computed here from the snapshot's own JSON.
doc = json.load(gzip.open(snap, "rt"))


def when(text):
    text = text.replace(" ", "T", 1)
    text = re.sub(r"([+-]\d\d)$", r"\1:00", text)
    return datetime.datetime.fromisoformat(text)


window = max((when(doc["captured_at"]) - when(doc["stats_reset"])).total_seconds(), 1.0)
expected = {}  # table -> [reads/s, writes/s]
fk_inserts = 0.0  # INSERT INTO deliveries per second: they wait for ACCESS EXCLUSIVE on customers
others = []  # archive.customers and the WITH query named customers: never customers' traffic
for e in doc["entries"]:
    if e.get("fallback") or e["calls"] <= 0:
        continue
    if "archive." in e["query"] or e["query"].lstrip().upper().startswith("WITH"):
        others.append(e["query"])
        continue
    if re.match(r"\s*INSERT INTO deliveries\b", e["query"], re.I):
        fk_inserts += e["calls"] / window
    writes = re.match(r"\s*(INSERT|UPDATE|DELETE|MERGE)\b", e["query"], re.I) is not None
    for table in set(re.findall(r"\b(orders|customers)\b", e["query"])):
        expected.setdefault(table, [0.0, 0.0])[1 if writes else 0] += e["calls"] / window
print(f"snapshot window {window:.3f} s: {expected}, {fk_inserts} inserts/s into deliveries, others {others}")
if not expected.get("orders") or not expected["orders"][1] or not expected.get("customers") or \
        len(others) != 2 or not fk_inserts:
    sys.exit(f"the snapshot does not hold the workload: {doc['entries']}")


def fresh(db):
    psql("postgres", f"DROP DATABASE IF EXISTS {db}", f"CREATE DATABASE {db} TEMPLATE shop OWNER {ROLE}",
         f"COMMENT ON DATABASE {db} IS 'pgsift:scratch'")


def check(paths, fmt="json", scratch=None, extra=()):
    out = os.path.join(work, "out." + fmt)
    if scratch is None:
        fresh("trace_w")
        scratch = ["--scratch-dsn", f"dbname=trace_w user={ROLE}", "--scratch-is-disposable"]
    args = [pgsift, "check", "--baseline", base, "--format", fmt, "-o", out, "--workload", snap] + scratch + list(extra)
    for p in paths:
        args += ["--migrations", p]
    r = subprocess.run(args, capture_output=True, text=True, cwd=root)
    if not os.path.exists(out):
        sys.exit(f"check {paths} {fmt}: exit {r.returncode}: {r.stderr}")
    text = open(out).read()
    os.remove(out)
    return r.returncode, text


def rows(report):
    return [s for f in report["trace"] for s in f["statements"]]


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


WL = "fixtures/check_trace/workload/001_customers_note.sql"
src = open(os.path.join(root, WL)).read().splitlines()
line_of = {key: 1 + next(i for i, l in enumerate(src) if l.startswith(key))
           for key in ["CREATE INDEX", "ALTER TABLE customers", "COMMIT", "ALTER TABLE orders"]}


def check_waits(report, scale, label):
    by_line = {s["line"]: s for s in rows(report)}
    commit = line_of["COMMIT"]
    cases = [("CREATE INDEX", "orders", False, commit), ("ALTER TABLE customers", "customers", True, commit),
             ("ALTER TABLE orders", "orders", True, None)]
    for key, table, reads, to_line in cases:
        line = line_of[key]
        s = by_line.get(line)
        waits = [w for w in (s or {}).get("waits", []) if w["table"] == table]
        if len(waits) != 1:
            fail(f"{label} line {line}: expected one wait on {table}: {s}")
            continue
        w = waits[0]
        want_reads, want_writes = expected.get(table, [0.0, 0.0])
        fk = fk_inserts if table == "customers" else 0.0  # ACCESS EXCLUSIVE on the referenced table
        want_writes += fk
        fk_seen, via = w.get("foreign_key_writes_per_s", 0.0), w.get("via_foreign_keys", [])
        if not close(fk_seen, fk) or via != (["deliveries"] if fk else []):
            fail(f"{label} line {line} {table}: {fk_seen} writes/s through foreign keys of {via}, expected {fk} of "
                 "deliveries")
        # Named by the session's search_path: public's, though archive has one too.
        if s["tables"] != [table] or s["verdict"] != "confirmed":
            fail(f"{label} line {line}: traced on {s['tables']} ({s['verdict']}), expected {table} confirmed")
        if not close(w["reads_per_s"], want_reads) or not close(w["writes_per_s"], want_writes):
            fail(f"{label} line {line} {table}: {w['reads_per_s']} reads/s, {w['writes_per_s']} writes/s; "
                 f"the snapshot gives {want_reads}, {want_writes}")
        if w["blocks_reads"] != reads or not close(w["waiting_per_s"], want_writes + (want_reads if reads else 0)):
            fail(f"{label} line {line} {table}: waiting {w['waiting_per_s']}/s, blocks_reads {w['blocks_reads']}")
        # Held from the statement to its transaction's end, per the trace.
        last = to_line if to_line else line
        held = sum(r["ms"] for r in rows(report) if line <= r["line"] <= last)
        if not close(w["measured_ms"], held) or held <= 0:
            fail(f"{label} line {line} {table}: measured {w['measured_ms']} ms, the statements {line}-{last} "
                 f"took {held} ms")
        if not close(w["wait_ms"], w["measured_ms"] * scale):
            fail(f"{label} line {line} {table}: wait {w['wait_ms']} ms is not {scale} x {w['measured_ms']} ms")
        if scale != 1 and f"scaled from a {round(100 / scale)}% sample" not in w["text"]:
            fail(f"{label} line {line}: the wait does not say it was scaled: {w['text']}")
    return by_line


code, text = check([WL])
report = json.loads(text)
by_line = check_waits(report, 1, "check --workload")
if not report["trace"][0]["workload"] or "window" not in report["trace"][0]["workload"]:
    fail(f"no workload note in the JSON: {report['trace'][0].get('workload')}")
# The index the transaction created, with its size.
created = [i for i in by_line[line_of["CREATE INDEX"]]["indexes"] if i["index"] == "orders_placed_at_idx"]
if len(created) != 1 or created[0]["change"] != "created" or created[0]["table"] != "orders" or \
        created[0]["bytes"] <= 0 or not created[0]["valid"]:
    fail(f"CREATE INDEX orders_placed_at_idx: {by_line[line_of['CREATE INDEX']]['indexes']}")

code, text = check([WL], fmt="text")
print(text)
if "workload: " not in text or "writes/s" not in text or "would wait up to" not in text:
    fail("text: no workload lines:\n" + text)
code, md = check([WL], fmt="markdown")
if "workload: orders: " not in md or "reads/s and" not in md:
    fail("Markdown: no workload notes:\n" + md)

# A finding's message carries the wait in SARIF and JUnit too.
FN = ["fixtures/check_trace/function_lock/001_archive_function.sql",
      "fixtures/check_trace/function_lock/002_archive.sql"]
for fmt in ["json", "sarif", "junit"]:
    code, text = check(FN, fmt=fmt)
    if "with the workload, orders: " not in text or "would wait up to" not in text:
        fail(f"{fmt}: the lint-missed finding does not say who would wait:\n{text[:3000]}")

# A file without BEGIN: each statement commits on its own (as psql runs it),
# so each lock is held, and waited for, during its statement alone.
AC = "fixtures/check_trace/autocommit/001_two_alters.sql"
code, text = check([AC])
report = json.loads(text)
ac_src = open(os.path.join(root, AC)).read().splitlines()
for key, table in [("ALTER TABLE customers", "customers"), ("ALTER TABLE orders", "orders")]:
    line = 1 + next(i for i, l in enumerate(ac_src) if l.startswith(key))
    s = next((r for r in rows(report) if r["line"] == line), None)
    waits = [w for w in (s or {}).get("waits", []) if w["table"] == table]
    if not s or len(waits) != 1 or not close(waits[0]["measured_ms"], s["ms"]) or s["held_ms"] != s["ms"]:
        fail(f"{AC}:{line}: the wait is not this statement's own time: {s}")
    spans = [t for t in report["trace"][0]["timeline"] if t["table"] == table]
    if [(t["from_line"], t["to_line"]) for t in spans] != [(line, line)]:
        fail(f"{AC}:{line}: {table} is held beyond its statement: {spans}")

# --sample 50: the scratch is half the rows; the wait is scaled by 2, and said so.
code, text = check([WL], scratch=["--create-scratch-from", "dbname=shop user=postgres", "--sample", "50",
                                  "--pg-dump", os.path.join(bindir, "pg_dump")])
report = json.loads(text)
check_waits(report, 2, "check --sample 50 --workload")
if "scaled by 2 from a 50% sample" not in (report["trace"][0]["workload"] or ""):
    fail(f"--sample: the workload note does not say so: {report['trace'][0]['workload']}")

# New, dropped and invalid indexes, as pg_index has them.
IX = ["fixtures/check_trace/indexes/001_indexes.sql", "fixtures/check_trace/indexes/002_attach.sql"]
code, text = check(IX[:1])
report = json.loads(text)
changes = {(i["change"], i["index"]): i for s in rows(report) for i in s["indexes"]}
total = changes.get(("created", "orders_total_idx"))
size = int(psql("shop", "SELECT pg_relation_size('orders_customer_idx')").strip())  # a btree of 20,000 rows
if not total or total["table"] != "orders" or not total["valid"] or not 0 < total["bytes"] <= 4 * size:
    fail(f"created orders_total_idx: {total} (orders_customer_idx on the source: {size} B)")
dropped = changes.get(("dropped", "orders_status_idx"))
if not dropped or dropped["table"] != "orders" or dropped["bytes"] <= 0:
    fail(f"dropped orders_status_idx: {dropped}")
invalid = changes.get(("invalid", "readings_taken_at_idx"))
if not invalid or invalid["valid"] or invalid["table"] != "readings":
    fail(f"CREATE INDEX ON ONLY readings: not invalid: {changes}")
at_end = report["trace"][0]["invalid_indexes"]
if [i["index"] for i in at_end] != ["readings_taken_at_idx"]:
    fail(f"invalid after the file: {at_end}")
code, md = check(IX[:1], fmt="markdown")
if "invalid readings_taken_at_idx on readings" not in md or "| indexes |" not in md:
    fail("Markdown: the invalid index is not shown:\n" + md)
# 002 attaches the partition's index: nothing invalid after it.
code, text = check(IX)
report = json.loads(text)
if report["errors"] or [f["invalid_indexes"] for f in report["trace"]] != [at_end, []]:
    fail(f"after 002_attach.sql: {[f['invalid_indexes'] for f in report['trace']]} {report['errors']}")

# Statement kinds the golden lacks: trace_peer_differences.txt names them with
# a fixtures/check_trace/peer_kinds/ file; traced here (objects they need are
# added to shop first), each must show the row's lock and verdict.
psql("shop", "CREATE MATERIALIZED VIEW order_counts AS SELECT customer_id, count(*) AS n FROM orders GROUP BY 1",
     "CREATE TABLE measurements (taken_at date NOT NULL, v int) PARTITION BY RANGE (taken_at)",
     "CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
     "CREATE TABLE measurements_2026 (taken_at date NOT NULL, v int)", user=ROLE)
SHORT = {"AE": "ACCESS EXCLUSIVE", "SRE": "SHARE ROW EXCLUSIVE", "SUE": "SHARE UPDATE EXCLUSIVE"}
peer = []
for line in open(os.path.join(here, "trace_peer_differences.txt")):
    cols = [c.strip() for c in line.split("|")]
    if line.startswith("#") or len(cols) != 7:
        continue
    m = re.match(r"(fixtures/check_trace/peer_kinds/\S+) L(\d+) (.+)$", cols[5])
    if m:
        peer.append((cols[0], SHORT.get(cols[3], cols[3]), SHORT.get(cols[4], cols[4]), m.group(1), int(m.group(2)),
                     m.group(3)))
if len(peer) < 6:
    fail(f"only {len(peer)} rows of trace_peer_differences.txt name a peer_kinds fixture")
code, text = check(sorted({p[3] for p in peer}))
report = json.loads(text)
if report["errors"]:
    fail(f"peer_kinds: {report['errors']}")
for kind, lint, trace, path, line, verdict in peer:
    got = [s for f in report["trace"] if f["file"] == path for s in f["statements"] if s["line"] == line]
    if not got:
        fail(f"{kind}: no traced statement at {path}:{line}")
        continue
    s = got[0]
    mode = (s["lock"] or "-") if s["locks_seen"] else "(not traced)"
    print(f"{kind}: traced {mode} on {s['tables']}, {s['verdict'] or '-'}; notes {s['notes']}")
    if mode != trace or (s["verdict"] or "-") != verdict:
        fail(f"{kind}: traced {mode} ({s['verdict'] or '-'}) at {path}:{line}; trace_peer_differences.txt says "
             f"{trace} ({verdict})")
    if verdict == "confirmed" and lint != trace:
        fail(f"{kind}: confirmed, yet the lint column {lint} is not the trace's {trace}")

if failures:
    sys.exit(f"{len(failures)} failures")
print("ok: workload waits (%s), sample scaling, index changes" % ", ".join(
    f"{t} {r:.1f} reads/s {w:.1f} writes/s" for t, (r, w) in sorted(expected.items())))

#!/usr/bin/env python3
"""A million distinct statement shapes through `pgsift analyze`, from stdin.

  million_shapes.py PGSIFT FIXTURES [N] [RSS_LIMIT_MIB] [JOBS] [MAX_SHAPES]

The records are made at test time from the real clinic log
(fixtures/logs/clinic.stderr.log): its first single-line `duration:
statement:` records, each repeated with the table renamed to one of N names
(`FROM patients` -> `FROM patients_bdwgn`), so every record is a statement of
a shape never seen before; they are streamed into pgsift's stdin, never
written to disk. With one thread and the default cap of distinct shapes
(kDefaultMaxShapes), the first CAP shapes are kept and every later statement
goes to the one overflow entry. Checked:
  - exit code 0 and the warning to raise --max-shapes;
  - the overflow is reported exactly: overflow_statements == N - CAP, and the
    overflow entry carries exactly those calls; CAP other entries of 1 call;
  - the accounting identity: lines = lines in records + skipped by reason,
    and every line is in a record;
  - peak RSS (getrusage of the child) stays under RSS_LIMIT_MIB (default
    1024): without the cap the same run keeps every shape and grows with N.
With JOBS parsing threads (default 1) and --max-shapes MAX_SHAPES, the same
exact counts hold: the cap is one for the whole run, shared by the threads
(a cap per thread kept JOBS times as many shapes).
"""
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

pgsift, fixtures = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
rss_limit_mib = int(sys.argv[4]) if len(sys.argv) > 4 else 1024
jobs = int(sys.argv[5]) if len(sys.argv) > 5 else 1
CAP = int(sys.argv[6]) if len(sys.argv) > 6 else 200_000  # kDefaultMaxShapes (include/sql/pgsift/fingerprint.h)

log = os.path.join(fixtures, "logs", "clinic.stderr.log")
prefix = open(os.path.join(fixtures, "logs", "clinic.prefix")).read()
records = []
with open(log, "rb") as f:
    for line in f:
        m = re.match(rb"(.* LOG:  duration: [0-9.]+ ms  statement: SELECT .* FROM )([a-z_]+)(\b[^\n]*;)\n$", line)
        if m and b"\t" not in line:
            records.append(m.groups())
assert len(records) >= 10, f"too few single-line SELECT records in {log}"


def letters(i):
    """i in base 26, a-z: libpg_query's fingerprint ignores digits in table
    names (numbered partitions and temp tables share one), letters count."""
    name = b""
    while True:
        name = bytes([97 + i % 26]) + name
        i //= 26
        if i == 0:
            return name


def stream(out):
    """Writes N records, the i-th with the table renamed to <table>_<i in letters>."""
    buf = []
    for i in range(n):
        head, table, tail = records[i % len(records)]
        buf.append(b"%s%s_%s%s\n" % (head, table, letters(i), tail))
        if len(buf) == 10000:
            out.write(b"".join(buf))
            buf.clear()
    out.write(b"".join(buf))


failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


with tempfile.TemporaryDirectory(prefix="pgsift-shapes.") as tmp:
    out_json = os.path.join(tmp, "out.json")
    err_path = os.path.join(tmp, "stderr")
    start = time.monotonic()
    with open(err_path, "wb") as err:
        p = subprocess.Popen([pgsift, "analyze", "-j", str(jobs), "--max-shapes", str(CAP), "--quiet", "--prefix", prefix,
                              "--json", out_json, "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
        stream(p.stdin)
        p.stdin.close()
        code = p.wait()
    seconds = time.monotonic() - start
    rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    text = open(err_path, encoding="utf-8", errors="replace").read()
    check(code == 0, f"exit {code}: {text[-2000:]}")
    check("raise --max-shapes" in text and f"{n - CAP} statement(s) of later shapes" in text,
          f"no exact overflow warning: {text[-2000:]}")
    doc = json.load(open(out_json, encoding="utf-8"))
    s = doc["summary"]
    cache = s["fingerprint_cache"]
    check(s["calls"] == n, f"{s['calls']} calls, want {n}")
    check(cache["overflow_statements"] == n - CAP, f"overflow_statements {cache['overflow_statements']}, want {n - CAP}")
    over = [q for q in doc["queries"] if q.get("overflow")]
    check(len(over) == 1 and over[0]["calls"] == n - CAP, f"overflow entries {[(q['calls']) for q in over]}")
    kept = [q for q in doc["queries"] if not q.get("overflow")]
    check(len(kept) == CAP and all(q["calls"] == 1 for q in kept), f"{len(kept)} kept entries, want {CAP} of 1 call")
    check(s["lines_total"] == n and s["lines_in_records"] == n, f"lines {s['lines_total']} / {s['lines_in_records']}")
    check(s["lines_total"] == s["lines_in_records"] + sum(s["skipped_by_reason"].values()),
          "lines_total != lines_in_records + skipped by reason")
    check(rss_mib < rss_limit_mib, f"peak RSS {rss_mib} MiB >= {rss_limit_mib} MiB")
    print(f"{n} distinct shapes from stdin, -j {jobs}: {seconds:.0f} s, peak RSS {rss_mib} MiB (limit {rss_limit_mib}), "
          f"{len(kept)} kept, overflow {cache['overflow_statements']}")
if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("ok")

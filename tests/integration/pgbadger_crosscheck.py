#!/usr/bin/env python3
"""Cross-check `pgsift analyze` against pgBadger (Debian package) on every
real log in fixtures/pgbadger: query counts, total query duration and error
counts must agree, and every line pgsift skipped must have a stated reason.

Where the two differ on purpose, this script says why:
- pgBadger counts some LOG-level events (lock waits, "database system was shut
  down") in its error total; pgsift counts ERROR/FATAL/PANIC only, so those
  entries are subtracted from pgBadger's number.
- pgsift skips blank lines and syslog lines of other programs, with a reason;
  pgBadger ignores them silently.
- csv_statement_without_duration.log: pgBadger gives the "statement:" logged
  without a duration (another backend, pid 1002) the duration of the record
  before it, so it reports 688786.283 ms twice. pgsift counts that call with no
  duration. For this file the duration is checked against the sum of the
  "duration: N ms" values written in the file instead.
- fixtures/logs/clinic.* (our PostgreSQL 15 run, auto_explain on): pgBadger
  counts each auto_explain plan as one more query, with its duration, though
  the statement was already logged with log_min_duration_statement = 0. pgsift
  counts plans apart (`plans`), so pgBadger's numbers must equal ours plus the
  plans and the plan durations written in the file.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

PGSIFT, FIXTURES = sys.argv[1], sys.argv[2]
ALLOWED_SKIPS = {"blank", "not_postgres"}
PGBADGER_FORMAT = {"csv": "csv", "json": "jsonlog", "syslog": "syslog", "stderr": "stderr"}


def pgsift(path, out):
    subprocess.run([PGSIFT, "analyze", path, "--json", out, "-q"], check=True)
    with open(out) as f:
        return json.load(f)


def pgbadger(path, fmt, prefix, out):
    # Its own pid directory: pgBadger refuses to start (exit 3) while a pid
    # file of another pgBadger run on the machine exists in the shared one.
    cmd = ["pgbadger", "-q", "--pid-dir", os.path.dirname(out), "-f", PGBADGER_FORMAT[fmt], "-o", out, path]
    if fmt == "stderr" and prefix:
        cmd[1:1] = ["--prefix", prefix]  # pgBadger does not detect every prefix; give it ours
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    with open(out) as f:
        report = json.load(f)
    stat = report["overall_stat"]
    # pgBadger 12 keeps query durations per instance, nested in overall_stat.
    duration = sum(v.get("queries_duration", {}).get("execute", 0) for v in stat.values()
                   if isinstance(v, dict) and "queries_duration" in v)
    log_level = 0
    for entries in report.get("error_info", {}).values():
        for e in entries.values():
            if any(str(x).startswith("LOG:") for x in e.get("error", []) if x):
                log_level += e["count"]
    return stat["queries_number"], duration, stat["errors_number"], log_level


DURATION_FROM_FILE = {"csv_statement_without_duration.log"}


def durations_written(path):
    with open(path, encoding="utf-8") as f:
        return sum(float(m) for m in re.findall(r"duration: ([0-9.]+) ms", f.read()))


def plan_durations_written(path):
    with open(path, encoding="utf-8") as f:
        return sum(float(m) for m in re.findall(r"duration: ([0-9.]+) ms  plan:", f.read()))


def inputs():
    for name in sorted(os.listdir(os.path.join(FIXTURES, "pgbadger"))):
        if not name.endswith(".md"):
            yield name, os.path.join(FIXTURES, "pgbadger", name), False
    for name in ("clinic.stderr.log", "clinic.csv", "clinic.json"):
        yield name, os.path.join(FIXTURES, "logs", name), True


def main():
    failures = 0
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, plans_counted in inputs():
            report = pgsift(path, os.path.join(tmp, "pgsift.json"))
            ours = report["summary"]
            fmt = ours["inputs"][0]["format"]
            prefix = ours["inputs"][0].get("log_line_prefix", "")
            q, dur, err, log_level = pgbadger(path, fmt, prefix, os.path.join(tmp, "pgbadger.json"))
            problems = []
            if ours["lines_in_records"] + ours["lines_skipped"] != ours["lines_total"]:
                problems.append("lines do not add up")
            bad_skips = set(ours["inputs"][0]["skipped_by_reason"]) - ALLOWED_SKIPS
            if bad_skips:
                problems.append(f"unexplained skips {bad_skips}")
            calls, ms = ours["calls"], ours["total_duration_ms"]
            if plans_counted:
                plans = sum(x["plans"] for x in report["queries"])
                if plans == 0:
                    problems.append("the clinic fixture should hold auto_explain plans")
                calls += plans
                ms += plan_durations_written(path)
            if calls != q:
                problems.append(f"calls {calls} != pgBadger {q}")
            if name in DURATION_FROM_FILE:
                dur = durations_written(path)
            if abs(ms - dur) > max(0.01, 1e-9 * dur):
                problems.append(f"duration {ms} != pgBadger {dur}")
            if ours["errors"] != err - log_level:
                problems.append(f"errors {ours['errors']} != pgBadger {err} - {log_level} LOG-level events")
            checked += 1
            status = "ok" if not problems else "FAIL " + "; ".join(problems)
            print(f"{name:38} {fmt:6} calls={ours['calls']:<6} ms={ours['total_duration_ms']:<12} "
                  f"errors={ours['errors']} pgbadger: calls={q} ms={dur} errors={err}-{log_level}  {status}")
            failures += bool(problems)
    print(f"{checked - failures} passed, {failures} failed")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())

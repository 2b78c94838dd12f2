#!/usr/bin/env python3
"""The same server run captured as stderr, csvlog and jsonlog must give the
same aggregates: every summary number and every per-fingerprint figure.

usage: compare_formats.py PGSIFT DIR   (DIR holds clinic.stderr.log, .csv, .json)
"""
import json
import os
import subprocess
import sys
import tempfile

FILES = ["clinic.stderr.log", "clinic.csv", "clinic.json"]
SUMMARY_KEYS = ["calls", "distinct_fingerprints", "total_duration_ms", "errors", "errors_by_sqlstate", "events",
                "temp_files", "temp_bytes", "first_seen", "last_seen", "by_database", "by_user", "by_application"]
# Not compared: records and lines. stderr writes DETAIL and STATEMENT as records
# of their own; csvlog and jsonlog carry them as fields of one record.
QUERY_KEYS = ["fingerprint", "normalized", "calls", "calls_with_duration", "total_ms", "min_ms", "max_ms", "p50_ms",
              "p95_ms", "p99_ms", "errors_by_sqlstate", "prepares", "plans", "temp_files", "by_database", "by_user",
              "by_application", "hourly", "first_seen", "last_seen"]


def analyze(pgsift, path, out):
    subprocess.run([pgsift, "analyze", path, "--json", out, "-q"], check=True)
    with open(out) as f:
        return json.load(f)


def view(report):
    s = report["summary"]
    summary = {k: s[k] for k in SUMMARY_KEYS}
    queries = sorted(({k: q[k] for k in QUERY_KEYS} for q in report["queries"]), key=lambda q: q["fingerprint"])
    return summary, queries, s


def main():
    pgsift, directory = sys.argv[1], sys.argv[2]
    failures = 0
    checks = 0
    with tempfile.TemporaryDirectory() as tmp:
        views = {}
        for name in FILES:
            views[name] = view(analyze(pgsift, os.path.join(directory, name), os.path.join(tmp, name + ".json")))
            s = views[name][2]
            ok = s["lines_in_records"] + s["lines_skipped"] == s["lines_total"] and s["lines_skipped"] == 0
            print(f"{name}: {s['lines_total']} lines, {s['records']} records, {s['calls']} calls, "
                  f"{s['distinct_fingerprints']} fingerprints, {s['total_duration_ms']} ms, skipped {s['lines_skipped']}"
                  f" {'ok' if ok else 'FAIL: lines not all accounted or skipped'}")
            checks += 1
            failures += not ok
            if s["calls"] == 0:
                print(f"FAIL: {name} gave no calls")
                failures += 1
        base = views[FILES[0]]
        for name in FILES[1:]:
            for part, a, b in (("summary", base[0], views[name][0]), ("queries", base[1], views[name][1])):
                checks += 1
                if a != b:
                    failures += 1
                    print(f"FAIL: {part} of {name} differs from {FILES[0]}")
                    if part == "summary":
                        for k in a:
                            if a[k] != b[k]:
                                print(f"  {k}: {a[k]!r} != {b[k]!r}")
                    else:
                        for qa, qb in zip(a, b):
                            if qa != qb:
                                print(f"  {qa['fingerprint']}: " +
                                      ", ".join(f"{k} {qa[k]!r} != {qb[k]!r}" for k in qa if qa[k] != qb.get(k)))
                                break
                else:
                    print(f"{part} of {name} identical to {FILES[0]}")
    print(f"{checks - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

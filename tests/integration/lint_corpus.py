#!/usr/bin/env python3
"""pgsift lint and squawk on the corpus of real up-migrations (fixtures/corpus,
see its ATTRIBUTION.md), each in one invocation over the whole corpus.

Checks: pgsift lints every .sql file of the corpus in one run without an
error (exit 0: a statement PostgreSQL 15's grammar cannot read would be a
syntax error there), and for the classes issue 22 closed, every statement
squawk flags is flagged by pgsift too unless the differences file explains
it (same file format as squawk_differences.txt; an entry that matches
nothing fails). Prints per rule the findings of both tools and both wall
times (start-up included).

usage: lint_corpus.py PGSIFT SQUAWK DIFFERENCES CORPUS_DIR
Exit 77 (skipped) when SQUAWK does not exist outside CI.
"""
import collections
import fnmatch
import json
import os
import re
import subprocess
import sys
import time

# squawk rules whose findings must all be matched (the classes closed for
# issue 22); for the other rules the counts are printed, not compared.
CHECKED = {"require-enum-value-ordering", "disallowed-unique-constraint", "adding-foreign-key-constraint",
           "adding-serial-primary-key-field"}


def timed(cmd):
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return proc, time.monotonic() - start


def main():
    pgsift, squawk, diff_path, corpus = sys.argv[1:]
    status = 0
    files = sorted(os.path.join(r, n) for r, _, names in os.walk(corpus) for n in names if n.endswith(".sql"))
    ours, ours_s = timed([pgsift, "lint", "--format", "json", "--fail-on", "none", corpus])
    if ours.returncode != 0:
        print(f"FAIL: pgsift lint exit {ours.returncode}: {ours.stderr[:2000]}")
        return 1
    report = json.loads(ours.stdout)
    if len(report["files"]) != len(files):
        print(f"FAIL: pgsift linted {len(report['files'])} files of {len(files)}")
        status = 1
    print(f"{len(files)} files; pgsift: {len(report['findings'])} findings in {ours_s:.2f} s")

    if not os.path.exists(squawk):
        print(f"squawk not installed at {squawk} (ci/setup installs it)")
        return 1 if os.environ.get("CI") else (status or 77)
    sq, sq_s = timed([squawk, "--reporter", "json", os.path.join(corpus, "**", "*.sql")])
    sq_findings = json.loads(sq.stdout or "[]")
    print(f"squawk: {len(sq_findings)} findings in {sq_s:.2f} s (pgsift/squawk time: {ours_s / sq_s:.1f}x)")

    aliases = {}
    listing = subprocess.run([pgsift, "lint", "--list-rules"], capture_output=True, text=True, check=True).stdout
    for row in listing.splitlines():
        m = re.match(r"(\S+)\s+\[\w+\]\s+.*\(squawk: ([^)]*)\)$", row)
        if m:
            for a in m.group(2).split():
                aliases[a] = m.group(1)

    ours_count = collections.Counter(f["rule"] for f in report["findings"])
    sq_count = collections.Counter(v["rule_name"] for v in sq_findings)
    rows = {}
    for name, n in sq_count.items():
        rows.setdefault(aliases.get(name, "-"), ["-", 0, 0])
        rows[aliases.get(name, "-")][0] = name
        rows[aliases.get(name, "-")][2] += n
    for rule, n in ours_count.items():
        rows.setdefault(rule, ["-", 0, 0])[1] = n
    print(f"{'pgsift rule':50} {'pgsift':>7} {'squawk':>7}  squawk rule")
    for rule in sorted(rows, key=lambda r: (-max(rows[r][1], rows[r][2]), r)):
        name, a, b = rows[rule]
        print(f"{rule:50} {a:7} {b:7}  {name}")

    differences = []
    for line in open(diff_path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#"):
            glob, rule, reason = [p.strip() for p in line.split("|", 2)]
            differences.append([glob, rule, reason, False])
    spans = collections.defaultdict(list)
    for f in report["findings"]:
        loc = f.get("location", {})
        spans[(os.path.normpath(loc.get("file", "")), f["rule"])].append(
            (loc.get("line", 0), loc.get("end_line", loc.get("line", 0))))
    unexplained = []
    for v in sq_findings:
        if v["rule_name"] not in CHECKED:
            continue
        rule = aliases[v["rule_name"]]
        path = os.path.normpath(v["file"])
        line = v["line"] + 1
        if any(a <= line <= max(a, b) for a, b in spans.get((path, rule), [])):
            continue
        rel = os.path.relpath(path)
        for d in differences:
            if d[1] == rule and fnmatch.fnmatch(rel, d[0]):
                d[3] = True
                break
        else:
            unexplained.append(f"{rel}:{line}: squawk {v['rule_name']} -> {rule}")
    # Lock-timeout coverage (issue 22): where squawk asks for a lock_timeout
    # before CREATE/DROP TRIGGER on an existing table, or before a new table's
    # foreign key to an existing one, pgsift must too.
    texts = {}
    covered = 0
    for v in sq_findings:
        if v["rule_name"] != "require-lock-timeout":
            continue
        path = os.path.normpath(v["file"])
        if path not in texts:
            texts[path] = open(path, encoding="utf-8", errors="replace").read().split("\n")
        lines = texts[path]
        stmt = "\n".join(lines[v["line"]:v.get("line_end", v["line"]) + 1])
        before = "\n".join(lines[:v["line"]])
        created = {m.lower() for m in re.findall(r'CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"?\w+"?\.)?"?(\w+)"?',
                                                before, re.I)}
        trigger = re.match(r'\s*(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER|DROP\s+TRIGGER)\b.*?\bON\s+'
                           r'(?:ONLY\s+)?(?:"?\w+"?\.)?"?(\w+)"?', stmt, re.I | re.S)
        refs = re.findall(r'\bREFERENCES\s+(?:"?\w+"?\.)?"?(\w+)"?', stmt, re.I) \
            if re.match(r"\s*CREATE\s+TABLE", stmt, re.I) else []
        locked = [trigger.group(1)] if trigger else refs
        if not [t for t in locked if t.lower() not in created]:
            continue
        covered += 1
        line = v["line"] + 1
        if any(a <= line <= max(a, b) for a, b in spans.get((path, "migration-require-lock-timeout"), [])):
            continue
        rel = os.path.relpath(path)
        for d in differences:
            if d[1] == "migration-require-lock-timeout" and fnmatch.fnmatch(rel, d[0]):
                d[3] = True
                break
        else:
            unexplained.append(f"{rel}:{line}: squawk require-lock-timeout (trigger or new table's foreign key)")
    print(f"lock-timeout coverage: {covered} squawk findings at a trigger or a new table's foreign key to an "
          "existing table compared")
    for u in unexplained:
        print("NOT FLAGGED BY PGSIFT:", u)
    for d in differences:
        if not d[3]:
            print(f"STALE DIFFERENCE (matched nothing): {d[0]} | {d[1]}")
    return 1 if status or unexplained or any(not d[3] for d in differences) else 0


if __name__ == "__main__":
    sys.exit(main())

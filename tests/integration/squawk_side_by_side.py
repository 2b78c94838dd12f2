#!/usr/bin/env python3
"""Side by side with squawk (npm squawk-cli, its binary ships in the package):
on every migration file of the corpus, each statement squawk flags for a
rule we implement (matched through our rules' squawk aliases) must be
flagged by us for the same rule, unless squawk_differences.txt lists that
(file, rule) with the reason we differ on purpose. An entry that no longer
matches a difference fails too, so the list stays true.

usage: squawk_side_by_side.py PGSIFT SQUAWK DIFFERENCES CORPUS_DIR...
Exit 77 (skipped) when SQUAWK does not exist: run ci/setup to install it.
"""
import fnmatch
import json
import os
import re
import subprocess
import sys


def flags_for(path):
    name = os.path.basename(path)
    m = re.search(r"_pg([0-9]+)_", name)
    # Our fixtures' `_assume-tx`, and Flyway's layout (which pgsift assumes
    # is run in a transaction): squawk is told with --assume-in-transaction.
    tx = "_assume-tx" in name or re.match(r"[VR][0-9]*__", name) is not None
    return (m.group(1) if m else None), tx


def main():
    pgsift, squawk, diff_path, *corpus = sys.argv[1:]
    if not os.path.exists(squawk):
        print(f"squawk not installed at {squawk} (ci/setup installs it)")
        return 1 if os.environ.get("CI") else 77
    differences = []  # (file glob, rule, reason, used)
    for line in open(diff_path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        glob, rule, reason = [p.strip() for p in line.split("|", 2)]
        differences.append([glob, rule, reason, False])

    aliases = {}
    listing = subprocess.run([pgsift, "lint", "--list-rules"], capture_output=True, text=True, check=True).stdout
    for row in listing.splitlines():
        m = re.match(r"(\S+)\s+\[\w+\]\s+.*\(squawk: ([^)]*)\)$", row)
        if m:
            for a in m.group(2).split():
                aliases[a] = m.group(1)

    files = []
    for d in corpus:
        for root, _, names in os.walk(d):
            # Only migrations: the fixtures of migration rules (other rules'
            # .sql fixtures, e.g. index-*, are schemas) and never schema.sql
            # beside them (what --schema reads).
            rel = os.path.relpath(root, d).split(os.sep)
            if os.path.basename(d) == "rules" and not rel[0].startswith("migration-"):
                continue
            files += [os.path.join(root, n) for n in names if n.endswith(".sql") and n != "schema.sql"]
    files.sort()
    checked = missed = explained = ignored_rules = 0
    unexplained = []
    for path in files:
        pg, tx = flags_for(path)
        sq_cmd = [squawk, "--reporter", "json", path]
        pg_cmd = [pgsift, "lint", "--format", "json", "--fail-on", "none", path]
        if pg:
            sq_cmd.insert(1, f"--pg-version={pg}.0")
            pg_cmd += ["--pg-version", pg]
        if tx:
            sq_cmd.insert(1, "--assume-in-transaction")
            pg_cmd.append("--assume-in-transaction")
        sq = subprocess.run(sq_cmd, capture_output=True, text=True)
        try:
            sq_findings = json.loads(sq.stdout or "[]")
        except json.JSONDecodeError:
            print(f"{path}: squawk gave no JSON: {sq.stdout[:200]} {sq.stderr[:200]}")
            return 1
        ours = subprocess.run(pg_cmd, capture_output=True, text=True)
        if ours.returncode == 2:
            print(f"{path}: pgsift failed: {ours.stderr}")
            return 1
        report = json.loads(ours.stdout)
        spans = {}
        for f in report["findings"]:
            loc = f.get("location", {})
            spans.setdefault(f["rule"], []).append((loc.get("line", 0), loc.get("end_line", loc.get("line", 0))))
        for v in sq_findings:
            rule = aliases.get(v["rule_name"])
            if rule is None:
                ignored_rules += 1
                continue
            checked += 1
            line = v["line"] + 1
            if any(a <= line <= max(a, b) for a, b in spans.get(rule, [])):
                continue
            missed += 1
            rel = os.path.relpath(path)
            why = None
            for d in differences:
                if d[1] == rule and fnmatch.fnmatch(rel, d[0]):
                    d[3] = True
                    why = d[2]
                    break
            if why:
                explained += 1
            else:
                unexplained.append(f"{rel}:{line}: squawk {v['rule_name']} -> {rule}: {v['message']}")
    stale = [d for d in differences if not d[3]]
    print(f"{len(files)} files; {checked} squawk findings for rules we implement; "
          f"{checked - missed} flagged by us too; {explained} differ on purpose (listed); "
          f"{ignored_rules} for squawk rules we do not implement")
    for u in unexplained:
        print("NOT FLAGGED BY PGSIFT:", u)
    for d in stale:
        print(f"STALE DIFFERENCE (matched nothing): {d[0]} | {d[1]}")
    return 1 if unexplained or stale else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""trace_peer_differences.txt against check_trace_expected.txt.

Every row that names a golden fixture ("FIXTURE Lline VERDICT", or "FIXTURE
nothing blocking") must agree with the golden: the lock our trace took there
is the row's "pgsift trace" column and the verdict is the row's; a row whose
verdict is "confirmed" must give our lint the traced mode. So when a trace or
a lint prediction changes, the comparison with eugene and pgfence is updated
with it, or this fails. No server needed.
usage: trace_peer_differences.py REPO_ROOT
"""
import os
import re
import sys

here = os.path.join(sys.argv[1], "tests", "integration")
MODES = ["ACCESS EXCLUSIVE", "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
         "SHARE ROW EXCLUSIVE", "SHARE", "EXCLUSIVE", "-", r"\(not traced\)"]
SHORT = {"AE": "ACCESS EXCLUSIVE", "SRE": "SHARE ROW EXCLUSIVE", "SUE": "SHARE UPDATE EXCLUSIVE"}
SEGMENT = re.compile(r"L(\d+) (%s) (\S+)(?: rewrite=\S+)? (confirmed|lint missed|lint too strict|not traced|-)$"
                     % "|".join(MODES))

golden = {}
for line in open(os.path.join(here, "check_trace_expected.txt")):
    fixture, _, rest = line.rstrip("\n").partition(": ")
    golden[fixture] = rest

failures, checked = [], 0
for n, line in enumerate(open(os.path.join(here, "trace_peer_differences.txt")), 1):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    cols = [c.strip() for c in line.split("|")]
    if len(cols) != 7:
        failures.append(f"line {n}: {len(cols)} columns, expected 7: {line}")
        continue
    kind, _, _, lint, trace, ref, _ = cols
    lint, trace = SHORT.get(lint, lint), SHORT.get(trace, trace)
    if ref == "not in the golden" or ref.startswith("fixtures/check_trace/"):
        continue  # the second: traced by check_trace_workload_live.py
    m = re.match(r"(\S+) (?:L(\d+) (.+)|(nothing blocking))$", ref)
    if not m:
        failures.append(f"line {n} ({kind}): cannot read the golden reference {ref!r}")
        continue
    fixture, at, verdict, nothing = m.groups()
    if fixture not in golden:
        failures.append(f"line {n} ({kind}): {fixture} is not in check_trace_expected.txt")
        continue
    checked += 1
    if nothing:
        if golden[fixture] != "nothing blocking" or trace != "-":
            failures.append(f"line {n} ({kind}): the golden has {golden[fixture]!r}, this file says nothing blocks")
        continue
    segments = {}
    for seg in golden[fixture].split("; "):
        s = SEGMENT.match(seg)
        if s:
            segments[s.group(1)] = (s.group(2), s.group(4))
    if at not in segments:
        failures.append(f"line {n} ({kind}): no line {at} in the golden's {fixture}: {golden[fixture]}")
        continue
    mode, got = segments[at]
    if mode != trace or got != verdict:
        failures.append(f"line {n} ({kind}): the golden traced {mode} ({got}) at {fixture} L{at}; "
                        f"this file says {trace} ({verdict})")
    if verdict == "confirmed" and lint != trace:
        failures.append(f"line {n} ({kind}): confirmed, yet our lint column {lint} is not the trace's {trace}")

for f in failures:
    print("FAIL: " + f)
if failures:
    sys.exit(f"{len(failures)} rows of trace_peer_differences.txt disagree with check_trace_expected.txt")
if checked < 20:
    sys.exit(f"only {checked} rows checked against the golden")
print(f"{checked} statement kinds agree with check_trace_expected.txt")

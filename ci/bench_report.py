#!/usr/bin/env python3
"""Report rows of ci/bench: `pgsift report` of two snapshots of ENTRIES
pg_stat_statements entries each (limit 1 s) and `pgsift report --merge` of
PARTIALS partial reports (limit 5 s), each run RUNS times (median, p90, CPU,
peak RSS), beside the limit of issue 23.

The inputs are SCALED BENCHMARK INPUTS made by ci/make_pgss_bench.py from the
real snapshot pair fixtures/pgss/a.json.gz -> b.json.gz, not fixtures.

usage: bench_report.py PGSIFT FROM.json.gz TO.json.gz ENTRIES PARTIALS RUNS OUTDIR
"""
import glob
import os
import subprocess
import sys

from bench_startup import load_line, wall

here = os.path.dirname(os.path.abspath(__file__))


def main():
    pgsift, src_from, src_to, entries, partials, runs, outdir = sys.argv[1:]
    entries, partials, runs = int(entries), int(partials), int(runs)
    inputs = os.path.join(outdir, f"pgss-{entries}-{partials}")
    if not os.path.exists(os.path.join(inputs, ".complete")):
        print(f"ci/bench: scaling {src_from} and {src_to} to {entries} entries, {partials} partials -> {inputs}",
              file=sys.stderr)
        subprocess.run([sys.executable, os.path.join(here, "make_pgss_bench.py"), src_from, src_to, str(entries),
                        inputs, str(partials)], check=True, env=dict(os.environ, PGSIFT=pgsift))
        open(os.path.join(inputs, ".complete"), "w").close()
    rows = []

    def row(name, cmd, limit):
        rss = []
        median, p90, cpu = wall(cmd, runs, rss)
        rows.append((name, median, p90, cpu, rss[0], limit))

    row(f"report 2 x {entries} entries",
        [pgsift, "report", "--from", os.path.join(inputs, "from.json.gz"), "--to", os.path.join(inputs, "to.json.gz"),
         "--format", "json", "-o", os.path.join(outdir, "report.json")], 1.0)
    row(f"fleet merge {partials} partials",
        [pgsift, "report", "--merge", *sorted(glob.glob(os.path.join(inputs, "partials", "*.json"))), "--format",
         "json", "-o", os.path.join(outdir, "fleet.json")], 5.0)

    print(f"Report (median of {runs} runs each, s; scaled inputs from fixtures/pgss/a,b.json.gz):")
    print(f"{'command':30} {'median s':>9} {'p90 s':>8} {'CPU s':>7} {'RSS MB':>7}  {'limit s':>7} {'ratio':>7}")
    for name, median, p90, cpu, rss, limit in rows:
        print(f"{name:30} {median:9.3f} {p90:8.3f} {cpu:7.3f} {rss:7.0f}  {limit:7.2f} {median / limit:6.2f}x")
    print("(ratio = pgsift median / limit: at most 1.00x meets the target; CPU = user + system, median)")
    print(load_line())


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""make_pgss_bench.py - SCALED BENCHMARK INPUT for ci/bench, not a fixture.

usage: ci/make_pgss_bench.py FROM.json.gz TO.json.gz ENTRIES OUTDIR [PARTIALS]

Takes a real pair of `pgsift snapshot` files (fixtures/pgss/a.json.gz and
b.json.gz, captured from a real PostgreSQL 15 by fixtures/pgss/make_snapshots.sh)
and grows each to ENTRIES pg_stat_statements entries by copying its real
entries: copy k of an entry keeps every counter, and gets a queryid and a
fingerprint derived from the real ones and k (the same in both snapshots, so
copy k of a query in FROM matches copy k in TO), and its table names suffixed
with _k (so the texts differ, as 100k distinct queries do). Nothing else is
changed: the server, database, settings, tables and indexes are the real ones.

Writes OUTDIR/from.json.gz and OUTDIR/to.json.gz (gzip level 1).

With PARTIALS and PGSIFT in the environment: also OUTDIR/partials/NNNN.json,
PARTIALS partial reports of a fleet: `PGSIFT report --from FROM --to TO
--partial` of the real pair, once, then copied with the label clinic-NNNN
(one database per copy, the same application everywhere).
"""
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys

TABLE = re.compile(r"\b(FROM|INTO|UPDATE|JOIN)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)


def mix64(value, k):
    h = hashlib.blake2b(f"{value}:{k}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "little")


def scale(snapshot, entries):
    real = snapshot["entries"]
    out = []
    k = 0
    while len(out) < entries:
        for e in real:
            if len(out) >= entries:
                break
            c = dict(e)
            if k > 0:
                c["fingerprint"] = format(mix64(e["fingerprint"], k), "016x")
                q = mix64(e["queryid"], k)
                c["queryid"] = q - (1 << 64) if q >= (1 << 63) else q
                c["query"] = TABLE.sub(lambda m, k=k: f"{m.group(1)} {m.group(2)}_{k}", e["query"])
            out.append(c)
        k += 1
    s = dict(snapshot)
    s["entries"] = out
    return s


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    src_from, src_to, entries, outdir = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    os.makedirs(outdir, exist_ok=True)
    for src, name in ((src_from, "from"), (src_to, "to")):
        with gzip.open(src, "rt") as f:
            snap = json.load(f)
        with gzip.open(os.path.join(outdir, name + ".json.gz"), "wt", compresslevel=1) as f:
            json.dump(scale(snap, entries), f, indent=1)
    if len(sys.argv) == 6:
        partials = int(sys.argv[5])
        pgsift = os.environ["PGSIFT"]
        pdir = os.path.join(outdir, "partials")
        os.makedirs(pdir, exist_ok=True)
        one = os.path.join(pdir, "real.json")
        subprocess.run([pgsift, "report", "--from", src_from, "--to", src_to, "--label", "clinic-0000",
                        "--partial", "-o", one], check=True)
        with open(one) as f:
            text = f.read()
        os.remove(one)
        if text.count('"clinic-0000"') != 1:
            sys.exit("make_pgss_bench.py: the partial report does not name its label exactly once")
        for i in range(partials):
            with open(os.path.join(pdir, f"{i:04d}.json"), "w") as f:
                f.write(text.replace('"clinic-0000"', f'"clinic-{i:04d}"'))


if __name__ == "__main__":
    main()

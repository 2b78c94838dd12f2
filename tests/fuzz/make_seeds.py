#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from the fixtures.

  make_seeds.py REPO OUT

For each tests/fuzz/<name>_fuzz.cpp, reads its `// fuzz-seeds: GLOB MODE`
lines and writes seed files into OUT/<name>/. Modes:
  whole         the file as it is
  chunk         8 KiB pieces cut at line ends
  gunzip-chunk  the same as chunk (a .gz file is decompressed for every mode
                but whole)
  jsonl-query   each line's "query" or "input" (or the JSON string itself)
  plan-json     the auto_explain JSON plans in a stderr log (the {...} body)
  plan-text     the auto_explain text plans in a stderr log (the plan tree)
  prefix-line   "<log_line_prefix>\\n<line>" for the first lines of a log
"""
import glob
import gzip
import hashlib
import json
import os
import re
import sys

repo, out = sys.argv[1], sys.argv[2]
CHUNK = 8 << 10
MAX_SEEDS = 400  # per glob


def chunks(data):
    pos = 0
    while pos < len(data):
        end = min(len(data), pos + CHUNK)
        nl = data.rfind(b"\n", pos, end)
        if end < len(data) and nl > pos:
            end = nl + 1
        yield data[pos:end]
        pos = end


def seeds(path, mode):
    data = open(path, "rb").read()
    if path.endswith(".gz") and mode != "whole":
        data = gzip.decompress(data)
    if mode == "whole":
        yield data
    elif mode == "chunk":
        yield from chunks(data)
    elif mode == "gunzip-chunk":
        yield from chunks(data)
    elif mode == "jsonl-query":
        for line in data.splitlines():
            try:
                v = json.loads(line)
            except ValueError:
                continue
            q = (v.get("query") or v.get("input")) if isinstance(v, dict) else v
            if isinstance(q, str):
                yield q.encode()
    elif mode == "plan-json":
        lines = data.split(b"\n")
        for i, line in enumerate(lines):
            if line.endswith(b"plan:") and i + 1 < len(lines) and lines[i + 1].strip().startswith(b"{"):
                body = []
                for follow in lines[i + 1:]:
                    if not follow.startswith(b"\t"):
                        break
                    body.append(follow[1:])
                yield b"\n".join(body)
    elif mode == "plan-text":
        # the body of each auto_explain text plan: the lines after "Query Text:" from the first with figures
        lines = data.split(b"\n")
        for i, line in enumerate(lines):
            if line.endswith(b"plan:") and i + 1 < len(lines) and lines[i + 1].startswith(b"\tQuery Text:"):
                body = []
                for follow in lines[i + 2:]:
                    if not follow.startswith(b"\t"):
                        break
                    body.append(follow[1:])
                while body and b"(cost=" not in body[0] and b"(actual " not in body[0]:
                    body.pop(0)
                if body:
                    yield b"\n".join(body)
    elif mode == "prefix-line":
        prefixes = [b"%m [%p] %q%u@%d app=%a client=%h session=%c line=%l xid=%x state=%e ", b"%m [%p] ",
                    b"%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ", b"%t:%r:%u@%d:[%p]:"]
        for line in data.split(b"\n")[:40]:
            for p in prefixes:
                yield p + b"\n" + line
    else:
        raise SystemExit(f"unknown seed mode {mode}")


total = 0
for src in sorted(glob.glob(os.path.join(repo, "tests", "fuzz", "*_fuzz.cpp"))):
    name = os.path.basename(src)[:-4]
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    n = 0
    for m in re.finditer(r"^// fuzz-seeds: (\S+) (\S+)$", open(src).read(), re.M):
        k = 0
        for path in sorted(glob.glob(os.path.join(repo, m.group(1)))):
            for seed in seeds(path, m.group(2)):
                if k >= MAX_SEEDS:
                    break
                h = hashlib.sha1(seed).hexdigest()
                open(os.path.join(d, h), "wb").write(seed)
                k += 1
        n += k
    if n == 0:
        raise SystemExit(f"{name}: no seeds (add // fuzz-seeds: lines)")
    total += n
    print(f"{name}: {n} seeds")
print(f"{total} seeds")

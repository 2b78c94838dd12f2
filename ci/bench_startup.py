#!/usr/bin/env python3
"""Start-up and migration-lint rows of ci/bench: each command is run RUNS
times (posix_spawn, output to /dev/null, page cache warm) and its median
wall time is printed beside the limit or the peer in the same run:

  start-up   pgsift --version, pgsift lint FILE   vs  /bin/true (exec floor), squawk FILE
  lint       pgsift lint CORPUS (one invocation)  vs  squawk 'CORPUS/**/*.sql'

usage: bench_startup.py PGSIFT SQUAWK CORPUS_DIR STARTUP_RUNS LINT_RUNS
SQUAWK may be missing: its rows then say so.
"""
import os
import statistics
import sys
import time


def wall(cmd, runs, rss=None):
    """Median and 90th percentile wall seconds, and median CPU seconds (user +
    system), of `runs` runs of cmd; with a list `rss`, appends the largest
    peak RSS of the runs (MB)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    times, cpus, peak = [], [], 0.0
    for _ in range(runs + 1):  # the first run warms the page cache, not counted
        start = time.perf_counter()
        pid = os.posix_spawn(cmd[0], cmd, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        times.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            sys.exit(f"bench_startup: {' '.join(cmd)} exited {code}")
        peak = max(peak, usage.ru_maxrss / 1024)
    os.close(devnull)
    if rss is not None:
        rss.append(peak)
    times = sorted(times[1:])
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.9))], statistics.median(cpus[1:])


def load_line():
    """The machine's load average, printed under each table of ci/bench."""
    load = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else ["?"]
    return f"(load average during the run: {' '.join(load)}, {os.cpu_count()} cores)"


def main():
    pgsift, squawk, corpus, startup_runs, lint_runs = sys.argv[1:]
    startup_runs, lint_runs = int(startup_runs), int(lint_runs)
    files = sorted(os.path.join(r, n) for r, _, names in os.walk(corpus) for n in names if n.endswith(".sql"))
    one = files[0]
    have_squawk = os.access(squawk, os.X_OK)
    true = "/bin/true"

    rows = []

    def row(name, cmd, runs, peer_name, peer_cmd, unit):
        scale = 1000 if unit == "ms" else 1
        median, p90, cpu = wall(cmd, runs)
        if peer_cmd is None:
            rows.append((name, cpu * scale, median * scale, p90 * scale, peer_name, None, None, None))
            return
        peer_median, _, peer_cpu = wall(peer_cmd, runs)
        rows.append((name, cpu * scale, median * scale, p90 * scale, peer_name, peer_median * scale, peer_cpu * scale,
                     median / peer_median))

    row("pgsift --version", [pgsift, "--version"], startup_runs, "/bin/true", [true], "ms")
    row("pgsift lint 1 file", [pgsift, "lint", "--fail-on", "none", one], startup_runs,
        "squawk 1 file" if have_squawk else "squawk missing", [squawk, one] if have_squawk else None, "ms")
    start_rows = rows
    rows = []
    row(f"pgsift lint {len(files)} files", [pgsift, "lint", "--format", "json", "--fail-on", "none", corpus],
        lint_runs, "squawk" if have_squawk else "squawk missing",
        [squawk, "--reporter", "json", os.path.join(corpus, "**", "*.sql")] if have_squawk else None, "s")

    print(f"Start-up (median of {startup_runs} runs each, ms; one file: {os.path.relpath(one)}):")
    print(f"{'command':22} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>7}  {'limit/peer':16} {'median ms':>10} "
          f"{'CPU ms':>7} {'ratio':>7}")
    for name, cpu, med, p90, peer, peer_med, peer_cpu, ratio in start_rows:
        peer_s = "-" if peer_med is None else f"{peer_med:.2f}"
        peer_c = "-" if peer_cpu is None else f"{peer_cpu:.2f}"
        ratio_s = "-" if ratio is None else f"{ratio:.1f}x"
        print(f"{name:22} {med:10.2f} {p90:8.2f} {cpu:7.2f}  {peer:16} {peer_s:>10} {peer_c:>7} {ratio_s:>7}")
    print("(ratio = pgsift median / limit or peer median; /bin/true is the cost of exec alone;"
          " CPU = user + system, median)")
    print()
    print(f"Migration lint on {os.path.relpath(corpus)}, one invocation each (median of {lint_runs} runs, s):")
    print(f"{'command':22} {'median s':>10} {'p90 s':>8} {'CPU s':>7}  {'peer':16} {'median s':>10} {'CPU s':>7} "
          f"{'ratio':>7}")
    for name, cpu, med, p90, peer, peer_med, peer_cpu, ratio in rows:
        peer_s = "-" if peer_med is None else f"{peer_med:.3f}"
        peer_c = "-" if peer_cpu is None else f"{peer_cpu:.3f}"
        ratio_s = "-" if ratio is None else f"{ratio:.2f}x"
        print(f"{name:22} {med:10.3f} {p90:8.3f} {cpu:7.3f}  {peer:16} {peer_s:>10} {peer_c:>7} {ratio_s:>7}")
    print("(ratio = pgsift time / squawk time: below 1.00x pgsift is faster)")
    print(load_line())


if __name__ == "__main__":
    main()

"""Shared by the Python checks of the live tests: failures are collected and
printed as they come; psql runs as postgres (or a role) and raises
subprocess.CalledProcessError with the server's message on an error."""
import subprocess

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def psql(db, *cmds, user="postgres", file=None):
    args = ["psql", "-XqAt", "-v", "ON_ERROR_STOP=1", "-U", user, "-d", db]
    for c in cmds:
        args += ["-c", c]
    if file:
        args += ["-f", file]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise subprocess.CalledProcessError(r.returncode, args, r.stdout, r.stderr)
    return r.stdout

#!/usr/bin/env python3
"""CLI test (tests/cli/csv.cmake): `-` as MODEL reads the model from stdin, with the same
output as the file itself; a file that does not parse, on stdin, is named `<stdin>`.
Usage: check_stdin.py CLI MODEL TRUNCATED_MODEL
"""
import subprocess
import sys

cli, model, bad = sys.argv[1:4]
for args in (["validate"], ["analyze", "--format", "json"], ["structure", "--format", "csv"]):
    by_file = subprocess.run([cli, args[0], model] + args[1:], capture_output=True, text=True)
    with open(model, "rb") as f:
        by_stdin = subprocess.run([cli, args[0], "-"] + args[1:], stdin=f, capture_output=True)
    expected = by_file.stdout.replace(model, "-") if args[0] == "validate" else by_file.stdout
    if by_file.returncode != 0 or by_stdin.returncode != 0 or by_stdin.stdout.decode() != expected:
        print(f"FAIL: {' '.join(args)}: file exit {by_file.returncode}, stdin exit {by_stdin.returncode}\n"
              f"{by_stdin.stderr.decode()}")
        sys.exit(1)
with open(bad, "rb") as f:
    run = subprocess.run([cli, "validate", "-"], stdin=f, capture_output=True, text=True)
if run.returncode != 1 or run.stdout or "<stdin>" not in run.stderr:
    print(f"FAIL: a bad model on stdin: exit {run.returncode}, stderr {run.stderr!r}")
    sys.exit(1)
print("stdin: ok")

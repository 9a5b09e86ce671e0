#!/usr/bin/env python3
"""CLI test (tests/cli/csv.cmake): a file the CLI writes gets the usual mode, 666 less the
umask (0644 under umask 022), not the 600 of a temporary file.
Usage: check_file_mode.py FILE COMMAND... (FILE is removed first, then must exist)
"""
import os
import subprocess
import sys

target, command = sys.argv[1], sys.argv[2:]
os.umask(0o022)
if os.path.exists(target):
    os.remove(target)
run = subprocess.run(command, capture_output=True, text=True)
if run.returncode != 0 or not os.path.exists(target):
    print(f"FAIL: exit {run.returncode}, {target} {'exists' if os.path.exists(target) else 'missing'}: {run.stderr}")
    sys.exit(1)
mode = os.stat(target).st_mode & 0o777
os.remove(target)
if mode != 0o644:
    print(f"FAIL: {target} has mode {oct(mode)}, expected 0o644 under umask 022")
    sys.exit(1)
print(f"{target}: mode 0644")

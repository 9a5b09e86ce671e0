#!/usr/bin/env python3
"""CLI test of tidy CSV (tests/cli/csv.cmake): every table of a report, written by
`--format csv --output-dir DIR`, loads with Python's csv module into rows under exactly one
header line of plain, unique column names that hold no customer id (tidy: a customer is a
value in a `customer` column, not a column); `--table NAME` prints the same table; files get
the usual permissions (0644 under umask 022).
Usage: check_csv.py CLI WORKDIR SUBCOMMAND MODEL [ARGS...]
"""
import csv
import io
import os
import re
import shutil
import subprocess
import sys

PLAIN = re.compile(r"^[a-z0-9_\u0080-\U0010ffff]+$")


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def main():
    cli, workdir, sub, model, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
    os.umask(0o022)
    shutil.rmtree(workdir, ignore_errors=True)
    out_dir = os.path.join(workdir, "tables")
    run = subprocess.run([cli, sub, model, "--format", "csv", "--output-dir", out_dir] + extra,
                         capture_output=True, text=True)
    if run.returncode != 0:
        fail(f"--output-dir: exit {run.returncode}: {run.stderr}")
    import json
    with open(model, encoding="utf-8") as f:
        customers = [u["id"] for u in json.load(f).get("units", []) if u.get("external")]
    listed = run.stdout.split()
    files = sorted(os.listdir(out_dir))
    if not files or sorted(os.path.basename(f) for f in listed) != files:
        fail(f"stdout lists {listed}, the directory holds {files}")
    for name in files:
        path = os.path.join(out_dir, name)
        mode = os.stat(path).st_mode & 0o777
        if mode != 0o644:
            fail(f"{name}: mode {oct(mode)}, expected 0o644 under umask 022")
        text = open(path, encoding="utf-8", newline="").read()
        rows = list(csv.reader(io.StringIO(text, newline="")))
        if not rows:
            fail(f"{name}: empty, not even a header line")
        header = rows[0]
        for col in header:
            if not PLAIN.match(col):
                fail(f"{name}: column name {col!r} is not plain (lower-case letters, digits, _)")
        for col in header:
            for cid in customers:
                if len(cid) >= 4 and cid.lower() in col:
                    fail(f"{name}: column {col!r} names the customer {cid!r}; a customer belongs in a row")
        if len(set(header)) != len(header):
            fail(f"{name}: duplicate column names {header}")
        for k, row in enumerate(rows[1:], 2):
            if len(row) != len(header):
                fail(f"{name}: line {k} has {len(row)} fields, the header {len(header)}")
            if row == header or (row and row[0].startswith("#")):
                fail(f"{name}: line {k} is a second header or a section line: {row}")
        table = name[:-len(".csv")]
        one = subprocess.run([cli, sub, model, "--format", "csv", "--table", table] + extra,
                             capture_output=True, text=True)
        if one.returncode != 0 or one.stdout != text:
            fail(f"--table {table}: exit {one.returncode}, output differs from {name}: {one.stderr}")
        print(f"{sub} {os.path.basename(model)}: {name}: {len(header)} columns, {len(rows) - 1} rows")
    bad = subprocess.run([cli, sub, model, "--format", "csv", "--table", "no_such_table"] + extra,
                         capture_output=True, text=True)
    if bad.returncode != 2 or bad.stdout or "no_such_table" not in bad.stderr:
        fail(f"--table no_such_table: exit {bad.returncode} (expected 2, named, nothing on stdout)")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

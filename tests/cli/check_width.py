#!/usr/bin/env python3
"""CLI test (tests/cli/csv.cmake): with COLUMNS=N, every table of the text report is at
most N characters wide, and no cell is lost: the words of the report are the same as
with a wide terminal. Without COLUMNS and with stdout not a terminal nothing changes.
Usage: check_width.py CLI WIDTH SUBCOMMAND MODEL [ARGS...]
"""
import os
import subprocess
import sys


def run(cli, args, columns):
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    r = subprocess.run([cli] + args, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        print(f"FAIL: {' '.join(args)} (COLUMNS={columns}): exit {r.returncode}: {r.stderr}")
        sys.exit(1)
    return r.stdout


def table_lines(text):
    """Lines of tables: a header, a rule of '-' under it, rows up to an empty line."""
    lines, out = text.split("\n"), []
    for i in range(len(lines) - 1):
        if lines[i] and len(lines[i + 1]) >= 3 and set(lines[i + 1]) == {"-"}:
            out.append(lines[i])
            j = i + 2
            while j < len(lines) and lines[j] and len(lines[j]) <= len(lines[i + 1]):
                out.append(lines[j])
                j += 1
    return out


def words(text):
    return {w for line in text.split("\n") if not (line and set(line) == {"-"}) for w in line.split()}


def main():
    cli, width, sub, model, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
    args = [sub, model] + extra
    plain = run(cli, args, None)
    wide = run(cli, args, 100000)
    narrow = run(cli, args, width)
    if wide != plain:
        print("FAIL: a very wide COLUMNS changed the output")
        sys.exit(1)
    too_wide = [l for l in table_lines(narrow) if len(l) > width]
    if too_wide:
        print(f"FAIL: {len(too_wide)} table lines wider than {width}, e.g.\n{too_wide[0]}")
        sys.exit(1)
    if words(narrow) != words(plain):
        print(f"FAIL: words lost or added: {sorted(words(plain) ^ words(narrow))[:10]}")
        sys.exit(1)
    widest = max((len(l) for l in table_lines(plain)), default=0)
    print(f"{sub} {os.path.basename(model)}: tables up to {widest} wide, folded to <= {width}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""ctest repository.self_contained: no file of the repository refers to a path outside it.

Scans every file `git ls-files` lists (or, outside a git checkout, every file under the
root except build trees) and reports:
  * absolute paths of a machine: /work/..., /home/<user>/..., /root/..., /Users/..., C:\\Users\\...
  * `../shared` and relative paths (`../x`, `../../x`) that climb above the repository
    root from the file's own folder;
  * in Markdown, relative links `[text](path)` whose target does not exist in the
    repository (a document must not cite a file the repository does not have);
  * anywhere, a repository path (`docs/x.md`, `tests/data/y.json`, …) that exists neither
    from the root nor from the file's folder, and a document named in capitals
    (`DESIGN.md`) that no file of the repository is called.
Usage: self_contained.py REPO_ROOT
"""
import os
import re
import subprocess
import sys

ABSOLUTE = re.compile(r"(?<![\w.])(/work/|/home/[A-Za-z0-9_.-]+|/root/|/Users/[A-Za-z0-9_.-]+|[A-Za-z]:\\Users\\)")
RELATIVE = re.compile(r"(?<![\w./-])((?:\.\./)+)([\w.-]*)")
MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
SKIP_DIRS = {".git", "build", "node_modules"}
REPO_PATH = re.compile(r"(?<![\w./-])((?:docs|examples|tests|src|include|scripts|benchmarks|cmake)/[\w./-]*\w\.[A-Za-z]{1,4}"
                       r"|[A-Z][A-Z_]+\.md)\b")


def repository_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True, capture_output=True).stdout
        files = [f for f in out.decode("utf-8", "replace").split("\0") if f]
        if files:
            return files
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for d, dirs, names in os.walk(root):
        dirs[:] = [x for x in dirs if x not in SKIP_DIRS and not x.startswith("build")]
        files += [os.path.relpath(os.path.join(d, n), root) for n in names]
    return files


def main():
    root = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else ".")
    me = os.path.relpath(os.path.realpath(__file__), root)
    problems = []
    files = repository_files(root)
    basenames = {os.path.basename(f) for f in files}
    for rel in files:
        if rel == me:
            continue  # its own patterns
        path = os.path.join(root, rel)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        if b"\0" in data[:8192]:
            continue  # binary
        text = data.decode("utf-8", "replace")
        folder = os.path.dirname(path)
        for n, line in enumerate(text.splitlines(), 1):
            for m in ABSOLUTE.finditer(line):
                problems.append(f"{rel}:{n}: absolute path outside the repository: {m.group(0)!r}")
            for m in RELATIVE.finditer(line):
                target = os.path.normpath(os.path.join(folder, m.group(1) + m.group(2)))
                if os.path.commonpath([root, target]) != root:
                    problems.append(f"{rel}:{n}: relative path climbs out of the repository: {m.group(0)!r}")
            for m in REPO_PATH.finditer(line):
                name = m.group(1)
                if "*" in line[m.start():m.end() + 1]:
                    continue  # a pattern, not a file
                if "/" not in name:
                    if name not in basenames:
                        problems.append(f"{rel}:{n}: names a document the repository does not have: {name}")
                elif not (os.path.exists(os.path.join(root, name)) or os.path.exists(os.path.join(folder, name))):
                    problems.append(f"{rel}:{n}: names a file the repository does not have: {name}")
            if rel.endswith(".md"):
                for m in MD_LINK.finditer(line):
                    link = m.group(1).split("#", 1)[0]
                    if not link or re.match(r"^[a-z][a-z0-9+.-]*:", link):
                        continue  # an anchor, a URL or mailto:
                    target = os.path.normpath(os.path.join(folder, link))
                    if os.path.commonpath([root, target]) != root:
                        problems.append(f"{rel}:{n}: link leaves the repository: {link}")
                    elif not os.path.exists(target):
                        problems.append(f"{rel}:{n}: link to a file that is not in the repository: {link}")
    for p in problems:
        print(p)
    print(f"self_contained: {len(files)} files checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

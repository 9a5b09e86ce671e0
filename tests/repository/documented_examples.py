#!/usr/bin/env python3
"""ctest repository.documented_examples: the documents agree with the code.

  * every ```json block of docs/*.md and README.md parses as JSON, and every one that is a
    model (an object with "units") passes `servicechain validate`;
  * every key listed in docs/metrics.md §11 (the keys of `servicechain analyze --format
    json`) appears in the output for some bundled open model, at the level the table
    gives (top level, units[], customers[], links[]), and every key of that output is
    listed there;
  * the same both ways for the keys of a model with closed classes (the table of
    "`analyze` on a model with closed classes"; keys common with open models may be
    listed in §11 instead) against `analyze --format json` of the bundled closed models;
  * the top-level keys in docs/structure.md's "JSON report" table are exactly those of
    `servicechain structure --format json` on the bundled open models;
  * README's command list (the ``` block of "## Command-line tool") has one line per
    subcommand of `servicechain --help`, and each line names exactly the options of that
    subcommand's `--help` (a short alias such as `-o` stands for its long option).
Usage: documented_examples.py REPO_ROOT SERVICECHAIN_CLI
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

# The bundled open models, and a test model with working hours and a demand profile (the
# keys that only a time-varying model has).
OPEN_MODELS = ["examples/models/retail_bank.json", "examples/models/hospital.json",
               "examples/models/software_company.json", "examples/models/branch.json",
               "tests/cli/data/office_hours.json"]


def json_blocks(root, problems, cli):
    docs = sorted(glob.glob(os.path.join(root, "docs", "*.md"))) + [os.path.join(root, "README.md")]
    models = 0
    for doc in docs:
        text = open(doc, encoding="utf-8").read()
        for m in re.finditer(r"```json\n(.*?)```", text, re.S):
            where = f"{os.path.relpath(doc, root)}:{text[:m.start()].count(chr(10)) + 1}"
            try:
                value = json.loads(m.group(1))
            except ValueError as e:
                problems.append(f"{where}: JSON block does not parse: {e}")
                continue
            if isinstance(value, dict) and "units" in value:
                models += 1
                with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                    f.write(m.group(1))
                try:
                    run = subprocess.run([cli, "validate", f.name], capture_output=True, text=True)
                finally:
                    os.unlink(f.name)
                if run.returncode != 0:
                    problems.append(f"{where}: example model fails `servicechain validate`: {run.stderr.strip()}")
    return models


def documented_keys(root):
    """{level: {key: optional}} from docs/metrics.md §11; level '' is the top level."""
    text = open(os.path.join(root, "docs", "metrics.md"), encoding="utf-8").read()
    start = text.index("## 11. JSON keys of `servicechain analyze --format json`")
    end = min(i for i in (text.find("\n## ", start + 1), text.find("\n### ", start + 1)) if i >= 0)
    keys, level = {}, None
    for line in text[start:end].splitlines():
        if line.startswith("Top level"):
            level = ""
        m = re.match(r"^`(\w+)\[\]`", line)
        if m:
            level = m.group(1)
        if level is None or not line.startswith("| `"):
            continue
        first = line.split("|")[1]
        optional = "only if" in line
        for key in re.findall(r"`(\w+)`", first):
            keys.setdefault(level, {})[key] = optional
    return keys


def analyze_keys(root, cli, problems):
    seen = {"": set(), "units": set(), "customers": set(), "links": set()}
    for model in OPEN_MODELS:
        path = os.path.join(root, model)
        run = subprocess.run([cli, "analyze", path, "--format", "json"], capture_output=True, text=True)
        if run.returncode != 0:
            problems.append(f"analyze {model} --format json: exit {run.returncode}: {run.stderr.strip()}")
            continue
        out = json.loads(run.stdout)
        seen[""].update(out.keys())
        for level in ("units", "customers", "links"):
            for row in out.get(level, []):
                seen[level].update(row.keys())
    return seen


CLOSED_MODELS = ["examples/models/claims_office.json", "tests/cli/data/closed_two_units.json"]


def closed_keys(root, cli, problems, open_keys):
    text = open(os.path.join(root, "docs", "metrics.md"), encoding="utf-8").read()
    start = text.index("### `analyze` on a model with closed classes")
    end = text.find("\n## ", start + 1)
    documented = {"": set(), "units": set(), "customers": set(), "links": set()}
    for line in text[start:end if end >= 0 else len(text)].splitlines():
        if not line.startswith("| `"):
            continue
        level = ""
        for token in re.findall(r"`([\w\[\].]+)`", line.split("|")[1]):
            m = re.match(r"^(\w+)\[\]\.(\w+)$", token)
            if m:
                level, token = m.group(1), m.group(2)
            documented.setdefault(level, set()).add(token)
    seen = {"": set(), "units": set(), "customers": set(), "links": set()}
    for model in CLOSED_MODELS:
        run = subprocess.run([cli, "analyze", os.path.join(root, model), "--format", "json"],
                             capture_output=True, text=True)
        if run.returncode != 0:
            problems.append(f"analyze {model} --format json: exit {run.returncode}: {run.stderr.strip()}")
            continue
        out = json.loads(run.stdout)
        seen[""].update(out.keys())
        for level in ("units", "customers", "links"):
            for row in out.get(level, []):
                seen[level].update(row.keys())
    for level, keys in documented.items():
        name = f"{level}[]" if level else "top level"
        for key in sorted(keys - seen.get(level, set())):
            problems.append(f"docs/metrics.md (closed classes) lists `{key}` ({name}), which no bundled closed "
                            f"model's `analyze --format json` has")
        for key in sorted(seen.get(level, set()) - keys - set(open_keys.get(level, {}))):
            problems.append(f"`analyze --format json` of a closed model writes `{key}` ({name}), "
                            f"listed in docs/metrics.md neither for closed nor for open models")
    return sum(len(k) for k in documented.values())


def structure_keys(root, cli, problems):
    text = open(os.path.join(root, "docs", "structure.md"), encoding="utf-8").read()
    start = text.index("## JSON report (`servicechain structure --format json`)")
    end = text.find("\n## ", start + 1)
    documented = set()
    for line in text[start:end if end >= 0 else len(text)].splitlines():
        if line.startswith("| `"):
            documented.update(re.findall(r"`(\w+)`", line.split("|")[1]))
    seen = set()
    for model in OPEN_MODELS:
        path = os.path.join(root, model)
        run = subprocess.run([cli, "structure", path, "--format", "json"], capture_output=True, text=True)
        if run.returncode != 0:
            problems.append(f"structure {model} --format json: exit {run.returncode}: {run.stderr.strip()}")
            continue
        seen.update(json.loads(run.stdout).keys())
    for key in sorted(documented - seen):
        problems.append(f"docs/structure.md lists `{key}`, which no bundled model's `structure --format json` has")
    for key in sorted(seen - documented):
        problems.append(f"`structure --format json` writes `{key}`, not listed in docs/structure.md")
    return len(documented)


def option_groups(cli, sub):
    """Aliases of each option of `servicechain SUB --help` but --help, e.g. {"-o", "--output"}."""
    text = subprocess.run([cli, sub, "--help"], capture_output=True, text=True).stdout
    groups = []
    for line in text.splitlines():
        m = re.match(r"^  (-[\w-]+(?:,-[\w-]+)*)", line)
        if m:
            names = set(m.group(1).split(","))
            if "--help" not in names:
                groups.append(names)
    return groups


def readme_commands(root, cli, problems):
    text = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    start = text.index("## Command-line tool")
    block = re.search(r"```\n(.*?)```", text[start:], re.S).group(1)
    lines = {}
    for line in block.splitlines():
        m = re.match(r"^servicechain ([a-z]+) ", line)
        if m:
            lines[m.group(1)] = line
    top = subprocess.run([cli, "--help"], capture_output=True, text=True).stdout
    subs = re.findall(r"^  ([a-z]+)  ", top.split("Subcommands:", 1)[1], re.M) if "Subcommands:" in top else []
    if not subs:
        problems.append("`servicechain --help` lists no subcommands")
    for sub in subs:
        if sub not in lines:
            problems.append(f"README.md: the command list has no line for `servicechain {sub}`")
            continue
        written = set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", lines[sub].split(" ", 2)[2]))
        groups = option_groups(cli, sub)
        for names in groups:
            if not names & written:
                problems.append(f"README.md: `servicechain {sub}` line lacks {'/'.join(sorted(names))}")
        known = set().union(*groups) if groups else set()
        for name in sorted(written - known):
            problems.append(f"README.md: `servicechain {sub}` line names {name}, which `{sub} --help` does not have")
    for sub in sorted(set(lines) - set(subs)):
        problems.append(f"README.md: the command list has `servicechain {sub}`, which is no subcommand")
    return len(subs)


def main():
    root, cli = os.path.realpath(sys.argv[1]), sys.argv[2]
    problems = []
    models = json_blocks(root, problems, cli)
    keys = documented_keys(root)
    seen = analyze_keys(root, cli, problems)
    commands = readme_commands(root, cli, problems)
    structure = structure_keys(root, cli, problems)
    closed = closed_keys(root, cli, problems, keys)
    for level, table in keys.items():
        name = f"{level}[]" if level else "top level"
        for key, optional in table.items():
            if not optional and key not in seen.get(level, set()):
                problems.append(f"docs/metrics.md §11 lists `{key}` ({name}) but no bundled model's "
                                f"`analyze --format json` has it")
        for key in sorted(seen.get(level, set()) - set(table)):
            problems.append(f"`analyze --format json` writes `{key}` ({name}), not listed in docs/metrics.md §11")
    for p in problems:
        print(p)
    print(f"documented_examples: {models} example models, "
          f"{sum(len(t) for t in keys.values())} documented analyze keys, {closed} closed-model keys, {structure} structure keys, {commands} commands, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

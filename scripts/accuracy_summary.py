#!/usr/bin/env python3
"""Summarizes `servicechain check --format json` outputs as the Markdown tables of docs/accuracy.md.

    servicechain check examples/models/hospital.json --format json > hospital.json
    python3 scripts/accuracy_summary.py [--top N] hospital.json [more.json ...]

Per file: figures compared and outside their interval; per method (the station formula, or
the mean-value analysis), the figures it computes, how many fall outside, and the relative
errors (analytic - simulated mean) / |simulated mean| of the waits and of every figure;
then the figures outside their interval, largest error first (the first N with --top N).
"""
import json
import statistics
import sys


def pct(x):
    return "-" if x is None else f"{100 * x:+.1f}%"


def summarize(path, top=None):
    with open(path) as f:
        d = json.load(f)
    s, run = d["summary"], d["simulation"]
    print(f"### {d['model']} ({d['analysis']} analysis)\n")
    print(f"{run['replications']} replications of {run['horizon']:g} {d['time_unit']} (warm-up {run['warmup']:g}), "
          f"seed {run['seed']}, {100 * run['confidence']:g}% intervals, {run['events']:,} events: "
          f"{s['compared']} figures, {s['outside']} outside their interval.\n")
    for w in d["warnings"]:
        print(f"> {w}\n")
    by_method = {}
    for fig in d["figures"]:
        by_method.setdefault((fig["method"], fig["exact"]), []).append(fig)
    print("| method | exact (claimed) | figures | outside | waits: largest error | waits: median error | all: largest error |")
    print("|---|---|---|---|---|---|---|")
    for (method, exact), figs in sorted(by_method.items(), key=lambda kv: -len(kv[1])):
        waits = [f["relative_error"] for f in figs if f["kpi"] == "wait" and f["relative_error"] is not None]
        every = [f["relative_error"] for f in figs if f["relative_error"] is not None]
        largest = lambda xs: max(xs, key=abs) if xs else None
        median = statistics.median([abs(x) for x in waits]) if waits else None
        outside = sum(1 for f in figs if not f["inside"])
        print(f"| {method} | {'yes' if exact else 'no'} | {len(figs)} | {outside} | {pct(largest(waits))} | "
              f"{'-' if median is None else f'{100 * median:.1f}%'} | {pct(largest(every))} |")
    out = [f for f in d["figures"] if not f["inside"]]
    if out and top != 0:
        out.sort(key=lambda f: -abs(f["relative_error"] or 0))
        shown = out if top is None else out[:top]
        more = f" (the {len(shown)} largest errors of {len(out)})" if len(shown) < len(out) else ""
        print(f"\nOutside their interval{more}:\n")
        print("| figure | analytic | simulated (mean ± half-width) | error | method |")
        print("|---|---|---|---|---|")
        for f in shown:
            name = f"{f['scope']} `{f['id']}` {f['kpi']}" + (f" `{f['unit']}`" if "unit" in f else "")
            sim = f["simulated"]
            print(f"| {name} | {f['analytic']:.4g} | {sim['mean']:.4g} ± {sim['half_width']:.2g} | "
                  f"{pct(f['relative_error'])} | {f['method'].split(';')[0]} |")
    print()


if __name__ == "__main__":
    args, top = sys.argv[1:], None
    if len(args) >= 2 and args[0] == "--top":
        top, args = int(args[1]), args[2:]
    for p in args:
        summarize(p, top)

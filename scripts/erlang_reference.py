#!/usr/bin/env python3
"""High-precision reference values of Erlang B and Erlang C for the queueing tests.

Writes tests/data/erlang_reference.json (or the path given as the first argument).

The values come from the closed-form sums, evaluated with mpmath at 50 significant
digits, independently of the recursion the library uses:

    B(c, a) = (a^c / c!) / sum_{k=0..c} a^k / k!
    C(c, a) = (a^c / c! * c / (c - a)) / (sum_{k=0..c-1} a^k / k! + a^c / c! * c / (c - a))

(Gross & Harris, Fundamentals of Queueing Theory, ch. 2: M/M/c/c and M/M/c.)
All terms are positive, so the sums have no cancellation; 50 digits leave more than
35 digits of margin over the 1e-9 tolerance of the tests.

The offered load of each case is first formed in IEEE double arithmetic
(a = c * rho, with rho = 1 - 1e-9 also a double) and then converted to mpmath
*exactly*: the reference is the exact Erlang function of the double the test passes,
so the test measures the library's error alone, not the rounding of rho. The JSON
stores that double with 17 significant digits, which round-trips exactly.

A value below the smallest normal double (2.2250738585072014e-308) cannot be
represented to any relative accuracy; such a case is flagged with
"erlang_b_underflows": true (or "erlang_c_underflows") and its value is written as 0.
Every value also has its log10 so that the magnitude stays documented.

Requires python3-mpmath (Debian). Run from the repository root:
    python3 scripts/erlang_reference.py
"""

import json
import sys
from pathlib import Path

import mpmath
from mpmath import mp, mpf

mp.dps = 50

SMALLEST_NORMAL_DOUBLE = mpf(2.2250738585072014e-308)

# The stress grid of the issue "Open-network performance": c x rho.
SERVERS = [1, 10, 100, 1000, 10000]
UTILIZATIONS = [("0.5", 0.5), ("0.99", 0.99), ("1-1e-9", 1.0 - 1e-9)]
# Erlang B is defined for any load; these overloaded cases check it where C is undefined.
OVERLOADS = [("2", 2.0), ("100", 100.0)]


def erlang_b_closed_form(c, a):
    a = mpf(a)
    terms = [a**k / mp.factorial(k) for k in range(c + 1)]
    return terms[c] / mp.fsum(terms)


def erlang_c_closed_form(c, a):
    a = mpf(a)
    terms = [a**k / mp.factorial(k) for k in range(c + 1)]
    top = terms[c] * c / (c - a)  # c - a is exact: a is a double, mp has 50 digits
    return top / (mp.fsum(terms[:c]) + top)


def digits17(x):
    """17 significant digits of an mpf (or 0), as a JSON number token."""
    if x == 0:
        return "0"
    return mpmath.nstr(x, 17, min_fixed=-1, max_fixed=0, strip_zeros=False)


def value_fields(prefix, x):
    fields = {f"{prefix}_log10": digits17(mpmath.log10(x))}
    if x < SMALLEST_NORMAL_DOUBLE:
        fields[prefix] = "0"
        fields[f"{prefix}_underflows"] = "true"
    else:
        fields[prefix] = digits17(x)
        fields[f"{prefix}_underflows"] = "false"
    return fields


def make_case(c, rho_label, rho, with_c):
    a = float(c) * rho  # double arithmetic, as a caller of the library would form it
    b = erlang_b_closed_form(c, a)
    case = {
        "name": json.dumps(f"c{c}_rho_{rho_label}"),
        "servers": str(c),
        "rho_nominal": json.dumps(rho_label),
        "offered_load": f"{a:.17g}",
        "servers_minus_load": digits17(c - mpf(a)),
    }
    case.update(value_fields("erlang_b", b))
    if with_c:
        erl_c = erlang_c_closed_form(c, a)
        # Independent consistency check of the two closed forms at high precision:
        # C = B / ((1 - rho) + rho B) (Gross & Harris, ch. 2).
        rho_exact = mpf(a) / c
        assert abs(erl_c - b / ((1 - rho_exact) + rho_exact * b)) <= mpf(10) ** -40 * erl_c
        case.update(value_fields("erlang_c", erl_c))
    return case


def render(cases):
    # Hand-written JSON so that every number keeps exactly 17 significant digits.
    lines = [
        "{",
        '  "generator": "scripts/erlang_reference.py",',
        f'  "mpmath_version": "{mpmath.__version__}",',
        f'  "mp_dps": {mp.dps},',
        '  "description": "Erlang B and C of (servers c, offered load a) from the closed-form sums '
        "with mpmath at 50 digits; a is the IEEE double c*rho and is exact; values below the "
        'smallest normal double are written as 0 and flagged *_underflows",',
        '  "cases": [',
    ]
    for i, case in enumerate(cases):
        body = ", ".join(f'"{key}": {value}' for key, value in case.items())
        lines.append("    {" + body + "}" + ("," if i + 1 < len(cases) else ""))
    lines += ["  ]", "}", ""]
    return "\n".join(lines)


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).resolve().parent.parent / "tests" / "data" / "erlang_reference.json")
    cases = []
    for c in SERVERS:
        for label, rho in UTILIZATIONS:
            cases.append(make_case(c, label, rho, with_c=True))
    for c in (1, 100, 10000):
        for label, rho in OVERLOADS:
            cases.append(make_case(c, label, rho, with_c=False))
    text = render(cases)
    json.loads(text)  # must be valid JSON
    out.write_text(text)
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()

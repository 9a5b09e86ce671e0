#!/usr/bin/env python3
"""High-precision references for tests/analysis/numeric_stress_test.cpp.

Writes tests/data/numeric_stress_reference.json (or the path given as argument). Each
input is first formed as an IEEE double (as the test passes it), then converted to mpmath
exactly, so the reference is the exact value of the formula at the doubles the library
sees; mpmath runs at 60 significant digits.

  station: M/M/c (Gross & Harris, Fundamentals of Queueing Theory, ch. 2)
      a = lambda*s, C(c, a) = (a^c/c! * c/(c-a)) / (sum_{k<c} a^k/k! + a^c/c! * c/(c-a)),
      Wq = C * s / (c - a), W = Wq + s.
  loop: customer <- a (1 request), a <- b (r1), b <- a (r2): a delivers
      y_a = d / (1 - r1*r2) items per time unit, b delivers r1*y_a; loop gain sqrt(r1*r2).
  tandem: customer <- a <- b, one request per item, single servers, Poisson:
      lead time = s_a/(1 - d s_a) + s_b/(1 - d s_b) (two M/M/1 sojourns).

Requires python3-mpmath (Debian). Run from the repository root:
    python3 tests/data/numeric_stress_reference.py
"""
import json
import sys

import mpmath
from mpmath import mpf

mpmath.mp.dps = 60


def erlang_c(c, a):
    term = mpf(1)
    total = mpf(0)
    for k in range(c):
        total += term
        term = term * a / (k + 1)
    tail = term * c / (c - a)  # a^c/c! * c/(c-a)
    return tail / (total + tail)


def station_cases():
    cases = []
    for c in (1, 10, 100, 1000, 10000):
        for rho in (1e-9, 0.5, 1 - 1e-9):
            for s in (1e-9, 1.0, 1e9):
                lam = rho * c / s  # double
                a = mpf(lam) * mpf(s)
                if a >= c:
                    continue
                cc = erlang_c(c, a)
                wq = cc * mpf(s) / (c - a)
                cases.append({"servers": c, "rho": rho, "service_time": s, "arrival_rate": lam,
                              "p_wait": float(cc), "wait": float(wq), "sojourn": float(wq + mpf(s))})
    return cases


def loop_cases():
    cases = []
    for r1, r2 in ((1 - 1e-9, 1.0), (0.5, 2 - 2e-9), (1e-9, 1e9 - 1)):
        d = 1.0
        y_a = mpf(d) / (1 - mpf(r1) * mpf(r2))
        cases.append({"r1": r1, "r2": r2, "demand": d, "gain": float(mpmath.sqrt(mpf(r1) * mpf(r2))),
                      "items_a": float(y_a), "items_b": float(mpf(r1) * y_a)})
    return cases


def tandem_cases():
    cases = []
    for d in (1e-9, 1e-3, 1.0, 1e3, 1e9):
        for rho_a, rho_b in ((0.5, 0.25), (1 - 1e-9, 1e-9)):
            s_a = rho_a / d
            s_b = rho_b / d
            lead = mpf(s_a) / (1 - mpf(d) * mpf(s_a)) + mpf(s_b) / (1 - mpf(d) * mpf(s_b))
            cases.append({"demand": d, "service_time_a": s_a, "service_time_b": s_b, "lead_time": float(lead)})
    return cases


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/numeric_stress_reference.json"
    doc = {"generator": "tests/data/numeric_stress_reference.py", "mpmath_version": mpmath.__version__,
           "mp_dps": mpmath.mp.dps, "station": station_cases(), "loop": loop_cases(), "tandem": tandem_cases()}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"{out}: {len(doc['station'])} station, {len(doc['loop'])} loop, {len(doc['tandem'])} tandem cases")


if __name__ == "__main__":
    main()

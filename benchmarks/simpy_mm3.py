#!/usr/bin/python3
"""The M/M/3 queue of BM_MM3Million (simulation_benchmark.cpp) in SimPy, for the speed ratio.

lambda = 2.4, mean service 1, 3 servers (rho = 0.8), 10^6 customers, no warm-up. Debian's
python3-simpy is SimPy 2.3 (module `SimPy`, the process-interaction API of that version); run
it with Debian's interpreter: /usr/bin/python3 benchmarks/simpy_mm3.py [customers] [seed].
Prints the wall-clock time and the mean sojourn (the exact M/M/3 value is 2.0787).
"""

import random
import sys
import time

from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate


class Stats:
    def __init__(self):
        self.count = 0
        self.total_sojourn = 0.0


class Customer(Process):
    def visit(self, desk, stats):
        arrived = now()
        yield request, self, desk
        yield hold, self, random.expovariate(1.0)
        yield release, self, desk
        stats.count += 1
        stats.total_sojourn += now() - arrived


class Source(Process):
    def generate(self, customers, rate, desk, stats):
        for _ in range(customers):
            customer = Customer()
            activate(customer, customer.visit(desk, stats))
            yield hold, self, random.expovariate(rate)


def main():
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 3)
    start = time.perf_counter()
    initialize()
    desk = Resource(capacity=3, name="desk", unitName="server")
    stats = Stats()
    source = Source()
    activate(source, source.generate(customers, 2.4, desk, stats))
    simulate(until=1e12)
    elapsed = time.perf_counter() - start
    print(f"SimPy M/M/3: {stats.count} customers in {elapsed:.2f} s, mean sojourn {stats.total_sojourn / stats.count:.4f}")


if __name__ == "__main__":
    main()

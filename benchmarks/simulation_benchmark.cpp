// Benchmarks of the discrete-event simulator (issue 11): events per second on a 50-unit
// generated organization with one and two threads (targets: ≥ 5·10⁶ events/s on one thread,
// ≥ 1.8× that on two), and an M/M/3 queue with 10⁶ customers, to set beside the same model
// in SimPy (benchmarks/simpy_mm3.py). Results: docs/simulation.md, "Performance".

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>

#include "generator.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/simulation/simulation.hpp"

namespace {

const servicechain::service_graph& fifty_units() {
  static const auto graph = std::make_unique<servicechain::service_graph>(
      servicechain::compile(servicechain::bench::generate_organization({.units = 50, .classes = 3})));
  return *graph;
}

// `replications` replications on `threads` threads; events per second of wall-clock time.
void BM_Simulate50Units(benchmark::State& state) {
  const auto& g = fifty_units();
  const auto threads = static_cast<unsigned>(state.range(0));
  const servicechain::simulation_options options{.replications = 2 * static_cast<std::size_t>(threads),
                                                 .horizon = 2'000,
                                                 .warmup = 200,
                                                 .seed = 1,
                                                 .threads = threads,
                                                 .lead_time_by_unit = true};
  std::uint64_t events = 0;
  const std::clock_t cpu_start = std::clock();  // CPU time of the whole process, every thread
  for (auto _ : state) {
    const auto r = servicechain::simulate(g, options);
    events += r.events;
    benchmark::DoNotOptimize(r.customers.data());
  }
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  state.counters["events_per_second"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  // Per second of CPU time of each thread: equal for 1 and 2 threads when nothing else
  // competes for the cores; the wall-clock rate above then doubles.
  state.counters["events_per_cpu_second"] = static_cast<double>(events) / cpu_seconds;
  state.counters["units"] = static_cast<double>(g.unit_count());
  state.counters["links"] = static_cast<double>(g.link_count());
}
BENCHMARK(BM_Simulate50Units)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// M/M/3, λ = 2.4, mean service 1 (ρ = 0.8), 10⁶ customers: one replication whose horizon
// holds 10⁶ arrivals on average, no warm-up, no percentiles. benchmarks/simpy_mm3.py is the
// same model in SimPy.
void BM_MM3Million(benchmark::State& state) {
  servicechain::organization org{.name = "mm3"};
  org.add_unit({.id = "desk", .servers = 3, .service_time = 1.0});
  org.add_unit({.id = "customer", .external = true, .demand = 2.4});
  org.add_link({.from = "desk", .to = "customer"});
  const auto g = servicechain::compile(org);
  const servicechain::simulation_options options{
      .horizon = 1e6 / 2.4, .warmup = 0, .seed = 3, .percentiles = {}, .lead_time_by_unit = false};
  std::uint64_t events = 0;
  const std::clock_t cpu_start = std::clock();
  for (auto _ : state) {
    const auto r = servicechain::simulate_replication(g, g.numbers(), options, 0);
    events += r.front().events;
    benchmark::DoNotOptimize(r.data());
  }
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  state.counters["events_per_second"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["cpu_seconds_per_run"] = cpu_seconds / static_cast<double>(state.iterations());
}
BENCHMARK(BM_MM3Million)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

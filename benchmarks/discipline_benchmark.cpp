// Scheduling disciplines in the open analysis (issue 8, "Who comes first"): `analyze_open`
// on a generated model with 10 classes, every unit FIFO, beside the same structure with
// 10% of its units under `priority` (target: ≤ 1.5× all-FIFO at 10⁶ units). Results:
// benchmarks/RESULTS.md.
//
// The priority numbers are a copy of the compiled ones edited with `set_discipline` and
// `set_priority` (no recompilation): every tenth internal unit serves by priority, its
// links alternating between priority 0 and 1, so each such unit has two classes. A FIFO
// unit whose links share its service law takes the closed-form M/M/c / Allen–Cunneen path;
// a priority unit goes through the station model and has per-link sojourns, which also
// makes the chain stage keep the out-links and sum per link.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <memory>

#include "generator.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/model_numbers.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace {

namespace sc = servicechain;

constexpr std::size_t classes = 10;

struct fixture {
  std::size_t units = 0;
  std::unique_ptr<sc::service_graph> graph;
  std::unique_ptr<sc::model_numbers> priority;  ///< 10% of the units under `priority`
  std::size_t priority_units = 0;
};

// One size at a time: the organization is dropped once compiled.
const fixture& fixture_for(std::size_t units) {
  static fixture f;
  if (f.units != units) {
    f.priority.reset();
    f.graph.reset();
    f.graph = std::make_unique<sc::service_graph>(
        sc::compile(sc::bench::generate_organization({.units = units, .classes = classes})));
    const sc::service_graph& g = *f.graph;
    f.priority = std::make_unique<sc::model_numbers>(g.numbers());
    f.priority_units = 0;
    for (std::uint32_t i = 0; i < g.unit_count(); i += 10) {
      const sc::unit_index u{i};
      if (g.is_external(u)) continue;
      f.priority->set_discipline(g, u, sc::discipline::priority);
      std::int64_t level = 0;
      for (sc::link_index l : g.out_links(u)) f.priority->set_priority(l, level++ % 2);
      ++f.priority_units;
    }
    f.units = units;
  }
  return f;
}

void BM_AnalyzeOpenAllFifo(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto result = sc::analyze_open(*f.graph);
    benchmark::DoNotOptimize(result.customers.data());
  }
  state.counters["links"] = static_cast<double>(f.graph->link_count());
}

void BM_AnalyzeOpenTenthPriority(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto result = sc::analyze_open(*f.graph, *f.priority);
    benchmark::DoNotOptimize(result.customers.data());
  }
  state.counters["priority_units"] = static_cast<double>(f.priority_units);
}

}  // namespace

BENCHMARK(BM_AnalyzeOpenAllFifo)->RangeMultiplier(10)->Range(1000, 1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AnalyzeOpenTenthPriority)->RangeMultiplier(10)->Range(1000, 1000000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

// Benchmarks of the open-network analysis: the full
// analysis — loads, waits at every unit, lead time, cost and quality with their exact
// decompositions, rework costs, alignment — for 10 classes, beside the bare CSR pass
// over the same graph (the memory-bandwidth floor). Results: benchmarks/RESULTS.md.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "generator.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace {

constexpr std::size_t classes = 10;

// One size at a time: the organization is dropped once compiled.
const servicechain::service_graph& graph_for(std::size_t units) {
  static std::size_t current = 0;
  static std::unique_ptr<servicechain::service_graph> graph;
  if (current != units) {
    graph.reset();
    graph = std::make_unique<servicechain::service_graph>(servicechain::compile(
        servicechain::bench::generate_organization({.units = units, .classes = classes})));
    current = units;
  }
  return *graph;
}

void BM_AnalyzeOpen(benchmark::State& state) {
  const auto& g = graph_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto result = servicechain::analyze_open(g);
    benchmark::DoNotOptimize(result.customers.data());
  }
  state.counters["links"] = static_cast<double>(g.link_count());
}

void BM_AnalyzeOpenQna(benchmark::State& state) {
  const auto& g = graph_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto result = servicechain::analyze_open(g, {.variability = servicechain::arrival_variability::propagate});
    benchmark::DoNotOptimize(result.customers.data());
  }
}

// y = b + W x over the out-CSR in index order, one column: the floor of any pass.
void BM_BareCsrPassOpen(benchmark::State& state) {
  const auto& g = graph_for(static_cast<std::size_t>(state.range(0)));
  const auto& csr = g.out_csr();
  const std::size_t n = g.unit_count();
  std::vector<double> x(n, 1.0), y(n, 0.0);
  const auto requests = g.numbers().out_requests();
  for (auto _ : state) {
    for (std::size_t u = 0; u < n; ++u) {
      double sum = 0;
      for (std::uint32_t pos = csr.offset[u]; pos < csr.offset[u + 1]; ++pos) sum += requests[pos] * x[csr.neighbor[pos]];
      y[u] = sum;
    }
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
}

}  // namespace

BENCHMARK(BM_BareCsrPassOpen)->RangeMultiplier(10)->Range(1000, 1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AnalyzeOpen)->RangeMultiplier(10)->Range(1000, 1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AnalyzeOpenQna)->RangeMultiplier(10)->Range(1000, 1000000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

// What-if re-analysis: editing one number of a compiled model and analysing again, beside
// compiling the edited organization and analysing it. The ratio is the point of keeping
// the numbers apart from the structure (target: re-analysis ≤ 40% of compile + analyze at
// 10⁵ units). Results: benchmarks/RESULTS.md.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <memory>

#include "generator.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/model_numbers.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace {

constexpr std::size_t classes = 10;

struct fixture {
  std::size_t units = 0;
  servicechain::organization org;
  std::unique_ptr<servicechain::service_graph> graph;
  servicechain::unit_index edited{};
};

// One size at a time.
const fixture& fixture_for(std::size_t units) {
  static fixture f;
  if (f.units != units) {
    f.org = servicechain::bench::generate_organization({.units = units, .classes = classes});
    f.graph = std::make_unique<servicechain::service_graph>(servicechain::compile(f.org));
    f.edited = servicechain::unit_index{static_cast<std::uint32_t>(units / 2)};  // an internal unit
    f.units = units;
  }
  return f;
}

// Copy the numbers, edit one service time (−5%), analyse on the same structure.
void BM_EditNumbersAndAnalyze(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  const auto& g = *f.graph;
  for (auto _ : state) {
    servicechain::model_numbers numbers = g.numbers();
    numbers.set(g, f.edited, servicechain::unit_field::service_time, 0.95 * numbers.unit(f.edited).service_time);
    auto result = servicechain::analyze_open(g, numbers);
    benchmark::DoNotOptimize(result.customers.data());
  }
}

// The what-if path for an edit that leaves the flows unchanged (a service time): the base
// result's flows stage serves again (analyze_open with flows), the stations and chain
// stages run on the edited numbers. The copy of the base flows is included.
void BM_EditServiceTimeReuseFlows(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  const auto& g = *f.graph;
  const servicechain::load_result base_flows = servicechain::compute_load(g);
  for (auto _ : state) {
    servicechain::model_numbers numbers = g.numbers();
    numbers.set(g, f.edited, servicechain::unit_field::service_time, 0.95 * numbers.unit(f.edited).service_time);
    auto result = servicechain::analyze_open(g, numbers, base_flows);
    benchmark::DoNotOptimize(result.customers.data());
  }
}

// The analysis alone, on the compiled numbers: what the edit adds is the difference.
void BM_Analyze(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto result = servicechain::analyze_open(*f.graph);
    benchmark::DoNotOptimize(result.customers.data());
  }
}

// The reference: edit the organization, compile it and analyse.
void BM_EditModelCompileAndAnalyze(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  servicechain::organization org = f.org;
  auto& service_time = *org.units[f.edited.value()].service_time;
  const double original = service_time;
  for (auto _ : state) {
    service_time = 0.95 * original;
    const servicechain::service_graph g = servicechain::compile(org);
    auto result = servicechain::analyze_open(g);
    benchmark::DoNotOptimize(result.customers.data());
  }
}

}  // namespace

BENCHMARK(BM_EditNumbersAndAnalyze)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EditServiceTimeReuseFlows)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Analyze)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EditModelCompileAndAnalyze)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();

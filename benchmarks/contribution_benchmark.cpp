// Benchmarks of the sensitivities (issue 10): every KPI's derivatives with respect to every
// parameter by reverse (adjoint) propagation — the forward stages with the stations'
// jacobians, the seeds and one transposed propagation with one column per KPI — beside one
// full open analysis of the same model, 10 classes. Target: ≤ 3× the open analysis at 10⁵
// units. Also: reading out every derivative of one KPI (O(1) each from the adjoints), and
// every derivative of every KPI. Results: benchmarks/RESULTS.md.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <memory>

#include "generator.hpp"
#include "servicechain/analysis/contribution.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace {

constexpr std::size_t classes = 10;

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

// Every KPI's adjoints: after this, each of the KPIs × parameters derivatives is O(1).
void BM_Sensitivities(benchmark::State& state) {
  const auto& g = graph_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto result = servicechain::sensitivities(g);
    benchmark::DoNotOptimize(result.kpis().data());
  }
  const auto result = servicechain::sensitivities(g);
  state.counters["kpis"] = static_cast<double>(result.kpis().size());
  state.counters["parameters"] = static_cast<double>(result.parameters().size());
}

// The same with QNA: the arrival SCVs' dependence adds one transposed solve per lead-time KPI.
void BM_AnalyzeOpenQna(benchmark::State& state) {
  const auto& g = graph_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto result = servicechain::analyze_open(g, {.variability = servicechain::arrival_variability::propagate});
    benchmark::DoNotOptimize(result.customers.data());
  }
}

void BM_SensitivitiesQna(benchmark::State& state) {
  const auto& g = graph_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto result = servicechain::sensitivities(g, {.variability = servicechain::arrival_variability::propagate});
    benchmark::DoNotOptimize(result.kpis().data());
  }
}

// The adjoints, then every derivative of the mean lead time read out.
void BM_SensitivitiesOneKpiReadOut(benchmark::State& state) {
  const auto& g = graph_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto result = servicechain::sensitivities(g);
    const std::size_t k = *result.find({servicechain::kpi_kind::mean_lead_time, {}});
    double sum = 0;
    for (const auto& p : result.parameters()) sum += result.derivative(k, p);
    benchmark::DoNotOptimize(sum);
  }
}

// The adjoints, then every derivative of every KPI read out (KPIs × parameters numbers).
void BM_SensitivitiesAllReadOut(benchmark::State& state) {
  const auto& g = graph_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto result = servicechain::sensitivities(g);
    double sum = 0;
    for (std::size_t k = 0; k < result.kpis().size(); ++k)
      for (const auto& p : result.parameters()) sum += result.derivative(k, p);
    benchmark::DoNotOptimize(sum);
  }
}

}  // namespace

BENCHMARK(BM_AnalyzeOpen)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sensitivities)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AnalyzeOpenQna)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SensitivitiesQna)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SensitivitiesOneKpiReadOut)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SensitivitiesAllReadOut)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

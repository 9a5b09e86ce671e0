// Capacity with choices (COIN-OR CLP, sparse LP) on generated organizations with grouped
// links: 10⁴ of them at 10⁵ units (issue 13 target: ≤ 10 s), beside the fixed-split
// capacity of the same model (one flows stage and a scan). Results: benchmarks/RESULTS.md.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "generator.hpp"
#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/structure.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace {

// Groups pairs of links that share a consumer until `grouped` links are in groups: the
// consumer may then split its requests between the two providers as it likes.
servicechain::organization with_groups(servicechain::organization org, std::size_t grouped) {
  std::map<std::string, std::vector<std::size_t>> by_consumer;
  for (std::size_t l = 0; l < org.links.size(); ++l) by_consumer[org.links[l].to].push_back(l);
  std::size_t count = 0;
  for (auto& [consumer, links] : by_consumer) {
    if (count + 2 > grouped) break;
    if (links.size() < 2) continue;
    org.links[links[0]].group = "choice";
    org.links[links[1]].group = "choice";
    count += 2;
  }
  return org;
}

struct fixture {
  std::size_t units = 0;
  std::unique_ptr<servicechain::service_graph> graph;
  std::unique_ptr<servicechain::load_result> load;
};

const fixture& fixture_for(std::size_t units) {
  static fixture f;
  if (f.units != units) {
    auto org = servicechain::bench::generate_organization({.units = units, .classes = 3});
    f.graph = std::make_unique<servicechain::service_graph>(servicechain::compile(with_groups(std::move(org), units / 10)));
    f.load = std::make_unique<servicechain::load_result>(servicechain::compute_load(*f.graph));
    f.units = units;
  }
  return f;
}

void BM_CapacityWithChoices(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  double scale = 0;
  for (auto _ : state) {
    const auto r = servicechain::capacity_with_choices(*f.graph, *f.load);
    scale = r.demand_scale.value_or(0);
    benchmark::DoNotOptimize(scale);
  }
  state.counters["grouped_links"] = static_cast<double>(state.range(0) / 10);
  state.counters["demand_scale"] = scale;
}

// The reference: the capacity with the splits as given (flows stage + scan).
void BM_FixedSplitCapacity(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    const auto r = servicechain::analyze_capacity(*f.graph);
    benchmark::DoNotOptimize(r.max_demand_scale);
  }
}

}  // namespace

BENCHMARK(BM_CapacityWithChoices)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FixedSplitCapacity)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();

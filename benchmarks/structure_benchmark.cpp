// Benchmarks of the structural analyses on
// layered random organizations of 10³ … 10⁶ units with ~4 links per unit, 1 % of them
// closing small rework loops, and 3 customers (classes):
//  - BM_LineOfSight: the shares of each unit's load by customer from a computed load;
//  - BM_LoadAndLineOfSight: the same including compute_load (what a caller pays);
//  - BM_SccAndLoopGains: the strongly connected components (Tarjan, via Boost.Graph, as
//    compile() finds them) and the loop gain (spectral radius) of every loop — the
//    figure for "SCCs with loop gains";
//  - BM_Compile: the whole of compile() for comparison (validation, id directory, CSR,
//    BGL view, components, orders and gains);
//  - BM_LoopReport: loops_of_mutual_service() over the gains compile() stored;
//  - BM_Dominators: the dominator tree of one customer (against the links);
//  - BM_Gatekeepers: the same plus gated-unit counts, for every customer;
//  - BM_ArticulationPoints: Boost.Graph on an undirected copy (for information).
// Results and the commands to reproduce them: benchmarks/RESULTS.md, "Structure".

#include <benchmark/benchmark.h>

#include <boost/graph/strong_components.hpp>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

#include "detail/component_system.hpp"  // internal: the loop-gain kernel of compile()
#include "generator.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/structure.hpp"
#include "servicechain/graph/bgl.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace {

using servicechain::organization;
using servicechain::service_graph;

constexpr std::size_t classes = 3;

// One size at a time: a 10⁶-unit organization, its graph and its loads take more than a
// gigabyte, so the previous size is dropped when another is asked for.
struct fixture {
  std::size_t units = 0;
  organization org;
  std::unique_ptr<service_graph> graph;
  std::unique_ptr<servicechain::load_result> load;
};

fixture& fixture_for(std::size_t units) {
  static fixture cached;
  if (cached.units != units || !cached.graph) {
    cached.load.reset();
    cached.graph.reset();
    cached.org = {};
    cached.org = servicechain::bench::generate_organization({.units = units, .classes = classes});
    cached.graph = std::make_unique<service_graph>(servicechain::compile(cached.org));
    cached.load = std::make_unique<servicechain::load_result>(servicechain::compute_load(*cached.graph));
    cached.units = units;
  }
  return cached;
}

void set_counters(benchmark::State& state, const service_graph& g) {
  state.counters["units"] = static_cast<double>(g.unit_count());
  state.counters["links"] = static_cast<double>(g.link_count());
  state.counters["loops"] = static_cast<double>(g.loops().size());
  state.counters["classes"] = static_cast<double>(g.class_count());
}

void BM_LineOfSight(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto r = servicechain::line_of_sight(*f.graph, *f.load);
    benchmark::DoNotOptimize(r.share.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, *f.graph);
}

void BM_LoadAndLineOfSight(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    const auto load = servicechain::compute_load(*f.graph);
    auto r = servicechain::line_of_sight(*f.graph, load);
    benchmark::DoNotOptimize(r.share.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, *f.graph);
}

void BM_Compile(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    service_graph g = servicechain::compile(f.org);
    benchmark::DoNotOptimize(g.loops().size());
  }
  set_counters(state, *f.graph);
}

void BM_SccAndLoopGains(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  const service_graph& g = *f.graph;
  const auto& b = servicechain::bgl_view(g);
  std::vector<std::uint32_t> component(g.unit_count());
  for (auto _ : state) {
    const auto count = boost::strong_components(
        b, boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, b)));
    benchmark::DoNotOptimize(count);
    // The gains over the graph's own (identically computed) components.
    double largest = 0;
    for (std::uint32_t c = 0; c < g.component_count(); ++c)
      if (g.component_units(c).size() > 1)
        largest = std::max(largest, servicechain::detail::component_spectral_radius(g, c, g.numbers().out_requests()));
    benchmark::DoNotOptimize(largest);
    benchmark::ClobberMemory();
  }
  set_counters(state, g);
}

void BM_LoopReport(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto loops = servicechain::loops_of_mutual_service(*f.graph);
    benchmark::DoNotOptimize(loops.data());
  }
  set_counters(state, *f.graph);
}

void BM_Dominators(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  const auto customer = f.graph->customers()[0];
  for (auto _ : state) {
    auto tree = servicechain::dominators(*f.graph, customer, servicechain::direction::with_demand);
    benchmark::DoNotOptimize(tree.immediate_dominator.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, *f.graph);
}

void BM_Gatekeepers(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto all = servicechain::gatekeepers(*f.graph);
    benchmark::DoNotOptimize(all.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, *f.graph);
}

void BM_ArticulationPoints(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto points = servicechain::articulation_points(*f.graph);
    benchmark::DoNotOptimize(points.data());
  }
  set_counters(state, *f.graph);
}

void sizes(benchmark::internal::Benchmark* b) {
  b->RangeMultiplier(10)->Range(1000, 1000000)->Unit(benchmark::kMillisecond);
}

}  // namespace

BENCHMARK(BM_LineOfSight)->Apply(sizes);
BENCHMARK(BM_LoadAndLineOfSight)->Apply(sizes);
BENCHMARK(BM_Compile)->Apply(sizes);
BENCHMARK(BM_SccAndLoopGains)->Apply(sizes);
BENCHMARK(BM_LoopReport)->Apply(sizes);
BENCHMARK(BM_Dominators)->Apply(sizes);
BENCHMARK(BM_Gatekeepers)->Apply(sizes);
BENCHMARK(BM_ArticulationPoints)->Apply(sizes);

BENCHMARK_MAIN();

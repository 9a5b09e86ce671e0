// Benchmarks of mean-value analysis (src/analysis/mva*.cpp): exact single-class MVA on
// 100 single-server and delay units with N = 10 000, the same with 10 of those units
// multi-server (exact load-dependent MVA), and approximate multiclass MVA with 10
// classes on 10 000 units. Targets: < 10 ms, < 1 s, < 1 s. The same two single-class
// models were timed in GNU Octave's queueing package for comparison; how is in the
// comment at the end of this file.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "servicechain/analysis/mva.hpp"

namespace {

using servicechain::mva_input;
using servicechain::mva_station;
using servicechain::mva_station_kind;

// 100 units: every 10th a delay (demand 1–5), the others single servers (demand
// 0.01–0.1); with `multi_servers`, units 5, 15, …, 95 get 2–16 servers and demand ×c.
mva_input single_class_model(std::int64_t population, bool multi_servers) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> small(0.01, 0.1), think(1.0, 5.0);
  std::uniform_int_distribution<std::int64_t> servers(2, 16);
  mva_input in;
  in.demand.emplace_back();
  for (int k = 0; k < 100; ++k) {
    if (k % 10 == 0) {
      in.stations.push_back({mva_station_kind::delay, 1});
      in.demand[0].push_back(think(rng));
    } else if (multi_servers && k % 10 == 5) {
      const auto c = servers(rng);
      in.stations.push_back({mva_station_kind::multi_server, c});
      in.demand[0].push_back(small(rng) * static_cast<double>(c));
    } else {
      in.stations.push_back({});
      in.demand[0].push_back(small(rng));
    }
  }
  in.population = {population};
  in.think_time = {10};
  return in;
}

// 10 classes of 100 requests on 10 000 single-server units (every 100th a delay).
mva_input multiclass_model(std::size_t units) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> demand(0.0001, 0.002);
  mva_input in;
  for (std::size_t k = 0; k < units; ++k)
    in.stations.push_back(k % 100 == 0 ? mva_station{mva_station_kind::delay, 1} : mva_station{});
  for (int c = 0; c < 10; ++c) {
    in.demand.emplace_back();
    for (std::size_t k = 0; k < units; ++k) in.demand.back().push_back(demand(rng));
    in.population.push_back(100);
    in.think_time.push_back(1.0 + c);
  }
  return in;
}

void BM_MvaExactSingleClass(benchmark::State& state) {
  const auto in = single_class_model(state.range(0), false);
  for (auto _ : state) {
    auto r = servicechain::solve_mva(in);
    benchmark::DoNotOptimize(r.throughput.data());
  }
}

void BM_MvaExactSingleClassMultiServer(benchmark::State& state) {
  const auto in = single_class_model(state.range(0), true);
  for (auto _ : state) {
    auto r = servicechain::solve_mva(in);
    benchmark::DoNotOptimize(r.throughput.data());
  }
}

void BM_MvaApproximateMulticlass(benchmark::State& state) {
  const auto in = multiclass_model(static_cast<std::size_t>(state.range(0)));
  std::string method;
  int iterations = 0;
  for (auto _ : state) {
    auto r = servicechain::solve_mva(in);
    method = r.method;
    iterations = r.iterations;
    benchmark::DoNotOptimize(r.throughput.data());
  }
  state.SetLabel(method);
  state.counters["sweeps"] = iterations;
}

void BM_MvaLinearizerMulticlass(benchmark::State& state) {
  const auto in = multiclass_model(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto r = servicechain::solve_mva(in, {.method = servicechain::mva_options::approximation::linearizer});
    benchmark::DoNotOptimize(r.throughput.data());
  }
}

}  // namespace

BENCHMARK(BM_MvaExactSingleClass)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MvaExactSingleClassMultiServer)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MvaApproximateMulticlass)->RangeMultiplier(10)->Range(100, 10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MvaLinearizerMulticlass)->RangeMultiplier(10)->Range(100, 10000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();

// Octave comparison (GNU Octave 7.3, queueing 1.2.7; `apt-get install octave octave-queueing`):
// print S = demand and m = servers (-1 for a delay unit) of single_class_model(10000, multi)
// in Octave syntax, then
//   pkg load queueing
//   tic; [U R Q X] = qncsmva(10000, S, ones(size(S)), m, 10); toc   % note: m before Z
// qncsmva handles m > 1 by the textbook p(0) = 1 − Σ recursion (Bolch et al. §8.2.1).

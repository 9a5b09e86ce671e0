// Benchmarks of loading the JSON model format on layered random organizations of
// 10³ … 10⁵ units (~4 links per unit, one customer), the text written once per size by
// `to_json` (as `servicechain_make_model` writes files):
//  - BM_LoadOrganization: `load_organization` of a file: reading it into a padded buffer and
//    parsing it in place on the fast path (simdjson On-Demand; what `servicechain analyze`
//    pays before its analysis);
//  - BM_ParseOrganization: `parse_organization` of the text in memory (the fast path alone,
//    on a copy of the text with simdjson's padding);
//  - BM_ParseOrganizationWithAnError: the same text with one unknown key in its last
//    unit, so the fast path gives up at the end and the located path reports the error
//    (the price of an error message, for information);
//  - BM_ReadFile: reading the file into memory only, the floor under BM_LoadOrganization.
// Results and the commands to reproduce them: benchmarks/RESULTS.md, "JSON loading".

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "generator.hpp"
#include "servicechain/error.hpp"
#include "servicechain/io/json.hpp"

namespace {

namespace fs = std::filesystem;

// One size at a time: the text of a 10⁵-unit model is ≈ 47 MB, and the file beside it.
struct fixture {
  std::size_t units = 0;
  std::string text;
  fs::path file;

  ~fixture() {
    std::error_code ec;
    if (!file.empty()) fs::remove(file, ec);
  }
};

fixture& fixture_for(std::size_t units) {
  static fixture cached;
  if (cached.units != units) {
    cached.text = servicechain::to_json(servicechain::bench::generate_organization({.units = units, .classes = 1}));
    cached.file = fs::temp_directory_path() / fmt::format("servicechain_json_benchmark_{}.json", units);
    std::ofstream out(cached.file, std::ios::binary | std::ios::trunc);
    out << cached.text;
    cached.units = units;
  }
  return cached;
}

void set_counters(benchmark::State& state, const fixture& f) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(f.text.size()));
  state.counters["MB"] = static_cast<double>(f.text.size()) / 1e6;
}

void BM_LoadOrganization(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    servicechain::organization org = servicechain::load_organization(f.file);
    benchmark::DoNotOptimize(org.links.data());
  }
  set_counters(state, f);
}

void BM_ParseOrganization(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    servicechain::organization org = servicechain::parse_organization(f.text, "generated");
    benchmark::DoNotOptimize(org.links.data());
  }
  set_counters(state, f);
}

void BM_ParseOrganizationWithAnError(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  // The last unit gets an unknown key: the fast path reads almost everything first.
  std::string text = f.text;
  const std::size_t last_unit = text.rfind("{\"id\": \"u");
  if (last_unit == std::string::npos) {
    state.SkipWithError("no unit in the generated text");
    return;
  }
  text.insert(last_unit + 1, "\"sevice_time\": 1, ");
  for (auto _ : state) {
    try {
      (void)servicechain::parse_organization(text, "generated");
      state.SkipWithError("the unknown key was not reported");
      return;
    } catch (const servicechain::parse_error& e) {
      benchmark::DoNotOptimize(e.line());
    }
  }
  set_counters(state, f);
}

void BM_ReadFile(benchmark::State& state) {
  const fixture& f = fixture_for(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::ifstream in(f.file, std::ios::binary);
    const auto buffer = std::make_unique_for_overwrite<char[]>(f.text.size());
    in.read(buffer.get(), static_cast<std::streamsize>(f.text.size()));
    benchmark::DoNotOptimize(buffer.get());
  }
  set_counters(state, f);
}

BENCHMARK(BM_LoadOrganization)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseOrganization)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseOrganizationWithAnError)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadFile)->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

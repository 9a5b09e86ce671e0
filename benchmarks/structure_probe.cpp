// Structure probe: the steps of `servicechain structure` (analyze_structure) one by one, each
// timed (wall and CPU of the process, seconds), so that a slow step shows by name.
//
//   servicechain_structure_probe MODEL [--samples K] [--seed S] [--threads T]
//
// Betweenness runs twice, on one thread and on T (0: one per core), to show what the
// threads gain; the two estimates must agree bit for bit.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <exception>
#include <string>

#include "servicechain/servicechain.hpp"

namespace {

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

// Runs f and prints its wall and CPU time.
template <class F>
auto timed(const char* what, F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_seconds();
  auto result = f();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("{:<28} wall {:8.3f} s   cpu {:8.3f} s\n", what, wall, cpu_seconds() - c0);
  std::fflush(stdout);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model;
  std::size_t samples = 500;
  std::uint64_t seed = 1;
  unsigned threads = 0;
  CLI::App app{"servicechain_structure_probe: the steps of analyze_structure, each timed"};
  app.add_option("MODEL", model, "model file (JSON)")->required();
  app.add_option("--samples", samples, "betweenness sources sampled (0: exact)");
  app.add_option("--seed", seed, "seed of the betweenness sample");
  app.add_option("--threads", threads, "threads of the second betweenness run (0: one per core)");
  CLI11_PARSE(app, argc, argv);
  try {
    namespace sc = servicechain;
    const auto org = timed("load_organization", [&] { return sc::load_organization(model); });
    const auto g = timed("compile", [&] { return sc::compile(org); });
    const auto load = timed("compute_load", [&] { return sc::compute_load(g); });
    timed("line_of_sight", [&] { return sc::line_of_sight(g, load); });
    timed("loops_of_mutual_service", [&] { return sc::loops_of_mutual_service(g); });
    timed("gatekeepers", [&] { return sc::gatekeepers(g); });
    timed("articulation_points", [&] { return sc::articulation_points(g); });
    timed("capacity_with_choices", [&] { return sc::capacity_with_choices(g, load); });
    timed("misaligned_units", [&] { return sc::misaligned_units(g, load); });
    const auto b = timed("betweenness, 1 thread",
                         [&] { return sc::betweenness(g, {.sample_size = samples, .seed = seed, .threads = 1}); });
    const auto bt = timed("betweenness, --threads", [&] {
      return sc::betweenness(g, {.sample_size = samples, .seed = seed, .threads = threads});
    });
    if (bt.raw != b.raw || bt.standard_error != b.standard_error) {
      fmt::print(stderr, "servicechain_structure_probe: betweenness differs between 1 and {} threads\n", threads);
      return 1;
    }
    const auto open = timed("analyze_open", [&] { return sc::analyze_open(g); });
    timed("critical_chains", [&] { return sc::critical_chains(g, open); });
    double total = 0;
    for (double x : b.raw) total += x;
    fmt::print("betweenness: {} sources, sum of raw {:.17g}\n", b.sources_used, total);
  } catch (const std::exception& e) {
    fmt::print(stderr, "servicechain_structure_probe: {}\n", e.what());
    return 1;
  }
  return 0;
}

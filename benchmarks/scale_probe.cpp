// Scale probe: generate → compile → compute_load (and one bare propagate) on one large
// organization, printing wall time and memory after each phase. Run it under
// `/usr/bin/time -v` for the peak resident set size of the whole process.
//
//   servicechain_scale_probe [--units N] [--classes C] [--seed S] [--shuffle-units]

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <cstdint>
#include <fstream>
#include <string>

#include "generator.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/propagation.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/model/validate.hpp"

namespace {

// VmRSS and VmHWM of this process from /proc/self/status, in MiB (Linux only; 0 elsewhere).
struct memory_mib {
  double rss = 0;
  double peak = 0;
};

memory_mib memory_now() {
  memory_mib m;
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    double kib = 0;
    if (key == "VmRSS:" && status >> kib) m.rss = kib / 1024.0;
    else if (key == "VmHWM:" && status >> kib) m.peak = kib / 1024.0;
  }
  return m;
}

// Resets VmHWM to the current RSS (Linux ≥ 4.0, `echo 5 > /proc/PID/clear_refs`), so the
// peak of the phases after generation is measured apart from the generator's own.
bool reset_peak() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  return static_cast<bool>(clear.flush());
}

// Wall time and CPU time of the process: on a shared machine the CPU time is the
// steadier figure (the probe is single-threaded).
struct elapsed {
  double wall = 0;
  double cpu = 0;
};

class stopwatch {
 public:
  elapsed seconds() const {
    return {std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count(),
            static_cast<double>(std::clock() - cpu_) / CLOCKS_PER_SEC};
  }

 private:
  std::chrono::steady_clock::time_point wall_ = std::chrono::steady_clock::now();
  std::clock_t cpu_ = std::clock();
};

void report(const char* phase, elapsed t) {
  const memory_mib m = memory_now();
  fmt::print("{:<28} wall {:>8.3f} s   cpu {:>8.3f} s   rss {:>8.1f} MiB   peak {:>8.1f} MiB\n", phase, t.wall, t.cpu,
             m.rss, m.peak);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  servicechain::bench::generator_options options{.units = 1'000'000, .classes = 1};
  CLI::App app{"servicechain scale probe: generate, compile, compute_load with timings and memory"};
  app.add_option("--units", options.units, "internal units");
  app.add_option("--classes", options.classes, "external customers (classes)");
  app.add_option("--seed", options.seed, "generator seed");
  app.add_flag("--shuffle-units", options.shuffle_units, "list the units in random order");
  CLI11_PARSE(app, argc, argv);

  stopwatch total;
  servicechain::organization org;
  {
    stopwatch t;
    org = servicechain::bench::generate_organization(options);
    report("generate (incl. 1 compile)", t.seconds());
  }
  fmt::print("model: {} units, {} links\n", org.units.size(), org.links.size());
  const bool peak_reset = reset_peak();
  fmt::print("peak reset after generation: {}\n", peak_reset ? "yes" : "no (peak includes generation)");
  {
    stopwatch t;
    const auto problems = servicechain::validate(org);
    report("validate (alone)", t.seconds());
    if (!problems.empty()) {
      fmt::print("invalid model: {} problems\n", problems.size());
      return 1;
    }
  }
  stopwatch t_compile;
  const servicechain::service_graph g = servicechain::compile(org);
  report("compile", t_compile.seconds());
  std::size_t largest_loop = 0;
  for (const auto& loop : g.loops()) largest_loop = std::max(largest_loop, loop.units.size());
  fmt::print("graph: {} components, {} loops (largest {} units)\n", g.component_count(), g.loops().size(),
             largest_loop);
  {
    stopwatch t;
    servicechain::unit_matrix rhs = servicechain::unit_matrix::Zero(static_cast<Eigen::Index>(g.unit_count()),
                                                                     static_cast<Eigen::Index>(g.class_count()));
    for (std::size_t c = 0; c < g.class_count(); ++c) rhs(g.customers()[c].value(), static_cast<Eigen::Index>(c)) = 1;
    const auto x = servicechain::propagate(g, servicechain::direction::with_demand, std::move(rhs));
    report("propagate (with_demand)", t.seconds());
  }
  {
    stopwatch t;
    const servicechain::load_result load = servicechain::compute_load(g);
    report("compute_load", t.seconds());
    double max_visits = 0;
    for (Eigen::Index i = 0; i < load.visits.rows(); ++i) max_visits = std::max(max_visits, load.visits.row(i).maxCoeff());
    fmt::print("largest visit ratio: {:.4g}\n", max_visits);
  }
  report("total", total.seconds());
  return 0;
}

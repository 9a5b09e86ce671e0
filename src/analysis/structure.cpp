// analyze_structure: every structural result in one call (structure.hpp).

#include "servicechain/analysis/structure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <future>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/stations.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

structure_result analyze_structure(const service_graph& g, const model_numbers& numbers, const structure_options& options) {
  // Betweenness is the longest step at scale (at 10⁶ units most of the time) and the others
  // run on one thread: it runs beside them, so that their work fills the cores it leaves
  // idle. Every step only reads g and numbers, and each gives the same bits on any thread.
  // (With both launch policies, a thread that cannot be started runs it at get() instead.)
  const std::size_t samples = betweenness_sample_size(g, options);
  auto centrality = std::async(std::launch::async | std::launch::deferred,
                               [&g, samples] { return betweenness(g, {.sample_size = samples}); });
  load_result load = compute_load(g, numbers);
  structure_result r{
      .line_of_sight = line_of_sight(g, load),
      .chains = std::nullopt,
      .loops = loops_of_mutual_service(g, numbers, {.fragile_gain = options.fragile_gain}),
      .gatekeepers = gatekeepers(g),
      .articulation_points = articulation_points(g),
      .betweenness = {},
      .capacity_with_choices = capacity_with_choices(g, numbers, load),
      .misaligned = misaligned_units(g, numbers, load, {.rework_threshold = options.rework_threshold}),
  };
  if (g.unit_count() <= options.chains_unit_limit) r.chains = heaviest_chains(g, numbers, load, {.k = options.k});
  // The chains need only the stations' sojourns (compute_load has filled the work they
  // follow): the same bits as through analyze_open, without its lead times, costs and rework.
  if (saturated_units(g, numbers, load).empty())
    r.critical_chains = critical_chains(g, numbers, analyze_stations(g, numbers, load));
  r.betweenness = centrality.get();
  return r;
}

std::size_t betweenness_sample_size(const service_graph& g, const structure_options& options) {
  if (g.unit_count() <= options.betweenness_exact_limit) return 0;
  // Each source is a breadth-first search and its accumulation, bound by scattered loads:
  // at 10⁶ units and 4·10⁶ links, 500 sources took 32 s; the budget keeps it near 4 s.
  const std::size_t affordable = options.betweenness_link_budget / std::max<std::size_t>(1, g.link_count());
  return std::min(options.betweenness_samples, std::max<std::size_t>(2, affordable));
}

const customer_gatekeepers& structure_result::gatekeepers_of(std::string_view customer_id) const {
  return gatekeepers[line_of_sight.directory->class_at(customer_id)];
}

const critical_chain& structure_result::critical_chain_of(std::string_view customer_id) const {
  const std::size_t c = line_of_sight.directory->class_at(customer_id);
  if (!critical_chains) {
    throw error(error_code::unstable,
                fmt::format("no critical chain for customer '{}': a unit is saturated, so there are no waits",
                            customer_id));
  }
  return (*critical_chains)[c];
}

structure_result analyze_structure(const service_graph& g, const structure_options& options) {
  return analyze_structure(g, g.numbers(), options);
}

// ---- the same analyses with the numbers the graph was compiled with

std::vector<std::vector<service_chain>> heaviest_chains(const service_graph& g, const load_result& load, unit_index u,
                                                       const chain_options& options) {
  return heaviest_chains(g, g.numbers(), load, u, options);
}

chains_result heaviest_chains(const service_graph& g, const load_result& load, const chain_options& options) {
  return heaviest_chains(g, g.numbers(), load, options);
}

std::vector<loop_report> loops_of_mutual_service(const service_graph& g, const loops_options& options) {
  return loops_of_mutual_service(g, g.numbers(), options);
}

choice_capacity_result capacity_with_choices(const service_graph& g, const load_result& load) {
  return capacity_with_choices(g, g.numbers(), load);
}

std::vector<misaligned_unit> misaligned_units(const service_graph& g, const load_result& load,
                                              const misalignment_options& options) {
  return misaligned_units(g, g.numbers(), load, options);
}

}  // namespace servicechain

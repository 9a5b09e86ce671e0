// analyze_structure: every structural result of issue 4 in one call (structure.hpp).

#include "servicechain/analysis/structure.hpp"

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/open_network.hpp"

namespace servicechain {

structure_result analyze_structure(const service_graph& g, const structure_options& options) {
  const load_result load = compute_load(g);
  structure_result r{
      .line_of_sight = line_of_sight(g, load),
      .chains = std::nullopt,
      .loops = loops_of_mutual_service(g, {.fragile_gain = options.fragile_gain}),
      .gatekeepers = gatekeepers(g),
      .articulation_points = articulation_points(g),
      .betweenness = {},
      .capacity_with_choices = capacity_with_choices(g, load),
      .misaligned = misaligned_units(g, load, {.rework_threshold = options.rework_threshold}),
  };
  if (g.unit_count() <= options.chains_unit_limit) r.chains = heaviest_chains(g, load, {.k = options.k});
  betweenness_options b;
  if (g.unit_count() > options.betweenness_exact_limit) b.sample_size = options.betweenness_samples;
  r.betweenness = betweenness(g, b);
  if (saturated_units(g, load.total_load).empty()) r.critical_chains = critical_chains(g, analyze_open(g));
  return r;
}

}  // namespace servicechain

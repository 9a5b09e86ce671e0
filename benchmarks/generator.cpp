#include "generator.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "servicechain/analysis/load.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain::bench {

namespace {

// A uniform draw in [lo, hi).
double uniform(std::mt19937_64& rng, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }

std::size_t pick(std::mt19937_64& rng, std::size_t lo, std::size_t hi_inclusive) {
  return std::uniform_int_distribution<std::size_t>(lo, hi_inclusive)(rng);
}

// "u123": built by appending, which also avoids GCC 12's false -Wrestrict on
// `"u" + std::to_string(i)` (GCC bug 105329).
std::string prefixed_id(char prefix, std::size_t index) {
  std::string id(1, prefix);
  id += std::to_string(index);
  return id;
}

}  // namespace

organization generate_organization(const generator_options& options) {
  if (options.units < 2) throw std::invalid_argument("generate_organization: units must be >= 2");
  if (options.classes < 1) throw std::invalid_argument("generate_organization: classes must be >= 1");
  if (!(options.links_per_unit >= 1)) throw std::invalid_argument("generate_organization: links_per_unit must be >= 1");

  std::mt19937_64 rng(options.seed);
  const std::size_t n = options.units;
  const std::size_t layers = std::clamp<std::size_t>(
      options.layers != 0 ? options.layers
                          : static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(n)) / 4.0)),
      2, n);

  // Unit u sits in layer u * layers / n: contiguous, nearly equal blocks. `position`
  // maps a unit to its place in `organization::units` (identity unless shuffled).
  auto layer_begin = [&](std::size_t l) { return (l * n + layers - 1) / layers; };
  std::vector<std::size_t> position(n);
  for (std::size_t u = 0; u < n; ++u) position[u] = u;
  if (options.shuffle_units) std::shuffle(position.begin(), position.end(), rng);

  organization org{.name = "generated", .description = "layered random organization (benchmarks/generator.cpp)",
                   .time_unit = "hour", .currency = "EUR"};
  org.units.resize(n + options.classes);
  for (std::size_t u = 0; u < n; ++u) {
    unit& x = org.units[position[u]];
    x.id = prefixed_id('u', position[u]);
    x.servers = static_cast<std::int64_t>(pick(rng, 1, 3));
    x.service_time = 1.0;  // replaced below, once the loads are known
    x.cost_per_time = uniform(rng, 20.0, 80.0) * static_cast<double>(x.servers.count());
    x.cost_per_request = uniform(rng, 0.0, 5.0);
    x.yield = 1.0 - uniform(rng, 0.0, 0.05);  // in (0.95, 1]
  }
  for (std::size_t c = 0; c < options.classes; ++c) {
    unit& x = org.units[n + c];
    x.id = prefixed_id('c', c);
    x.external = true;
    x.service_time.reset();
    x.demand = uniform(rng, 1.0, 10.0);
    x.value_per_request = uniform(rng, 50.0, 500.0);
  }
  const auto id_of = [&](std::size_t u) -> const std::string& { return org.units[position[u]].id; };

  // Forward links: each unit of a non-last layer serves 1 … 2k−1 consumers (mean k) in
  // the next `layer_span` layers. Requests are spread around 1/degree so that every unit
  // passes on about as many requests as it receives: visit ratios stay near 1 instead
  // of growing geometrically with depth.
  const auto max_degree = static_cast<std::size_t>(std::lround(2 * options.links_per_unit - 1));
  const std::size_t last_layer = layers - 1;
  // Reverse links are drawn among adjacent-layer links, about a third of all links.
  const double reverse_probability = std::min(1.0, options.rework_fraction * static_cast<double>(options.layer_span));
  std::vector<std::size_t> chosen;
  for (std::size_t l = 0; l < last_layer; ++l) {
    const std::size_t furthest = std::min(last_layer, l + options.layer_span);
    for (std::size_t u = layer_begin(l); u < layer_begin(l + 1); ++u) {
      const std::size_t degree = pick(rng, 1, max_degree);
      chosen.clear();
      for (std::size_t k = 0; k < degree; ++k) {
        const std::size_t target_layer = pick(rng, l + 1, furthest);
        const std::size_t v = pick(rng, layer_begin(target_layer), layer_begin(target_layer + 1) - 1);
        if (std::find(chosen.begin(), chosen.end(), v) != chosen.end()) continue;  // no parallel links
        chosen.push_back(v);
        link& fwd = org.add_link({.from = id_of(u), .to = id_of(v)});
        fwd.requests = uniform(rng, 0.5, 1.5) / static_cast<double>(degree);
        if (uniform(rng, 0.0, 1.0) < options.rejection_fraction) fwd.acceptance = uniform(rng, 0.8, 1.0);
        if (target_layer == l + 1 && uniform(rng, 0.0, 1.0) < reverse_probability) {
          link& back = org.add_link({.from = id_of(v), .to = id_of(u)});
          back.requests = uniform(rng, 0.01, 0.1);
        }
      }
    }
  }
  // The last layer serves the customers: round robin so each customer has several
  // feeders, plus a second customer for some units when there are several classes.
  for (std::size_t u = layer_begin(last_layer); u < n; ++u) {
    const std::size_t c = (u - layer_begin(last_layer)) % options.classes;
    org.add_link({.from = id_of(u), .to = org.units[n + c].id, .requests = uniform(rng, 0.5, 1.5)});
    if (options.classes > 1 && uniform(rng, 0.0, 1.0) < 0.3) {
      const std::size_t other = pick(rng, 0, options.classes - 1);
      if (other != c) org.add_link({.from = id_of(u), .to = org.units[n + other].id, .requests = uniform(rng, 0.5, 1.5)});
    }
  }
  std::shuffle(org.links.begin(), org.links.end(), rng);

  // Service times from the loads: s = ρ · servers / λ with ρ drawn in [0.2, max].
  {
    const service_graph g = compile(org);
    const load_result load = compute_load(g);
    for (std::size_t i = 0; i < n; ++i) {
      unit& x = org.units[i];
      const double lambda = load.total_load[i];
      const double rho = uniform(rng, 0.2, options.max_utilization);
      if (lambda > 0) x.service_time = rho * static_cast<double>(x.servers.count()) / lambda;
    }
  }
  return org;
}

}  // namespace servicechain::bench

#include "servicechain/analysis/capacity.hpp"

#include <algorithm>
#include <limits>

namespace servicechain {

bool capacity_limited(const service_graph& g, const model_numbers& numbers, unit_index u) noexcept {
  return !g.is_external(u) && !numbers.unit(u).unlimited_servers;
}

namespace {
// Busy-server time per request of class c at unit i (time units).
double work_per_request(const model_numbers& numbers, const load_result& load, std::uint32_t i, std::size_t c) {
  const auto col = static_cast<Eigen::Index>(c);
  if (load.work_per_request.size() != 0) return load.work_per_request(i, col);
  return load.load_per_request(i, col) * numbers.unit(unit_index{i}).service_time;
}
}  // namespace

capacity_result analyze_capacity(const service_graph& g, const model_numbers& numbers, const load_result& load) {
  const std::size_t n = g.unit_count();
  const std::size_t classes = g.class_count();
  capacity_result r;
  r.directory = g.directory();
  r.units.resize(n);

  for (std::uint32_t i = 0; i < n; ++i) {
    const auto& p = numbers.unit(unit_index{i});
    auto& u = r.units[i];
    if (g.is_external(unit_index{i})) continue;
    u.load = load.total_load[i];
    u.busy_servers = load.total_work[i];
    if (p.unlimited_servers) continue;
    u.utilization = u.busy_servers / p.servers;
    if (u.utilization > 0) {
      u.saturation_scale = 1.0 / u.utilization;
      u.headroom = 1.0 / u.utilization - 1.0;
    }
    r.ranking.push_back(unit_index{i});
  }
  std::stable_sort(r.ranking.begin(), r.ranking.end(), [&](unit_index a, unit_index b) {
    return r.units[a.value()].utilization > r.units[b.value()].utilization;
  });
  if (!r.ranking.empty() && r.units[r.ranking.front().value()].utilization > 0) {
    r.bottleneck = r.ranking.front();
    r.max_demand_scale = r.units[r.bottleneck->value()].saturation_scale;
  }
  r.saturated = saturated_units(g, numbers, load);

  // Per class: ρ_i = ρ_i^(others) + d_c u_ic, with u_ic the utilization one request per
  // time unit of class c causes at unit i. Every bound is the tightest over units.
  r.customers.resize(classes);
  for (std::size_t c = 0; c < classes; ++c) {
    auto& cc = r.customers[c];
    cc.customer = g.customers()[c];
    if (numbers.unit(cc.customer).open_class) cc.demand = load.demand[c];
    double with_others = std::numeric_limits<double>::infinity();
    double alone = std::numeric_limits<double>::infinity();
    bool others_saturate = false;
    for (std::uint32_t i = 0; i < n; ++i) {
      if (!capacity_limited(g, numbers, unit_index{i})) continue;
      const double per_request = work_per_request(numbers, load, i, c) / numbers.unit(unit_index{i}).servers;
      const double others = r.units[i].utilization - per_request * load.demand[c];
      if (others >= 1.0) others_saturate = true;
      if (per_request <= 0) continue;
      const double bound = std::max(0.0, 1.0 - others) / per_request;
      if (bound < with_others) {
        with_others = bound;
        cc.limiting_unit = unit_index{i};
      }
      alone = std::min(alone, 1.0 / per_request);
    }
    if (others_saturate) {
      cc.max_demand = 0.0;
    } else if (with_others < std::numeric_limits<double>::infinity()) {
      cc.max_demand = with_others;
    }
    if (alone < std::numeric_limits<double>::infinity()) cc.max_demand_alone = alone;
  }
  return r;
}

std::vector<saturated_unit> saturated_units(const service_graph& g, const model_numbers& numbers,
                                            const load_result& load) {
  std::vector<saturated_unit> saturated;
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    if (!capacity_limited(g, numbers, unit_index{i})) continue;
    const auto& p = numbers.unit(unit_index{i});
    // ρ formed as (λ·s)/c, exactly as analyze_station forms it, so both agree.
    const double utilization = load.total_work[i] / p.servers;
    if (utilization >= 1.0) {
      const double mean_service = numbers.has_link_service() && load.total_load[i] > 0
                                     ? load.total_work[i] / load.total_load[i]
                                     : p.service_time;
      saturated.push_back({g.id(unit_index{i}), utilization, load.total_load[i], p.servers / mean_service});
    }
  }
  std::stable_sort(saturated.begin(), saturated.end(),
                   [](const saturated_unit& a, const saturated_unit& b) { return a.utilization > b.utilization; });
  return saturated;
}

capacity_result analyze_capacity(const service_graph& g, const load_result& load) {
  return analyze_capacity(g, g.numbers(), load);
}

capacity_result analyze_capacity(const service_graph& g) { return analyze_capacity(g, g.numbers(), compute_load(g)); }

}  // namespace servicechain

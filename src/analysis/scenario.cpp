#include "servicechain/analysis/scenario.hpp"

#include <cstdint>

#include "servicechain/analysis/load.hpp"

namespace servicechain {

namespace {

// `after − before`, and exactly 0 when both are the same number.
kpi_change change(double before, double after) {
  return {.before = before, .after = after, .difference = before == after ? 0.0 : after - before};
}

}  // namespace

model_numbers apply_scenario(const service_graph& g, const model_numbers& base, const scenario& s) {
  model_numbers numbers = apply_edits(g, base, s.edits);
  if (s.demand_scale != 1) numbers.scale_demand(s.demand_scale);  // validates the factor
  return numbers;
}

double mean_lead_time(const open_result& result) {
  double weighted = 0, demand = 0;
  for (std::size_t c = 0; c < result.customers.size(); ++c) {
    const double d = c < result.load.demand.size() ? result.load.demand[c] : 0.0;
    weighted += d * result.customers[c].lead_time;
    demand += d;
  }
  return demand > 0 ? weighted / demand : 0.0;
}

scenario_comparison compare(const service_graph& g, const open_result& base, const open_result& scenario) {
  scenario_comparison out;
  out.units.reserve(g.unit_count());
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_performance& a = base.units[i];
    const unit_performance& b = scenario.units[i];
    out.units.push_back({.unit = unit_index{i},
                         .load = change(a.load, b.load),
                         .utilization = change(a.utilization, b.utilization),
                         .wait = change(a.wait, b.wait),
                         .sojourn = change(a.sojourn, b.sojourn),
                         .number_in_unit = change(a.number_in_unit, b.number_in_unit),
                         .cost_per_service = change(a.cost_per_service, b.cost_per_service),
                         .cost_per_item = change(a.cost_per_item, b.cost_per_item),
                         .lead_time_per_item = change(a.lead_time_per_item, b.lead_time_per_item),
                         .defect_free_per_item = change(a.defect_free_per_item, b.defect_free_per_item)});
  }
  out.links.reserve(g.link_count());
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const link_station& a = base.stations.links[l];
    const link_station& b = scenario.stations.links[l];
    out.links.push_back({.link = link_index{l},
                         .load = change(a.load, b.load),
                         .wait = change(a.wait, b.wait),
                         .sojourn = change(a.sojourn, b.sojourn)});
  }
  out.customers.reserve(g.class_count());
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    const customer_performance& a = base.customers[c];
    const customer_performance& b = scenario.customers[c];
    const double demand_a = c < base.load.demand.size() ? base.load.demand[c] : 0.0;
    const double demand_b = c < scenario.load.demand.size() ? scenario.load.demand[c] : 0.0;
    out.customers.push_back({.customer = g.customers()[c],
                             .demand = change(demand_a, demand_b),
                             .lead_time = change(a.lead_time, b.lead_time),
                             .cost_to_serve = change(a.cost_to_serve, b.cost_to_serve),
                             .defect_free = change(a.defect_free, b.defect_free)});
  }
  out.total_cost = change(base.total_cost, scenario.total_cost);
  out.mean_lead_time = change(mean_lead_time(base), mean_lead_time(scenario));
  return out;
}

scenario_comparison compare(const service_graph& g, const model_numbers& base, const model_numbers& scenario,
                            const open_options& options) {
  const open_result before = analyze_open(g, base, options);
  // The flows depend on demands, requests and acceptance only: reuse them when those are unchanged.
  const open_result after = scenario.flows_revision() == base.flows_revision()
                                ? analyze_open(g, scenario, before.load, options)
                                : analyze_open(g, scenario, options);
  return compare(g, before, after);
}

}  // namespace servicechain

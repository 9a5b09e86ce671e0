#include "servicechain/analysis/scenario.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "detail/entry_lookup.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/error.hpp"

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

namespace {

unit_change unit_diff(unit_index u, const unit_performance& a, const unit_performance& b) {
  return {.unit = u,
          .load = change(a.load, b.load),
          .utilization = change(a.utilization, b.utilization),
          .wait = change(a.wait, b.wait),
          .sojourn = change(a.sojourn, b.sojourn),
          .number_in_unit = change(a.number_in_unit, b.number_in_unit),
          .cost_per_service = change(a.cost_per_service, b.cost_per_service),
          .cost_per_item = change(a.cost_per_item, b.cost_per_item),
          .lead_time_per_item = change(a.lead_time_per_item, b.lead_time_per_item),
          .defect_free_per_item = change(a.defect_free_per_item, b.defect_free_per_item)};
}

link_change link_diff(link_index l, const link_station& a, const link_station& b) {
  return {.link = l, .load = change(a.load, b.load), .wait = change(a.wait, b.wait), .sojourn = change(a.sojourn, b.sojourn)};
}

customer_change customer_diff(unit_index customer, double demand_a, const customer_performance& a, double demand_b,
                              const customer_performance& b) {
  return {.customer = customer,
          .demand = change(demand_a, demand_b),
          .lead_time = change(a.lead_time, b.lead_time),
          .cost_to_serve = change(a.cost_to_serve, b.cost_to_serve),
          .defect_free = change(a.defect_free, b.defect_free)};
}

double class_demand(const open_result& r, std::size_t c) { return c < r.load.demand.size() ? r.load.demand[c] : 0.0; }

std::string link_id(const service_graph& g, link_index l) {
  return g.id(g.link(l).provider) + "->" + g.id(g.link(l).consumer);
}

// Per link of `from`: the link of `to` with the same ends (the k-th with the k-th), if any.
std::vector<std::optional<link_index>> match_links(const service_graph& from, const service_graph& to) {
  std::vector<std::optional<link_index>> match(from.link_count());
  for (std::uint32_t i = 0; i < from.unit_count(); ++i) {
    const auto provider = to.directory()->find(from.id(unit_index{i}));
    if (!provider) continue;
    const auto links = from.out_links(unit_index{i});
    for (std::size_t k = 0; k < links.size(); ++k) {
      const auto consumer = to.directory()->find(from.id(from.link(links[k]).consumer));
      if (!consumer) continue;
      // Its rank among the links of `from` with the same ends, and the link of that rank in `to`.
      std::size_t rank = 0;
      for (std::size_t m = 0; m < k; ++m) rank += from.link(links[m]).consumer == from.link(links[k]).consumer ? 1 : 0;
      for (link_index l : to.out_links(*provider)) {
        if (to.link(l).consumer != *consumer) continue;
        if (rank == 0) {
          match[links[k].value()] = l;
          break;
        }
        --rank;
      }
    }
  }
  return match;
}

}  // namespace

organization_comparison compare(const service_graph& base_graph, const open_result& base,
                                const service_graph& edited_graph, const open_result& edited) {
  organization_comparison out;
  out.common.directory = edited_graph.directory();
  for (std::uint32_t i = 0; i < edited_graph.unit_count(); ++i) {
    const unit_index u{i};
    const auto was = base_graph.directory()->find(edited_graph.id(u));
    if (!was) {
      out.added_units.push_back(edited_graph.id(u));
      continue;
    }
    out.common.units.push_back(unit_diff(u, base.units[was->value()], edited.units[i]));
    const auto c = edited_graph.class_of(u);
    const auto c_was = base_graph.class_of(*was);
    if (c && c_was) {
      out.common.customers.push_back(
          customer_diff(u, class_demand(base, *c_was), base.customers[*c_was], class_demand(edited, *c), edited.customers[*c]));
    }
  }
  for (std::uint32_t i = 0; i < base_graph.unit_count(); ++i)
    if (!edited_graph.directory()->find(base_graph.id(unit_index{i}))) out.removed_units.push_back(base_graph.id(unit_index{i}));
  // Customers in the edited model's class order (the loop above follows unit order).
  std::stable_sort(out.common.customers.begin(), out.common.customers.end(),
                   [&](const customer_change& a, const customer_change& b) {
                     return *edited_graph.class_of(a.customer) < *edited_graph.class_of(b.customer);
                   });

  const auto edited_to_base = match_links(edited_graph, base_graph);
  for (std::uint32_t l = 0; l < edited_graph.link_count(); ++l) {
    if (const auto was = edited_to_base[l]) {
      out.common.links.push_back(link_diff(link_index{l}, base.stations.links[was->value()], edited.stations.links[l]));
    } else {
      out.added_links.push_back(link_id(edited_graph, link_index{l}));
    }
  }
  const auto base_to_edited = match_links(base_graph, edited_graph);
  for (std::uint32_t l = 0; l < base_graph.link_count(); ++l)
    if (!base_to_edited[l]) out.removed_links.push_back(link_id(base_graph, link_index{l}));

  out.common.total_cost = change(base.total_cost, edited.total_cost);
  out.common.mean_lead_time = change(mean_lead_time(base), mean_lead_time(edited));
  return out;
}

const unit_change& scenario_comparison::unit(std::string_view id) const {
  // Comparing organizations, `units` holds only the units both have.
  if (const unit_change* c = detail::find_unit_entry(units, directory->at(id))) return *c;
  throw error(error_code::unknown_id, fmt::format("unit '{}' is not in the base model of the comparison", id));
}

const customer_change& scenario_comparison::customer(std::string_view id) const {
  const unit_index c = directory->customers()[directory->class_at(id)];
  for (const customer_change& change : customers)
    if (change.customer == c) return change;
  throw error(error_code::unknown_id, fmt::format("customer '{}' is not in the base model of the comparison", id));
}

scenario_comparison compare(const service_graph& g, const open_result& base, const open_result& scenario) {
  scenario_comparison out;
  out.directory = g.directory();
  out.units.reserve(g.unit_count());
  for (std::uint32_t i = 0; i < g.unit_count(); ++i)
    out.units.push_back(unit_diff(unit_index{i}, base.units[i], scenario.units[i]));
  out.links.reserve(g.link_count());
  for (std::uint32_t l = 0; l < g.link_count(); ++l)
    out.links.push_back(link_diff(link_index{l}, base.stations.links[l], scenario.stations.links[l]));
  out.customers.reserve(g.class_count());
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    out.customers.push_back(customer_diff(g.customers()[c], class_demand(base, c), base.customers[c],
                                          class_demand(scenario, c), scenario.customers[c]));
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

#include "servicechain/analysis/policy.hpp"

#include <algorithm>

namespace servicechain {

namespace {

double mean_lead_time(const open_result& r, std::span<const double> lead_time) {
  double weighted = 0, demand = 0;
  for (std::size_t c = 0; c < lead_time.size(); ++c) {
    weighted += r.load.demand[c] * lead_time[c];
    demand += r.load.demand[c];
  }
  return demand > 0 ? weighted / demand : 0.0;
}

bool serves_both(const service_graph& g, unit_index u) {
  bool internal = false, external = false;
  for (link_index l : g.out_links(u)) (g.is_external(g.link(l).consumer) ? external : internal) = true;
  return internal && external;
}

// κ_lc: services of link l that a request of class c waits for.
double link_weight(const open_result& r, link_index l, std::size_t c) {
  const auto& z = r.chain.sync_visits.size() ? r.chain.sync_visits : r.load.visits;
  return r.chain.link_sync_services_per_item[l.value()] *
         z(r.chain.link_consumer[l.value()], static_cast<Eigen::Index>(c));
}

// The lead times with unit u under `numbers` (only u's discipline differs from `given`).
policy_alternative evaluate(const service_graph& g, const model_numbers& numbers, const open_result& given,
                            unit_index u, std::string name) {
  station_result stations = given.stations;  // only u's entries change
  analyze_station_of(g, numbers, given.load, u, stations);
  policy_alternative a{.name = std::move(name),
                       .queue_discipline = numbers.unit(u).queue_discipline,
                       .preemptive = numbers.unit(u).preemptive,
                       .lead_time = {}};
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    double lead = given.customers[c].lead_time;
    for (link_index l : g.out_links(u))
      lead += link_weight(given, l, c) * (stations.links[l.value()].sojourn - given.stations.links[l.value()].sojourn);
    a.lead_time.push_back(lead);
  }
  a.mean_lead_time = mean_lead_time(given, a.lead_time);
  return a;
}

std::string label(discipline d, bool preemptive) {
  return std::string(to_string(d)) + (preemptive ? " (preemptive)" : "");
}

// cμ: delay cost per service of link l, c_l = Σ_c value_c d_c κ_lc / λ_l, then c_l / s_l.
void cmu_rule(const service_graph& g, const model_numbers& numbers, const open_result& given, unit_policy& up) {
  std::vector<std::pair<double, link_index>> index;
  std::vector<double> cost(g.link_count(), 0.0);
  bool any_value = false;
  for (link_index l : g.out_links(up.unit)) {
    const double load = given.stations.links[l.value()].load;
    double c_l = 0;
    for (std::size_t c = 0; c < g.class_count(); ++c) {
      const double value = numbers.unit(g.customers()[c]).value_per_request;
      any_value = any_value || value > 0;
      c_l += value * given.load.demand[c] * link_weight(given, l, c);
    }
    cost[l.value()] = load > 0 ? c_l / load : 0.0;
    index.emplace_back(cost[l.value()] / given.stations.links[l.value()].service_time, l);
  }
  if (!any_value) return;
  std::stable_sort(index.begin(), index.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  model_numbers cmu = numbers;
  cmu.set_discipline(g, up.unit, discipline::priority, false);
  for (std::size_t k = 0; k < index.size(); ++k) {
    up.cmu_order.push_back(index[k].second);
    up.delay_cost.push_back(cost[index[k].second.value()]);
    cmu.set_priority(index[k].second, static_cast<std::int64_t>(k));
  }
  up.alternatives.push_back(evaluate(g, cmu, given, up.unit, "cmu"));
}

}  // namespace

policy_result compare_policies(const service_graph& g, const model_numbers& numbers, const open_result& given,
                               const policy_options& options) {
  policy_result r;
  r.directory = g.directory();
  for (const auto& c : given.customers) r.lead_time.push_back(c.lead_time);
  r.mean_lead_time = mean_lead_time(given, r.lead_time);

  std::vector<unit_index> units = options.units;
  if (units.empty()) {
    for (std::uint32_t i = 0; i < g.unit_count(); ++i)
      if (!g.is_external(unit_index{i}) && serves_both(g, unit_index{i})) units.push_back(unit_index{i});
  }
  constexpr std::pair<discipline, bool> tried[] = {
      {discipline::fifo, false},           {discipline::external_first, false}, {discipline::internal_first, false},
      {discipline::shared, false},         {discipline::external_first, true},  {discipline::internal_first, true},
  };
  for (unit_index u : units) {
    unit_policy up{.unit = u, .alternatives = {}, .best = 0, .cmu_order = {}, .delay_cost = {}};
    const auto& p = numbers.unit(u);
    policy_alternative as_given{.name = label(p.queue_discipline, p.preemptive) + " (as given)",
                                .queue_discipline = p.queue_discipline,
                                .preemptive = p.preemptive,
                                .lead_time = r.lead_time};
    as_given.mean_lead_time = r.mean_lead_time;
    up.alternatives.push_back(std::move(as_given));
    for (const auto& [d, preemptive] : tried) {
      if (d == p.queue_discipline && preemptive == p.preemptive) continue;
      model_numbers edited = numbers;  // cheap: arrays are shared until edited
      edited.set_discipline(g, u, d, preemptive);
      up.alternatives.push_back(evaluate(g, edited, given, u, label(d, preemptive)));
    }
    cmu_rule(g, numbers, given, up);
    for (std::size_t k = 1; k < up.alternatives.size(); ++k)
      if (up.alternatives[k].mean_lead_time < up.alternatives[up.best].mean_lead_time) up.best = k;
    r.units.push_back(std::move(up));
  }
  return r;
}

}  // namespace servicechain

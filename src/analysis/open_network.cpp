#include "servicechain/analysis/open_network.hpp"

#include <algorithm>
#include <cmath>

#include "detail/reachability.hpp"
#include "detail/services.hpp"
#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/queueing.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

using index_t = Eigen::Index;

// The sojourn of unit u's services at load `load` (everything else as analysed).
double sojourn_at(const service_graph& g, const model_numbers& numbers, const unit_station& unit, unit_index u,
                  double load) {
  const auto& p = numbers.unit(u);
  return analyze_station({.arrival_rate = load,
                          .service_time = unit.service_time,
                          .servers = p.unlimited_servers ? server_count::unlimited()
                                                         : server_count(static_cast<std::int64_t>(p.servers)),
                          .arrival_scv = unit.arrival_scv,
                          .service_scv = unit.service_scv},
                         g.id(u))
      .sojourn;
}

// The cost of poor internal service of one link: with acceptance 1 both units lose the
// rework services, their queues shorten, and the e-terms of κ at both ends vanish (sync
// links only). Uses each unit's mean sojourn.
rework_cost link_rework(const service_graph& g, const model_numbers& numbers, const open_result& r, link_index l) {
  const auto& t = g.link(l);
  const auto& p = numbers.link(l);
  const unit_index i = t.provider, j = t.consumer;
  const bool consumer_serves = !g.is_external(j);
  const auto& ui = r.stations.units[i.value()];
  const auto& uj = r.stations.units[j.value()];
  rework_cost rc;
  rc.link = l;
  rc.rework_flow = r.load.link_rework_flow[l.value()];
  rc.extra_load = rc.rework_flow * (consumer_serves ? 2.0 : 1.0);
  rc.extra_cost = rc.rework_flow * (r.units[i.value()].cost_per_service +
                                    (consumer_serves ? r.units[j.value()].cost_per_service : 0.0));
  const double provider_w = sojourn_at(g, numbers, ui, i, ui.load - rc.rework_flow);
  const double consumer_w = consumer_serves ? sojourn_at(g, numbers, uj, j, uj.load - rc.rework_flow) : 0.0;
  const std::size_t classes = g.class_count();
  rc.extra_lead_time.resize(classes);
  for (std::size_t c = 0; c < classes; ++c) {
    const auto col = static_cast<index_t>(c);
    const double z_j = (r.chain.sync_visits.size() ? r.chain.sync_visits : r.load.visits)(j.value(), col);
    double kappa_i = r.lead_time_weight(i, c), kappa_j = consumer_serves ? r.lead_time_weight(j, c) : 0.0;
    const double before = kappa_i * ui.sojourn + kappa_j * uj.sojourn;
    if (t.mode == link_mode::sync) {
      kappa_i -= p.requests * p.rejections * z_j;
      if (consumer_serves) kappa_j -= z_j * p.requests * p.rejections;
    }
    rc.extra_lead_time[c] = before - (kappa_i * provider_w + kappa_j * consumer_w);
  }
  return rc;
}

std::vector<unit_performance> unit_summaries(const station_result& st, const chain_result& chain) {
  std::vector<unit_performance> units(st.units.size());
  for (std::size_t i = 0; i < units.size(); ++i) {
    const auto& s = st.units[i];
    const auto& c = chain.units[i];
    units[i] = {.load = s.load,
                .utilization = s.utilization,
                .busy_servers = s.busy_servers,
                .arrival_scv = s.arrival_scv,
                .p_wait = s.p_wait,
                .wait = s.wait,
                .sojourn = s.sojourn,
                .queue_length = s.queue_length,
                .number_in_unit = s.number_in_unit,
                .cost_per_service = c.cost_per_service,
                .cost_per_item = c.cost_per_item,
                .lead_time_per_item = c.lead_time_per_item,
                .defect_free_per_item = c.defect_free_per_item};
  }
  return units;
}

}  // namespace

double open_result::lead_time_through(link_index l, std::size_t c) const {
  const std::uint32_t j = chain.link_consumer[l.value()];
  const double r = chain.link_sync_requests[l.value()];
  const double e = chain.link_rejections[l.value()];
  const double w = stations.links[l.value()].sojourn;
  const auto& consumer = stations.units[j];
  if (consumer.uniform) return r * (w * (1.0 + e) + e * consumer.sojourn) * sync_visit(j, c);
  // The consumer re-checks for class c at the sojourns of the links its class-c items go on.
  double recheck = 0;
  for (std::uint32_t k = chain.out_offset[j]; k < chain.out_offset[j + 1]; ++k) {
    const std::uint32_t m = chain.out_links[k];
    recheck += chain.link_sync_requests[m] * sync_visit(chain.link_consumer[m], c) * stations.links[m].sojourn;
  }
  return r * (sync_visit(j, c) * w * (1.0 + e) + e * recheck);
}

open_result analyze_open(const service_graph& g, const model_numbers& numbers, const open_options& options) {
  open_result r;
  r.directory = g.directory();
  r.load = compute_load(g, numbers);
  r.stations = analyze_stations(g, numbers, r.load, {.variability = options.variability});
  r.chain = compute_chain(g, numbers, r.load, r.stations);
  r.units = unit_summaries(r.stations, r.chain);
  r.customers = std::move(r.chain.customers);
  r.chain.customers.clear();
  r.total_cost = r.chain.total_cost;
  r.allocated_cost = r.chain.allocated_cost;
  r.unallocated_cost = r.chain.unallocated_cost;

  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    if (numbers.link(link_index{l}).rejections != 0.0) r.rework.push_back(link_rework(g, numbers, r, link_index{l}));
  }
  const std::vector<char> aligned = detail::reaches_customer(g);
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    r.units[i].aligned = aligned[i] != 0;
    if (!aligned[i]) r.misaligned.push_back(unit_index{i});
  }
  return r;
}

open_result analyze_open(const service_graph& g, const open_options& options) {
  return analyze_open(g, g.numbers(), options);
}

}  // namespace servicechain

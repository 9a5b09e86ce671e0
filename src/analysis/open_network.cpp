#include "servicechain/analysis/open_network.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "detail/huge_pages.hpp"
#include "detail/prefetch.hpp"
#include "detail/result_storage.hpp"
#include "detail/services.hpp"
#include "detail/work.hpp"
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

// What a unit's queue would be with link l's rework removed, everything else unchanged:
// the two units' stations re-solved on scratch copies of the loads and the station figures.
struct rework_scratch {
  load_result flows;         // only link_load and total_load: what the stations stage reads
  station_result stations;
};

double kappa_of(const open_result& r, link_index l, std::size_t c) {
  const auto& z = r.chain.sync_visits.size() ? r.chain.sync_visits : r.load.visits;
  return r.chain.link_sync_services_per_item[l.value()] * z(r.chain.link_consumer[l.value()], static_cast<index_t>(c));
}

// The general case (a unit with several classes or per-link service laws): with acceptance 1
// link l loses its redos (r e y_j) and the consumer's links lose the re-checks they carried
// (r_jm y_m · r e); κ loses e at link l and r e in the consumer's R^s. Exact: the per-link
// sum Σ κ W before minus after over both units' links.
void exact_extra_lead_time(const service_graph& g, const model_numbers& numbers, const open_result& r,
                           link_index l, rework_scratch& x, rework_cost& rc) {
  const auto& t = g.link(l);
  const auto& p = numbers.link(l);
  const unit_index i = t.provider, j = t.consumer;
  const bool consumer_serves = !g.is_external(j);
  const double removed = p.requests * p.rejections;  // re-checks per item of j
  x.flows.link_load[l.value()] -= rc.rework_flow;
  x.flows.total_load[i.value()] -= rc.rework_flow;
  if (consumer_serves) {
    for (link_index m : g.out_links(j)) x.flows.link_load[m.value()] -= r.load.link_flow[m.value()] * removed;
    x.flows.total_load[j.value()] -= rc.rework_flow;
  }
  analyze_station_of(g, numbers, x.flows, i, x.stations);
  if (consumer_serves) analyze_station_of(g, numbers, x.flows, j, x.stations);
  const bool sync = t.mode == link_mode::sync;
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    double before = 0, after = 0;
    auto add = [&](link_index m, double kappa_after) {
      before += kappa_of(r, m, c) * r.stations.links[m.value()].sojourn;
      after += kappa_after * x.stations.links[m.value()].sojourn;
    };
    for (link_index m : g.out_links(i)) {
      double k = kappa_of(r, m, c);
      if (m == l && sync) k -= p.requests * p.rejections * r.lead_time_weight_items(j.value(), c);
      add(m, k);
    }
    if (consumer_serves) {
      for (link_index m : g.out_links(j)) {
        double k = kappa_of(r, m, c);
        if (sync) k -= r.chain.link_sync_requests[m.value()] * removed * r.lead_time_weight_items(r.chain.link_consumer[m.value()], c);
        add(m, k);
      }
    }
    rc.extra_lead_time[c] = before - after;
  }
  // Restore the scratch copies.
  x.flows.link_load[l.value()] = r.load.link_load[l.value()];
  x.flows.total_load[i.value()] = r.load.total_load[i.value()];
  x.stations.units[i.value()] = r.stations.units[i.value()];
  for (link_index m : g.out_links(i)) x.stations.links[m.value()] = r.stations.links[m.value()];
  if (consumer_serves) {
    x.flows.total_load[j.value()] = r.load.total_load[j.value()];
    x.stations.units[j.value()] = r.stations.units[j.value()];
    for (link_index m : g.out_links(j)) {
      x.flows.link_load[m.value()] = r.load.link_load[m.value()];
      x.stations.links[m.value()] = r.stations.links[m.value()];
    }
  }
}

// The cost of poor internal service of one link: with acceptance 1 both units lose the
// rework services, their queues shorten, and the e-terms of κ at both ends vanish (sync
// links only). Where both units serve every link alike (FIFO, one service law) this is done
// with the units' one sojourn each; otherwise link by link (`exact_extra_lead_time`).
rework_cost link_rework(const service_graph& g, const model_numbers& numbers, const open_result& r, link_index l,
                        std::optional<rework_scratch>& scratch) {
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
  const std::size_t classes = g.class_count();
  rc.extra_lead_time.resize(classes);
  const bool simple = ui.queue_discipline == discipline::fifo && ui.uniform &&
                      (!consumer_serves || (uj.queue_discipline == discipline::fifo && uj.uniform));
  if (!simple) {
    if (!scratch) {
      scratch.emplace();
      scratch->flows.link_load = r.load.link_load;
      scratch->flows.total_load = r.load.total_load;
      scratch->stations = r.stations;
    }
    exact_extra_lead_time(g, numbers, r, l, *scratch, rc);
    return rc;
  }
  const double provider_w = sojourn_at(g, numbers, ui, i, ui.load - rc.rework_flow);
  const double consumer_w = consumer_serves ? sojourn_at(g, numbers, uj, j, uj.load - rc.rework_flow) : 0.0;
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

// Links with rework ahead of the one `link_rework` reads whose ends' rows are prefetched:
// enough to cover a miss to memory at the loop's pace, few enough that the lines stay cached.
constexpr std::size_t rework_ahead = 4;

// The rows `link_rework` reads at the ends of link `l`.
[[gnu::always_inline]] inline void prefetch_rework_rows(const service_graph& g, const open_result& r, link_index l) {
  const auto& t = g.link(l);
  const std::uint32_t i = t.provider.value(), j = t.consumer.value();
  detail::prefetch(&r.stations.units[i]);
  detail::prefetch(&r.stations.units[j]);
  detail::prefetch(&r.units[i]);
  detail::prefetch(&r.units[j]);
  // Row starts by address, not by element: a model without customers has no columns.
  const auto row = [](const unit_matrix& m, std::uint32_t u) {
    return m.data() + static_cast<Eigen::Index>(u) * m.cols();
  };
  const unit_matrix& visits = r.chain.sync_visits.size() ? r.chain.sync_visits : r.load.visits;
  const unit_matrix& weights = r.chain.sync_services.size() ? r.chain.sync_services : r.load.load_per_request;
  detail::prefetch(row(visits, j));
  detail::prefetch(row(weights, i));
  detail::prefetch(row(weights, j));
}

// Fills `r.units` (whose storage may have been reserved ahead) with the stations' and chain's
// figures and whether each unit serves a customer, and lists the units that do not, in one
// pass that writes each summary once.
void unit_summaries(const service_graph& g, const station_result& st, const chain_result& chain, open_result& r) {
  auto& units = r.units;
  units.clear();
  detail::huge_reserve(units, st.units.size());
  for (std::uint32_t i = 0; i < st.units.size(); ++i) {
    const auto& s = st.units[i];
    const auto& c = chain.units[i];
    const bool aligned = g.reaches_customer(unit_index{i});
    if (!aligned) r.misaligned.push_back(unit_index{i});
    units.push_back({.load = s.load,
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
                     .defect_free_per_item = c.defect_free_per_item,
                     .aligned = aligned});
  }
}

}  // namespace

double open_result::carried_through(link_index l) const {
  const double r = chain.link_sync_requests[l.value()];
  const double e = chain.link_rejections[l.value()];
  const double w = stations.links[l.value()].sojourn;
  return r * (w * (1.0 + e) + e * stations.units[chain.link_consumer[l.value()]].sojourn);
}

double open_result::lead_time_through(link_index l, std::size_t c) const {
  const std::uint32_t j = chain.link_consumer[l.value()];
  if (stations.units[j].uniform) return carried_through(l) * sync_visit(j, c);
  const double r = chain.link_sync_requests[l.value()];
  const double e = chain.link_rejections[l.value()];
  const double w = stations.links[l.value()].sojourn;
  // The consumer re-checks for class c at the sojourns of the links its class-c items go on.
  double recheck = 0;
  for (std::uint32_t k = chain.out_offset[j]; k < chain.out_offset[j + 1]; ++k) {
    const std::uint32_t m = chain.out_links[k];
    recheck += chain.link_sync_requests[m] * sync_visit(chain.link_consumer[m], c) * stations.links[m].sojourn;
  }
  return r * (sync_visit(j, c) * w * (1.0 + e) + e * recheck);
}

void open_result::lead_time_through(link_index l, std::span<double> out) const {
  const std::uint32_t j = chain.link_consumer[l.value()];
  if (!stations.units[j].uniform) {
    for (std::size_t c = 0; c < out.size(); ++c) out[c] = lead_time_through(l, c);
    return;
  }
  const double carried = carried_through(l);
  for (std::size_t c = 0; c < out.size(); ++c) out[c] = carried * sync_visit(j, c);
}

open_result analyze_open(const service_graph& g, const model_numbers& numbers, const open_options& options) {
  return analyze_open(g, numbers, compute_load(g, numbers), options);
}

open_result analyze_open(const service_graph& g, const model_numbers& numbers, load_result flows,
                         const open_options& options) {
  if (flows.flows_revision == 0 || flows.flows_revision != numbers.flows_revision()) {
    throw error(error_code::invalid_argument,
                "analyze_open: the flows given were computed from numbers whose demands, requests or acceptance "
                "differ from these (or at given class rates); compute them with compute_load(g, numbers)");
  }
  open_result r;
  r.directory = g.directory();
  r.load = std::move(flows);
  // The large result arrays are made here and faulted in on a second core while the steps
  // run, in the order the steps fill them: fresh memory was most of this analysis' time at
  // 10⁶ units (about 650 MB for one class; benchmarks/RESULTS.md).
  detail::reserved_buffers buffers;
  station_result stations;
  detail::reserve_stations(g, stations, buffers);
  chain_result chain;
  detail::reserve_chain(g, chain, buffers);
  detail::huge_reserve(r.units, g.unit_count(), buffers);
  const detail::background_prefault prefault(buffers);
  // The flows revision ignores service times: the busy-server time follows these numbers.
  detail::compute_work(g, numbers, r.load);
  r.stations = detail::analyze_stations(g, numbers, r.load, {.variability = options.variability}, std::move(stations));
  r.chain = detail::compute_chain(g, numbers, r.load, r.stations, std::move(chain));
  unit_summaries(g, r.stations, r.chain, r);
  r.customers = std::move(r.chain.customers);
  r.chain.customers.clear();
  r.total_cost = r.chain.total_cost;
  r.allocated_cost = r.chain.allocated_cost;
  r.unallocated_cost = r.chain.unallocated_cost;

  // The links with rework, from the chain's copy of their rejections (8 bytes a link, not
  // the 64 of its parameters).
  std::vector<std::uint32_t> reworked;
  for (std::uint32_t l = 0; l < g.link_count(); ++l)
    if (r.chain.link_rejections[l] != 0.0) reworked.push_back(l);
  r.rework.reserve(reworked.size());
  std::optional<rework_scratch> scratch;  // made at the first link that needs it
  for (std::size_t k = 0; k < reworked.size(); ++k) {
    // A link's ends are anywhere in the unit arrays: their rows are asked for some links ahead.
    if (k + rework_ahead < reworked.size()) prefetch_rework_rows(g, r, link_index{reworked[k + rework_ahead]});
    r.rework.push_back(link_rework(g, numbers, r, link_index{reworked[k]}, scratch));
  }
  return r;
}

open_result analyze_open(const service_graph& g, const open_options& options) {
  return analyze_open(g, g.numbers(), options);
}

}  // namespace servicechain

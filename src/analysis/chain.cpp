#include "servicechain/analysis/chain.hpp"

#include <cmath>

#include "detail/huge_pages.hpp"
#include "detail/result_storage.hpp"
#include "detail/services.hpp"

namespace servicechain {

namespace {

using index_t = Eigen::Index;

std::vector<char> sync_mask(const service_graph& g, bool& all_sync) {
  auto sync = detail::huge_vector<char>(g.link_count());
  all_sync = true;
  for (std::size_t l = 0; l < sync.size(); ++l) {
    sync[l] = g.links()[l].mode == link_mode::sync;
    all_sync = all_sync && sync[l];
  }
  return sync;
}

// k_i, and the total and unallocated cost (units with no load serve no external request).
void cost_per_service(const service_graph& g, const model_numbers& numbers, const load_result& flows,
                      chain_result& r) {
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    if (g.is_external(unit_index{i})) continue;
    const auto& p = numbers.unit(unit_index{i});
    const double load = flows.total_load[i];
    r.total_cost += p.cost_per_time + p.cost_per_request * load;
    if (load > 0) {
      r.units[i].cost_per_service = p.cost_per_request + p.cost_per_time / load;
    } else {
      r.unallocated_cost += p.cost_per_time;
    }
  }
}

// Per-item figures, all travelling with service:
//   T_j = W̄_j (1 + R^s_j) + Σ_i r_ij (T_i + e_ij W_{i→j}) + Σ_i r_ij (W_{i→j} − W̄_i)(1 + R^s_i)  over sync links,
//   K_j = k_j (1 + R_j) + Σ_i r_ij (K_i + e_ij k_i)   over all links,
//   log Q_j = log yield_j + Σ_i r_ij log Q_i          over all links.
// The last term of T vanishes where a provider's links share one sojourn (FIFO without
// per-link service times). When every link is sync one propagation carries all three.
void per_item_figures(const service_graph& g, const model_numbers& numbers, const station_result& st,
                      const std::vector<char>& sync, bool all_sync, bool all_uniform,
                      std::span<const double> sync_requests, const std::vector<double>& sync_rechecks,
                      chain_result& r) {
  const std::size_t n = g.unit_count();
  auto b = detail::huge_zero<unit_matrix>(static_cast<index_t>(n), 3);
  for (std::uint32_t j = 0; j < n; ++j) b.row(j) << st.units[j].sojourn, r.units[j].cost_per_service, -r.defect_risk[j];
  for (std::size_t l = 0; l < g.link_count(); ++l) {
    // Where every unit serves its links alike only the links with rework add to `b`: their
    // rejections (8 bytes a link, copied above) are read, not its parameters (64).
    if (all_uniform && r.link_rejections[l] == 0.0) continue;
    const auto& t = g.links()[l];
    const auto& p = numbers.links()[l];
    const auto i = t.provider.value(), j = t.consumer.value();
    if (p.rejections != 0.0) {
      if (sync[l]) b(j, 0) += p.requests * p.rejections * (st.units[j].sojourn + st.links[l].sojourn);
      b(j, 1) += p.requests * p.rejections * (r.units[j].cost_per_service + r.units[i].cost_per_service);
    }
    if (!all_uniform && sync[l] && !st.units[i].uniform) {  // a read at random per link: skipped when none reorders
      b(j, 0) += p.requests * (st.links[l].sojourn - st.units[i].sojourn) * (1.0 + sync_rechecks[i]);
    }
  }
  unit_matrix per_item;
  if (all_sync) {
    per_item = propagate(g, numbers, direction::with_service, std::move(b));
  } else {
    per_item = detail::huge_zero<unit_matrix>(static_cast<index_t>(n), 3);
    per_item.col(0) = propagate(g, numbers, direction::with_service, b.col(0), sync_requests);
    per_item.rightCols(2) = propagate(g, numbers, direction::with_service, b.rightCols(2));
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    r.units[i].lead_time_per_item = per_item(i, 0);
    r.units[i].cost_per_item = per_item(i, 1);  // at a customer: K_c
    r.units[i].defect_free_per_item = std::exp(per_item(i, 2));
  }
}

}  // namespace

chain_result compute_chain(const service_graph& g, const model_numbers& numbers, const load_result& flows,
                           const station_result& st) {
  return detail::compute_chain(g, numbers, flows, st, chain_result{});
}

void detail::reserve_chain(const service_graph& g, chain_result& r, reserved_buffers& buffers) {
  huge_reserve(r.units, g.unit_count(), buffers);
  huge_reserve(r.link_sync_services_per_item, g.link_count(), buffers);
  huge_reserve(r.link_sync_requests, g.link_count(), buffers);
  huge_reserve(r.link_rejections, g.link_count(), buffers);
  huge_reserve(r.link_consumer, g.link_count(), buffers);
  huge_reserve(r.defect_risk, g.unit_count(), buffers);
}

chain_result detail::compute_chain(const service_graph& g, const model_numbers& numbers, const load_result& flows,
                                   const station_result& st, chain_result r) {
  const std::size_t n = g.unit_count();
  const std::size_t classes = g.class_count();
  const auto cols = static_cast<index_t>(classes);
  r.directory = g.directory();
  detail::huge_resize(r.units, n);

  // ---- lead-time weights: z (items waited for) and κ (services waited for), sync links only
  bool all_sync = true;
  const std::vector<char> sync = sync_mask(g, all_sync);
  std::vector<double> sync_requests;  // only needed when some link is async
  if (!all_sync) {
    sync_requests = detail::masked_requests(numbers, sync);
    auto rhs = detail::huge_zero<unit_matrix>(static_cast<index_t>(n), cols);
    for (std::size_t c = 0; c < classes; ++c) rhs(g.customers()[c].value(), static_cast<index_t>(c)) = 1.0;
    r.sync_visits = propagate(g, numbers, direction::with_demand, std::move(rhs), sync_requests);
    r.sync_services = detail::services_per_request(g, numbers, r.sync_visits, sync);  // R^s computed inside
  }
  const unit_matrix& z = all_sync ? flows.visits : r.sync_visits;
  const unit_matrix& kappa = all_sync ? flows.load_per_request : r.sync_services;

  const std::vector<double> sync_rechecks = all_sync ? flows.rechecks : detail::rechecks_of_units(g, numbers, sync);
  detail::huge_assign(r.link_sync_services_per_item, g.link_count(), 0.0);
  detail::huge_assign(r.link_sync_requests, g.link_count(), 0.0);
  detail::huge_assign(r.link_rejections, g.link_count(), 0.0);
  detail::huge_resize(r.link_consumer, g.link_count());
  for (std::size_t l = 0; l < g.link_count(); ++l) {
    const auto& t = g.links()[l];
    const auto& p = numbers.links()[l];
    r.link_consumer[l] = t.consumer.value();
    r.link_rejections[l] = p.rejections;
    if (!sync[l]) continue;
    r.link_sync_requests[l] = p.requests;
    r.link_sync_services_per_item[l] = p.requests * (1.0 + sync_rechecks[t.provider.value()] + p.rejections);
  }

  bool uniform = true;
  for (const auto& unit : st.units) uniform = uniform && unit.uniform;
  if (!uniform) {
    const auto& out = g.out_csr();
    detail::huge_reserve(r.out_offset, out.offset.size());
    r.out_offset.assign(out.offset.begin(), out.offset.end());
    detail::huge_resize(r.out_links, out.link.size());
    for (std::size_t k = 0; k < out.link.size(); ++k) r.out_links[k] = out.link[k].value();
  }

  // ---- cost per service and quality factors
  cost_per_service(g, numbers, flows, r);
  detail::huge_resize(r.defect_risk, n);
  for (std::uint32_t i = 0; i < n; ++i) r.defect_risk[i] = -std::log(numbers.unit(unit_index{i}).yield);

  per_item_figures(g, numbers, st, sync, all_sync, uniform, sync_requests, sync_rechecks, r);

  // ---- per customer: one pass over the units accumulates every class's totals
  Eigen::VectorXd lead = Eigen::VectorXd::Zero(cols), cost = Eigen::VectorXd::Zero(cols);
  Eigen::VectorXd risk = Eigen::VectorXd::Zero(cols);
  bool reorders = false;  // some unit's discipline is not FIFO
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto& unit = st.units[i];
    reorders = reorders || unit.queue_discipline != discipline::fifo;
    if (unit.uniform) {
      if (unit.sojourn != 0.0) lead += kappa.row(i).transpose() * unit.sojourn;
    } else {
      for (link_index l : g.out_links(unit_index{i})) {
        const double weight = r.link_sync_services_per_item[l.value()] * st.links[l.value()].sojourn;
        if (weight != 0.0) lead += z.row(r.link_consumer[l.value()]).transpose() * weight;
      }
    }
    const double k = r.units[i].cost_per_service;
    if (k != 0.0) cost += flows.load_per_request.row(i).transpose() * k;
    if (r.defect_risk[i] != 0.0) risk += flows.visits.row(i).transpose() * r.defect_risk[i];
  }
  // Under all-FIFO only the sojourns of the units whose discipline reorders change; the
  // weights κ do not depend on the sojourns, so L^fifo = L + Σ_l κ_lc (W^fifo_l − W_l).
  // At a FIFO unit W^fifo_l = W_l: without a reordering unit the links need not be read.
  Eigen::VectorXd lead_fifo = lead;
  for (std::uint32_t l = 0; reorders && l < g.link_count(); ++l) {
    const auto& ls = st.links[l];
    const double delta = ls.wait_fifo - ls.wait;
    if (delta == 0.0 || r.link_sync_services_per_item[l] == 0.0) continue;
    lead_fifo += z.row(r.link_consumer[l]).transpose() * (r.link_sync_services_per_item[l] * delta);
  }
  r.customers.resize(classes);
  for (std::size_t c = 0; c < classes; ++c) {
    auto& cp = r.customers[c];
    cp.customer = g.customers()[c];
    cp.lead_time = lead(static_cast<index_t>(c));
    cp.lead_time_fifo = lead_fifo(static_cast<index_t>(c));
    cp.cost_to_serve = cost(static_cast<index_t>(c));
    cp.defect_free = std::exp(-risk(static_cast<index_t>(c)));
    r.allocated_cost += flows.demand[c] * cp.cost_to_serve;
  }
  return r;
}

}  // namespace servicechain

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

server_count servers_of(const unit_parameters& p) {
  return p.unlimited_servers ? server_count::unlimited() : server_count(static_cast<std::int64_t>(p.servers));
}

station_metrics station(const service_graph& g, unit_index u, double load, double arrival_scv) {
  const auto& p = g.unit(u);
  return analyze_station({.arrival_rate = load,
                          .service_time = p.service_time,
                          .servers = servers_of(p),
                          .arrival_scv = arrival_scv,
                          .service_scv = p.service_scv},
                         g.id(u));
}

// QNA traffic-variability equations (Whitt 1983, §4), linear in the arrival SCVs x:
//   departures of unit j:     cd²_j = α_j + β_j x_j,  β_j = 1 − ρ_j², α_j = ρ_j² (1 + (cs²_j − 1)/√c_j)
//   stream j -> provider i:   q cd²_j + 1 − q,  q = min(1, a_ij / λ_j)  (Markovian splitting)
//   arrivals at i:            x_i = Σ_j (a_ij / λ_i) (stream j -> i) + (rechecks_i / λ_i) · 1
// with a_ij = r_ij (1 + e_ij) y_j the requests (first passes and redos) j sends to i.
// Following the routing view of the oracles' Jackson translation, a consumer's departures
// are the requests it sends upstream. Customers are Poisson sources (cd² = 1); a stream
// with more than one request per item keeps the departure SCV (q capped at 1), and
// re-check streams are taken as Poisson. The system has the structure of `propagate`'s
// `with_demand` direction: one kernel call solves it, loops included.
std::vector<double> qna_arrival_scv(const service_graph& g, const load_result& load,
                                    const std::vector<double>& utilization) {
  const std::size_t n = g.unit_count();
  const auto links = g.links();
  const Eigen::Map<const Eigen::VectorXd> d(load.demand.data(), static_cast<index_t>(load.demand.size()));
  const Eigen::VectorXd items = load.visits * d;

  std::vector<double> alpha(n, 1.0), beta(n, 0.0);
  for (std::uint32_t j = 0; j < n; ++j) {
    const auto& p = g.unit(unit_index{j});
    if (p.external) continue;  // Poisson source: α = 1, β = 0
    if (p.unlimited_servers) {  // M/G/∞ keeps the arrival SCV (ρ = 0 in the formula)
      alpha[j] = 0.0;
      beta[j] = 1.0;
      continue;
    }
    const double rho2 = utilization[j] * utilization[j];
    beta[j] = 1.0 - rho2;
    alpha[j] = rho2 * (1.0 + (p.service_scv - 1.0) / std::sqrt(p.servers));
  }

  unit_matrix b = unit_matrix::Zero(static_cast<index_t>(n), 1);
  std::vector<double> weights(links.size(), 0.0);
  std::vector<double> first_and_redo(n, 0.0);
  for (std::size_t l = 0; l < links.size(); ++l) {
    const auto& p = links[l];
    const double rate = p.requests * (1.0 + p.rejections) * items(p.consumer.value());
    const double total = load.total_load[p.provider.value()];
    if (rate <= 0 || total <= 0) continue;
    const double share = rate / total;
    // Routing probability: the fraction of the consumer's departures (all its services,
    // re-checks and redos included; a customer's are its requests) that go to i.
    const double consumer_departures = g.unit(p.consumer).external ? items(p.consumer.value())
                                                                   : load.total_load[p.consumer.value()];
    const double q = std::min(1.0, rate / consumer_departures);
    b(p.provider.value(), 0) += share * (q * alpha[p.consumer.value()] + 1.0 - q);
    weights[l] = share * q * beta[p.consumer.value()];
    first_and_redo[p.provider.value()] += share;
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    // Whatever is not a consumer's stream (re-checks, or no load at all) counts as Poisson.
    b(i, 0) += std::max(0.0, 1.0 - first_and_redo[i]);
  }
  const unit_matrix x = propagate(g, direction::with_demand, std::move(b), weights);
  std::vector<double> scv(n);
  for (std::uint32_t i = 0; i < n; ++i) scv[i] = std::max(0.0, x(i, 0));
  return scv;
}

}  // namespace

open_result analyze_open(const service_graph& g, const open_options& options) {
  const std::size_t n = g.unit_count();
  const std::size_t classes = g.class_count();
  const auto links = g.links();
  const auto cols = static_cast<index_t>(classes);

  open_result r;
  r.directory = g.directory();
  r.load = compute_load(g);
  const load_result& load = r.load;
  if (auto saturated = saturated_units(g, load.total_load); !saturated.empty()) {
    throw unstable_error(std::move(saturated));
  }

  // ---- queueing at every unit
  r.units.resize(n);
  std::vector<double> utilization(n, 0.0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto& p = g.unit(unit_index{i});
    if (!p.external && !p.unlimited_servers) utilization[i] = load.total_load[i] * p.service_time / p.servers;
  }
  std::vector<double> arrival_scv(n, 1.0);
  if (options.variability == arrival_variability::propagate) arrival_scv = qna_arrival_scv(g, load, utilization);
  std::vector<double> sojourn(n, 0.0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const unit_index u{i};
    auto& perf = r.units[i];
    if (g.unit(u).external) {
      perf.arrival_scv = 0;
      continue;
    }
    const station_metrics m = station(g, u, load.total_load[i], arrival_scv[i]);
    perf.load = load.total_load[i];
    perf.utilization = m.utilization;
    perf.busy_servers = m.busy_servers;
    perf.arrival_scv = arrival_scv[i];
    perf.p_wait = m.p_wait;
    perf.wait = m.wait;
    perf.sojourn = m.sojourn;
    perf.queue_length = m.queue_length;
    perf.number_in_unit = m.number_in_unit;
    sojourn[i] = m.sojourn;
  }

  // ---- lead time: L_c = Σ_i κ_ic W_i, κ = services per request over sync links only
  std::vector<char> sync(links.size());
  bool all_sync = true;
  for (std::size_t l = 0; l < links.size(); ++l) {
    sync[l] = links[l].mode == link_mode::sync;
    all_sync = all_sync && sync[l];
  }
  std::vector<double> sync_requests;  // only needed when some link is async
  if (!all_sync) {
    sync_requests = detail::masked_requests(g, sync);
    // z: fresh items of i waited for per request of c; κ from z as the load from visits.
    unit_matrix rhs = unit_matrix::Zero(static_cast<index_t>(n), cols);
    for (std::size_t c = 0; c < classes; ++c) rhs(g.customers()[c].value(), static_cast<index_t>(c)) = 1.0;
    r.sync_visits_ = propagate(g, direction::with_demand, std::move(rhs), sync_requests);
    r.sync_services_ = detail::services_per_request(g, r.sync_visits_, sync);
  }
  const unit_matrix& sync_visits = all_sync ? load.visits : r.sync_visits_;
  const unit_matrix& kappa = all_sync ? load.load_per_request : r.sync_services_;

  // By link: link i -> j carries i's sojourns (first pass and redo) and j's re-checks:
  //   r_ij z_jc (W_i (1 + e_ij) + e_ij W_j); summed over links this is Σ_i κ_ic W_i.
  r.link_carried_.assign(links.size(), 0.0);
  r.link_consumer_.resize(links.size());
  for (std::size_t l = 0; l < links.size(); ++l) {
    const auto& p = links[l];
    r.link_consumer_[l] = p.consumer.value();
    if (sync[l]) {
      r.link_carried_[l] = p.requests * (sojourn[p.provider.value()] * (1.0 + p.rejections) +
                                         p.rejections * sojourn[p.consumer.value()]);
    }
  }

  // ---- cost to serve by reciprocal allocation: K_c = Σ_i ℓ_ic k_i
  std::vector<double> k(n, 0.0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto& p = g.unit(unit_index{i});
    if (p.external) continue;
    const double fixed_and_variable = p.cost_per_time + p.cost_per_request * load.total_load[i];
    r.total_cost += fixed_and_variable;
    if (load.total_load[i] > 0) {
      k[i] = p.cost_per_request + p.cost_per_time / load.total_load[i];
    } else {
      r.unallocated_cost += p.cost_per_time;  // serves no external customer's request
    }
    r.units[i].cost_per_service = k[i];
  }
  // ---- quality: log Q_j = log yield_j + Σ_i r_ij log Q_i, so −log Q_c = Σ_i v_ic (−log yield_i)
  r.defect_risk_.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) r.defect_risk_[i] = -std::log(g.unit(unit_index{i}).yield);

  // ---- per-item figures, all travelling with service:
  //   T_j = W_j (1 + Σ_i r_ij e_ij) + Σ_i r_ij (T_i + e_ij W_i)   over sync links,
  //   K_j = k_j (1 + Σ_i r_ij e_ij) + Σ_i r_ij (K_i + e_ij k_i)   over all links,
  //   log Q_j = log yield_j + Σ_i r_ij log Q_i                    over all links.
  // When every link is sync one propagation carries all three columns.
  {
    unit_matrix b(static_cast<index_t>(n), 3);
    for (std::uint32_t j = 0; j < n; ++j) b.row(j) << sojourn[j], k[j], -r.defect_risk_[j];
    for (std::size_t l = 0; l < links.size(); ++l) {
      const auto& p = links[l];
      if (p.rejections == 0.0) continue;
      const auto i = p.provider.value(), j = p.consumer.value();
      if (sync[l]) b(j, 0) += p.requests * p.rejections * (sojourn[j] + sojourn[i]);
      b(j, 1) += p.requests * p.rejections * (k[j] + k[i]);
    }
    unit_matrix per_item;
    if (all_sync) {
      per_item = propagate(g, direction::with_service, std::move(b));
    } else {
      per_item.resize(static_cast<index_t>(n), 3);
      per_item.col(0) = propagate(g, direction::with_service, b.col(0), sync_requests);
      per_item.rightCols(2) = propagate(g, direction::with_service, b.rightCols(2));
    }
    for (std::uint32_t i = 0; i < n; ++i) {
      r.units[i].lead_time_per_item = per_item(i, 0);
      r.units[i].cost_per_item = per_item(i, 1);  // at a customer: K_c
      r.units[i].defect_free_per_item = std::exp(per_item(i, 2));
    }
  }

  // ---- per customer: one pass over the units accumulates every class's totals
  {
    Eigen::VectorXd lead = Eigen::VectorXd::Zero(cols), cost = Eigen::VectorXd::Zero(cols);
    Eigen::VectorXd risk = Eigen::VectorXd::Zero(cols);
    for (std::uint32_t i = 0; i < n; ++i) {
      if (r.units[i].sojourn != 0.0) lead += kappa.row(i).transpose() * r.units[i].sojourn;
      if (k[i] != 0.0) cost += load.load_per_request.row(i).transpose() * k[i];
      if (r.defect_risk_[i] != 0.0) risk += load.visits.row(i).transpose() * r.defect_risk_[i];
    }
    r.customers.resize(classes);
    for (std::size_t c = 0; c < classes; ++c) {
      auto& cp = r.customers[c];
      cp.customer = g.customers()[c];
      cp.lead_time = lead(static_cast<index_t>(c));
      cp.cost_to_serve = cost(static_cast<index_t>(c));
      cp.defect_free = std::exp(-risk(static_cast<index_t>(c)));
      r.allocated_cost += load.demand[c] * cp.cost_to_serve;
    }
  }

  // ---- cost of poor internal service, link by link (only its two units' loads change)
  for (std::uint32_t l = 0; l < links.size(); ++l) {
    const auto& p = links[l];
    if (p.rejections == 0.0) continue;
    const unit_index i = p.provider, j = p.consumer;
    const bool consumer_serves = !g.unit(j).external;
    rework_cost rc;
    rc.link = link_index{l};
    rc.rework_flow = load.link_rework_flow[l];
    rc.extra_load = rc.rework_flow * (consumer_serves ? 2.0 : 1.0);
    rc.extra_cost = rc.rework_flow * (k[i.value()] + (consumer_serves ? k[j.value()] : 0.0));
    // With acceptance 1: both units lose these services, their queues shorten, and the
    // e-terms of κ at both ends vanish (sync links only).
    const double provider_w = station(g, i, load.total_load[i.value()] - rc.rework_flow, arrival_scv[i.value()]).sojourn;
    const double consumer_w =
        consumer_serves ? station(g, j, load.total_load[j.value()] - rc.rework_flow, arrival_scv[j.value()]).sojourn
                        : 0.0;
    rc.extra_lead_time.resize(classes);
    for (std::size_t c = 0; c < classes; ++c) {
      const auto col = static_cast<index_t>(c);
      const double z_j = sync_visits(j.value(), col);
      double kappa_i = kappa(i.value(), col), kappa_j = consumer_serves ? kappa(j.value(), col) : 0.0;
      const double before = kappa_i * sojourn[i.value()] + kappa_j * sojourn[j.value()];
      if (p.mode == link_mode::sync) {
        kappa_i -= p.requests * p.rejections * z_j;
        if (consumer_serves) kappa_j -= z_j * p.requests * p.rejections;
      }
      rc.extra_lead_time[c] = before - (kappa_i * provider_w + kappa_j * consumer_w);
    }
    r.rework.push_back(std::move(rc));
  }

  // ---- alignment
  const std::vector<char> aligned = detail::reaches_customer(g);
  for (std::uint32_t i = 0; i < n; ++i) {
    r.units[i].aligned = aligned[i] != 0;
    if (!aligned[i]) r.misaligned.push_back(unit_index{i});
  }
  return r;
}

}  // namespace servicechain

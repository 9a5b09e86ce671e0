#include "servicechain/analysis/contribution.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "detail/dual.hpp"
#include "detail/station_formulas.hpp"
#include "servicechain/analysis/capacity.hpp"
#include "servicechain/error.hpp"

// Reverse (adjoint) differentiation of the open analysis (docs/sensitivities.md).
//
// Forward, with y = V d the items per time unit (y = D + W y, `with_demand`), R_i the
// re-checks per item over all inputs, R^s_i over sync inputs, z_c the sync visits:
//   link load    λ_l = r_l (1 + R_i + e_l) y_j                      (l = i → j)
//   station      W_l = stretch_p(traffic of i) · s_l + delay_p        (p: the class of l at i)
//   lead time    L_c = Σ_{sync l} r_l (1 + R^s_i + e_l) z_jc W_l
//   cost         K_c = Σ_i ℓ_ic k_i,  k_i = cpr_i + cpt_i / λ_i,  ℓ_c linear in v_c
//   defects      log Q_c = Σ_i v_ic log yield_i
//   capacity     M = servers_b / Σ_{l out of b} λ_l s_l              (b the bottleneck)
// Every KPI depends on the flows through three linear solves only: y (one column, all
// customers together), v_c and z_c (its own class). Each has one transposed solve
// (`with_service`): μ^y per KPI (the stations and costs see y only), and one column each
// for v and z shared by every class, because the coefficients of v_c in K_c and log Q_c,
// and of z_c in L_c, do not depend on c. Derivatives by the adjoint identity
// d(gᵀ x)/dW_ij = μ_i x_j with μ = (I − W)^{-T} g (Griewank & Walther, *Evaluating
// Derivatives*, 2nd ed., SIAM 2008, ch. 3; Giles & Pierce, "An introduction to the
// adjoint approach to design", Flow, Turbulence and Combustion 65, 2000). The stations'
// local derivatives are forward-mode duals through the station formulas. With QNA the
// arrival SCVs solve one more linear system, whose transposed solve is `qna_reverse`.

namespace servicechain {

namespace {
using index_t = Eigen::Index;
}  // namespace

std::string_view to_string(kpi_kind kind) noexcept {
  switch (kind) {
    case kpi_kind::lead_time: return "lead_time";
    case kpi_kind::mean_lead_time: return "mean_lead_time";
    case kpi_kind::cost_to_serve: return "cost_to_serve";
    case kpi_kind::total_cost: return "total_cost";
    case kpi_kind::defect_free: return "defect_free";
    case kpi_kind::max_demand_scale: return "max_demand_scale";
  }
  return "unknown";
}

struct sensitivity_result::state {
  explicit state(const model_numbers& values) : numbers(values) {}
  std::shared_ptr<const unit_directory> directory;
  model_numbers numbers;
  std::size_t n = 0;
  // structure, copied so that the result outlives the graph
  std::vector<std::uint32_t> provider, consumer, out_offset, out_links;
  std::vector<char> sync, external;
  // forward quantities
  std::vector<double> y, rechecks, sync_rechecks, total_load, total_work, cost_per_service, log_quality_per_item;
  std::vector<double> link_load;
  unit_matrix visits, services;  // v, ℓ (n × classes)
  std::vector<double> lead, cost, quality;  // per class
  std::vector<std::size_t> open;            // open classes, in class order
  double total_demand = 0, mean_lead = 0;
  // The links in out-CSR order (position `position[l]` for link l), with what the reverse
  // pass and the derivatives read of each; `slot` is the station class of the link at its
  // provider (the row of a, b, c and stretch).
  struct out_link {
    std::uint32_t consumer = 0, slot = 0;
    double requests = 0, rework = 0, s = 0, second = 0, sojourn = 0;  // rework: r e; second: s² (1 + cs²)
  };
  std::vector<out_link> out;
  std::vector<std::uint32_t> position;
  [[nodiscard]] const out_link& at(std::uint32_t l) const { return out[position[l]]; }
  std::vector<double> stretch;
  // KPI columns: `family` and the column within it
  enum class family { lead, cost, total, defect, capacity };
  std::vector<family> fam;
  std::vector<std::size_t> column;  // lead: lead column; cost/defect: open position
  std::size_t lead_columns = 0;
  // adjoints
  unit_matrix zeta;                 // n × lead: z_c of the column's class, or Σ w_c z_c
  unit_matrix a, b, c;              // slots × lead: ∂/∂(rate, work, second) of each station class
  unit_matrix rbar, rsbar;          // n × lead: ∂/∂R_i, ∂/∂R^s_i
  unit_matrix mu_y;                 // n × (lead + open + 2 + 2): y per KPI, then v (cost) and z (lead time)
  std::size_t mu_h_column = 0, mu_z_column = 0;
  std::optional<std::uint32_t> bottleneck;
  double capacity_scale = 0, psi = 0, rbar_bottleneck = 0;
  // QNA (arrival variability propagated): the forward terms of the SCV system and its adjoint
  bool qna = false;
  std::vector<double> qna_x, alpha, beta, departures;  // per unit: x (ca² before the clamp), α, β, D
  std::vector<char> free_share;                        // per unit: 1 − Σ share > 0
  std::vector<double> share, split;                    // per link (CSR order): a_ij/λ_i, q (0 share: not in the system)
  std::vector<char> capped;                            // per link (CSR order): q = 1 by the cap
  unit_matrix nu;                                      // n × lead: adjoint of x
  unit_matrix scv_extra;                               // n × lead: ∂/∂service_scv through α (own law)

  // ∂J/∂a_l of the requests (first passes and redos) link l sends to its provider, through QNA.
  [[nodiscard]] double qna_rate_bar(std::size_t k, std::uint32_t l) const {
    if (!qna || fam[k] != family::lead) return 0.0;
    const std::uint32_t pos = position[l];
    if (share[pos] == 0.0) return 0.0;
    const std::uint32_t i = provider[l], j = consumer[l];
    const double v = nu(i, static_cast<index_t>(column[k]));
    const double q = split[pos];
    const double share_bar = v * (q * alpha[j] + 1.0 - q - (free_share[i] ? 1.0 : 0.0)) + v * qna_x[j] * q * beta[j];
    const double q_bar = capped[pos] ? 0.0 : v * share[pos] * (alpha[j] - 1.0) + v * qna_x[j] * share[pos] * beta[j];
    return share_bar / total_load[i] + q_bar / departures[j];
  }

  [[nodiscard]] std::size_t y_column(std::size_t k) const {
    switch (fam[k]) {
      case family::lead: return column[k];
      case family::cost: return lead_columns + column[k];
      case family::total: return lead_columns + open.size();
      case family::capacity: return lead_columns + open.size() + 1;
      case family::defect: break;
    }
    return std::numeric_limits<std::size_t>::max();
  }
  [[nodiscard]] double kappa_factor(std::uint32_t l) const {  // r (1 + R^s_i + e), sync links
    const auto& p = numbers.links()[l];
    return sync[l] ? p.requests * (1.0 + sync_rechecks[provider[l]] + p.rejections) : 0.0;
  }
  // ∂J/∂λ_i (unit total load) for the cost families
  [[nodiscard]] double phi(std::size_t k, std::uint32_t i) const {
    if (external[i]) return 0;
    const auto& p = numbers.units()[i];
    if (fam[k] == family::total) return p.cost_per_request;
    if (fam[k] == family::cost && total_load[i] > 0) {
      return -services(i, static_cast<index_t>(open[column[k]])) * p.cost_per_time / (total_load[i] * total_load[i]);
    }
    return 0;
  }
  // ∂J/∂λ_l (link load)
  [[nodiscard]] double load_bar(std::size_t k, std::uint32_t l) const {
    const std::uint32_t i = provider[l];
    if (external[i]) return 0;
    switch (fam[k]) {
      case family::lead: {
        const auto& o = at(l);
        const auto s = static_cast<index_t>(o.slot);
        const auto col = static_cast<index_t>(column[k]);
        return a(s, col) + b(s, col) * o.s + c(s, col) * o.second;
      }
      case family::cost:
      case family::total: return phi(k, i);
      case family::capacity: return bottleneck && *bottleneck == i ? psi * at(l).s : 0.0;
      case family::defect: break;
    }
    return 0;
  }
  // ∂J/∂R_i
  [[nodiscard]] double r_bar(std::size_t k, std::uint32_t i) const {
    switch (fam[k]) {
      case family::lead: return rbar(i, static_cast<index_t>(column[k]));
      case family::cost:
        if (external[i]) return 0;
        return phi(k, i) * y[i] + cost_per_service[i] * visits(i, static_cast<index_t>(open[column[k]]));
      case family::total: return external[i] ? 0.0 : phi(k, i) * y[i];
      case family::capacity: return bottleneck && *bottleneck == i ? rbar_bottleneck : 0.0;
      case family::defect: break;
    }
    return 0;
  }
  [[nodiscard]] double mu_y_of(std::size_t k, std::uint32_t i) const {
    const std::size_t col = y_column(k);
    return col == std::numeric_limits<std::size_t>::max() ? 0.0 : mu_y(i, static_cast<index_t>(col));
  }
  // ∂J/∂s_l of the service time of link l (as its provider serves it)
  [[nodiscard]] double service_time_bar(std::size_t k, std::uint32_t l) const {
    const std::uint32_t i = provider[l];
    if (external[i]) return 0;
    if (fam[k] == family::lead) {
      const auto col = static_cast<index_t>(column[k]);
      const auto& o = at(l);
      const auto s = static_cast<index_t>(o.slot);
      const double weight = kappa_factor(l) * zeta(consumer[l], col);
      // ∂(s² (1 + cs²))/∂s = 2 s (1 + cs²) = 2 second / s
      return weight * stretch[o.slot] + link_load[l] * (b(s, col) + 2.0 * o.second / o.s * c(s, col));
    }
    if (fam[k] == family::capacity && bottleneck && *bottleneck == i) return psi * link_load[l];
    return 0;
  }
  [[nodiscard]] double scv_bar(std::size_t k, std::uint32_t l) const {
    if (fam[k] != family::lead || external[provider[l]]) return 0;
    const auto& o = at(l);
    return link_load[l] * o.s * o.s * c(static_cast<index_t>(o.slot), static_cast<index_t>(column[k]));
  }
  [[nodiscard]] double rejections_bar(std::size_t k, std::uint32_t l) const {
    const auto& p = numbers.links()[l];
    const std::uint32_t i = provider[l], j = consumer[l];
    double d = load_bar(k, l) * p.requests * y[j] + r_bar(k, j) * p.requests;
    if (fam[k] == family::lead && sync[l]) {
      const auto col = static_cast<index_t>(column[k]);
      d += p.requests * zeta(j, col) * at(l).sojourn + rsbar(j, col) * p.requests;
    }
    if (fam[k] == family::cost && !external[i]) {
      d += cost_per_service[i] * p.requests * visits(j, static_cast<index_t>(open[column[k]]));
    }
    d += qna_rate_bar(k, l) * p.requests * y[j];
    return d;
  }
  [[nodiscard]] double requests_bar(std::size_t k, std::uint32_t l) const {
    const auto& p = numbers.links()[l];
    const std::uint32_t i = provider[l], j = consumer[l];
    double d = mu_y_of(k, i) * y[j] + load_bar(k, l) * (1.0 + rechecks[i] + p.rejections) * y[j] +
               r_bar(k, j) * p.rejections;
    if (fam[k] == family::lead && sync[l]) {
      const auto col = static_cast<index_t>(column[k]);
      d += mu_y(i, static_cast<index_t>(mu_z_column)) * zeta(j, col) + (1.0 + sync_rechecks[i] + p.rejections) * zeta(j, col) * at(l).sojourn +
           rsbar(j, col) * p.rejections;
    }
    if (fam[k] == family::cost) {
      const auto cls = static_cast<index_t>(open[column[k]]);
      d += mu_y(i, static_cast<index_t>(mu_h_column)) * visits(j, cls);
      if (!external[i]) d += cost_per_service[i] * p.rejections * visits(j, cls);
    }
    if (fam[k] == family::defect) {
      const std::size_t cls = open[column[k]];
      d += quality[cls] * log_quality_per_item[i] * visits(j, static_cast<index_t>(cls));
    }
    d += qna_rate_bar(k, l) * (1.0 + p.rejections) * y[j];
    return d;
  }
};

// ---------------------------------------------------------------- accessors

std::optional<std::size_t> sensitivity_result::find(const kpi_id& kpi) const noexcept {
  for (std::size_t k = 0; k < kpis_.size(); ++k)
    if (kpis_[k] == kpi) return k;
  return std::nullopt;
}

double sensitivity_result::value(parameter_ref p) const {
  const auto& s = *state_;
  switch (p.kind) {
    case parameter_kind::unit_service_time: return s.numbers.units()[p.index].service_time;
    case parameter_kind::unit_service_scv: return s.numbers.units()[p.index].service_scv;
    case parameter_kind::unit_cost_per_time: return s.numbers.units()[p.index].cost_per_time;
    case parameter_kind::unit_cost_per_request: return s.numbers.units()[p.index].cost_per_request;
    case parameter_kind::unit_yield: return s.numbers.units()[p.index].yield;
    case parameter_kind::link_requests: return s.numbers.links()[p.index].requests;
    case parameter_kind::link_acceptance: return s.numbers.links()[p.index].acceptance;
    case parameter_kind::link_service_time: return s.numbers.service_time(link_index{p.index});
    case parameter_kind::customer_demand: return s.numbers.units()[p.index].demand;
  }
  return 0;
}

std::string sensitivity_result::path(parameter_ref p) const {
  const auto& s = *state_;
  const auto unit_id = [&](std::uint32_t u) -> const std::string& { return s.directory->id(unit_index{u}); };
  const auto link_path = [&](std::string_view field) {
    return fmt::format("links/{}/{}/{}", unit_id(s.provider[p.index]), unit_id(s.consumer[p.index]), field);
  };
  switch (p.kind) {
    case parameter_kind::unit_service_time: return fmt::format("units/{}/service_time", unit_id(p.index));
    case parameter_kind::unit_service_scv: return fmt::format("units/{}/service_scv", unit_id(p.index));
    case parameter_kind::unit_cost_per_time: return fmt::format("units/{}/cost_per_time", unit_id(p.index));
    case parameter_kind::unit_cost_per_request: return fmt::format("units/{}/cost_per_request", unit_id(p.index));
    case parameter_kind::unit_yield: return fmt::format("units/{}/yield", unit_id(p.index));
    case parameter_kind::link_requests: return link_path("requests");
    case parameter_kind::link_acceptance: return link_path("acceptance");
    case parameter_kind::link_service_time: return link_path("service_time");
    case parameter_kind::customer_demand: return fmt::format("customers/{}/demand", unit_id(p.index));
  }
  return {};
}

double sensitivity_result::derivative(std::size_t k, parameter_ref p) const {
  const auto& s = *state_;
  if (k >= kpis_.size()) {
    throw error(error_code::invalid_argument,
                fmt::format("sensitivity_result: KPI {} requested, but there are {}", k, kpis_.size()));
  }
  using family = state::family;
  const std::uint32_t u = p.index;
  const auto cls_col = [&] { return static_cast<index_t>(s.open[s.column[k]]); };
  switch (p.kind) {
    case parameter_kind::unit_service_time:
    case parameter_kind::unit_service_scv: {
      const bool time = p.kind == parameter_kind::unit_service_time;
      double d = 0;
      for (std::uint32_t q = s.out_offset[u]; q < s.out_offset[u + 1]; ++q) {
        const std::uint32_t l = s.out_links[q];
        const auto& lp = s.numbers.links()[l];
        if (time && !lp.service_time) d += s.service_time_bar(k, l);
        if (!time && !lp.service_scv) d += s.scv_bar(k, l);
      }
      if (!time && s.qna && s.fam[k] == family::lead) d += s.scv_extra(u, static_cast<index_t>(s.column[k]));
      return d;
    }
    case parameter_kind::unit_cost_per_time:
      if (s.external[u]) return 0;
      if (s.fam[k] == family::total) return 1;
      if (s.fam[k] == family::cost && s.total_load[u] > 0) return s.services(u, cls_col()) / s.total_load[u];
      return 0;
    case parameter_kind::unit_cost_per_request:
      if (s.external[u]) return 0;
      if (s.fam[k] == family::total) return s.total_load[u];
      if (s.fam[k] == family::cost) return s.services(u, cls_col());
      return 0;
    case parameter_kind::unit_yield:
      if (s.fam[k] != family::defect) return 0;
      return s.quality[s.open[s.column[k]]] * s.visits(u, cls_col()) / s.numbers.units()[u].yield;
    case parameter_kind::link_requests: return s.requests_bar(k, u);
    case parameter_kind::link_acceptance: {
      const double a = s.numbers.links()[u].acceptance;
      return -s.rejections_bar(k, u) / (a * a);
    }
    case parameter_kind::link_service_time: return s.service_time_bar(k, u);
    case parameter_kind::customer_demand: {
      double d = s.mu_y_of(k, u);
      if (kpis_[k].kind == kpi_kind::mean_lead_time && s.total_demand > 0) {
        const auto cls = s.directory->class_of(unit_index{u});
        if (cls) d += (s.lead[*cls] - s.mean_lead) / s.total_demand;
      }
      return d;
    }
  }
  return 0;
}

std::optional<double> sensitivity_result::elasticity(std::size_t k, parameter_ref p) const {
  const double kpi = kpi_value(k);
  if (kpi == 0.0) return std::nullopt;
  return derivative(k, p) * value(p) / kpi;
}

// ---------------------------------------------------------------- the reverse pass

namespace {

// QNA's traffic-variability equations (Whitt 1983, §4), as `analyze_stations` solves them
// (src/analysis/stations.cpp, `qna_arrival_scv`): x = b + W x with, per link l = i → j
// carrying a_l = r (1 + e) y_j requests to i, share_l = a_l/λ_i, q_l = min(1, a_l/D_j)
// (D_j: the consumer's departures, λ_j or y_j at a customer),
//   b_i = Σ_l share_l (q_l α_j + 1 − q_l) + max(0, 1 − Σ_l share_l),   W_l = share_l q_l β_j,
//   α_j = ρ_j² (1 + (cs²_j − 1)/√c_j), β_j = 1 − ρ_j² (unlimited: 0, 1; customers: 1, 0).
// Reverse: ν = (I − W)^{-T} ∂J/∂x (one transposed propagation with the weights W), then
// ∂J/∂b_i = ν_i, ∂J/∂W_l = ν_i x_j, and back through share, q, α, β to the link requests,
// the loads (a of the stations' classes), the work (b), the service laws (c, or the
// unit's own SCV) and y (the seed of μ^y).
template <class State>
void qna_reverse(const service_graph& g, const model_numbers& numbers, State& s, unit_matrix scv_bar,
                 const std::vector<std::uint32_t>& slot_offset, const std::vector<class_traffic>& traffic,
                 unit_matrix& seed) {
  const std::size_t n = g.unit_count(), links = g.link_count(), L = s.lead_columns;
  const auto lead = static_cast<index_t>(L);
  s.alpha.assign(n, 1.0);
  s.beta.assign(n, 0.0);
  std::vector<double> rho(n, 0.0), cs2(n, 1.0), rate(n, 0.0), work(n, 0.0), second(n, 0.0);
  std::vector<char> own_law(n, 1);  // the unit's own service law on every link
  for (std::size_t l = 0; l < links; ++l) {
    const auto& lp = numbers.links()[l];
    if (lp.service_time || lp.service_scv) own_law[s.provider[l]] = 0;
  }
  for (std::uint32_t j = 0; j < n; ++j) {
    if (s.external[j]) continue;
    const auto& p = numbers.unit(unit_index{j});
    for (std::uint32_t q = slot_offset[j]; q < slot_offset[j + 1]; ++q) {
      rate[j] += traffic[q].rate;
      work[j] += traffic[q].work;
      second[j] += traffic[q].second;
    }
    if (!(rate[j] > 0)) own_law[j] = 1;
    if (p.unlimited_servers) {
      s.alpha[j] = 0.0;
      s.beta[j] = 1.0;
      continue;
    }
    rho[j] = s.total_work[j] / p.servers;
    cs2[j] = own_law[j] ? p.service_scv : std::max(0.0, second[j] * rate[j] / (work[j] * work[j]) - 1.0);
    s.beta[j] = 1.0 - rho[j] * rho[j];
    s.alpha[j] = rho[j] * rho[j] * (1.0 + (cs2[j] - 1.0) / std::sqrt(p.servers));
  }
  s.departures.resize(n);
  for (std::uint32_t j = 0; j < n; ++j) s.departures[j] = s.external[j] ? s.y[j] : s.total_load[j];
  s.share.assign(links, 0.0);  // in out-CSR order, as s.out
  s.split.assign(links, 0.0);
  s.capped.assign(links, 0);
  unit_matrix b = unit_matrix::Zero(static_cast<index_t>(n), 1);
  std::vector<double> weights(links, 0.0), first(n, 0.0);
  for (std::uint32_t i = 0; i < n; ++i) {
    for (std::uint32_t pos = s.out_offset[i]; pos < s.out_offset[i + 1]; ++pos) {
      const std::uint32_t l = s.out_links[pos];
      const auto& o = s.out[pos];
      const std::uint32_t j = o.consumer;
      const double a = (o.requests + o.rework) * s.y[j];
      if (a <= 0 || s.total_load[i] <= 0) continue;
      s.share[pos] = a / s.total_load[i];
      const double ratio = a / s.departures[j];
      // At q = 1 exactly (one request per item, no re-checks at the consumer: the default
      // numbers) min(1, ·) has a kink. The side taken is q = a/D, the one that every
      // feasible move of an acceptance (only down from 1) and a decrease of the requests
      // lead to; rounding must not choose it.
      s.capped[pos] = ratio > 1.0 + 1e-12;
      s.split[pos] = std::min(1.0, ratio);
      b(i, 0) += s.share[pos] * (s.split[pos] * s.alpha[j] + 1.0 - s.split[pos]);
      weights[l] = s.share[pos] * s.split[pos] * s.beta[j];
      first[i] += s.share[pos];
    }
  }
  // Σ_l share_l ≤ 1 always (λ_i = Σ_l a_l + y_i R_i, the re-checks): the max is inactive
  // but for rounding at R_i = 0, where 1 − Σ share is the branch that changes smoothly
  // (a rejection upstream makes it positive). So its slope is always −1.
  s.free_share.assign(n, 1);
  for (std::uint32_t i = 0; i < n; ++i) b(i, 0) += std::max(0.0, 1.0 - first[i]);
  const unit_matrix x = propagate(g, numbers, direction::with_demand, std::move(b), weights);
  s.qna_x.assign(x.data(), x.data() + n);
  for (std::uint32_t i = 0; i < n; ++i)
    if (s.qna_x[i] < 0) scv_bar.row(i).setZero();  // clamped to 0: no slope
  s.nu = propagate(g, numbers, direction::with_service, std::move(scv_bar), weights);

  // Local terms, per link and column, gathered per unit: a_add and work_add go to the a and
  // b of every station class of the unit (∂/∂λ_i and ∂/∂work_i), scv_extra is ∂/∂cs²_j.
  // α_j and β_j enter through ρ_j = work_j/c_j and cs²_j only, so their adjoints are
  // folded in at once: ∂α/∂work = 2ρ (1 + (cs² − 1)/√c)/c, ∂β/∂work = −2ρ/c, ∂α/∂cs² = ρ²/√c.
  std::vector<double> alpha_work(n, 0.0), beta_work(n, 0.0), alpha_scv(n, 0.0);
  for (std::uint32_t j = 0; j < n; ++j) {
    const auto& p = numbers.unit(unit_index{j});
    if (s.external[j] || p.unlimited_servers) continue;
    const double root = std::sqrt(p.servers);
    alpha_work[j] = 2.0 * rho[j] * (1.0 + (cs2[j] - 1.0) / root) / p.servers;
    beta_work[j] = -2.0 * rho[j] / p.servers;
    alpha_scv[j] = rho[j] * rho[j] / root;
  }
  unit_matrix a_add = unit_matrix::Zero(static_cast<index_t>(n), lead);
  unit_matrix work_add = unit_matrix::Zero(static_cast<index_t>(n), lead);
  s.scv_extra = unit_matrix::Zero(static_cast<index_t>(n), lead);
  const auto seed_width = static_cast<std::size_t>(seed.cols());
  for (std::uint32_t i = 0; i < n; ++i) {
    const double* nu_row = s.nu.data() + std::size_t{i} * L;
    double* provider_a = a_add.data() + std::size_t{i} * L;
    const double free = s.free_share[i] ? 1.0 : 0.0;
    for (std::uint32_t pos = s.out_offset[i]; pos < s.out_offset[i + 1]; ++pos) {
      if (s.share[pos] == 0.0) continue;
      const auto& o = s.out[pos];
      const std::uint32_t j = o.consumer;
      const double share = s.share[pos], q = s.split[pos], xj = s.qna_x[j];
      // Per unit of ν_i: ∂J/∂share and ∂J/∂q (0 where capped), then on to a_l, λ_i, D_j, α_j, β_j.
      const double c_share = q * s.alpha[j] + 1.0 - q - free + xj * q * s.beta[j];
      const double c_q = s.capped[pos] ? 0.0 : share * (s.alpha[j] - 1.0) + xj * share * s.beta[j];
      const double to_seed = (c_share / s.total_load[i] + c_q / s.departures[j]) * (o.requests + o.rework);
      const double to_provider = -c_share * share / s.total_load[i];
      const double to_consumer = -c_q * q / s.departures[j];
      const double to_work = share * q * (alpha_work[j] + xj * beta_work[j]);
      const double to_scv = share * q * alpha_scv[j];
      double* seed_row = seed.data() + std::size_t{j} * seed_width;
      double* consumer_a = s.external[j] ? seed_row : a_add.data() + std::size_t{j} * L;  // D_j = y_j or λ_j
      double* consumer_work = work_add.data() + std::size_t{j} * L;
      double* consumer_scv = s.scv_extra.data() + std::size_t{j} * L;
      for (std::size_t k = 0; k < L; ++k) {
        const double v = nu_row[k];
        seed_row[k] += v * to_seed;
        provider_a[k] += v * to_provider;
        consumer_a[k] += v * to_consumer;
        consumer_work[k] += v * to_work;
        consumer_scv[k] += v * to_scv;
      }
    }
  }
  for (std::uint32_t j = 0; j < n; ++j) {
    if (s.external[j]) continue;
    for (index_t k = 0; k < lead; ++k) {
      double add_a = a_add(j, k), add_b = work_add(j, k), add_c = 0;
      if (!own_law[j]) {  // cs² = M Λ / a² − 1 of the mixture (0 where clamped)
        const double cs2_bar = s.scv_extra(j, k);
        s.scv_extra(j, k) = 0;
        if (cs2[j] > 0) {
          const double w = work[j];
          add_a += cs2_bar * second[j] / (w * w);
          add_b -= cs2_bar * 2.0 * second[j] * rate[j] / (w * w * w);
          add_c += cs2_bar * rate[j] / (w * w);
        }
      }
      for (std::uint32_t q = slot_offset[j]; q < slot_offset[j + 1]; ++q) {
        s.a(q, k) += add_a;
        s.b(q, k) += add_b;
        s.c(q, k) += add_c;
      }
    }
  }
}

station_policy policy_for(discipline d) {
  switch (d) {
    case discipline::fifo: return station_policy::fifo;
    case discipline::shared: return station_policy::shared;
    default: return station_policy::priority;
  }
}

}  // namespace

sensitivity_result sensitivities(const service_graph& g, const model_numbers& numbers,
                                 const contribution_options& options) {
  using family = sensitivity_result::state::family;
  auto st = std::make_shared<sensitivity_result::state>(numbers);
  auto& s = *st;
  const std::size_t n = g.unit_count();
  const std::size_t links = g.link_count();
  s.directory = g.directory();
  s.n = n;

  for (unit_index c : g.customers()) {
    const auto& p = numbers.unit(c);
    if (!p.open_class && p.population > 0) {
      throw error(error_code::invalid_argument,
                  fmt::format("sensitivities: customer '{}' is a closed class (population {}); only models with "
                              "open classes are differentiated (their figures come from the open analysis)",
                              g.id(c), p.population));
    }
  }
  // ---- the forward analysis (the stages of analyze_open)
  load_result flows = compute_load(g, numbers);
  const station_result stations =
      analyze_stations(g, numbers, flows, {.variability = options.variability});
  const chain_result chain = compute_chain(g, numbers, flows, stations);

  s.provider.resize(links);
  s.consumer.resize(links);
  s.sync.resize(links);
  bool all_sync = true;
  for (std::size_t l = 0; l < links; ++l) {
    const auto& t = g.links()[l];
    s.provider[l] = t.provider.value();
    s.consumer[l] = t.consumer.value();
    s.sync[l] = t.mode == link_mode::sync;
    all_sync = all_sync && s.sync[l];
  }
  s.external.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) s.external[i] = g.is_external(unit_index{i});
  s.out_offset.assign(g.out_csr().offset.begin(), g.out_csr().offset.end());
  s.out_links.resize(g.out_csr().link.size());
  for (std::size_t q = 0; q < s.out_links.size(); ++q) s.out_links[q] = g.out_csr().link[q].value();

  const std::size_t classes = g.class_count();
  const Eigen::Map<const Eigen::VectorXd> d(flows.demand.data(), static_cast<index_t>(classes));
  const Eigen::VectorXd items = flows.visits * d;
  s.y.assign(items.data(), items.data() + n);
  s.rechecks = std::move(flows.rechecks);
  s.sync_rechecks.resize(n, 0.0);
  for (std::size_t l = 0; l < links; ++l) {
    if (s.sync[l]) s.sync_rechecks[s.consumer[l]] += numbers.links()[l].requests * numbers.links()[l].rejections;
  }
  s.total_load = std::move(flows.total_load);
  s.total_work = std::move(flows.total_work);
  s.link_load = std::move(flows.link_load);
  s.cost_per_service.resize(n);
  s.log_quality_per_item.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    s.cost_per_service[i] = chain.units[i].cost_per_service;
    s.log_quality_per_item[i] = std::log(chain.units[i].defect_free_per_item);
  }
  s.visits = std::move(flows.visits);
  s.services = std::move(flows.load_per_request);
  const unit_matrix& z = all_sync ? s.visits : chain.sync_visits;
  for (std::size_t c = 0; c < classes; ++c) {
    s.lead.push_back(chain.customers[c].lead_time);
    s.cost.push_back(chain.customers[c].cost_to_serve);
    s.quality.push_back(chain.customers[c].defect_free);
    if (numbers.unit(g.customers()[c]).open_class) {
      s.open.push_back(c);
      s.total_demand += flows.demand[c];
    }
  }
  for (std::size_t c : s.open)
    if (s.total_demand > 0) s.mean_lead += flows.demand[c] * s.lead[c] / s.total_demand;

  // The bottleneck: the first unit with the largest utilization (as analyze_capacity).
  double rho_max = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (!capacity_limited(g, numbers, unit_index{i})) continue;
    const double rho = s.total_work[i] / numbers.unit(unit_index{i}).servers;
    if (rho > rho_max) {
      rho_max = rho;
      s.bottleneck = i;
    }
  }

  // ---- the KPIs, in column order
  sensitivity_result result;
  const std::size_t open_count = s.open.size();
  const bool mean = open_count > 0 && s.total_demand > 0;
  s.lead_columns = open_count + (mean ? 1 : 0);
  auto add = [&](kpi_id id, double value, family f, std::size_t col) {
    result.kpis_.push_back(id);
    result.kpi_values_.push_back(value);
    s.fam.push_back(f);
    s.column.push_back(col);
  };
  for (std::size_t o = 0; o < open_count; ++o) add({kpi_kind::lead_time, s.open[o]}, s.lead[s.open[o]], family::lead, o);
  if (mean) add({kpi_kind::mean_lead_time, {}}, s.mean_lead, family::lead, open_count);
  for (std::size_t o = 0; o < open_count; ++o)
    add({kpi_kind::cost_to_serve, s.open[o]}, s.cost[s.open[o]], family::cost, o);
  add({kpi_kind::total_cost, {}}, chain.total_cost, family::total, 0);
  for (std::size_t o = 0; o < open_count; ++o)
    add({kpi_kind::defect_free, s.open[o]}, s.quality[s.open[o]], family::defect, o);
  if (s.bottleneck) {
    s.capacity_scale = 1.0 / rho_max;
    const double work = s.total_work[*s.bottleneck];
    s.psi = -s.capacity_scale / work;  // M = c/work: dM/dwork = −M/work
    add({kpi_kind::max_demand_scale, {}}, s.capacity_scale, family::capacity, 0);
  }

  // ---- every unit's station classes ("slots"), their traffic, stretch and local jacobian
  const auto lead = static_cast<index_t>(s.lead_columns);
  const bool qna = options.variability == arrival_variability::propagate && s.lead_columns > 0;
  s.qna = qna;
  // One gather over the (randomly ordered) links, in out-CSR order: every pass below streams.
  std::vector<std::uint32_t> slot_offset(n + 1, 0);
  s.out.resize(s.out_links.size());
  s.position.resize(links);
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t classes_at = 0;
    for (std::uint32_t q = s.out_offset[i]; q < s.out_offset[i + 1]; ++q) {
      const std::uint32_t l = s.out_links[q];
      s.position[l] = q;
      if (!s.external[i]) classes_at = std::max(classes_at, stations.links[l].service_class + 1);
    }
    slot_offset[i + 1] = slot_offset[i] + classes_at;
    for (std::uint32_t q = s.out_offset[i]; q < s.out_offset[i + 1]; ++q) {
      const std::uint32_t l = s.out_links[q];
      const auto& lp = numbers.links()[l];
      const double sl = numbers.service_time(link_index{l});
      s.out[q] = {.consumer = s.consumer[l],
                  .slot = s.external[i] ? 0 : slot_offset[i] + stations.links[l].service_class,
                  .requests = lp.requests,
                  .rework = lp.requests * lp.rejections,
                  .s = sl,
                  .second = sl * sl * (1.0 + numbers.service_scv(link_index{l})),
                  .sojourn = stations.links[l].sojourn};
    }
  }
  const auto slots = static_cast<index_t>(slot_offset[n]);
  std::vector<class_traffic> traffic(static_cast<std::size_t>(slots));
  for (std::uint32_t i = 0; i < n; ++i) {
    if (s.external[i]) continue;
    for (std::uint32_t q = s.out_offset[i]; q < s.out_offset[i + 1]; ++q) {
      const auto& o = s.out[q];
      auto& t = traffic[o.slot];
      const double lambda = s.link_load[s.out_links[q]];
      t.rate += lambda;
      t.work += lambda * o.s;
      t.second += lambda * o.second;
    }
  }
  // The jacobian of (stretch_p, delay_p) in (rate_q, work_q, second_q, ca²), as
  // `solve_station` lays it out: FIFO (one class, stretch 1) by three dual passes through
  // the FIFO formula, other disciplines by `solve_station` itself.
  std::vector<std::size_t> jac_offset(n + 1, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::size_t classes_at = slot_offset[i + 1] - slot_offset[i];
    jac_offset[i + 1] = jac_offset[i] + 2 * classes_at * (3 * classes_at + 1);
  }
  std::vector<double> jacobian(jac_offset[n], 0.0);
  s.stretch.assign(static_cast<std::size_t>(slots), 1.0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::size_t classes_at = slot_offset[i + 1] - slot_offset[i];
    const auto& p = numbers.unit(unit_index{i});
    if (classes_at == 0 || p.unlimited_servers) continue;  // unlimited: stretch 1, delay 0, no slope
    const auto servers = static_cast<std::int64_t>(p.servers);
    const double ca2 = stations.units[i].arrival_scv;
    if (p.queue_discipline == discipline::fifo) {
      const auto& t = traffic[slot_offset[i]];
      for (int k = 0; k < (qna ? 4 : 3); ++k) {
        const detail::stream<detail::dual> stream{{t.rate, k == 0 ? 1.0 : 0.0},
                                                  {t.work, k == 1 ? 1.0 : 0.0},
                                                  {t.second, k == 2 ? 1.0 : 0.0}};
        const auto erlang = detail::erlang_c_of(servers, stream.work);
        jacobian[jac_offset[i] + 4 + static_cast<std::size_t>(k)] =
            detail::fifo_wait(servers, stream, erlang, detail::dual(ca2, k == 3 ? 1.0 : 0.0)).d;  // row 1: delay
      }
      continue;
    }
    const station_response response = solve_station(
        {.servers = server_count(servers),
         .arrival_scv = ca2,
         .policy = policy_for(p.queue_discipline),
         .preemptive = p.preemptive,
         .classes = std::vector<class_traffic>(traffic.begin() + slot_offset[i], traffic.begin() + slot_offset[i + 1])},
        g.id(unit_index{i}), /*with_derivatives=*/true);
    std::copy(response.jacobian.begin(), response.jacobian.end(), jacobian.begin() + static_cast<std::ptrdiff_t>(jac_offset[i]));
    for (std::size_t q = 0; q < classes_at; ++q) s.stretch[slot_offset[i] + q] = response.classes[q].stretch;
  }

  // ---- lead-time columns: the weights of the sojourns, z_c or Σ w_c z_c
  s.zeta = unit_matrix::Zero(static_cast<index_t>(n), lead);
  for (std::size_t o = 0; o < open_count; ++o) s.zeta.col(static_cast<index_t>(o)) = z.col(static_cast<index_t>(s.open[o]));
  if (mean) {
    for (std::size_t o = 0; o < open_count; ++o)
      s.zeta.col(static_cast<index_t>(open_count)) +=
          (flows.demand[s.open[o]] / s.total_demand) * z.col(static_cast<index_t>(s.open[o]));
  }
  // The seeds of the transposed solve: one column per KPI on y, then v (cost) and z (lead time).
  const std::size_t y_columns = s.lead_columns + open_count + 2;
  const auto yc = static_cast<index_t>(y_columns);
  s.mu_h_column = y_columns;
  s.mu_z_column = y_columns + 1;
  unit_matrix seed = unit_matrix::Zero(static_cast<index_t>(n), yc + 2);
  s.a = unit_matrix::Zero(slots, lead);
  s.b = unit_matrix::Zero(slots, lead);
  s.c = unit_matrix::Zero(slots, lead);
  s.rbar = unit_matrix::Zero(static_cast<index_t>(n), lead);
  s.rsbar = unit_matrix::Zero(static_cast<index_t>(n), lead);

  // Per unit: the lead-time seeds on its sojourns go back through its station's jacobian to
  // ∂/∂(rate, work, second) of each class (a, b, c); then every family's seed on its link
  // loads λ_l = r (1 + R_i + e) y_j goes on to y_j and R_i; and the seeds of the shared
  // columns: v in cost (h_j = k_j (1 + R_j) + Σ_i r e k_i) and z in lead time (τ_j = Σ κ W).
  const std::size_t L = s.lead_columns;
  const auto seed_width = static_cast<std::size_t>(seed.cols());
  std::vector<double> stretch_bar, delay_bar, phi(open_count);
  unit_matrix scv_bar = qna ? unit_matrix::Zero(static_cast<index_t>(n), lead) : unit_matrix{};  // ∂/∂ca²_i
  for (std::uint32_t i = 0; i < n && L > 0; ++i) {
    if (s.external[i] || s.out_offset[i] == s.out_offset[i + 1]) continue;
    const std::size_t classes_at = slot_offset[i + 1] - slot_offset[i];
    const std::size_t width = 3 * classes_at + 1;
    if (classes_at > 0) {
      double* rs_row = s.rsbar.data() + std::size_t{i} * L;
      stretch_bar.assign(classes_at * L, 0.0);
      delay_bar.assign(classes_at * L, 0.0);
      const double sync_rechecks = 1.0 + s.sync_rechecks[i];
      for (std::uint32_t q = s.out_offset[i]; q < s.out_offset[i + 1]; ++q) {
        if (!s.sync[s.out_links[q]]) continue;
        const auto& o = s.out[q];
        const double kappa = o.requests * sync_rechecks + o.rework;  // r (1 + R^s_i + e)
        const double* z_row = s.zeta.data() + std::size_t{o.consumer} * L;
        double* sb = stretch_bar.data() + (o.slot - slot_offset[i]) * L;
        double* db = delay_bar.data() + (o.slot - slot_offset[i]) * L;
        const double ks = kappa * o.s, rw = o.requests * o.sojourn;
        for (std::size_t k = 0; k < L; ++k) {
          sb[k] += ks * z_row[k];
          db[k] += kappa * z_row[k];
          rs_row[k] += rw * z_row[k];
        }
      }
      for (std::size_t q = 0; q < classes_at; ++q) {
        double* a_row = s.a.data() + (slot_offset[i] + q) * L;
        double* b_row = s.b.data() + (slot_offset[i] + q) * L;
        double* c_row = s.c.data() + (slot_offset[i] + q) * L;
        for (std::size_t p = 0; p < classes_at; ++p) {
          const double* row_s = jacobian.data() + jac_offset[i] + 2 * p * width;
          const double* row_d = row_s + width;
          const double* sb = stretch_bar.data() + p * L;
          const double* db = delay_bar.data() + p * L;
          for (std::size_t k = 0; k < L; ++k) {
            a_row[k] += row_s[3 * q] * sb[k] + row_d[3 * q] * db[k];
            b_row[k] += row_s[3 * q + 1] * sb[k] + row_d[3 * q + 1] * db[k];
            c_row[k] += row_s[3 * q + 2] * sb[k] + row_d[3 * q + 2] * db[k];
          }
        }
      }
      if (qna) {
        double* x_row = scv_bar.data() + std::size_t{i} * L;
        for (std::size_t p = 0; p < classes_at; ++p) {
          const double* row_s = jacobian.data() + jac_offset[i] + 2 * p * width;
          const double* row_d = row_s + width;
          const double* sb = stretch_bar.data() + p * L;
          const double* db = delay_bar.data() + p * L;
          for (std::size_t k = 0; k < L; ++k) x_row[k] += row_s[3 * classes_at] * sb[k] + row_d[3 * classes_at] * db[k];
        }
      }
    }
  }
  if (qna) qna_reverse(g, numbers, s, std::move(scv_bar), slot_offset, traffic, seed);

  for (std::uint32_t i = 0; i < n; ++i) {
    if (s.external[i]) continue;
    seed(i, yc) += s.cost_per_service[i] * (1.0 + s.rechecks[i]);
    if (s.out_offset[i] == s.out_offset[i + 1]) continue;
    const bool lead_here = L > 0 && slot_offset[i + 1] > slot_offset[i];
    // ∂K_c/∂λ_i = −ℓ_ic cpt_i / λ_i² for the cost columns; cpr_i for the total cost.
    const auto& up = numbers.unit(unit_index{i});
    const double load = s.total_load[i];
    for (std::size_t o = 0; o < open_count; ++o)
      phi[o] = load > 0 ? -s.services(i, static_cast<index_t>(s.open[o])) * up.cost_per_time / (load * load) : 0.0;
    const bool is_bottleneck = s.bottleneck && *s.bottleneck == i;
    const double k_i = s.cost_per_service[i];
    double* r_row = s.rbar.data() + std::size_t{i} * L;
    const double rechecks = 1.0 + s.rechecks[i], sync_rechecks = 1.0 + s.sync_rechecks[i];
    for (std::uint32_t q = s.out_offset[i]; q < s.out_offset[i + 1]; ++q) {
      const auto& o = s.out[q];
      const double per_item = o.requests * rechecks + o.rework;  // r (1 + R_i + e)
      const double kappa = s.sync[s.out_links[q]] ? o.requests * sync_rechecks + o.rework : 0.0;
      const double to_r = o.requests * s.y[o.consumer];
      double* seed_row = seed.data() + std::size_t{o.consumer} * seed_width;
      if (lead_here) {
        const std::size_t slot_row = std::size_t{o.slot} * L;
        const double* a_row = s.a.data() + slot_row;
        const double* b_row = s.b.data() + slot_row;
        const double* c_row = s.c.data() + slot_row;
        for (std::size_t k = 0; k < L; ++k) {
          const double bar = a_row[k] + b_row[k] * o.s + c_row[k] * o.second;
          seed_row[k] += bar * per_item;
          r_row[k] += bar * to_r;
        }
      }
      for (std::size_t c = 0; c < open_count; ++c) seed_row[L + c] += phi[c] * per_item;
      seed_row[L + open_count] += up.cost_per_request * per_item;
      if (is_bottleneck) {
        seed_row[L + open_count + 1] += s.psi * o.s * per_item;
        s.rbar_bottleneck += s.psi * o.s * to_r;
      }
      seed_row[y_columns] += o.rework * k_i;
      seed_row[y_columns + 1] += kappa * o.sojourn;
    }
  }

  // ---- the transposed solves: μ = (I − W)^{-T} seed, i.e. `with_service`
  if (all_sync) {
    s.mu_y = propagate(g, numbers, direction::with_service, std::move(seed));
  } else {
    std::vector<double> sync_weights(links);
    for (std::size_t l = 0; l < links; ++l) sync_weights[l] = s.sync[l] ? numbers.links()[l].requests : 0.0;
    unit_matrix seed_z = seed.col(yc + 1);
    seed.col(yc + 1).setZero();
    s.mu_y = propagate(g, numbers, direction::with_service, std::move(seed));
    s.mu_y.col(yc + 1) = propagate(g, numbers, direction::with_service, std::move(seed_z), sync_weights);
  }

  // ---- the parameters
  auto& params = result.parameters_;
  std::size_t internal = 0, own_times = 0;
  for (std::uint32_t i = 0; i < n; ++i) internal += s.external[i] ? 0 : 1;
  for (std::uint32_t l = 0; l < links; ++l) own_times += numbers.link(link_index{l}).service_time ? 1 : 0;
  params.reserve(5 * internal + 2 * links + own_times + open_count);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (s.external[i]) continue;
    for (auto kind : {parameter_kind::unit_service_time, parameter_kind::unit_service_scv,
                      parameter_kind::unit_cost_per_time, parameter_kind::unit_cost_per_request,
                      parameter_kind::unit_yield})
      params.push_back({kind, i});
  }
  for (std::uint32_t l = 0; l < links; ++l) {
    params.push_back({parameter_kind::link_requests, l});
    params.push_back({parameter_kind::link_acceptance, l});
    if (numbers.link(link_index{l}).service_time) params.push_back({parameter_kind::link_service_time, l});
  }
  for (std::size_t c : s.open) params.push_back({parameter_kind::customer_demand, g.customers()[c].value()});

  result.state_ = std::move(st);
  return result;
}

sensitivity_result sensitivities(const service_graph& g, const contribution_options& options) {
  return sensitivities(g, g.numbers(), options);
}

// ---------------------------------------------------------------- servers

namespace {

// Every KPI of `kpis` from a full analysis (flows, stations, chain).
std::vector<double> kpi_values(const service_graph& g, const model_numbers& numbers, const load_result& flows,
                               const chain_result& chain, const std::vector<kpi_id>& kpis) {
  double total_demand = 0, weighted = 0;
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    if (!numbers.unit(g.customers()[c]).open_class) continue;
    total_demand += flows.demand[c];
    weighted += flows.demand[c] * chain.customers[c].lead_time;
  }
  double rho_max = 0;
  for (std::uint32_t i = 0; i < g.unit_count(); ++i)
    if (capacity_limited(g, numbers, unit_index{i}))
      rho_max = std::max(rho_max, flows.total_work[i] / numbers.unit(unit_index{i}).servers);
  std::vector<double> out;
  for (const auto& k : kpis) {
    const std::size_t c = k.customer_class.value_or(0);
    switch (k.kind) {
      case kpi_kind::lead_time: out.push_back(chain.customers[c].lead_time); break;
      case kpi_kind::mean_lead_time: out.push_back(total_demand > 0 ? weighted / total_demand : 0.0); break;
      case kpi_kind::cost_to_serve: out.push_back(chain.customers[c].cost_to_serve); break;
      case kpi_kind::total_cost: out.push_back(chain.total_cost); break;
      case kpi_kind::defect_free: out.push_back(chain.customers[c].defect_free); break;
      case kpi_kind::max_demand_scale: out.push_back(rho_max > 0 ? 1.0 / rho_max : 0.0); break;
    }
  }
  return out;
}

}  // namespace

std::vector<server_effect> server_effects(const service_graph& g, const model_numbers& numbers,
                                          const std::vector<kpi_id>& kpis, const contribution_options& options) {
  const load_result flows = compute_load(g, numbers);
  const station_options station_opts{.variability = options.variability};
  const station_result base = analyze_stations(g, numbers, flows, station_opts);
  const chain_result chain = compute_chain(g, numbers, flows, base);
  const std::vector<double> before = kpi_values(g, numbers, flows, chain, kpis);
  const bool local = options.variability == arrival_variability::poisson;

  // Utilizations, for the max demand scale with one unit's servers changed.
  const std::size_t n = g.unit_count();
  std::vector<double> rho(n, 0.0);
  double first = 0, second = 0;
  std::optional<std::uint32_t> top;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (!capacity_limited(g, numbers, unit_index{i})) continue;
    rho[i] = flows.total_work[i] / numbers.unit(unit_index{i}).servers;
    if (rho[i] > first) {
      second = first;
      first = rho[i];
      top = i;
    } else {
      second = std::max(second, rho[i]);
    }
  }
  const auto& z = chain.sync_visits.size() ? chain.sync_visits : flows.visits;
  double total_demand = 0;
  for (std::size_t c = 0; c < g.class_count(); ++c)
    if (numbers.unit(g.customers()[c]).open_class) total_demand += flows.demand[c];

  model_numbers edited = numbers;
  station_result scratch = local ? base : station_result{};
  std::vector<server_effect> effects;
  // The KPIs with unit i at `count` servers, minus the KPIs now.
  auto effect = [&](unit_index u, std::int64_t count) {
    const std::uint32_t i = u.value();
    edited.set_servers(g, u, server_count(count));
    std::vector<double> delta(kpis.size(), 0.0);
    if (local) {
      analyze_station_of(g, edited, flows, u, scratch);
      const double rho_new = flows.total_work[i] / static_cast<double>(count);
      const double rho_others = top && *top == i ? second : first;
      const double rho_max = std::max(rho_new, rho_others);
      for (std::size_t k = 0; k < kpis.size(); ++k) {
        const auto& kpi = kpis[k];
        double change = 0;
        if (kpi.kind == kpi_kind::lead_time || kpi.kind == kpi_kind::mean_lead_time) {
          for (link_index l : g.out_links(u)) {
            const double dw = scratch.links[l.value()].sojourn - base.links[l.value()].sojourn;
            if (dw == 0.0) continue;
            const double factor = chain.link_sync_services_per_item[l.value()] * dw;
            const std::uint32_t j = chain.link_consumer[l.value()];
            if (kpi.kind == kpi_kind::lead_time) {
              change += factor * z(j, static_cast<index_t>(*kpi.customer_class));
            } else {
              for (std::size_t c = 0; c < g.class_count(); ++c)
                if (total_demand > 0 && numbers.unit(g.customers()[c]).open_class)
                  change += factor * z(j, static_cast<index_t>(c)) * flows.demand[c] / total_demand;
            }
          }
        } else if (kpi.kind == kpi_kind::max_demand_scale && rho_max > 0) {
          change = 1.0 / rho_max - before[k];
        }
        delta[k] = change;
      }
      scratch.units[i] = base.units[i];
      for (link_index l : g.out_links(u)) scratch.links[l.value()] = base.links[l.value()];
    } else {
      const station_result st = analyze_stations(g, edited, flows, station_opts);
      const std::vector<double> after = kpi_values(g, edited, flows, compute_chain(g, edited, flows, st), kpis);
      for (std::size_t k = 0; k < kpis.size(); ++k) delta[k] = after[k] - before[k];
    }
    edited.set_servers(g, u, server_count(static_cast<std::int64_t>(numbers.unit(u).servers)));
    return delta;
  };
  for (std::uint32_t i = 0; i < n; ++i) {
    const unit_index u{i};
    if (!capacity_limited(g, numbers, u)) continue;
    const auto servers = static_cast<std::int64_t>(numbers.unit(u).servers);
    server_effect e{.unit = u, .servers = servers, .plus_one = effect(u, servers + 1), .minus_one = std::nullopt};
    if (servers > 1 && flows.total_work[i] / static_cast<double>(servers - 1) < 1.0) {
      try {
        e.minus_one = effect(u, servers - 1);
      } catch (const unstable_error&) {  // saturated elsewhere (QNA): no steady state
        edited.set_servers(g, u, server_count(servers));
        if (local) {
          scratch.units[i] = base.units[i];
          for (link_index l : g.out_links(u)) scratch.links[l.value()] = base.links[l.value()];
        }
      }
    }
    effects.push_back(std::move(e));
  }
  return effects;
}

}  // namespace servicechain

#include "servicechain/analysis/load.hpp"

namespace servicechain {

load_result compute_load(const service_graph& g) {
  const std::size_t n = g.unit_count();
  const std::size_t classes = g.class_count();
  load_result r;
  r.directory = g.directory();

  // Visit ratios: a request of class c is one item at its customer, then (I − R) v = e_c.
  unit_matrix rhs = unit_matrix::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(classes));
  r.demand.resize(classes);
  for (std::size_t c = 0; c < classes; ++c) {
    const unit_index customer = g.customers()[c];
    rhs(customer.value(), static_cast<Eigen::Index>(c)) = 1.0;
    r.demand[c] = g.unit(customer).open_class ? g.unit(customer).demand : 0.0;
  }
  r.visits = propagate(g, direction::with_demand, std::move(rhs));

  // Services per request: first passes plus re-checks of rejected inputs
  // (v_i Σ_k r_ki e_ki), plus redos for consumers (Σ_j r_ij e_ij v_j).
  r.load_per_request = r.visits;
  const auto& in = g.in_csr();
  const auto& out = g.out_csr();
  const auto links = g.links();
  for (std::uint32_t u = 0; u < n; ++u) {
    auto row = r.load_per_request.row(u);
    if (g.unit(unit_index{u}).external) {
      row.setZero();  // customers consume; they perform no services
      continue;
    }
    double rechecks = 0;
    for (std::uint32_t pos = in.offset[u]; pos < in.offset[u + 1]; ++pos)
      rechecks += in.requests[pos] * links[in.link[pos].value()].rejections;
    row *= 1.0 + rechecks;
    for (std::uint32_t pos = out.offset[u]; pos < out.offset[u + 1]; ++pos) {
      const double e = links[out.link[pos].value()].rejections;
      if (e != 0.0) row += (out.requests[pos] * e) * r.visits.row(out.neighbor[pos]);
    }
  }

  const Eigen::Map<const Eigen::VectorXd> d(r.demand.data(), static_cast<Eigen::Index>(classes));
  r.total_load.resize(n);
  Eigen::Map<Eigen::VectorXd>(r.total_load.data(), static_cast<Eigen::Index>(n)) = r.load_per_request * d;

  r.link_flow.resize(links.size());
  r.link_rework_flow.resize(links.size());
  const Eigen::VectorXd items = r.visits * d;
  for (std::size_t l = 0; l < links.size(); ++l) {
    const auto& p = links[l];
    r.link_flow[l] = p.requests * items(p.consumer.value());
    r.link_rework_flow[l] = r.link_flow[l] * p.rejections;
  }
  return r;
}

}  // namespace servicechain

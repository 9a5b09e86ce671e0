#include "servicechain/analysis/load.hpp"

#include "detail/services.hpp"

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

  // Services per request: first passes, re-checks of rejected inputs, redos for consumers.
  r.load_per_request = detail::services_per_request(g, r.visits);
  const auto links = g.links();

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

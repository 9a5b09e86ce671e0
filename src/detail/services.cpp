#include "detail/services.hpp"

namespace servicechain::detail {

unit_matrix services_per_request(const service_graph& g, const unit_matrix& items, std::span<const char> counts) {
  const auto& in = g.in_csr();
  const auto& out = g.out_csr();
  const auto links = g.links();
  const bool all = counts.empty();
  unit_matrix services = items;
  for (std::uint32_t u = 0; u < g.unit_count(); ++u) {
    auto row = services.row(u);
    if (g.unit(unit_index{u}).external) {
      row.setZero();  // customers consume; they perform no services
      continue;
    }
    double rechecks = 0;  // re-checks of rejected inputs, per fresh item
    for (std::uint32_t pos = in.offset[u]; pos < in.offset[u + 1]; ++pos) {
      const auto l = in.link[pos].value();
      if (all || counts[l]) rechecks += in.requests[pos] * links[l].rejections;
    }
    if (rechecks != 0.0) row *= 1.0 + rechecks;
    for (std::uint32_t pos = out.offset[u]; pos < out.offset[u + 1]; ++pos) {  // redos for consumers
      const auto l = out.link[pos].value();
      const double e = links[l].rejections;
      if (e != 0.0 && (all || counts[l])) row += (out.requests[pos] * e) * items.row(out.neighbor[pos]);
    }
  }
  return services;
}

std::vector<double> masked_requests(const service_graph& g, std::span<const char> counts) {
  std::vector<double> w(g.link_count());
  for (std::size_t l = 0; l < w.size(); ++l) w[l] = counts[l] ? g.links()[l].requests : 0.0;
  return w;
}

}  // namespace servicechain::detail

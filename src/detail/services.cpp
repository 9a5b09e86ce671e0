#include "detail/services.hpp"
#include "detail/huge_pages.hpp"

namespace servicechain::detail {

double rechecks_per_item(const service_graph& g, const model_numbers& n, unit_index u, std::span<const char> counts) {
  const auto& in = g.in_csr();
  const auto requests = n.in_requests();
  const auto links = n.links();
  double rechecks = 0;
  for (std::uint32_t pos = in.offset[u.value()]; pos < in.offset[u.value() + 1]; ++pos) {
    const auto l = in.link[pos].value();
    if (counts.empty() || counts[l]) rechecks += requests[pos] * links[l].rejections;
  }
  return rechecks;
}

std::vector<double> rechecks_of_units(const service_graph& g, const model_numbers& n, std::span<const char> counts) {
  // In link order, which is each unit's in-CSR order too: the same sums as
  // rechecks_per_item, term by term, with the link data read in sequence.
  auto r = huge_vector<double>(g.unit_count(), 0.0);
  const auto links = g.links();
  const auto parameters = n.links();
  for (std::size_t l = 0; l < links.size(); ++l)
    if (counts.empty() || counts[l]) r[links[l].consumer.value()] += parameters[l].requests * parameters[l].rejections;
  return r;
}

unit_matrix services_per_request(const service_graph& g, const model_numbers& n, const unit_matrix& items,
                                 std::span<const char> counts, std::span<const double> precomputed) {
  const auto& out = g.out_csr();
  const auto out_requests = n.out_requests();
  const auto links = n.links();
  const bool all = counts.empty();
  unit_matrix services = huge_copy(items);
  for (std::uint32_t u = 0; u < g.unit_count(); ++u) {
    auto row = services.row(u);
    if (g.is_external(unit_index{u})) {
      row.setZero();  // customers consume; they perform no services
      continue;
    }
    const double rechecks = precomputed.empty() ? rechecks_per_item(g, n, unit_index{u}, counts) : precomputed[u];
    if (rechecks != 0.0) row *= 1.0 + rechecks;
    for (std::uint32_t pos = out.offset[u]; pos < out.offset[u + 1]; ++pos) {  // redos for consumers
      const auto l = out.link[pos].value();
      const double e = links[l].rejections;
      if (e != 0.0 && (all || counts[l])) row += (out_requests[pos] * e) * items.row(out.neighbor[pos]);
    }
  }
  return services;
}

std::vector<double> masked_requests(const model_numbers& n, std::span<const char> counts) {
  auto w = huge_vector<double>(n.links().size());
  for (std::size_t l = 0; l < w.size(); ++l) w[l] = counts[l] ? n.links()[l].requests : 0.0;
  return w;
}

}  // namespace servicechain::detail

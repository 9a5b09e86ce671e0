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
  const std::vector<double> computed = precomputed.empty() ? rechecks_of_units(g, n, counts) : std::vector<double>();
  const std::span<const double> rechecks = precomputed.empty() ? std::span<const double>(computed) : precomputed;
  unit_matrix services = huge_copy(items);
  for (std::uint32_t u = 0; u < g.unit_count(); ++u) {
    auto row = services.row(u);
    if (g.is_external(unit_index{u})) {
      row.setZero();  // customers consume; they perform no services (and provide on no link)
    } else if (rechecks[u] != 0.0) {
      row *= 1.0 + rechecks[u];
    }
  }
  // Redos for consumers, in link order: a provider's out-links are in link order in the
  // out-CSR too, so each row gets the same terms in the same order, and the link data are
  // read in sequence rather than one record at random per link.
  const auto links = g.links();
  const auto parameters = n.links();
  for (std::size_t l = 0; l < links.size(); ++l) {
    const double e = parameters[l].rejections;
    if (e != 0.0 && (counts.empty() || counts[l]))
      services.row(links[l].provider.value()) += (parameters[l].requests * e) * items.row(links[l].consumer.value());
  }
  return services;
}

std::vector<double> masked_requests(const model_numbers& n, std::span<const char> counts) {
  auto w = huge_vector<double>(n.links().size());
  for (std::size_t l = 0; l < w.size(); ++l) w[l] = counts[l] ? n.links()[l].requests : 0.0;
  return w;
}

}  // namespace servicechain::detail

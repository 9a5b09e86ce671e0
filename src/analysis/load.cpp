#include "servicechain/analysis/load.hpp"

#include "detail/services.hpp"
#include "detail/huge_pages.hpp"
#include "detail/work.hpp"
#include "servicechain/error.hpp"

#include <fmt/format.h>

#include <cmath>

namespace servicechain {

namespace detail {

void compute_work(const service_graph& g, const model_numbers& numbers, load_result& r) {
  const std::size_t n = g.unit_count();
  // Busy-server time: λ_i s_i, or per link when some link has a service time of its own.
  detail::huge_resize(r.total_work, n);
  for (std::uint32_t i = 0; i < n; ++i) r.total_work[i] = r.total_load[i] * numbers.unit(unit_index{i}).service_time;
  r.work_per_request = unit_matrix();
  if (numbers.has_link_service()) {
    r.work_per_request = detail::huge_zero<unit_matrix>(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(g.class_count()));
    for (std::uint32_t i = 0; i < n; ++i) {
      if (g.is_external(unit_index{i})) continue;
      double work = 0;
      for (link_index l : g.out_links(unit_index{i})) {
        const double s = numbers.service_time(l);
        work += r.link_load[l.value()] * s;
        r.work_per_request.row(i) += (r.link_services_per_item[l.value()] * s) * r.visits.row(r.link_consumer[l.value()]);
      }
      r.total_work[i] = work;
    }
  }
}

}  // namespace detail

load_result compute_load(const service_graph& g, const model_numbers& numbers) {
  std::vector<double> demand(g.class_count());
  for (std::size_t c = 0; c < demand.size(); ++c) {
    const auto& p = numbers.unit(g.customers()[c]);
    demand[c] = p.open_class ? p.demand : 0.0;
  }
  load_result r = compute_load(g, numbers, demand);
  r.flows_revision = numbers.flows_revision();
  return r;
}

load_result compute_load(const service_graph& g, const model_numbers& numbers, std::span<const double> class_rates) {
  const std::size_t n = g.unit_count();
  const std::size_t classes = g.class_count();
  if (class_rates.size() != classes)
    throw error(error_code::invalid_argument,
                fmt::format("compute_load: {} class rates given for {} classes", class_rates.size(), classes));
  for (std::size_t c = 0; c < classes; ++c) {
    if (!std::isfinite(class_rates[c]) || class_rates[c] < 0)
      throw error(error_code::invalid_argument,
                  fmt::format("compute_load: rate of customer '{}' = {}, but must be finite and >= 0",
                              g.id(g.customers()[c]), class_rates[c]));
  }
  // Every per-class table is units x classes doubles: refuse, naming the sizes, what would
  // exhaust memory (10^5 customers of 10^5 units ask for 80 GB per table) rather than fail
  // in the allocator.
  constexpr std::size_t max_table_entries = std::size_t{1} << 28;  // 2 GiB of doubles per table
  if (classes > 0 && n > max_table_entries / classes)
    throw error(error_code::too_large,
                fmt::format("compute_load: {} units x {} customers = {} figures per per-class table ({:.1f} GB each, "
                            "several tables); at most {} are supported: merge customers into fewer classes",
                            n, classes, static_cast<double>(n) * static_cast<double>(classes),
                            static_cast<double>(n) * static_cast<double>(classes) * 8e-9, max_table_entries));
  load_result r;
  r.directory = g.directory();

  // Visit ratios: a request of class c is one item at its customer, then (I − R) v = e_c.
  auto rhs = detail::huge_zero<unit_matrix>(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(classes));
  r.demand.assign(class_rates.begin(), class_rates.end());
  for (std::size_t c = 0; c < classes; ++c) rhs(g.customers()[c].value(), static_cast<Eigen::Index>(c)) = 1.0;
  r.visits = propagate(g, numbers, direction::with_demand, std::move(rhs));

  // Services per request: first passes, re-checks of rejected inputs, redos for consumers.
  r.rechecks = detail::rechecks_of_units(g, numbers);
  r.load_per_request = detail::services_per_request(g, numbers, r.visits, {}, r.rechecks);

  const Eigen::Map<const Eigen::VectorXd> d(r.demand.data(), static_cast<Eigen::Index>(classes));
  detail::huge_resize(r.total_load, n);
  Eigen::Map<Eigen::VectorXd>(r.total_load.data(), static_cast<Eigen::Index>(n)) = r.load_per_request * d;

  const std::size_t link_count = g.link_count();
  detail::huge_resize(r.link_flow, link_count);
  detail::huge_resize(r.link_rework_flow, link_count);
  detail::huge_resize(r.link_load, link_count);
  detail::huge_resize(r.link_services_per_item, link_count);
  detail::huge_resize(r.link_consumer, link_count);
  auto items = detail::huge_zero<Eigen::VectorXd>(static_cast<Eigen::Index>(n), 1);
  items.noalias() = r.visits * d;
  // In link order: the link arrays are written in sequence and only the per-unit ones
  // (n doubles each) are read at random (by provider's out-links it was five scattered
  // writes a link, the largest cost of this function at 10⁶ units).
  const auto links = g.links();
  const auto parameters = numbers.links();
  for (std::uint32_t l = 0; l < link_count; ++l) {
    const auto& p = parameters[l];
    const std::uint32_t j = links[l].consumer.value();
    r.link_consumer[l] = j;
    r.link_flow[l] = p.requests * items(j);
    r.link_rework_flow[l] = r.link_flow[l] * p.rejections;
    r.link_services_per_item[l] = p.requests * (1.0 + r.rechecks[links[l].provider.value()] + p.rejections);
    r.link_load[l] = r.link_services_per_item[l] * items(j);
  }
  detail::compute_work(g, numbers, r);
  return r;
}

load_result compute_load(const service_graph& g) { return compute_load(g, g.numbers()); }

}  // namespace servicechain

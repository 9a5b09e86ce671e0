#pragma once
/// @file
/// @brief The flows stage: items and loads per class, per unit and per link
/// (docs/semantics.md, "Items" and "Load").

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "servicechain/analysis/propagation.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Items, visit ratios and loads of every unit and link for every class.
///
/// Class `c` is the external customer `g.customers()[c]`. Closed classes have no demand:
/// their visit ratios and per-request loads are here, their loads (which depend on a
/// throughput only a closed analysis knows) are zero.
///
/// Every service a unit performs belongs to one of its outgoing links (the consumer it is
/// for): first passes and redos to that link, re-checks of the unit's rejected inputs to
/// its outgoing links in proportion to the items each needs. So link `i → j` carries
/// `r_ij y_j (1 + R_i + e_ij)` services per time unit at `i`, with `R_i = Σ_k r_ki e_ki`
/// the re-checks per fresh item of `i`; summed over `i`'s links this is `λ_i`.
struct load_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  /// `v_ic = y_ic / d_c`: fresh items unit i delivers per request of class c (1 at the customer).
  unit_matrix visits;
  /// Services unit i performs per request of class c: first passes, re-checks of
  /// rejected inputs, and redos for its consumers. 0 for external units.
  unit_matrix load_per_request;
  /// `d_c`, requests per time unit; 0 for closed classes.
  std::vector<double> demand;
  /// `model_numbers::flows_revision()` of the numbers these flows were computed from; 0
  /// when computed at given class rates.
  std::uint64_t flows_revision = 0;
  /// `λ_i = Σ_c load_per_request_ic · d_c`, services per time unit.
  std::vector<double> total_load;
  /// Per link: first-pass requests per time unit, `r_ij · y_j`.
  std::vector<double> link_flow;
  /// Per link: redone deliveries per time unit, `r_ij · e_ij · y_j`.
  std::vector<double> link_rework_flow;
  /// Per link: services per time unit the provider performs for it, `r_ij y_j (1 + R_i + e_ij)`.
  std::vector<double> link_load;
  /// Per link: services at the provider per fresh item of the consumer, `r_ij (1 + R_i + e_ij)`.
  std::vector<double> link_services_per_item;
  /// Per unit: `R_i = Σ_k r_ki e_ki`, re-checks of rejected inputs per fresh item.
  std::vector<double> rechecks;
  /// Per link: its consumer (for the per-class accessors).
  std::vector<std::uint32_t> link_consumer;
  /// Per unit: Σ_l λ_l s_l, the mean number of busy servers (erlangs); `λ_i s_i` when no
  /// link of the unit has a service time of its own.
  std::vector<double> total_work;
  /// Per unit and class: busy-server time per request (time units), `Σ_l services_lc s_l`;
  /// empty when no link has a service time of its own (then `load_per_request · s_i`).
  unit_matrix work_per_request;

  /// @brief `y_ic`, fresh items per time unit unit `u` delivers for class `c`.
  [[nodiscard]] double items(unit_index u, std::size_t c) const { return visits(u.value(), c) * demand[c]; }
  /// @brief `y_ic` by ids: fresh items per time unit of unit `unit_id` for customer `customer_id`.
  /// @throws servicechain::error (`servicechain.unknown_id`) for an unknown unit or customer.
  [[nodiscard]] double items(std::string_view unit_id, std::string_view customer_id) const {
    return items(directory->at(unit_id), directory->class_at(customer_id));
  }
  /// @brief `v_ic` by ids: fresh items of unit `unit_id` per request of customer `customer_id`.
  /// @throws servicechain::error (`servicechain.unknown_id`) for an unknown unit or customer.
  [[nodiscard]] double visit_ratio(std::string_view unit_id, std::string_view customer_id) const {
    return visits(directory->at(unit_id).value(), static_cast<Eigen::Index>(directory->class_at(customer_id)));
  }
  /// @brief `λ_ic`, services per time unit unit `u` performs for class `c`.
  [[nodiscard]] double load(unit_index u, std::size_t c) const { return load_per_request(u.value(), c) * demand[c]; }
  /// @brief `λ_ic` by ids, services per time unit.
  /// @throws servicechain::error (`servicechain.unknown_id`) for an unknown unit or customer.
  [[nodiscard]] double load(std::string_view unit_id, std::string_view customer_id) const {
    return load(directory->at(unit_id), directory->class_at(customer_id));
  }
  /// @brief `λ_i` by id, services per time unit.
  /// @throws servicechain::error (`servicechain.unknown_id`) for an unknown unit.
  [[nodiscard]] double load(std::string_view unit_id) const { return total_load[directory->at(unit_id).value()]; }
  /// @brief Services per time unit the provider of link `l` performs for it for class `c`.
  [[nodiscard]] double link_load_of(link_index l, std::size_t c) const {
    return link_services_per_item[l.value()] * items(unit_index{link_consumer[l.value()]}, c);
  }
};

/// @brief The flows stage: items and loads per class, per unit and per link, exactly.
///
/// Solves `(I − R) v_c = e_c` for every class with one `propagate()` call, then adds
/// the rework services: `ℓ_i = v_i (1 + Σ_k r_ki e_ki) + Σ_j r_ij e_ij v_j`.
/// Cost O(links · classes) plus the loop solves.
/// @param g the compiled structure.
/// @param numbers its numbers (demands in requests per time unit).
/// @throws servicechain::solver_error if a loop's system cannot be solved.
[[nodiscard]] load_result compute_load(const service_graph& g, const model_numbers& numbers);

/// @brief `compute_load(g, g.numbers())`.
[[nodiscard]] load_result compute_load(const service_graph& g);

/// @brief The flows stage at given class rates instead of the model's demands: class `c`
/// arrives at `class_rates[c]` requests per time unit, open or closed. Used to express a
/// closed class's work at the throughput a mean-value analysis found for it.
/// @param class_rates one rate per class (`g.class_count()` of them), each ≥ 0 and finite.
/// @throws servicechain::error (`servicechain.invalid_argument`) on a wrong count or a
///         negative or non-finite rate; servicechain::solver_error as `compute_load`.
[[nodiscard]] load_result compute_load(const service_graph& g, const model_numbers& numbers,
                                       std::span<const double> class_rates);

}  // namespace servicechain

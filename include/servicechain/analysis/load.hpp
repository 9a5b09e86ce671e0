#pragma once
/// @file
/// @brief Items and loads per class (DESIGN §Semantics, "Items" and "Load").

#include <memory>
#include <span>
#include <vector>

#include "servicechain/analysis/propagation.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Items, visit ratios and loads of every unit for every class.
///
/// Class `c` is the external customer `g.customers()[c]`. Closed classes have no demand:
/// their visit ratios and per-request loads are here, their loads (which depend on a
/// throughput only a closed analysis knows) are zero.
struct load_result {
  std::shared_ptr<const unit_directory> directory;
  /// `v_ic = y_ic / d_c`: fresh items unit i delivers per request of class c (1 at the customer).
  unit_matrix visits;
  /// Services unit i performs per request of class c: first passes, re-checks of
  /// rejected inputs, and redos for its consumers. 0 for external units.
  unit_matrix load_per_request;
  /// `d_c`, requests per time unit; 0 for closed classes.
  std::vector<double> demand;
  /// `λ_i = Σ_c load_per_request_ic · d_c`, services per time unit.
  std::vector<double> total_load;
  /// Per link: first-pass requests per time unit, `r_ij · y_j`.
  std::vector<double> link_flow;
  /// Per link: redone deliveries per time unit, `r_ij · e_ij · y_j`.
  std::vector<double> link_rework_flow;

  /// @brief `y_ic`, fresh items per time unit unit `u` delivers for class `c`.
  [[nodiscard]] double items(unit_index u, std::size_t c) const { return visits(u.value(), c) * demand[c]; }
  /// @brief `λ_ic`, services per time unit unit `u` performs for class `c`.
  [[nodiscard]] double load(unit_index u, std::size_t c) const { return load_per_request(u.value(), c) * demand[c]; }
};

/// @brief Items and loads per class, exactly (DESIGN §Semantics).
///
/// Solves `(I − R) v_c = e_c` for every class with one `propagate()` call, then adds
/// the rework services: `ℓ_i = v_i (1 + Σ_k r_ki e_ki) + Σ_j r_ij e_ij v_j`.
/// Cost O(links · classes) plus the loop solves.
/// @throws servicechain::solver_error if a loop's system cannot be solved.
[[nodiscard]] load_result compute_load(const service_graph& g);

}  // namespace servicechain

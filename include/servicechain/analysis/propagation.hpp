#pragma once
/// @file
/// @brief The core kernel: exact propagation of per-unit quantities along the service graph.
///
/// Every linear analysis of ServiceChain — items and loads, lead time, cost to serve,
/// quality, and their adjoints (contributions) — is one call of `propagate()`.

#include <span>

#include <Eigen/Core>

#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Per-unit values for several right-hand sides (typically one column per class).
/// Row `u.value()` belongs to unit `u`; rows are contiguous (row-major).
using unit_matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// @brief Which way a quantity travels along the links.
enum class direction {
  /// Against the arrows, as demand does: a provider gathers from its consumers,
  /// `x_i = b_i + Σ_{links i→j} w_ij x_j` (items, visit ratios, contributions).
  with_demand,
  /// Along the arrows, as service does: a consumer gathers from its providers,
  /// `x_j = b_j + Σ_{links i→j} w_ij x_i` (lead time, cost, quality).
  with_service,
};

/// @brief Solves `x = b + W x` (`with_demand`) or `x = b + Wᵀ x` (`with_service`) exactly.
///
/// `W` is the link-weighted adjacency (`W_ij = Σ` weights of links `i → j`). Units are
/// visited in topological order of the condensation, so an acyclic part costs one pass
/// over the links; each loop of mutual service is solved as its own linear system
/// (dense LU up to 512 units, sparse LU beyond), with the values flowing in from
/// outside the loop already known. Cost: O(links · columns) plus the loop solves.
///
/// @param g the compiled graph.
/// @param numbers the model's numbers (their `requests` are the default weights).
/// @param dir which way values travel.
/// @param rhs `b`, one row per unit (`g.unit_count()` rows), any number of columns; it is
///        consumed and returned as the solution `x`.
/// @param link_weights one weight per link (index = `link_index`), or empty for each
///        link's `requests`. Weights must be finite and non-negative and their loops must
///        have gain < 1 (always true for weights ≤ `requests`).
/// @return the solution `x`, same shape as `rhs`.
/// @throws servicechain::error (`servicechain.invalid_argument`) on a shape mismatch or a
///         negative or non-finite weight.
/// @throws servicechain::solver_error if a loop's system is singular (a weight loop of gain ≥ 1).
[[nodiscard]] unit_matrix propagate(const service_graph& g, const model_numbers& numbers, direction dir,
                                    unit_matrix rhs, std::span<const double> link_weights = {});

/// @brief `propagate(g, g.numbers(), dir, rhs, link_weights)`.
[[nodiscard]] unit_matrix propagate(const service_graph& g, direction dir, unit_matrix rhs,
                                    std::span<const double> link_weights = {});

}  // namespace servicechain

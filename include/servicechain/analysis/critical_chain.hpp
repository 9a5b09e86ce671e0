#pragma once
/// @file
/// @brief The critical chain of each customer: the chain of sync links that carries the
/// most lead time, and every unit's slack relative to it.

#include <memory>
#include <optional>
#include <vector>

#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief The critical chain of one customer and the slack of every unit.
struct critical_chain {
  /// The external unit whose critical chain this is.
  unit_index customer;
  /// The chain from its deepest provider to the customer (the customer last).
  std::vector<unit_index> units;
  /// Lead time that travels along the chain, time units (≤ the customer's lead time,
  /// which also counts every other sync input).
  double lead_time = 0;
  /// Per unit index: how much longer the heaviest chain through the unit could take
  /// before it carries as much lead time as the critical chain (time units, at the
  /// customer). 0 on the critical chain; empty for units on no sync chain to the customer.
  std::vector<std::optional<double>> slack;
};

/// @brief Critical chain of every customer (class order), from the sojourns of `open`.
///
/// A unit obtains its sync inputs in sequence, so the lead time a chain
/// `u_0 → u_1 → … → c` carries is the Horner sum
/// `r_{k−1}(W̃_{k−1} + r_{k−2}(W̃_{k−2} + …))`, with `W̃` a unit's sojourn including its
/// re-checks and a rework term per link. The heaviest chain ending at each unit is then
/// the max-plus analogue of the lead-time recursion, `H_j = W̃_j + max_i r_ij (H_i + e_ij W_i)`,
/// exact on the acyclic part of the graph. Inside a loop of mutual service the recursion
/// is iterated to its fixed point and the chain is read off its maximizing inputs without
/// repeating a unit (the heaviest *simple* path is NP-hard in general), so there it is a
/// heuristic. The slack of a unit combines its heaviest upstream chain with the heaviest
/// continuation towards the customer chosen at each unit; exact when every unit has one
/// consumer (a tree), a lower bound on the heaviest chain through the unit (so an upper
/// bound on its slack) otherwise. Cost O(links · customers).
/// @throws servicechain::error (`servicechain.not_converged`) if the fixed point in a loop
///         does not converge (a safeguard; the iteration contracts geometrically).
[[nodiscard]] std::vector<critical_chain> critical_chains(const service_graph& g, const model_numbers& numbers,
                                                          const open_result& open);

/// @brief The same chains from the station figures alone (`analyze_stations` on flows
/// with their work, as `analyze_open` computes them): what a caller that needs only the
/// chains computes, without the open analysis's lead times, costs and rework.
/// @throws servicechain::error (`servicechain.invalid_argument`) if `stations` is not
///         sized for `g`; (`servicechain.not_converged`) as above.
[[nodiscard]] std::vector<critical_chain> critical_chains(const service_graph& g, const model_numbers& numbers,
                                                          const station_result& stations);

/// @brief `critical_chains(g, g.numbers(), open)`.
[[nodiscard]] std::vector<critical_chain> critical_chains(const service_graph& g, const open_result& open);

}  // namespace servicechain

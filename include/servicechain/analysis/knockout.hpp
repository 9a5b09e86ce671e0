#pragma once
/// @file
/// @brief Knock-out and degradation: for every internal unit, each customer's lead time
/// after the unit loses one server or a fraction of its capacity, and the units whose loss
/// makes the system unstable (docs/whatif.md).

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "servicechain/analysis/open_network.hpp"
#include "servicechain/error.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Options of `knockout`.
struct knockout_options {
  /// Fraction f of capacity lost, in (0, 1): every service time of the unit (its own and
  /// its links' own) becomes s / (1 − f). Empty: the unit loses one server.
  std::optional<double> capacity_loss{};
  open_options open{};  ///< options of each open analysis
};

/// @brief The effect of one unit's loss. Times in the model's time unit.
struct unit_knockout {
  unit_index unit{};  ///< the unit that loses capacity
  /// False when there is nothing to lose: one server of a unit with unlimited servers
  /// (its figures are then the base's).
  bool applicable = true;
  /// The loss removes the unit's only server (one-server loss on a single server).
  bool loses_all_servers = false;
  /// The loss makes some unit's ρ ≥ 1 (`saturated` lists them) or, when it loses its only
  /// server, leaves load with no capacity; then `lead_time` is empty.
  bool unstable = false;
  double utilization_before = 0;  ///< ρ of the unit as given
  double utilization_after = 0;   ///< ρ after the loss (0 when it loses all servers)
  std::vector<double> lead_time{};         ///< by class, after the loss (empty when unstable)
  std::vector<double> lead_time_change{};  ///< by class, after − before (empty when unstable)
  double mean_lead_time_change = 0;        ///< demand-weighted, after − before (0 when unstable)
  std::vector<saturated_unit> saturated{};  ///< units with ρ ≥ 1 after the loss
};

/// @brief Result of `knockout`.
struct knockout_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  std::optional<double> capacity_loss{};  ///< as in the options; empty = one server
  std::vector<double> lead_time{};        ///< by class, as given
  double mean_lead_time = 0;              ///< demand-weighted, as given
  std::vector<unit_knockout> units{};     ///< every internal unit, in index order
  std::vector<unit_index> unstable{};     ///< units whose loss makes the system unstable, in index order

  /// @brief The class of the customer with this id: its position in every per-class vector.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no customer has this id.
  [[nodiscard]] std::size_t class_of(std::string_view customer_id) const { return directory->class_at(customer_id); }
  /// @brief `lead_time[class_of(customer_id)]`: as given, time units.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no customer has this id.
  [[nodiscard]] double lead_time_of(std::string_view customer_id) const { return lead_time[class_of(customer_id)]; }
  /// @brief The loss of the internal unit with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no internal unit has this id.
  [[nodiscard]] const unit_knockout& unit(std::string_view id) const;
};

/// @brief Every internal unit's loss in turn (one server, or `capacity_loss`), each a
/// what-if on a copy of `numbers` that reuses the base's flows (a loss changes no flow).
/// Cost: one stations and chain stage per internal unit.
/// @throws servicechain::unstable_error if the model as given is unstable.
/// @throws servicechain::error (`servicechain.invalid_argument`) if `capacity_loss` is not in (0, 1).
[[nodiscard]] knockout_result knockout(const service_graph& g, const model_numbers& numbers,
                                       const knockout_options& options = {});

}  // namespace servicechain

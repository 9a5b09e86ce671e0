#pragma once
/// @file
/// @brief Capacity: utilization, headroom, bottlenecks and the largest sustainable demand.

#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "servicechain/analysis/load.hpp"
#include "servicechain/error.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Capacity figures of one unit. Optional fields are empty where the value would
/// be infinite (a unit with no load, or with unlimited servers, never saturates).
struct unit_capacity {
  double load = 0;          ///< λ, services per time unit
  double utilization = 0;   ///< ρ = λ·s / servers; 0 for unlimited servers and external units
  double busy_servers = 0;  ///< λ·s, mean number of busy servers
  std::optional<double> headroom;          ///< 1/ρ − 1: relative demand growth the unit absorbs
  std::optional<double> saturation_scale;  ///< 1/ρ: factor on every demand at which ρ reaches 1
};

/// @brief Capacity figures of one external customer (class).
struct customer_capacity {
  /// The external unit of this class.
  unit_index customer;
  std::optional<double> demand;  ///< requests per time unit; empty for a closed class
  /// Largest demand (throughput, for a closed class) of this class with every open class
  /// at its demand; 0 if the others alone already saturate a unit; empty if unbounded.
  std::optional<double> max_demand;
  /// Largest demand of this class alone; empty if unbounded.
  std::optional<double> max_demand_alone;
  /// The unit that saturates first as this class grows with the others held.
  std::optional<unit_index> limiting_unit;
};

/// @brief Capacity of the whole organization at its current demand.
struct capacity_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  std::vector<unit_capacity> units;          ///< by unit index (external units: all zero)
  std::vector<customer_capacity> customers;  ///< by class
  /// Internal units with finite servers, by utilization, highest first (ties by index).
  std::vector<unit_index> ranking;
  /// The most utilized unit, if any unit carries load.
  std::optional<unit_index> bottleneck;
  /// Factor on every demand at which the first unit saturates (1/ρ of the bottleneck).
  std::optional<double> max_demand_scale;
  /// Every unit with ρ ≥ 1, in ranking order.
  std::vector<saturated_unit> saturated;

  /// @brief True when no unit is saturated.
  [[nodiscard]] bool stable() const noexcept { return saturated.empty(); }
  /// @brief The figures of the unit with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if there is none.
  [[nodiscard]] const unit_capacity& unit(std::string_view id) const { return units[directory->at(id).value()]; }
  /// @brief The figures of the customer with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no customer has this id.
  [[nodiscard]] const customer_capacity& customer(std::string_view id) const {
    return customers[directory->class_at(id)];
  }
};

/// @brief Capacity of every unit and customer from the loads of `load` (computed from `numbers`).
///
/// Never throws for saturation: saturated units are listed in the result.
[[nodiscard]] capacity_result analyze_capacity(const service_graph& g, const model_numbers& numbers,
                                               const load_result& load);

/// @brief Every unit with utilization ρ = Σ λ_l s_l / servers ≥ 1 at the loads of `load`,
/// most utilized first; empty when all are stable.
[[nodiscard]] std::vector<saturated_unit> saturated_units(const service_graph& g, const model_numbers& numbers,
                                                          const load_result& load);

/// @brief Convenience: `analyze_capacity(g, g.numbers(), load)`.
[[nodiscard]] capacity_result analyze_capacity(const service_graph& g, const load_result& load);

/// @brief Convenience: `analyze_capacity(g, g.numbers(), compute_load(g))`.
/// @throws servicechain::solver_error if a loop's system cannot be solved.
[[nodiscard]] capacity_result analyze_capacity(const service_graph& g);

/// @brief True for an internal unit with finitely many servers: one that can saturate.
[[nodiscard]] bool capacity_limited(const service_graph& g, const model_numbers& numbers, unit_index u) noexcept;

}  // namespace servicechain

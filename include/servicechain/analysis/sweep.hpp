#pragma once
/// @file
/// @brief Sweeps: one number (a parameter or the demand scale) stepped over a range, with
/// every customer's lead time and the busiest units at each step; saturated steps are
/// reported with their saturated units (docs/whatif.md).

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "servicechain/analysis/open_network.hpp"
#include "servicechain/analysis/parameters.hpp"
#include "servicechain/error.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief `from:to:step`: the values from, from + step, …, up to `to` (included when it
/// is reached within rounding).
struct sweep_range {
  double from = 0;  ///< first value
  double to = 0;  ///< last value
  double step = 0;  ///< > 0 when to > from; the count of values is at most `max_sweep_steps`

  /// @brief The values, `from + k·step` (by multiplication, so no drift), each rounded to
  /// 15 significant digits (0.5:1.2:0.05 gives 1.15, not 1.1500000000000001).
  [[nodiscard]] std::vector<double> values() const;
};

/// @brief The most values a sweep may have.
inline constexpr std::size_t max_sweep_steps = 10000;

/// @brief Parses `from:to:step` (or a single number: one step).
/// @throws servicechain::error (`servicechain.invalid_argument`) naming `what` (e.g. the
///         option) if a part is not a finite number, `step ≤ 0` with `to ≠ from`, `to < from`,
///         or there would be more than `max_sweep_steps` values.
[[nodiscard]] sweep_range parse_sweep_range(std::string_view text, std::string_view what);

/// @brief What a sweep varies and what it reports.
struct sweep_options {
  /// The parameter swept; empty = the demand scale (every open class's demand times the value).
  std::optional<parameter> target{};
  std::size_t top_units = 5;  ///< busiest units reported per step
  open_options open{};  ///< options of each open analysis
};

/// @brief A unit and its utilization ρ = Σ λ_l s_l / servers at one step.
struct unit_utilization {
  unit_index unit{};  ///< the unit
  double utilization = 0;  ///< ρ at this step
};

/// @brief One value of the swept number.
struct sweep_step {
  double value = 0;  ///< the parameter's value (its unit) or the demand scale
  /// True when some unit has ρ ≥ 1: then `lead_time` is empty and `saturated` lists them.
  bool is_saturated = false;
  std::vector<double> lead_time{};        ///< by class, time units (empty when saturated)
  double mean_lead_time = 0;              ///< demand-weighted, time units (0 when saturated)
  std::vector<unit_utilization> busiest{};  ///< the `top_units` highest utilizations, highest first
  std::vector<saturated_unit> saturated{};  ///< units with ρ ≥ 1 (empty when stable)
};

/// @brief Result of `sweep`.
struct sweep_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  std::optional<parameter> target{};  ///< as in the options; empty = demand scale
  std::vector<sweep_step> steps{};  ///< one per value, in sweep order
  /// The first step (in sweep order) that saturates, if any.
  std::optional<std::size_t> first_saturated{};

  /// @brief The class of the customer with this id: its position in each step's `lead_time`.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no customer has this id.
  [[nodiscard]] std::size_t class_of(std::string_view customer_id) const { return directory->class_at(customer_id); }
};

/// @brief Analyses the model at every value of `range`: a copy of `base` with the target
/// set to the value (or its demands scaled by it), then `analyze_open` (reusing the flows
/// when the target does not change them). A saturated step is recorded, not thrown.
/// @throws servicechain::error as `set_parameter` for a value the parameter cannot take
///         (naming the path and value), or `servicechain.invalid_argument` for a negative
///         demand scale.
[[nodiscard]] sweep_result sweep(const service_graph& g, const model_numbers& base, const sweep_range& range,
                                 const sweep_options& options = {});

}  // namespace servicechain

#pragma once
/// @file
/// @brief What-if: a scenario is a set of edited numbers on the same compiled structure;
/// `compare` analyses the base and the scenario and returns every KPI before, after and
/// the difference, per unit, link and customer (docs/whatif.md).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "servicechain/analysis/open_network.hpp"
#include "servicechain/analysis/parameters.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Edits of a model's numbers: parameter edits applied in order, then every open
/// class's demand multiplied by `demand_scale`.
struct scenario {
  std::vector<parameter_edit> edits{};  ///< the numbers to set, applied in order
  double demand_scale = 1;  ///< ≥ 0, finite
};

/// @brief A copy of `base` with the scenario's edits applied.
/// @throws servicechain::error as `set_parameter` for the first bad edit, or
///         (`servicechain.invalid_argument`) for a bad demand scale.
[[nodiscard]] model_numbers apply_scenario(const service_graph& g, const model_numbers& base, const scenario& s);

/// @brief A KPI in the base and in the scenario; `difference = after − before` (exactly 0
/// when both are equal). Same unit as the KPI.
struct kpi_change {
  double before = 0;  ///< in the base
  double after = 0;  ///< in the scenario
  double difference = 0;  ///< after − before
};

/// @brief The KPIs of one unit (see `unit_performance` for their units).
struct unit_change {
  unit_index unit{};  ///< the unit
  kpi_change load;                ///< services per time unit
  kpi_change utilization;         ///< ρ
  kpi_change wait;                ///< Wq, time units
  kpi_change sojourn;             ///< W, time units
  kpi_change number_in_unit;      ///< L
  kpi_change cost_per_service;    ///< currency
  kpi_change cost_per_item;       ///< K, currency
  kpi_change lead_time_per_item;  ///< T, time units
  kpi_change defect_free_per_item;  ///< probability an item has no escaped defect
};

/// @brief The KPIs of one link (the provider's services for this consumer).
struct link_change {
  link_index link{};  ///< the link
  kpi_change load;     ///< services per time unit
  kpi_change wait;     ///< time units
  kpi_change sojourn;  ///< time units
};

/// @brief The KPIs of one customer (class).
struct customer_change {
  unit_index customer{};  ///< the customer
  kpi_change demand;         ///< requests per time unit
  kpi_change lead_time;      ///< L_c, time units
  kpi_change cost_to_serve;  ///< K_c, currency per request
  kpi_change defect_free;    ///< Q_c, probability
};

/// @brief Result of `compare`: every KPI of the base and the scenario side by side.
struct scenario_comparison {
  /// Ids of the units and customers, for the lookups by id (shared with the scenario's graph).
  std::shared_ptr<const unit_directory> directory;
  std::vector<unit_change> units{};          ///< by unit index (external units included)
  std::vector<link_change> links{};          ///< by link index
  std::vector<customer_change> customers{};  ///< by class
  kpi_change total_cost;                     ///< currency per time unit
  kpi_change mean_lead_time;                 ///< demand-weighted over open classes, time units (0 with no demand)

  /// @brief The KPIs of the unit with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if the scenario has no unit
  ///         with this id, or (comparing two organizations) the base has none.
  [[nodiscard]] const unit_change& unit(std::string_view id) const;
  /// @brief The KPIs of the customer with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if the scenario has no
  ///         customer with this id, or (comparing two organizations) the base has none.
  [[nodiscard]] const customer_change& customer(std::string_view id) const;
};

/// @brief Diffs two analyses of the same compiled structure (any numbers).
[[nodiscard]] scenario_comparison compare(const service_graph& g, const open_result& base, const open_result& scenario);

/// @brief Analyses `base` and `scenario` with `analyze_open` (the scenario reuses the
/// base's flows when its flows revision is the same) and diffs them.
/// @throws servicechain::unstable_error listing every saturated unit of whichever is unstable.
[[nodiscard]] scenario_comparison compare(const service_graph& g, const model_numbers& base,
                                          const model_numbers& scenario, const open_options& options = {});

/// @brief Two models of an organization whose structure differs (units or links added or
/// removed, a link moved), compared by id.
struct organization_comparison {
  /// The KPIs of what both models have, indexed in the edited model's graph: its units,
  /// links and customers that the base also has. Units and customers match by id; a link
  /// by its provider's and consumer's ids (the k-th such link with the k-th).
  scenario_comparison common;
  std::vector<std::string> added_units{};    ///< ids, customers included, in model order
  std::vector<std::string> removed_units{};  ///< ids, customers included, in model order
  std::vector<std::string> added_links{};    ///< `from->to`, in model order
  std::vector<std::string> removed_links{};  ///< `from->to`, in model order
};

/// @brief Diffs the analyses of two compiled models (the base and an edited organization)
/// by id; `total_cost` and `mean_lead_time` are the whole models'.
/// @param base_graph,base the base model and its analysis.
/// @param edited_graph,edited the edited organization and its analysis.
[[nodiscard]] organization_comparison compare(const service_graph& base_graph, const open_result& base,
                                              const service_graph& edited_graph, const open_result& edited);

/// @brief The demand-weighted mean lead time Σ d_c L_c / Σ d_c over open classes, time
/// units; 0 when there is no demand.
[[nodiscard]] double mean_lead_time(const open_result& result);

}  // namespace servicechain

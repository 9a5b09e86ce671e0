#pragma once
/// @file
/// @brief Sensitivities of every KPI to every parameter by reverse (adjoint) propagation,
/// and the exact effect of one server more or less (docs/sensitivities.md).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "servicechain/analysis/chain.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/propagation.hpp"
#include "servicechain/analysis/stations.hpp"
#include "servicechain/graph/model_numbers.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief A key performance indicator of the open analysis.
enum class kpi_kind {
  lead_time,         ///< L_c of one customer, time units
  mean_lead_time,    ///< Σ_c d_c L_c / Σ_c d_c over the open classes, time units
  cost_to_serve,     ///< K_c of one customer, currency per request
  total_cost,        ///< Σ (cost_per_time + cost_per_request·λ), currency per time unit
  defect_free,       ///< Q_c of one customer, probability
  max_demand_scale,  ///< factor on every demand at which the first unit saturates (1/ρ_max)
};

/// @brief `lead_time`, `mean_lead_time`, `cost_to_serve`, `total_cost`, `defect_free`, `max_demand_scale`.
[[nodiscard]] std::string_view to_string(kpi_kind kind) noexcept;

/// @brief One KPI: its kind and, for a per-customer KPI, the customer's class.
struct kpi_id {
  kpi_kind kind = kpi_kind::lead_time;  ///< which KPI
  std::optional<std::size_t> customer_class{};  ///< class (index in `g.customers()`); empty for whole-model KPIs
  /// @brief Field-wise equality.
  friend bool operator==(const kpi_id&, const kpi_id&) = default;
};

/// @brief A parameter the KPIs are differentiated by.
enum class parameter_kind {
  unit_service_time,      ///< `units/<id>/service_time`, time units
  unit_service_scv,       ///< `units/<id>/service_scv`
  unit_cost_per_time,     ///< `units/<id>/cost_per_time`, currency per time unit
  unit_cost_per_request,  ///< `units/<id>/cost_per_request`, currency
  unit_yield,             ///< `units/<id>/yield`, probability
  link_requests,          ///< `links/<from>/<to>/requests`, requests per item
  link_acceptance,        ///< `links/<from>/<to>/acceptance`, probability
  link_service_time,      ///< `links/<from>/<to>/service_time` (links that set their own), time units
  customer_demand,        ///< `customers/<id>/demand`, requests per time unit (open classes)
};

/// @brief A parameter: its kind and the unit (unit and customer kinds) or link it belongs to.
struct parameter_ref {
  parameter_kind kind = parameter_kind::unit_service_time;  ///< which number of the model
  std::uint32_t index = 0;  ///< unit index, or link index for the link kinds
  /// @brief Field-wise equality.
  friend bool operator==(const parameter_ref&, const parameter_ref&) = default;
};

/// @brief Options of `sensitivities` and `server_effects`.
struct contribution_options {
  /// Arrival variability of the analysis differentiated. With `propagate` (Whitt's QNA) the
  /// derivatives include the arrival SCVs' dependence on every parameter, by one more
  /// transposed solve of the SCV system (docs/sensitivities.md).
  arrival_variability variability = arrival_variability::poisson;
};

/// @brief Every KPI's derivative with respect to every parameter, in factored form.
///
/// `sensitivities` computes the forward analysis and one reverse (adjoint) propagation per
/// KPI, batched as columns; what it keeps are per-unit and per-station adjoints, from which
/// `derivative` forms any one derivative in O(1) (O(links of the unit) for a unit's
/// service time and SCV). So the cost does not grow with the number of parameters.
class sensitivity_result {
 public:
  /// @brief The KPIs, in column order: lead time per open customer, the mean lead time,
  /// cost to serve per open customer, total cost, defect-free probability per open
  /// customer, max demand scale (if some unit can saturate).
  [[nodiscard]] const std::vector<kpi_id>& kpis() const noexcept { return kpis_; }
  /// @brief Value of KPI `k` (its unit: see `kpi_kind`).
  [[nodiscard]] double kpi_value(std::size_t k) const { return kpi_values_.at(k); }
  /// @brief Every parameter, in a fixed order: per internal unit its five numbers, per
  /// link `requests`, `acceptance` and (if it has one) `service_time`, per open customer
  /// its demand.
  [[nodiscard]] const std::vector<parameter_ref>& parameters() const noexcept { return parameters_; }
  /// @brief The parameter's current value (its unit: see `parameter_kind`).
  [[nodiscard]] double value(parameter_ref p) const;
  /// @brief dKPI_k / dp, in the KPI's unit per the parameter's unit.
  [[nodiscard]] double derivative(std::size_t k, parameter_ref p) const;
  /// @brief Elasticity dK/dp · p/K (dimensionless); empty when K = 0.
  [[nodiscard]] std::optional<double> elasticity(std::size_t k, parameter_ref p) const;
  /// @brief The index of a KPI in `kpis()`, or empty if the model has no such KPI.
  [[nodiscard]] std::optional<std::size_t> find(const kpi_id& kpi) const noexcept;
  /// @brief `units/<id>/<field>`, `links/<from>/<to>/<field>` or `customers/<id>/demand`.
  [[nodiscard]] std::string path(parameter_ref p) const;

 private:
  friend sensitivity_result sensitivities(const service_graph& g, const model_numbers& numbers,
                                          const contribution_options& options);
  struct state;
  std::shared_ptr<const state> state_;
  std::vector<kpi_id> kpis_;
  std::vector<double> kpi_values_;
  std::vector<parameter_ref> parameters_;
};

/// @brief Every KPI's derivative and elasticity with respect to every unit's
/// `service_time`, `service_scv`, `cost_per_time`, `cost_per_request`, `yield`, every
/// link's `requests`, `acceptance` and own `service_time`, and every open customer's
/// `demand`, by reverse (adjoint) propagation through the flows, stations and chain stages.
///
/// The forward analysis is that of `analyze_open`; the reverse pass is one transposed
/// propagation per KPI family (columns: one per customer), the stations' local jacobians
/// (`solve_station`'s formulas, by dual numbers), with QNA one more transposed solve of
/// the arrival-SCV system per lead-time KPI, and O(links) of local terms. Cost O((links + units) · KPIs) plus the
/// loop solves, independent of the number of parameters.
/// @param g the compiled structure; @param numbers its numbers.
/// @throws servicechain::error (`servicechain.invalid_argument`) if a customer is a closed
///         class (population): the open analysis is what is differentiated.
/// @throws servicechain::unstable_error listing every saturated unit.
/// @throws servicechain::solver_error if a loop's system cannot be solved.
[[nodiscard]] sensitivity_result sensitivities(const service_graph& g, const model_numbers& numbers,
                                               const contribution_options& options = {});

/// @brief `sensitivities(g, g.numbers(), options)`.
[[nodiscard]] sensitivity_result sensitivities(const service_graph& g, const contribution_options& options = {});

/// @brief The exact effect on every KPI of one server more and one server less at one unit.
struct server_effect {
  unit_index unit;  ///< the unit given one server more or one less
  std::int64_t servers = 1;  ///< the unit's servers now
  /// Per KPI (the order of `sensitivity_result::kpis()`): KPI with one server more − KPI now.
  std::vector<double> plus_one;
  /// The same with one server less; empty when the unit has one server or would saturate.
  std::optional<std::vector<double>> minus_one;
};

/// @brief For every internal unit with finitely many servers, the exact change of every
/// KPI of `kpis` with one server more and one less, by re-analysis of the model (under
/// Poisson arrivals only the unit's own station changes, so only it is re-solved).
/// @param kpis the KPIs, e.g. `sensitivities(g, numbers).kpis()`.
/// @throws servicechain::unstable_error if the model itself is saturated.
[[nodiscard]] std::vector<server_effect> server_effects(const service_graph& g, const model_numbers& numbers,
                                                        const std::vector<kpi_id>& kpis,
                                                        const contribution_options& options = {});

}  // namespace servicechain

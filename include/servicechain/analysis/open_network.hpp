#pragma once
/// @file
/// @brief Open-network performance: waits at every unit, lead time, cost to serve and
/// quality per customer, each decomposed exactly over units and links (DESIGN §Semantics).

#include <memory>
#include <string_view>
#include <vector>

#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/propagation.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief How variable the arrival stream at each unit is taken to be.
enum class arrival_variability {
  poisson,    ///< ca² = 1 at every unit (exact for Jackson networks of M/M/c units)
  propagate,  ///< Whitt's QNA: departures, splits and superpositions carry the SCVs (docs/metrics.md)
};

/// @brief Options of `analyze_open`.
struct open_options {
  arrival_variability variability = arrival_variability::poisson;
};

/// @brief Steady-state figures of one unit. Times in the model's time unit, rates per
/// time unit, money in its currency. For an external unit only the per-item fields are
/// set, and they equal its customer's figures (K_c, L_c, Q_c).
struct unit_performance {
  double load = 0;            ///< λ, services per time unit
  double utilization = 0;     ///< ρ = λ·s / servers (0 for unlimited servers)
  double busy_servers = 0;    ///< λ·s
  double arrival_scv = 1;     ///< ca² used for the unit's queue
  double p_wait = 0;          ///< probability a service request waits
  double wait = 0;            ///< Wq, mean wait before service
  double sojourn = 0;         ///< W = Wq + s, mean time of one service
  double queue_length = 0;    ///< Lq, mean number waiting
  double number_in_unit = 0;  ///< L, mean number waiting or in service
  /// k = cost_per_request + cost_per_time / λ: full cost of one service (0 with no load).
  double cost_per_service = 0;
  /// K: full cost of one fresh item, including everything its providers do for it.
  double cost_per_item = 0;
  /// T: time to deliver one fresh item (sync inputs in sequence, then service).
  double lead_time_per_item = 0;
  /// Probability that an item the unit delivers has no escaped defect, its inputs included.
  double defect_free_per_item = 1;
  /// True if some chain of links leads from the unit to an external customer.
  bool aligned = true;
};

/// @brief What one external customer (class) receives.
struct customer_performance {
  unit_index customer;
  double lead_time = 0;      ///< L_c, time from request to delivery
  double cost_to_serve = 0;  ///< K_c, currency per request (reciprocal allocation)
  double defect_free = 1;    ///< Q_c, probability a delivery has no escaped defect
};

/// @brief The cost of poor internal service of one link with `acceptance < 1`:
/// what its rejections cost compared with acceptance = 1, everything else unchanged.
struct rework_cost {
  link_index link;
  double rework_flow = 0;  ///< redone deliveries per time unit
  double extra_load = 0;   ///< services per time unit: redos at the provider plus re-checks at the consumer
  double extra_cost = 0;   ///< currency per time unit: those services at the full cost per service k
  /// Per class: lead time the rejections add, time units (queueing at provider and consumer included).
  std::vector<double> extra_lead_time;
};

/// @brief Result of `analyze_open`. Matrices have one row per unit (or link) index and
/// one column per class (`g.customers()` order).
struct open_result {
  std::shared_ptr<const unit_directory> directory;
  load_result load;                               ///< items, visits and loads used
  std::vector<unit_performance> units;            ///< by unit index
  std::vector<customer_performance> customers;    ///< by class
  /// Lead-time contribution κ_ic·Wq_i of unit i's waiting to customer c (time units).
  unit_matrix lead_time_wait;
  /// Lead-time contribution κ_ic·s_i of unit i's service to customer c (time units).
  /// Waiting plus service over all units sums to `customers[c].lead_time`.
  unit_matrix lead_time_service;
  /// Lead time that reaches customer c through each link (rows = link index): the
  /// provider's sojourns carried over the link and the consumer's re-checks of its
  /// rejected deliveries. Sums over links to the lead time.
  unit_matrix lead_time_by_link;
  /// Cost to serve one request of c spent at unit i (currency); sums to `cost_to_serve`.
  unit_matrix cost_by_unit;
  /// Share of customer c's defect risk (−log Q_c) due to unit i; sums to 1 (0 if Q_c = 1).
  unit_matrix defect_share;
  /// One entry per link with acceptance < 1, in link order.
  std::vector<rework_cost> rework;
  double total_cost = 0;        ///< Σ (cost_per_time + cost_per_request·λ), currency per time unit
  double allocated_cost = 0;    ///< Σ_c d_c K_c, currency per time unit
  double unallocated_cost = 0;  ///< cost of units with no load, currency per time unit
  /// Internal units with no chain to any external customer, in index order.
  std::vector<unit_index> misaligned;

  /// @brief Figures of the unit with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if there is none.
  [[nodiscard]] const unit_performance& unit(std::string_view id) const { return units[directory->at(id).value()]; }
  /// @brief Lead-time contribution of unit `u` (waiting plus service) to class `c`.
  [[nodiscard]] double lead_time_contribution(unit_index u, std::size_t c) const {
    return lead_time_wait(u.value(), static_cast<Eigen::Index>(c)) +
           lead_time_service(u.value(), static_cast<Eigen::Index>(c));
  }
};

/// @brief Open-network analysis of every unit and customer (closed classes: visits only).
///
/// Each unit is a multi-server queue fed by its total load (decomposition, DESIGN §1):
/// M/M/c when both SCVs are 1, a two-moment G/G/c approximation otherwise (see
/// `analyze_station`). Lead time, cost and quality follow DESIGN §Semantics exactly and
/// are decomposed by unit and link with the same propagation kernel. Cost O((links +
/// units) · classes) plus the loop solves.
/// @throws servicechain::unstable_error listing every unit with ρ ≥ 1 (its ρ, load and capacity).
/// @throws servicechain::solver_error if a loop's system cannot be solved.
[[nodiscard]] open_result analyze_open(const service_graph& g, const open_options& options = {});

}  // namespace servicechain

#pragma once
/// @file
/// @brief Open-network performance: waits at every unit, lead time, cost to serve and
/// quality per customer, each decomposed exactly over units and links (DESIGN §Semantics).

#include <cmath>
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

/// @brief Result of `analyze_open`.
///
/// The decompositions are exact and computed on demand in O(1) from the stored per-class
/// factors, so that a model with a million units and ten classes does not materialize a
/// dozen unit-by-class tables. Units, links and classes are indices (`g.customers()` order).
struct open_result {
  std::shared_ptr<const unit_directory> directory;
  load_result load;                               ///< items, visits and loads used
  std::vector<unit_performance> units;            ///< by unit index
  std::vector<customer_performance> customers;    ///< by class
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
  /// @brief Lead-time contribution κ_ic·Wq_i of unit i's waiting to customer c (time units).
  [[nodiscard]] double lead_time_wait(unit_index u, std::size_t c) const {
    return lead_time_weight(u, c) * units[u.value()].wait;
  }
  /// @brief Lead-time contribution κ_ic·s_i of unit i's service to customer c (time units).
  [[nodiscard]] double lead_time_service(unit_index u, std::size_t c) const {
    return lead_time_weight(u, c) * (units[u.value()].sojourn - units[u.value()].wait);
  }
  /// @brief Lead-time contribution κ_ic·W_i of unit i to customer c; sums over units to the lead time.
  [[nodiscard]] double lead_time_contribution(unit_index u, std::size_t c) const {
    return lead_time_weight(u, c) * units[u.value()].sojourn;
  }
  /// @brief κ_ic: services of unit i that customer c waits for per request (sync links only).
  [[nodiscard]] double lead_time_weight(unit_index u, std::size_t c) const {
    return (sync_services_.size() ? sync_services_ : load.load_per_request)(u.value(), static_cast<Eigen::Index>(c));
  }
  /// @brief Lead time that reaches customer c through link l (time units): the provider's
  /// sojourns carried over the link and the consumer's re-checks of its rejected
  /// deliveries, `r_ij z_jc (W_i (1 + e_ij) + e_ij W_j)`. Sums over links to the lead time.
  [[nodiscard]] double lead_time_through(link_index l, std::size_t c) const {
    const auto& z = sync_visits_.size() ? sync_visits_ : load.visits;
    return link_carried_[l.value()] * z(link_consumer_[l.value()], static_cast<Eigen::Index>(c));
  }
  /// @brief Cost to serve one request of c spent at unit i (currency); sums to `cost_to_serve`.
  [[nodiscard]] double cost_by_unit(unit_index u, std::size_t c) const {
    return load.load_per_request(u.value(), static_cast<Eigen::Index>(c)) * units[u.value()].cost_per_service;
  }
  /// @brief Share of customer c's defect risk (−log Q_c) due to unit i; sums to 1 (all 0 if Q_c = 1).
  [[nodiscard]] double defect_share(unit_index u, std::size_t c) const {
    const double total = -std::log(customers[c].defect_free);
    return total > 0 ? load.visits(u.value(), static_cast<Eigen::Index>(c)) * defect_risk_[u.value()] / total : 0.0;
  }

 private:
  friend open_result analyze_open(const service_graph& g, const open_options& options);
  unit_matrix sync_visits_;     ///< z; empty when every link is sync (then `load.visits`)
  unit_matrix sync_services_;   ///< κ; empty when every link is sync (then `load.load_per_request`)
  std::vector<double> link_carried_;           ///< r (W_i (1 + e) + e W_j) per sync link, 0 for async
  std::vector<std::uint32_t> link_consumer_;   ///< consumer of each link
  std::vector<double> defect_risk_;            ///< −log yield per unit
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

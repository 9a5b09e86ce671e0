#pragma once
/// @file
/// @brief Open-network performance: waits at every unit, lead time, cost to serve and
/// quality per customer, each decomposed exactly over units and links (docs/semantics.md).

#include <cmath>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "servicechain/analysis/chain.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/stations.hpp"
#include "servicechain/analysis/propagation.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Options of `analyze_open`.
struct open_options {
  /// Arrival variability at the queues: Poisson everywhere, or propagated (Whitt's QNA).
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

/// @brief The cost of poor internal service of one link with `acceptance < 1`:
/// what its rejections cost compared with acceptance = 1, everything else unchanged.
struct rework_cost {
  /// The link whose rejections are costed.
  link_index link;
  double rework_flow = 0;  ///< redone deliveries per time unit
  double extra_load = 0;   ///< services per time unit: redos at the provider plus re-checks at the consumer
  double extra_cost = 0;   ///< currency per time unit: those services at the full cost per service k
  /// Per class: lead time the rejections add, time units (queueing at provider and consumer included).
  std::vector<double> extra_lead_time;
};

/// @brief Result of `analyze_open`: the three stages' results and a per-unit summary.
///
/// The decompositions are exact and computed on demand from the stored per-class
/// factors, so that a model with a million units and ten classes does not materialize a
/// dozen unit-by-class tables. Units, links and classes are indices (`g.customers()`
/// order); every figure can also be read by id.
struct open_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  load_result load;          ///< the flows stage: items, visits and loads per unit and link
  station_result stations;   ///< the stations stage: per-unit and per-link waits and sojourns
  chain_result chain;        ///< the chain stage's decomposition factors (its figures are below)
  std::vector<unit_performance> units;          ///< by unit index: stations and chain figures together
  std::vector<customer_performance> customers;  ///< by class
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
  /// @brief Figures of the customer with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no customer has this id.
  [[nodiscard]] const customer_performance& customer(std::string_view id) const {
    return customers[directory->class_at(id)];
  }
  /// @brief Lead-time contribution of unit i's waiting to customer c (time units).
  [[nodiscard]] double lead_time_wait(unit_index u, std::size_t c) const {
    return over_links(u, c, [](const link_station& l) { return l.wait; });
  }
  /// @brief Lead-time contribution of unit i's service to customer c (time units).
  [[nodiscard]] double lead_time_service(unit_index u, std::size_t c) const {
    return over_links(u, c, [](const link_station& l) { return l.sojourn - l.wait; });
  }
  /// @brief Lead-time contribution Σ_l κ_lc W_l of unit i to customer c (time units); sums
  /// over units to the lead time.
  [[nodiscard]] double lead_time_contribution(unit_index u, std::size_t c) const {
    return over_links(u, c, [](const link_station& l) { return l.sojourn; });
  }
  /// @brief Lead-time contribution of the unit `unit_id` to the customer `customer_id`, by ids.
  /// @throws servicechain::error (`servicechain.unknown_id`) for an unknown unit or customer.
  [[nodiscard]] double lead_time_contribution(std::string_view unit_id, std::string_view customer_id) const {
    return lead_time_contribution(directory->at(unit_id), directory->class_at(customer_id));
  }
  /// @brief κ_ic: services of unit i that customer c waits for per request (sync links only).
  [[nodiscard]] double lead_time_weight(unit_index u, std::size_t c) const {
    return (chain.sync_services.size() ? chain.sync_services : load.load_per_request)(u.value(),
                                                                                       static_cast<Eigen::Index>(c));
  }
  /// @brief κ_lc W_l: lead time of customer c spent in services of link l at its provider
  /// (time units); sums over links to the lead time.
  [[nodiscard]] double link_lead_time(link_index l, std::size_t c) const {
    return chain.link_sync_services_per_item[l.value()] * sync_visit(chain.link_consumer[l.value()], c) *
           stations.links[l.value()].sojourn;
  }
  /// @brief Lead time that reaches customer c through link l (time units): the provider's
  /// sojourns carried over the link and the consumer's re-checks of its rejected
  /// deliveries, `r_ij (z_jc W_{i→j} (1 + e_ij) + e_ij Σ_m r_jm z_mc W_{j→m})`. Sums over links
  /// to the lead time.
  [[nodiscard]] double lead_time_through(link_index l, std::size_t c) const;
  /// @brief `lead_time_through(l, c)` for every class c at once, into `out` (time units;
  /// `out.size()` must be the number of classes): the link's own terms are formed once.
  void lead_time_through(link_index l, std::span<double> out) const;
  /// @brief Cost to serve one request of c spent at unit i (currency); sums to `cost_to_serve`.
  [[nodiscard]] double cost_by_unit(unit_index u, std::size_t c) const {
    return load.load_per_request(u.value(), static_cast<Eigen::Index>(c)) * units[u.value()].cost_per_service;
  }
  /// @brief Share of customer c's defect risk (−log Q_c) due to unit i; sums to 1 (all 0 if Q_c = 1).
  [[nodiscard]] double defect_share(unit_index u, std::size_t c) const {
    const double total = -std::log(customers[c].defect_free);
    return total > 0 ? load.visits(u.value(), static_cast<Eigen::Index>(c)) * chain.defect_risk[u.value()] / total
                     : 0.0;
  }

  /// @brief z_ic: fresh items of unit i that customer c waits for per request (sync links only).
  [[nodiscard]] double lead_time_weight_items(std::uint32_t unit, std::size_t c) const { return sync_visit(unit, c); }

 private:
  [[nodiscard]] double sync_visit(std::uint32_t unit, std::size_t c) const {
    return (chain.sync_visits.size() ? chain.sync_visits : load.visits)(unit, static_cast<Eigen::Index>(c));
  }
  /// r (W (1 + e) + e W̄_j): what an item of link l's consumer carries through l, where the
  /// consumer's links share one sojourn W̄_j (`lead_time_through` without its visit factor).
  [[nodiscard]] double carried_through(link_index l) const;
  /// Σ over the unit's links of κ_lc · figure(link); κ_ic · figure when its links share one.
  template <typename Figure>
  [[nodiscard]] double over_links(unit_index u, std::size_t c, Figure figure) const;
};

/// @brief Open-network analysis of every unit and customer (closed classes: visits only):
/// the flows, stations and chain stages in turn (`compute_load`, `analyze_stations`,
/// `compute_chain`), then the cost of poor internal service and alignment.
///
/// Each unit is a multi-server queue fed by its total load (decomposition): M/M/c when
/// both SCVs are 1, a two-moment G/G/c approximation otherwise (see `analyze_station`).
/// Lead time, cost and quality are decomposed exactly by unit and link. Cost
/// O((links + units) · classes) plus the loop solves.
/// @param g the compiled structure; @param numbers its numbers.
/// @throws servicechain::unstable_error listing every unit with ρ ≥ 1 (its ρ, load and capacity).
/// @throws servicechain::solver_error if a loop's system cannot be solved.
/// @note On Linux with two cores or more, and for arrays of 64 MB and more in all, a helper
/// thread faults the call's large arrays in (page tables only, no byte written) while it fills
/// them; the thread is joined before the call returns.
[[nodiscard]] open_result analyze_open(const service_graph& g, const model_numbers& numbers,
                                       const open_options& options = {});

/// @brief `analyze_open(g, g.numbers(), options)`.
[[nodiscard]] open_result analyze_open(const service_graph& g, const open_options& options = {});

/// @brief The open analysis on flows already computed: the stations and chain stages only.
///
/// The flows depend on the demands, `requests` and `acceptance` alone, so after editing a
/// service time, SCV, server count, discipline, priority, cost or yield, the `load` of an
/// earlier result (or of `compute_load`) serves again and a what-if costs the stations
/// and chain stages only. Same result as `analyze_open(g, numbers, options)`, bit for bit.
/// @param flows `compute_load(g, base)` for numbers `base` with `base.flows_revision() ==
///        numbers.flows_revision()`; taken by value (move it in to avoid a copy).
/// @throws servicechain::error (`servicechain.invalid_argument`) if `flows` were computed
///         from numbers with other flows (an edit of a demand, `requests` or `acceptance`
///         since) or at given class rates; otherwise as `analyze_open(g, numbers, options)`.
[[nodiscard]] open_result analyze_open(const service_graph& g, const model_numbers& numbers, load_result flows,
                                       const open_options& options = {});

template <typename Figure>
double open_result::over_links(unit_index u, std::size_t c, Figure figure) const {
  // A unit's links are the out-links; their consumers and the per-link weights are in `chain`.
  const auto& unit_stations = stations.units[u.value()];
  if (unit_stations.uniform) {
    const link_station summary{.wait = unit_stations.wait, .sojourn = unit_stations.sojourn};
    return lead_time_weight(u, c) * figure(summary);
  }
  double sum = 0;
  for (std::uint32_t k = chain.out_offset[u.value()]; k < chain.out_offset[u.value() + 1]; ++k) {
    const std::uint32_t l = chain.out_links[k];
    sum += chain.link_sync_services_per_item[l] * sync_visit(chain.link_consumer[l], c) * figure(stations.links[l]);
  }
  return sum;
}

}  // namespace servicechain

#pragma once
/// @file
/// @brief The chain stage: lead time, cost to serve and quality carried along the service
/// chain by the propagation kernel, with their exact decompositions kept as data.

#include <cmath>
#include <memory>
#include <string_view>
#include <vector>

#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/stations.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Per-item figures of one unit. At an external unit they are its customer's figures.
struct unit_chain {
  /// k = cost_per_request + cost_per_time / λ: full cost of one service (0 with no load), currency.
  double cost_per_service = 0;
  /// K: full cost of one fresh item, including everything its providers do for it, currency.
  double cost_per_item = 0;
  /// T: time to deliver one fresh item (sync inputs in sequence, then service), time units;
  /// for a unit whose links have different sojourns, the mean over its links.
  double lead_time_per_item = 0;
  /// Probability that an item the unit delivers has no escaped defect, its inputs included.
  double defect_free_per_item = 1;
};

/// @brief What one external customer (class) receives.
struct customer_performance {
  /// The external unit of this class.
  unit_index customer;
  double lead_time = 0;      ///< L_c, time from request to delivery, time units
  /// The lead time if every unit served first come, first served (loads unchanged): the
  /// comparison that shows what the disciplines as given cost or save this customer.
  double lead_time_fifo = 0;
  double cost_to_serve = 0;  ///< K_c, currency per request (reciprocal allocation)
  double defect_free = 1;    ///< Q_c, probability a delivery has no escaped defect
};

/// @brief Result of `compute_chain`: per-item figures, per-customer totals, and the factors
/// of their exact decompositions (lead time by unit and by link, cost by unit, defect risk
/// by unit), each read in O(1) or O(links of a unit).
struct chain_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  std::vector<unit_chain> units;                ///< by unit index
  std::vector<customer_performance> customers;  ///< by class
  double total_cost = 0;        ///< Σ (cost_per_time + cost_per_request·λ), currency per time unit
  double allocated_cost = 0;    ///< Σ_c d_c K_c, currency per time unit
  double unallocated_cost = 0;  ///< cost of units with no load, currency per time unit

  /// @brief The customer with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no customer has this id.
  [[nodiscard]] const customer_performance& customer(std::string_view id) const {
    return customers[directory->class_at(id)];
  }

  // ---- decomposition factors (filled by `compute_chain`; a simulator may fill them too)
  /// z_ic: fresh items of unit i that class c waits for per request (sync links only).
  unit_matrix sync_visits;
  /// κ_ic: services of unit i that class c waits for per request (sync links only).
  unit_matrix sync_services;
  /// Per link: services at the provider that the consumer's items wait for, per fresh item
  /// of the consumer, `r_ij (1 + R^s_i + e_ij)` for sync links, 0 for async ones.
  std::vector<double> link_sync_services_per_item;
  /// Per link: consumer index, for the per-class factors.
  std::vector<std::uint32_t> link_consumer;
  /// Per link: `r_ij` of sync links (0 for async), for `lead_time_through`.
  std::vector<double> link_sync_requests;
  /// Per link: `e_ij` of sync links (0 for async), for `lead_time_through`.
  std::vector<double> link_rejections;
  /// Per unit: −log yield.
  std::vector<double> defect_risk;
  /// Out-links of every unit (CSR: unit u's are `out_links[out_offset[u] .. out_offset[u+1])`),
  /// kept only when some unit's links have different sojourns; empty otherwise.
  std::vector<std::uint32_t> out_offset;
  /// The links of that CSR (see `out_offset`).
  std::vector<std::uint32_t> out_links;
};

/// @brief The chain stage: lead time, cost and quality by the propagation kernel.
///
/// With per-link sojourns `W_{i→j}` (from `stations`) and `R^s_i` the re-checks per item of
/// unit i over its sync inputs, the time for unit j to deliver one item to consumer m is
/// `T_{j→m} = W_{j→m} (1 + R^s_j) + U_j`, where `U_j = Σ_{sync i→j} r_ij (T_{i→j} + e_ij W_{i→j})`
/// — linear in the sojourns, carried by one propagation; a customer's lead time is
/// `L_c = U_c = Σ_l κ_lc W_l`. Cost `K_j = k_j (1 + R_j) + Σ_i r_ij (K_i + e_ij k_i)` over all
/// links and `log Q_j = log yield_j + Σ_i r_ij log Q_i`. Cost O((links + units) · classes).
/// @throws servicechain::solver_error if a loop's system cannot be solved.
[[nodiscard]] chain_result compute_chain(const service_graph& g, const model_numbers& numbers,
                                         const load_result& flows, const station_result& stations);

}  // namespace servicechain

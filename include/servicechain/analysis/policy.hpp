#pragma once
/// @file
/// @brief Policy comparison: every customer's lead time with each alternative discipline
/// at each chosen unit, one unit at a time, and the cμ order of a unit's links.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief One discipline tried at one unit, everything else as given.
struct policy_alternative {
  std::string name;                 ///< e.g. "fifo", "external_first (preemptive)", "cmu"
  /// The discipline tried.
  discipline queue_discipline = discipline::fifo;
  /// Priority disciplines: preemptive-resume (else non-preemptive).
  bool preemptive = false;
  std::vector<double> lead_time;    ///< per class, time units
  double mean_lead_time = 0;        ///< demand-weighted over open classes, time units
};

/// @brief The alternatives at one unit.
struct unit_policy {
  /// The unit whose discipline is varied.
  unit_index unit;
  std::vector<policy_alternative> alternatives;  ///< the given discipline first
  std::size_t best = 0;  ///< the alternative with the lowest mean lead time (the first on ties)
  /// cμ rule, when some customer has a `value_per_request`: the unit's links from the one
  /// to serve first, and each link's delay cost — the value of the requests that wait for
  /// one of its services, per time unit of wait (currency per time unit, per service).
  std::vector<link_index> cmu_order;
  std::vector<double> delay_cost;  ///< by position in `cmu_order`
};

/// @brief Result of `compare_policies`.
struct policy_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  std::vector<double> lead_time;  ///< per class, with the disciplines as given
  double mean_lead_time = 0;      ///< demand-weighted over open classes
  /// The alternatives, one entry per unit varied.
  std::vector<unit_policy> units;

  /// @brief The class of the customer with this id: its position in every per-class vector.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no customer has this id.
  [[nodiscard]] std::size_t class_of(std::string_view customer_id) const { return directory->class_at(customer_id); }
  /// @brief `lead_time[class_of(customer_id)]`, time units.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no customer has this id.
  [[nodiscard]] double lead_time_of(std::string_view customer_id) const { return lead_time[class_of(customer_id)]; }
};

/// @brief Options of `compare_policies`.
struct policy_options {
  /// The units to vary; empty: every internal unit that serves both internal and external consumers.
  std::vector<unit_index> units{};
};

/// @brief Every customer's lead time with each alternative discipline (`fifo`,
/// `external_first`, `internal_first`, `shared`, and the priority ones preemptive too) at each
/// chosen unit, one unit at a time, the rest as given; plus, where customers have a value,
/// the cμ rule's order of the unit's links (serve first the link with the largest delay
/// cost per unit of service time, c_l / s_l — Cox & Smith 1961; Kleinrock Vol. 2 §3.7) and its
/// effect.
///
/// Exact relative to the analysis: a discipline changes neither loads nor any other unit's
/// queue, and the lead time is linear in the per-link sojourns with weights κ that do not
/// depend on them, so each alternative costs one station solve and O(links of the unit ·
/// classes): `L'_c = L_c + Σ_l κ_lc (W'_l − W_l)`.
/// @param given `analyze_open(g, numbers, …)`.
[[nodiscard]] policy_result compare_policies(const service_graph& g, const model_numbers& numbers,
                                             const open_result& given, const policy_options& options = {});

}  // namespace servicechain

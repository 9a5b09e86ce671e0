#pragma once
/// @file
/// @brief The stations stage: each unit seen as a queue, its per-link loads and service
/// laws turned into per-link waits and sojourns by a station model.

#include <memory>
#include <string_view>
#include <vector>

#include "servicechain/analysis/load.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief How variable the arrival stream at each unit is taken to be.
enum class arrival_variability {
  poisson,    ///< ca² = 1 at every unit (exact for Jackson networks of M/M/c units)
  propagate,  ///< Whitt's QNA: departures, splits and superpositions carry the SCVs (docs/metrics.md)
};

/// @brief Options of `analyze_stations`.
struct station_options {
  arrival_variability variability = arrival_variability::poisson;
};

/// @brief What a unit does for one of its outgoing links (one consumer). Times in the
/// model's time unit, rates per time unit.
struct link_station {
  double load = 0;          ///< services per time unit the provider performs for this link
  double service_time = 0;  ///< mean time of one such service
  double service_scv = 1;   ///< its SCV
  double wait = 0;          ///< mean wait before such a service starts
  double sojourn = 0;       ///< mean wait + service of one such service
};

/// @brief Steady-state figures of one unit as a queue. Zero for external units.
struct unit_station {
  double load = 0;            ///< λ, services per time unit
  double utilization = 0;     ///< ρ = Σ λ_l s_l / servers (0 for unlimited servers)
  double busy_servers = 0;    ///< Σ λ_l s_l
  double service_time = 0;    ///< mean service time over its links (the unit's own with no load)
  double service_scv = 1;     ///< SCV of that mixture
  double arrival_scv = 1;     ///< ca² used for the unit's queue
  double p_wait = 0;          ///< probability a service waits
  double wait = 0;            ///< Wq, mean wait of a service (load-weighted over links)
  double sojourn = 0;         ///< W, mean wait + service of a service (load-weighted over links)
  double queue_length = 0;    ///< Lq = Σ λ_l wait_l, mean number waiting
  double number_in_unit = 0;  ///< L = Σ λ_l sojourn_l, mean number waiting or in service
  /// True when every link of the unit has the same sojourn (FIFO without per-link service times).
  bool uniform = true;
  std::string_view method;    ///< the station formula used, e.g. "M/M/c"
};

/// @brief Result of `analyze_stations`: per unit and per link.
struct station_result {
  std::shared_ptr<const unit_directory> directory;
  std::vector<unit_station> units;  ///< by unit index
  std::vector<link_station> links;  ///< by link index

  /// @brief The figures of the unit with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if there is none.
  [[nodiscard]] const unit_station& unit(std::string_view id) const { return units[directory->at(id).value()]; }
};

/// @brief The stations stage: waits and sojourns of every unit and link.
///
/// Each unit is a multi-server queue fed by its total load (decomposition): its service is
/// the mixture of its links' service laws (mean and SCV exact from the per-link loads);
/// M/M/c when both SCVs are 1, M/G/1 (Pollaczek–Khinchine) with one server and Poisson
/// arrivals, Allen–Cunneen G/G/c otherwise (`analyze_station`). FIFO waits are common to
/// all links of a unit.
/// @param g the compiled structure; @param numbers its numbers; @param flows their loads.
/// @throws servicechain::unstable_error listing every unit with ρ ≥ 1 (its ρ, load and capacity).
[[nodiscard]] station_result analyze_stations(const service_graph& g, const model_numbers& numbers,
                                              const load_result& flows, const station_options& options = {});

}  // namespace servicechain

#pragma once
/// @file
/// @brief The stations stage: each unit seen as a queue, its per-link loads and service
/// laws turned into per-link waits and sojourns by a station model.

#include <memory>
#include <string_view>
#include <vector>

#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/station_model.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief How variable the arrival stream at each unit is taken to be.
enum class arrival_variability {
  poisson,    ///< ca² = 1 at every unit (exact for Jackson networks of M/M/c units)
  propagate,  ///< Whitt's QNA: departures, splits and superpositions carry the SCVs (docs/metrics.md)
};

/// @brief Options of `analyze_stations`.
struct station_options {
  /// Arrival variability at the queues: Poisson everywhere, or propagated (Whitt's QNA).
  arrival_variability variability = arrival_variability::poisson;
  /// Also keep each unit's local derivatives (`unit_station::classes`, `jacobian`), the
  /// input of a reverse (adjoint) pass.
  bool derivatives = false;
};

/// @brief What a unit does for one of its outgoing links (one consumer). Times in the
/// model's time unit, rates per time unit.
struct link_station {
  double load = 0;          ///< services per time unit the provider performs for this link
  double service_time = 0;  ///< mean time of one such service
  double service_scv = 1;   ///< its SCV
  double wait = 0;          ///< mean wait before such a service starts (for `shared`: sojourn − service)
  double sojourn = 0;       ///< mean wait + service of one such service
  /// The wait this link would have if its provider served first come, first served
  /// (equal to `wait` at a FIFO unit): what a priority costs or saves this link.
  double wait_fifo = 0;
  std::uint32_t service_class = 0;  ///< its class at the provider (0 is served first)
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
  discipline queue_discipline = discipline::fifo;  ///< as modelled
  std::string_view method;    ///< the station formula used, e.g. "M/M/c", "Cobham M/G/1 priority"
  bool exact = false;         ///< the formula is exact for Poisson arrivals and these service laws
  /// Local model, when `station_options::derivatives` is set: the classes' traffic and the
  /// jacobian of their (stretch, delay) (see `solve_station`). Empty otherwise.
  std::vector<class_traffic> classes;
  /// Row-major jacobian of the classes' (stretch, delay) with respect to their loads (see `solve_station`).
  std::vector<double> jacobian;
};

/// @brief Result of `analyze_stations`: per unit and per link.
struct station_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  std::vector<unit_station> units;  ///< by unit index
  std::vector<link_station> links;  ///< by link index

  /// @brief The figures of the unit with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if there is none.
  [[nodiscard]] const unit_station& unit(std::string_view id) const { return units[directory->at(id).value()]; }
};

/// @brief The stations stage: waits and sojourns of every unit and link.
///
/// Each unit is a multi-server queue fed by its total load (decomposition). Its links are
/// grouped into classes by its discipline — `fifo` and `shared`: one class; `external_first`:
/// links to external customers, then the others; `internal_first`: the reverse; `priority`:
/// by each link's `priority`, lower first, equal priorities together — and a station model
/// (`solve_station`) turns the classes' traffic into each link's sojourn
/// `stretch · s_l + delay`. FIFO waits are common to all links of a unit (exact M/M/c, exact
/// M/G/1 with the mixture of the links' service laws, Allen–Cunneen otherwise); a FIFO unit
/// whose links share its own service law is analysed exactly as `analyze_station` does.
/// @param g the compiled structure; @param numbers its numbers; @param flows their loads.
/// @throws servicechain::unstable_error listing every unit with ρ ≥ 1 (its ρ, load and capacity).
[[nodiscard]] station_result analyze_stations(const service_graph& g, const model_numbers& numbers,
                                              const load_result& flows, const station_options& options = {});

/// @brief The stations stage for one unit: re-solves unit `u` with the numbers given (e.g.
/// another discipline) and overwrites its entry and its links' entries in `result`, keeping
/// the arrival SCV already there. Loads must be those of `flows`.
/// @throws servicechain::unstable_error if the unit is saturated.
void analyze_station_of(const service_graph& g, const model_numbers& numbers, const load_result& flows, unit_index u,
                        station_result& result);

}  // namespace servicechain

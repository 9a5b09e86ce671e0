#pragma once
// The simulation engine (internal): a flat, read-only image of the model for the hot loop,
// and one replication run on it. simulate.cpp runs the replications and summarizes them.

#include <cstdint>
#include <functional>
#include <vector>

#include "servicechain/graph/service_graph.hpp"
#include "servicechain/simulation/random.hpp"
#include "servicechain/simulation/simulation.hpp"

namespace servicechain::detail {

inline constexpr std::uint32_t no_index = 0xffffffffU;

/// How a unit takes its services in hand.
enum class unit_policy : std::uint8_t {
  queue,     ///< c servers, a queue per priority level (one level: FIFO)
  shared,    ///< processor sharing over c servers
  infinite,  ///< unlimited servers: every service starts at once
};

struct sim_unit {
  std::uint32_t in_begin = 0, in_end = 0;  ///< its in-links: `sim_model::in_links[in_begin, in_end)`
  std::uint32_t servers = 1;               ///< finite server count (queue and shared)
  std::uint32_t level_begin = 0;           ///< its first queue level in the level arrays
  std::uint32_t levels = 1;                ///< priority levels (queue policy)
  std::uint32_t slot_begin = 0;            ///< preemptive units: its first in-service slot
  unit_policy policy = unit_policy::queue;
  bool preemptive = false;  ///< preemptive-resume between levels
  bool external = false;
  double service_time = 0;  ///< its own mean service time (the sojourn reported with no service)
  double cost_per_time = 0, cost_per_request = 0;
  /// Servers utilization is measured against: `servers`, or with working hours their time
  /// average c̄ (so that busy time / (c̄ · time) is busy time over open time).
  double capacity = 1;
  // Working hours: its changes of servers over one period, `sim_model::changes[change_begin,
  // change_end)`, the first at offset 0; empty range for constant servers. `servers` is then
  // the most servers it ever has.
  std::uint32_t change_begin = 0, change_end = 0;
  double period = 0;
};

/// A change of a unit's servers at `at` time units into each period (working hours).
struct capacity_change {
  double at = 0;
  std::uint32_t servers = 0;
};

/// A piece of a demand profile: from `from` (time units into the period) to the next
/// piece's start (or the period's end) arrivals come at `rate` per time unit.
struct rate_piece {
  double from = 0;
  double rate = 0;
};

struct sim_link {
  std::uint32_t provider = 0, consumer = 0;
  std::uint32_t level = 0;  ///< queue level of its services at the provider (0 is served first)
  std::uint32_t whole = 1;  ///< ⌊requests⌋
  double fraction = 0;      ///< requests − ⌊requests⌋: probability of one more request
  double acceptance = 1;
  bool sync = true;
  service_distribution service{};
};

struct sim_class {
  std::uint32_t customer = 0;  ///< unit index
  bool open = true;
  double demand = 0;             ///< open: requests per time unit
  std::uint32_t population = 0;  ///< closed
  double think_time = 0;         ///< closed: mean think time
  // A demand profile: `sim_model::pieces[piece_begin, piece_end)`, the first at 0; empty
  // range for a constant rate. `mass` = expected arrivals per period (demand · period).
  std::uint32_t piece_begin = 0, piece_end = 0;
  double period = 0, mass = 0;
};

/// The model as the engine reads it.
struct sim_model {
  std::vector<sim_unit> units;
  std::vector<sim_link> links;
  std::vector<std::uint32_t> in_links;  ///< every unit's in-links, CSR order
  std::vector<sim_class> classes;
  std::uint32_t level_count = 0;  ///< Σ levels over the queue units
  std::uint32_t slot_count = 0;   ///< Σ servers over the preemptive units
  std::vector<capacity_change> changes;  ///< working hours of every unit, by unit
  std::vector<rate_piece> pieces;        ///< demand profiles of every class, by class
};

/// Builds the engine's image of (g, numbers). The numbers must be valid for g.
[[nodiscard]] sim_model make_sim_model(const service_graph& g, const model_numbers& numbers);

/// Settings of one replication, resolved from `simulation_options`.
struct replication_settings {
  std::uint64_t seed = 1;
  double warmup = 0;
  double horizon = 1;
  std::size_t batches = 1;          ///< the observed time is cut into this many consecutive batches
  std::vector<double> percentiles;  ///< in (0, 100)
  double sla = 0;
  bool has_sla = false;
  bool lead_time_by_unit = true;
  std::size_t max_items = std::size_t{1} << 22;
};

/// Runs replication `replication`: the figures of each batch in turn. `progress(dt)` is called
/// every few thousand events with the simulated time elapsed since its last call (and once at
/// the end with the rest), if set.
[[nodiscard]] std::vector<replication_result> run_replication(const sim_model& model,
                                                              const replication_settings& settings,
                                                              std::uint64_t replication,
                                                              const std::function<void(double)>& progress);

}  // namespace servicechain::detail

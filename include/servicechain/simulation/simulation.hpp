#pragma once
/// @file
/// @brief Discrete-event simulation of an organization, request by request, with the exact
/// semantics of the model (docs/semantics.md): independent replications, confidence
/// intervals, lead-time percentiles. docs/simulation.md describes every rule.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "servicechain/graph/service_graph.hpp"
#include "servicechain/simulation/statistics.hpp"

namespace servicechain {

/// @brief How far a simulation has come; passed to `simulation_options::progress`.
struct simulation_progress {
  std::size_t replications_done = 0;  ///< replications finished
  std::size_t replications = 0;       ///< replications asked for
  double fraction = 0;                ///< share of all the simulated time done, in [0, 1]
};

/// @brief Options of `simulate`. Times in the model's time unit.
struct simulation_options {
  /// Independent replications (≥ 1). The confidence intervals are taken across them, or across
  /// batches: replications × batches must be ≥ 2.
  std::size_t replications = 10;
  /// Observed time of each replication after its warm-up (> 0).
  double horizon = 0;
  /// Consecutive batches the observed time of each replication is cut into (≥ 1). With more
  /// than one, every batch is one observation: batch means, for a single long run (see
  /// docs/simulation.md, "Batch means").
  std::size_t batches = 1;
  /// Time simulated and discarded at the start of each replication, which starts empty and
  /// idle; empty: a tenth of the horizon. See docs/simulation.md, "Warm-up".
  std::optional<double> warmup{};
  /// The run's seed: replication r draws from streams derived from (seed, r) only, so the
  /// results are identical whatever the number of threads.
  std::uint64_t seed = 1;
  /// Worker threads; 0 uses `std::thread::hardware_concurrency()`. Never more than replications.
  unsigned threads = 0;
  /// Confidence level of every interval, in (0, 1): 0.95, 0.999, …
  double confidence = 0.95;
  /// Lead-time percentiles to estimate per customer, each in (0, 100).
  std::vector<double> percentiles = {50, 90, 95, 99};
  /// A lead-time target: each customer then gets the share of its requests above it.
  std::optional<double> sla{};
  /// Per customer, the lead time spent at each unit (`customer_kpis::lead_time_by_unit`).
  bool lead_time_by_unit = true;
  /// Keep every replication's figures in `simulation_result::runs` (for paired comparisons
  /// of scenarios simulated with common random numbers).
  bool keep_replications = false;
  /// A replication stops with an error when more items than this are in progress at once
  /// (a model at the edge of saturation, or demand far beyond what the horizon can absorb).
  std::size_t max_items_in_progress = std::size_t{1} << 22;
  /// Called from the worker threads (one call at a time) now and then, and after each
  /// replication. May be empty.
  std::function<void(const simulation_progress&)> progress{};
};

/// @brief Figures of one unit as a queue; `T` is `double` for one replication and
/// `estimate` for a whole simulation. Rates per time unit, times in time units. Zero for
/// external units.
template <typename T>
struct unit_kpis {
  T load{};            ///< services completed per time unit
  T utilization{};     ///< time-average busy servers / servers; 0 for unlimited servers
  T busy_servers{};    ///< time-average number of busy servers (processor sharing: min(n, c))
  T p_wait{};          ///< share of services that found every server busy when requested
  T wait{};            ///< mean of (sojourn − service requirement) over completed services
  T sojourn{};         ///< mean time from a service's request to its completion; s with none
  T queue_length{};    ///< time-average number of services in the unit and not being served
  T number_in_unit{};  ///< time-average number of services in the unit
  /// @brief Member-wise equality.
  friend bool operator==(const unit_kpis&, const unit_kpis&) = default;
};

/// @brief Figures of the services a provider performs for one link (consumer): first passes,
/// redos, and re-checks of the provider's rejected inputs for items going on the link.
template <typename T>
struct link_kpis {
  T load{};         ///< services per time unit the provider performs for the link
  T flow{};         ///< first-pass requests served per time unit
  T rework_flow{};  ///< redone deliveries per time unit
  T wait{};         ///< mean wait of those services
  T sojourn{};      ///< mean sojourn of those services; the link's mean service time with none
  /// @brief Member-wise equality.
  friend bool operator==(const link_kpis&, const link_kpis&) = default;
};

/// @brief Figures of one external customer (class). Lead times are those of the requests
/// completed during the observed time.
template <typename T>
struct customer_kpis {
  T throughput{};  ///< requests completed per time unit
  T lead_time{};   ///< mean time from a request to its delivery; 0 with no request completed
  /// Σ_i (services of i per request) · (cost_per_request_i + cost_per_time_i / load_i),
  /// currency per request (the analytic `K_c`, with simulated counts and loads).
  T cost_to_serve{};
  T sla_share{};  ///< share of requests with a lead time above the target; 0 without one
  /// One per `simulation_options::percentiles`, in that order.
  std::vector<T> lead_time_percentiles{};
  /// By unit index: time per request spent in services the request waits for (sync links,
  /// their redos and re-checks included); sums to the lead time. Empty unless asked for.
  std::vector<T> lead_time_by_unit{};
  /// @brief Member-wise equality.
  friend bool operator==(const customer_kpis&, const customer_kpis&) = default;
};

/// @brief The raw figures of one replication (or of one batch of it).
struct replication_result {
  std::uint64_t events = 0;                      ///< events processed (arrivals, service completions, …)
  std::vector<unit_kpis<double>> units;          ///< by unit index
  std::vector<link_kpis<double>> links;          ///< by link index
  std::vector<customer_kpis<double>> customers;  ///< by class
  /// @brief Member-wise equality.
  friend bool operator==(const replication_result&, const replication_result&) = default;
};

/// @brief Result of `simulate`: every figure as an `estimate` (mean and confidence interval
/// across the replications), shaped like the analytic results so that they compare KPI by KPI.
struct simulation_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  // ---- the run
  /// Independent replications run.
  std::size_t replications = 0;
  std::size_t batches = 1;  ///< batches per replication
  double warmup = 0;        ///< time units discarded per replication
  double horizon = 0;       ///< time units observed per replication
  /// Seed of the run: the same seed gives the same figures, whatever the thread count.
  std::uint64_t seed = 0;
  double confidence = 0;            ///< level of every interval
  std::vector<double> percentiles;  ///< the lead-time percentiles estimated, in (0, 100)
  std::optional<double> sla;        ///< the lead-time target, if any
  std::uint64_t events = 0;         ///< events processed in all replications
  // ---- the figures
  std::vector<unit_kpis<estimate>> units;          ///< by unit index
  std::vector<link_kpis<estimate>> links;          ///< by link index
  std::vector<customer_kpis<estimate>> customers;  ///< by class (`g.customers()` order)
  /// Every observation (a replication, or a batch), replication by replication and batch by
  /// batch, if `keep_replications`.
  std::vector<replication_result> runs;

  /// @brief Figures of the unit with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if there is none.
  [[nodiscard]] const unit_kpis<estimate>& unit(std::string_view id) const { return units[directory->at(id).value()]; }
  /// @brief Figures of the customer with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no customer has this id.
  [[nodiscard]] const customer_kpis<estimate>& customer(std::string_view id) const {
    return customers[directory->class_at(id)];
  }
  /// @brief The lead-time percentile `p` (one of `percentiles`) of class `c`.
  /// @throws servicechain::error (`servicechain.invalid_argument`) if `p` was not estimated.
  [[nodiscard]] const estimate& lead_time_percentile(std::size_t c, double p) const;
};

/// @brief Simulates the organization `g` with the numbers `numbers`, request by request,
/// in independent replications run in parallel, and estimates every figure with a
/// confidence interval.
///
/// Open classes arrive as Poisson streams; a closed class is a fixed population, each member
/// thinking an exponential time between its requests. Service times follow the law of
/// `service_distribution` with the link's (or unit's) mean and SCV; a link asks for ⌊r⌋
/// requests plus one more with probability r − ⌊r⌋. A unit obtains its sync inputs one after
/// another, each delivery checked at once: a rejected one (probability 1 − acceptance) is
/// redone by the provider and re-checked by the consumer (nothing at a customer), until
/// accepted; then the unit serves the item. Async requests are issued and not waited for.
/// Queues serve by the unit's discipline (FIFO, classes of links in priority order,
/// processor sharing), preemptive-resume where asked; unlimited servers never queue. See
/// docs/simulation.md for every rule and the statistical method.
///
/// Bit-for-bit reproducible for a seed, whatever `threads`.
/// @throws servicechain::error (`servicechain.invalid_argument`) naming the bad option.
/// @throws servicechain::unstable_error listing every unit with ρ ≥ 1 under the open demand.
/// @throws servicechain::invalid_model_error for a closed class with think_time 0 that asks no
///         provider for anything (its requests would repeat without time passing).
/// @throws servicechain::error (`servicechain.too_large`) if a replication exceeds
///         `max_items_in_progress`.
[[nodiscard]] simulation_result simulate(const service_graph& g, const model_numbers& numbers,
                                         const simulation_options& options);

/// @brief `simulate(g, g.numbers(), options)`.
[[nodiscard]] simulation_result simulate(const service_graph& g, const simulation_options& options);

/// @brief Replication number `replication` of `simulate(g, numbers, options)` alone, with
/// the same streams: its figures, one per batch (the percentiles and SLA of `options` apply;
/// threads and progress do not).
/// @throws as `simulate`.
[[nodiscard]] std::vector<replication_result> simulate_replication(const service_graph& g, const model_numbers& numbers,
                                                                   const simulation_options& options,
                                                                   std::size_t replication);

}  // namespace servicechain

#pragma once
/// @file
/// @brief Reports of a simulation (`servicechain simulate`) and of its comparison with the
/// analysis (`servicechain check`): text table, JSON or CSV. The JSON of `simulate` mirrors
/// that of `analyze` (docs/metrics.md §11), every simulated number an object
/// `{mean, half_width, low, high}`; docs/simulation.md lists the keys.

#include <optional>
#include <string>
#include <vector>

#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/report.hpp"
#include "servicechain/simulation/simulation.hpp"

namespace servicechain {

/// @brief The report of `servicechain simulate`: the run (replications, horizon, warm-up,
/// seed, confidence level, events) and, with their confidence intervals, per unit its load
/// (per time unit), utilization, busy servers, P(wait), wait and sojourn (time units), queue
/// length and number in the unit; per customer its throughput (per time unit), lead time,
/// lead-time percentiles, lead time by unit (time units), cost to serve (currency per
/// request) and, with a target, the share of requests above it; per link its flow, rework
/// flow, load (per time unit), wait and sojourn (time units).
/// @param g the compiled model; @param numbers the numbers that were simulated.
/// @param sim the simulation's result; @param format table, JSON or CSV.
[[nodiscard]] std::string simulation_report(const service_graph& g, const model_numbers& numbers,
                                            const simulation_result& sim, report_format format);

/// @brief One figure compared: its analytic value against its simulated confidence interval.
struct accuracy_entry {
  std::string scope;    ///< "unit", "link" or "customer"
  std::string id;       ///< unit id, customer id, or "provider -> consumer" for a link
  std::string kpi;      ///< the figure's JSON key: "wait", "lead_time", "lead_time_by_unit", …
  std::string part;     ///< for `lead_time_by_unit`: the unit's id; empty otherwise
  double analytic = 0;  ///< the analysis's value, in the figure's unit
  estimate simulated;   ///< the simulation's mean and interval, same unit
  /// (analytic − simulated mean) / |simulated mean|; 0 when both are 0; empty when only
  /// the simulated mean is 0.
  std::optional<double> relative_error;
  bool inside = false;  ///< the analytic value lies in the simulated interval
  std::string method;   ///< what computed the analytic value (station formula, MVA variant)
  bool exact = false;   ///< that method is exact for the model's laws (a station formula's claim)
};

/// @brief The comparison of `servicechain check`, and what to know about it.
struct accuracy_result {
  std::string analysis;                 ///< "open" or "closed" (mean-value analysis)
  std::vector<accuracy_entry> entries;  ///< units (model order), then links, then customers
  std::vector<std::string> warnings;    ///< approximations and limits of the comparison
  /// @brief Entries whose analytic value lies outside the simulated interval.
  [[nodiscard]] std::size_t outside() const noexcept;
};

/// @brief Compares an open-network analysis with a simulation of the same model and numbers,
/// figure by figure: per unit load, utilization (finite servers), busy servers, P(wait),
/// wait, sojourn, queue length, number in unit; per link load, flow, rework flow, wait,
/// sojourn; per customer throughput (the demand), lead time, cost to serve and lead time by
/// unit. A figure that is 0 in the analysis and in every replication is left out.
/// @param g the compiled model; @param numbers the numbers both used.
/// @param open `analyze_open(g, numbers)`; @param sim `simulate(g, numbers, …)`.
[[nodiscard]] accuracy_result compare_open(const service_graph& g, const model_numbers& numbers,
                                           const open_result& open, const simulation_result& sim);

/// @brief Compares a mean-value analysis of a model with closed classes with a simulation of
/// it: per customer throughput, lead time (think time excluded) and residence time by unit;
/// per unit load, utilization, busy servers and number in unit (waited-for and async
/// requests); per link flow and rework flow. The analysis's approximations become warnings.
/// @param g the compiled model; @param numbers the numbers both used.
/// @param closed `analyze_closed(g, numbers)`; @param load `compute_load(g, numbers, rates)`
/// at its throughputs; @param sim `simulate(g, numbers, …)`.
[[nodiscard]] accuracy_result compare_closed(const service_graph& g, const model_numbers& numbers,
                                             const closed_result& closed, const load_result& load,
                                             const simulation_result& sim);

/// @brief The report of `servicechain check`: the run, a summary (figures compared, outside
/// their interval, largest relative error) and one line per figure (analytic value,
/// simulated interval, relative error, inside or not, method).
/// @param g the compiled model; @param sim the simulation compared; @param accuracy the comparison.
/// @param format table, JSON or CSV.
[[nodiscard]] std::string accuracy_report(const service_graph& g, const simulation_result& sim,
                                          const accuracy_result& accuracy, report_format format);

}  // namespace servicechain

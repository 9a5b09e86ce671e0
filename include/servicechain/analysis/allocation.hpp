#pragma once
/// @file
/// @brief Where to add capacity first: greedy marginal allocation of a budget of servers
/// (or money) to the units, and Kleinrock's square-root assignment for the continuous
/// version (docs/contribution.md, "Where to add capacity first").

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief What a budget counts.
enum class budget_kind {
  servers,  ///< a number of servers
  money,    ///< currency per time unit: a server of unit i costs `cost_per_time_i / servers_i`
};

/// @brief How the customers' lead times are weighted in the objective.
enum class lead_time_weighting {
  demand,  ///< Σ_c d_c L_c / Σ_c d_c, the demand-weighted mean lead time (time units)
  value,   ///< Σ_c d_c v_c L_c / Σ_c d_c v_c with v_c = `value_per_request` (time units)
};

/// @brief Options of `allocate_servers`.
struct allocation_options {
  double budget = 0;                    ///< servers (a whole number ≥ 0) or currency per time unit (≥ 0)
  budget_kind kind = budget_kind::servers;  ///< a budget of servers, or of money (`cost_per_time` per server)
  lead_time_weighting weighting = lead_time_weighting::demand;  ///< how customers' lead times are weighted in the objective
  open_options analysis{};              ///< how lead times are computed
  /// Units that may receive servers; empty = every internal unit with finitely many servers.
  std::vector<unit_index> candidates{};
};

/// @brief The servers one unit received.
struct unit_allocation {
  unit_index unit{};  ///< the unit
  std::int64_t servers_before = 0;  ///< its servers in the model
  std::int64_t servers_added = 0;    ///< to make it stable and then by the greedy steps
  std::int64_t added_to_stabilize = 0;  ///< part of `servers_added` needed to make ρ < 1
  double price = 1;                  ///< budget per server: 1, or currency per time unit
};

/// @brief One greedy step: the server that reduced the objective most per unit of budget.
struct allocation_step {
  unit_index unit{};  ///< the unit that received a server
  double objective = 0;  ///< the objective after this step, time units
  double gain = 0;       ///< its reduction by this step, time units
};

/// @brief Result of `allocate_servers`.
struct allocation_result {
  std::vector<unit_allocation> allocation{};  ///< one entry per candidate unit, in index order
  std::vector<allocation_step> steps{};       ///< the greedy steps in order (stabilization excluded)
  /// The objective with the servers as given; empty if a unit was saturated.
  std::optional<double> objective_before{};
  double objective_after = 0;  ///< the objective after the allocation, time units
  double budget_used = 0;      ///< servers or currency per time unit
  double budget_left = 0;  ///< budget not spent, servers or currency per time unit
  /// What was done, in words: units made stable, candidates skipped and why, why it stopped.
  std::vector<std::string> notes{};
  model_numbers numbers;  ///< the numbers with the servers added
};

/// @brief Adds servers one at a time where they reduce the weighted mean lead time most
/// (per server, or per unit of money), after first making every saturated unit stable.
///
/// Phase 1: every candidate with ρ ≥ 1 gets the fewest servers that make ρ < 1
/// (`⌊λ·s⌋ + 1` in all); if the budget does not cover them all, it throws. Phase 2
/// (marginal allocation, Fox 1966): while the budget lasts, the server with the largest
/// reduction of the objective (divided by its price, for money) is added; it stops early
/// when no affordable server reduces the objective. The objective is evaluated by
/// `analyze_open` on the same flows. Greedy is optimal when the objective is separable and
/// convex in each unit's servers: with Poisson arrivals (`arrival_variability::poisson`)
/// each unit's wait depends on its own servers only, and the M/M/c wait is convex in c
/// (Dyer & Proll, Management Science 23(9), 1977); with the server budget it then equals
/// a brute-force search (tested). With money it is the usual ratio heuristic (a knapsack
/// problem; not always optimal).
/// @throws servicechain::error (`servicechain.invalid_argument`) for a bad budget or
///         candidate, a model with closed classes or without open demand, or money with a
///         candidate unit of zero `cost_per_time`.
/// @throws servicechain::error (`servicechain.unstable`) if the budget cannot make every
///         unit stable (the message says how many servers each saturated unit needs);
///         servicechain::unstable_error if a unit that is no candidate is saturated.
[[nodiscard]] allocation_result allocate_servers(const service_graph& g, const model_numbers& numbers,
                                                 const allocation_options& options);

/// @brief The weighted mean lead time that `allocate_servers` minimizes, for numbers
/// without closed classes (time units).
/// @throws servicechain::unstable_error if a unit is saturated; servicechain::error
///         (`servicechain.invalid_argument`) for closed classes or no demand.
[[nodiscard]] double weighted_mean_lead_time(const service_graph& g, const model_numbers& numbers,
                                             lead_time_weighting weighting, const open_options& analysis = {});

/// @brief Kleinrock's square-root capacity assignment (the continuous version).
///
/// Queues i = 1..n, each M/M/1 with arrival rate λ_i (per time unit) and capacity μ_i
/// (services per time unit) to be chosen, at price p_i per unit of capacity, within a
/// budget C = Σ p_i μ_i. Minimizes the weighted mean delay `T = Σ w_i/(μ_i − λ_i) / Σ w_i`
/// (Lagrange: `w_i/(μ_i − λ_i)² = β p_i`):
/// `μ_i = λ_i + (C − Σ_j p_j λ_j) · √(w_i/p_i) / Σ_j √(w_j p_j)`.
/// With w = λ and p = 1 this is Kleinrock's assignment, `μ_i = λ_i + (C − Σλ) √λ_i / Σ√λ_j`,
/// with `T = (Σ√λ_i)² / (Σλ · (C − Σλ))`, the mean time a message spends in the network
/// (Kleinrock, *Communication Nets*, 1964; *Queueing Systems* Vol. 2, 1976, §5.7).
struct square_root_result {
  std::vector<double> capacity{};  ///< μ_i, services per time unit
  double mean_delay = 0;         ///< T, time units
};

/// @brief `square_root_result` for the given rates, budget and optional weights and prices.
/// @param arrival_rates λ_i ≥ 0, per time unit.
/// @param budget C, in capacity units (or money with prices).
/// @param weights w_i ≥ 0; empty = λ (the mean delay per message).
/// @param prices p_i > 0; empty = 1.
/// @throws servicechain::error (`servicechain.invalid_argument`) if the sizes differ, a
///         value is out of range, Σ w = 0, or the budget does not exceed Σ p_i λ_i.
[[nodiscard]] square_root_result square_root_assignment(std::span<const double> arrival_rates, double budget,
                                                        std::span<const double> weights = {},
                                                        std::span<const double> prices = {});

/// @brief The square-root assignment applied to a model's units, in servers.
struct unit_square_root {
  unit_index unit{};  ///< the unit
  double servers_before = 0;  ///< its servers in the model
  double servers = 0;  ///< the continuous assignment x_i, servers (fractional)
  double price = 1;    ///< budget per server
};

/// @brief Result of `square_root_servers`.
struct square_root_allocation {
  std::vector<unit_square_root> units{};  ///< the candidates, in index order
  double total = 0;                     ///< Σ p_i x_i: the servers (or money) distributed
  /// The weighted mean lead time with each unit as one fast M/M/1 server of rate x_i / s_i
  /// (the continuous relaxation the assignment minimizes), time units.
  double relaxed_objective = 0;
};

/// @brief Distributes the candidates' present servers plus the budget over them
/// continuously by the square-root rule: unit i, with load a_i = λ_i s_i erlangs and
/// weight w_i (weighted services per time unit that customers wait for), gets
/// `x_i = a_i + (X − Σ p_j a_j) √(w_i s_i / p_i) / Σ_j √(w_j s_j p_j)` servers, which
/// minimizes Σ w_i s_i / (x_i − a_i) (each unit as an M/M/1 with rate x_i / s_i) subject
/// to Σ p_i x_i = X. A guide for the whole-number greedy, not a queueing result of c servers.
/// @throws as `allocate_servers` for bad options; servicechain::error
///         (`servicechain.unstable`) if the total cannot cover the load.
[[nodiscard]] square_root_allocation square_root_servers(const service_graph& g, const model_numbers& numbers,
                                                         const allocation_options& options);

}  // namespace servicechain

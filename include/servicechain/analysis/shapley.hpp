#pragma once
/// @file
/// @brief Shapley values: how much of a programme's gain is whose (docs/contribution.md,
/// "Shapley values of an improvement programme").
///
/// A generic part (`shapley_values`, for any characteristic function of a coalition) and
/// the improvement programme (`programme_shapley`): players are interventions on the
/// model's numbers (`parameter_edit`s), and the value of a coalition is the gain of a KPI
/// when its interventions are applied together.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "servicechain/analysis/open_network.hpp"
#include "servicechain/analysis/parameters.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief A coalition: `members[k]` is true when player k takes part.
using coalition = std::vector<bool>;

/// @brief The characteristic function v(S), in the unit of the KPI.
using characteristic_function = std::function<double(const coalition&)>;

/// @brief Options of `shapley_values`.
struct shapley_options {
  /// Exact enumeration of all 2ⁿ coalitions up to this many players (at most 24); Monte
  /// Carlo permutation sampling beyond.
  std::size_t exact_limit = 20;
  /// Sampling stops once every player's standard error is at most this (in the KPI's
  /// unit); 0 = run `max_pairs`.
  double target_standard_error = 0;
  std::size_t min_pairs = 50;      ///< antithetic pairs sampled at least
  std::size_t max_pairs = 20000;   ///< antithetic pairs sampled at most
  std::uint64_t seed = 1;          ///< the sample depends on the seed only (std::mt19937_64)
  bool force_sampling = false;     ///< sample even below `exact_limit` (for checks)
};

/// @brief One player's figures, in the unit of the KPI.
struct shapley_player {
  double shapley = 0;         ///< φ_i; the φ sum to v(N) − v(∅)
  double standard_error = 0;  ///< of φ_i; 0 when exact
  double standalone = 0;      ///< v({i}) − v(∅): the player alone
  double knock_out = 0;       ///< v(N) − v(N \ {i}): what the programme loses without the player
};

/// @brief Result of `shapley_values`.
struct shapley_result {
  std::vector<shapley_player> players{};  ///< in the order of the characteristic function's players
  double empty_value = 0;  ///< v(∅)
  double grand_value = 0;  ///< v(N)
  double total_gain = 0;   ///< v(N) − v(∅)
  /// total_gain − Σ standalone: the synergy of the programme (> 0: the players gain more
  /// together than alone; < 0: they overlap).
  double interaction = 0;
  bool exact = true;  ///< true: every coalition evaluated; false: sampled orders
  std::size_t pairs = 0;        ///< antithetic pairs sampled (0 when exact)
  bool converged = true;        ///< every standard error ≤ the target (always true when exact)
  std::size_t evaluations = 0;  ///< distinct coalitions evaluated
};

/// @brief The Shapley value of every player of the cooperative game (players, v).
///
/// Exact (n ≤ `exact_limit`): `φ_i = Σ_{S ∌ i} |S|!(n−|S|−1)!/n! · (v(S ∪ {i}) − v(S))`
/// (Shapley, "A value for n-person games", 1953), the weights computed as
/// `1/(n · C(n−1, |S|))` without factorials; every coalition is evaluated once. Sampled:
/// the marginal contributions along a uniformly random order of the players and along its
/// reverse (an antithetic pair) are averaged per player; φ̂_i is the mean over pairs and its
/// standard error the pairs' standard deviation over √pairs (Castro, Gómez & Tejada,
/// Computers & OR 36(5), 2009, for the permutation estimator; the reversed order is the
/// antithetic variate of Mitchell et al., JMLR 23, 2022). v is called once per distinct
/// coalition while the cache (2¹⁸ coalitions) lasts. The result depends only on the inputs and the seed.
/// @param players n ≥ 1.
/// @param v the characteristic function; it must return finite values.
/// @throws servicechain::error (`servicechain.invalid_argument`) for n = 0, `exact_limit`
///         > 24 or a non-finite v; whatever v throws.
[[nodiscard]] shapley_result shapley_values(std::size_t players, const characteristic_function& v,
                                            const shapley_options& options = {});

/// @brief The KPI of an improvement programme.
enum class programme_kpi {
  throughput,      ///< largest demand of the customer (others held), or of all customers scaled together; per time unit
  lead_time,       ///< the customer's lead time, time units (lower is better)
  mean_lead_time,  ///< demand-weighted mean lead time, time units (lower is better)
  cost,            ///< the customer's cost to serve (currency), or the total cost (currency per time unit); lower is better
  defect_free,     ///< the customer's defect-free probability, or its demand-weighted mean
};

/// @brief `throughput`, `lead_time`, `mean_lead_time`, `cost` or `defect_free`.
[[nodiscard]] std::string_view to_string(programme_kpi kpi) noexcept;
/// @brief Parses a KPI name; `std::nullopt` if unknown.
[[nodiscard]] std::optional<programme_kpi> parse_programme_kpi(std::string_view name) noexcept;

/// @brief One player of a programme: a named set of edits applied together.
struct programme_player {
  std::string name{};  ///< as reports show it
  std::vector<parameter_edit> edits{};  ///< the interventions of this player (parameter paths and values)
};

/// @brief An improvement programme (docs/contribution.md, "Programme file").
struct improvement_programme {
  programme_kpi kpi = programme_kpi::throughput;  ///< the KPI whose gain is shared
  std::optional<unit_index> customer{};  ///< required for lead_time with several customers
  std::vector<programme_player> players{};  ///< in file order
  open_options analysis{};               ///< how waits are computed for the lead-time KPIs
};

/// @brief The KPI of `programme` for `numbers`, in its unit (see `programme_kpi`).
/// @throws servicechain::unstable_error for a waiting-time KPI of a saturated model;
///         servicechain::error (`servicechain.unbounded`) for an unbounded throughput,
///         (`servicechain.invalid_argument`) for a KPI that needs a customer.
[[nodiscard]] double programme_kpi_value(const service_graph& g, const model_numbers& numbers,
                                         const improvement_programme& programme);

/// @brief Result of `programme_shapley`.
struct programme_result {
  shapley_result shapley{};  ///< in KPI gain: + for an improvement (a fall of lead time or cost)
  double kpi_before = 0;     ///< the KPI with no intervention
  double kpi_after = 0;      ///< the KPI with every intervention
};

/// @brief Shapley values of the players of an improvement programme on the model.
///
/// v(S) = gain of the KPI when the edits of the players in S are applied to a copy of
/// `numbers` (in player order): `KPI(S) − KPI(∅)` for throughput and defect_free,
/// `KPI(∅) − KPI(S)` for lead times and cost, so that v(∅) = 0 and a gain is positive.
/// @throws servicechain::error (`servicechain.invalid_argument`) if two players edit the
///         same parameter, if the KPI is not throughput and the model has closed classes, or as `programme_kpi_value` and `set_parameter`, with the
///         coalition's player names in the message.
[[nodiscard]] programme_result programme_shapley(const service_graph& g, const model_numbers& numbers,
                                                 const improvement_programme& programme,
                                                 const shapley_options& options = {});

}  // namespace servicechain

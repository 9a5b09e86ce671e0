#pragma once
/// @file
/// @brief The six needs of internal service: per-unit service indices from the links'
/// ratings, and an importance–performance table of the links (docs/contribution.md,
/// "Six needs").

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/model/organization.hpp"

namespace servicechain {

/// @brief What makes a link important.
enum class importance_basis {
  lead_time,    ///< its share of the external customers' lead time (demand-weighted); needs the open analysis
  flow,         ///< its share of all services performed over links (link loads)
  rework_cost,  ///< its share of the cost of poor internal service (rejections); needs the open analysis
};

/// @brief `lead_time`, `flow` or `rework_cost`.
[[nodiscard]] std::string_view to_string(importance_basis basis) noexcept;
/// @brief Parses an importance basis name; `std::nullopt` if unknown.
[[nodiscard]] std::optional<importance_basis> parse_importance_basis(std::string_view name) noexcept;

/// @brief A quadrant of the importance–performance grid (Martilla & James, "Importance-
/// performance analysis", Journal of Marketing 41(1), 1977).
enum class ipa_quadrant {
  concentrate_here,       ///< important, rated below the threshold
  keep_up_the_good_work,  ///< important, rated at or above the threshold
  low_priority,           ///< less important, rated below the threshold
  possible_overkill,      ///< less important, rated at or above the threshold
};

/// @brief `concentrate here`, `keep up the good work`, `low priority` or `possible overkill`.
[[nodiscard]] std::string_view to_string(ipa_quadrant q) noexcept;

/// @brief Options of `analyze_needs`.
struct needs_options {
  importance_basis importance = importance_basis::lead_time;  ///< what a link's importance is a share of
  /// Importance at or above which a link counts as important (a share in [0, 1]); empty =
  /// the mean importance of the rated links.
  std::optional<double> importance_threshold{};
  /// Mean rating at or above which a link counts as performing well (1–5); 3 = the middle
  /// of the scale.
  double performance_threshold = 3;
};

/// @brief One link of the importance–performance table.
struct link_needs {
  link_index link{};  ///< the link
  double importance = 0;                 ///< share per `importance_basis`, in [0, 1]; shares sum to 1 over all links
  std::optional<double> performance{};   ///< mean of its ratings (1–5); empty = unrated
  std::optional<ipa_quadrant> quadrant{};  ///< empty = unrated
};

/// @brief One unit's internal service index: what its consumers think of it.
struct unit_needs {
  unit_index unit{};  ///< the unit
  /// Load-weighted mean of the performance of its rated outgoing links (weights: each
  /// link's services per time unit; equal weights if they all carry no load); empty if none is rated.
  std::optional<double> index{};
  /// The same per need, in `need_names` order, over the links that rate that need.
  std::array<std::optional<double>, 6> by_need{};
  std::size_t rated_links = 0;  ///< outgoing links with ratings
  std::size_t links = 0;        ///< outgoing links
};

/// @brief Result of `analyze_needs`.
struct needs_result {
  importance_basis basis = importance_basis::lead_time;  ///< what importance was a share of
  double importance_threshold = 0;    ///< as used (given, or the mean over rated links)
  double performance_threshold = 3;   ///< as used
  std::vector<link_needs> links{};    ///< every link, in link order
  std::vector<unit_needs> units{};    ///< every internal unit with outgoing links, in index order
  std::vector<link_index> unrated{};  ///< links without ratings, in link order
};

/// @brief Six-needs indices and the importance–performance table of `org`'s links.
///
/// Importance of link l: lead_time — `Σ_c d_c T_lc / Σ_c d_c L_c`, with T_lc the lead time
/// that reaches customer c through l (`open_result::lead_time_through`, which sums over links
/// to L_c); flow — `λ_l / Σ λ_k` with λ_l the services per time unit the provider performs
/// for l; rework_cost — `extra_cost_l / Σ extra_cost_k` (`open_result::rework`), all zero
/// when no link rejects. Performance: the mean of the link's ratings.
/// @param org the organization `g` was compiled from (its links carry the ratings).
/// @param open the open analysis of `numbers`; required for lead_time and rework_cost.
/// @param load the flows of `numbers` (for closed classes: at their throughputs).
/// @throws servicechain::error (`servicechain.invalid_argument`) if `open` is missing when
///         needed, the basis is lead_time or rework_cost and the model has a closed class,
///         `org` does not match `g`, or a threshold is out of range.
[[nodiscard]] needs_result analyze_needs(const service_graph& g, const organization& org, const load_result& load,
                                         const open_result* open, const needs_options& options = {});

}  // namespace servicechain

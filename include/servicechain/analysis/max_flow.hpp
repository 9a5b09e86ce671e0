#pragma once
/// @file
/// @brief Maximum flow and minimum cut between two units of a service graph, with
/// capacities on links and, optionally, on units.
///
/// A plain network-flow utility: the caller chooses what the capacities measure (the
/// structural analyses use it for node-capacitated flows of customer requests; the
/// tests check it against NetworkX on textbook networks). The capacity analysis with
/// substitutable providers is `capacity_with_choices()` in `structure.hpp`.
///
/// ## Formulation
/// Each link is an arc of the given capacity, in the direction chosen by `dir`
/// (`with_service`: provider → consumer, the way the link points; `with_demand`: the
/// reverse). A unit with a capacity is split into an *in* half and an *out* half joined
/// by an arc of that capacity (Ahuja, Magnanti & Orlin, *Network Flows*, Prentice Hall
/// 1993, §2.4, "node splitting"); every arc into the unit enters the in half, every arc
/// out of it leaves the out half. The source's and the sink's own capacities are not
/// applied (they would only cap the value by a constant). The maximum flow is computed
/// with Boost.Graph's Boykov–Kolmogorov algorithm (Boykov & Kolmogorov, *An Experimental
/// Comparison of Min-Cut/Max-Flow Algorithms for Energy Minimization in Vision*, IEEE
/// TPAMI 26(9), 2004).
///
/// ## Which minimum cut
/// A network can have several minimum cuts. The one reported is the *source-minimal*
/// cut: its source side is the set of vertices the source can reach in the residual
/// graph of the maximum flow. That set is the same for every maximum flow: it is the
/// smallest source side of any minimum cut (Picard & Queyranne, *On the structure of all
/// minimum cuts in a network and applications*, Math. Programming Study 13, 1980), so
/// the cut is well defined. Residual
/// capacities below `1e-12 ×` the largest finite capacity count as zero: a saturated arc
/// whose flow arrived in several augmentations can keep a residue of a few ulps.

#include <memory>
#include <span>
#include <vector>

#include "servicechain/analysis/propagation.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Options of `max_flow_min_cut()`.
struct max_flow_options {
  /// Which way flow travels along the links: `with_service` (provider → consumer, the
  /// arrow's direction) or `with_demand` (consumer → provider).
  direction dir = direction::with_service;
  /// One capacity per unit (index = `unit_index`), in the same unit as the link
  /// capacities; `+infinity` means unlimited. Empty: no unit capacities. The source's
  /// and the sink's entries are ignored.
  std::span<const double> unit_capacity{};
};

/// @brief A maximum flow and its source-minimal minimum cut.
struct max_flow_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  /// The unit the flow starts from.
  unit_index source{};
  /// The unit the flow ends at.
  unit_index sink{};
  /// Value of the maximum flow (= capacity of the minimum cut), in capacity units.
  double value = 0;
  /// Flow on each link (index = `link_index`), in the direction of `max_flow_options::dir`.
  std::vector<double> link_flow{};
  /// Flow through each unit: what enters it (0 for the source, `value` for the sink).
  std::vector<double> unit_flow{};
  /// Per unit: 1 if its in half is on the source side of the cut (reachable from the
  /// source in the residual graph), else 0.
  std::vector<char> source_side{};
  /// Links whose arc crosses the cut from the source side to the sink side, by index.
  std::vector<link_index> cut_links{};
  /// Units whose in→out arc crosses the cut (only with unit capacities), by index.
  std::vector<unit_index> cut_units{};
};

/// @brief Maximum flow from `source` to `sink` and the source-minimal minimum cut.
///
/// @param g the compiled graph.
/// @param source where flow starts; @param sink where it ends (distinct units).
/// @param link_capacity one capacity per link (index = `link_index`), `≥ 0`; `+infinity`
///        means unlimited.
/// @param options direction and optional unit capacities.
/// @return the flow, its value, and the cut (links and units) whose capacities sum to it.
/// @throws servicechain::error (`servicechain.invalid_argument`) if `source == sink`, a
///         capacity vector has the wrong size, or a capacity is negative or NaN (the
///         message names the link or unit).
/// @throws servicechain::error (`servicechain.unbounded`) if a path of unlimited
///         capacities joins the source to the sink, so that no finite maximum exists.
[[nodiscard]] max_flow_result max_flow_min_cut(const service_graph& g, unit_index source, unit_index sink,
                                               std::span<const double> link_capacity,
                                               const max_flow_options& options = {});

}  // namespace servicechain

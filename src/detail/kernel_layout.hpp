#pragma once
// Internal: the propagation kernel's copy of the adjacency, rows in topological order.
//
// `propagate` visits units by topological position, not by index. Reading the CSR rows
// of `service_graph` in that order jumps through memory at every unit; this copy, built by
// `compile`, stores row p for the unit at position p (`topological_order()[p]`), so that
// the kernel streams offsets, neighbours and weights as a pass in index order does. Only
// entries between different components are kept: those inside a loop of mutual service
// are handled by the loop's own solve, which reads the graph's CSR.

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "servicechain/graph/service_graph.hpp"

namespace servicechain::detail {

/// One link inside a loop of mutual service: its CSR position, and its cell of the loop's
/// system as offsets from the loop's first topological position.
struct loop_entry {
  std::uint32_t pos = 0;
  std::uint32_t row = 0, col = 0;
};

/// One direction of the kernel's adjacency. Its weights (`model_numbers`' kernel requests, or
/// a caller's link weights) hold one value per entry, then one per loop entry.
struct kernel_rows {
  /// Size n + 1: row p (the unit at topological position p) holds `[offset[p], offset[p + 1])`.
  std::vector<std::uint32_t> offset{};
  /// The unit index at the other end of each entry (values stay indexed by unit).
  std::vector<std::uint32_t> neighbor{};
  /// Size loops + 1: the k-th loop of `kernel_layout::loops` holds `[loop_offset[k], loop_offset[k + 1])`
  /// of `loop_entries`, so that the loops' solves read their links in one stream.
  std::vector<std::uint32_t> loop_offset{};
  std::vector<loop_entry> loop_entries{};
  static constexpr std::uint32_t no_entry = std::numeric_limits<std::uint32_t>::max();
};

/// The kernel's own topological order and both directions of its rows: `out` gathers over
/// consumers (with demand), `in` over providers (with service).
///
/// The order is level by level (a component's level is the longest chain of components
/// providing to it), and by smallest unit index within a level, the members of a loop
/// together. Any topological order would be exact; this one puts a row's neighbours in the
/// next levels in index order, so that reading their values is as local as in a pass in
/// index order. The graph's own `topological_order()` (a depth-first one) jumps between
/// levels at every unit, which made propagation twice the bare pass per column.
struct kernel_layout {
  std::vector<unit_index> unit_at{};      ///< kernel position -> unit
  std::vector<std::uint32_t> position{};  ///< unit index -> kernel position
  /// Every loop of mutual service, by kernel position; its members are `unit_at[first, first + size)`,
  /// in `component_units` order.
  struct loop {
    std::uint32_t first = 0, size = 0, component = 0;
  };
  std::vector<loop> loops{};
  kernel_rows out{}, in{};
};

/// The index, in the kernel's weights, of CSR position `pos` of `adj` (in the row of unit `u`):
/// its entry of `rows`, or, for a link inside a loop of mutual service, `rows.neighbor.size()`
/// plus its loop entry. O(degree of u), or O(log loops + the loop's links): the layout keeps
/// no per-link table, to stay within the memory budget at 10⁶ units.
[[nodiscard]] std::uint32_t kernel_entry(const service_graph& g, const service_graph::csr& adj,
                                         const kernel_layout& layout, const kernel_rows& rows, unit_index u,
                                         std::uint32_t pos) noexcept;

/// Copies `by_link` (one value per link index) into `by_entry`: one value per entry of `rows`
/// (made from `adj`), then one per loop entry.
void to_kernel_entries(const service_graph& g, const service_graph::csr& adj, const kernel_layout& layout,
                       const kernel_rows& rows, std::span<const double> by_link, std::span<double> by_entry) noexcept;

}  // namespace servicechain::detail

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
#include <vector>

namespace servicechain::detail {

/// One direction of the kernel's adjacency.
struct kernel_rows {
  /// Size n + 1: row p (the unit at topological position p) holds `[offset[p], offset[p + 1])`.
  std::vector<std::uint32_t> offset{};
  /// The unit index at the other end of each entry (values stay indexed by unit).
  std::vector<std::uint32_t> neighbor{};
  /// Per link index: its entry, or `no_entry` for a link inside a loop of mutual service.
  std::vector<std::uint32_t> entry_of_link{};
  static constexpr std::uint32_t no_entry = std::numeric_limits<std::uint32_t>::max();
};

/// Both directions: `out` gathers over consumers (with demand), `in` over providers (with service).
struct kernel_layout {
  kernel_rows out{}, in{};
};

}  // namespace servicechain::detail

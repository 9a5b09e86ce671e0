#pragma once
// Internal: the cells a unit's row starts with in the capacity tables of the analysis
// reports, open and closed.

#include "detail/table_stream.hpp"
#include "servicechain/analysis/capacity.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain::detail {

/// Appends unit `u`'s id, servers (`unlimited`), load (per time unit), utilization (none
/// with unlimited servers, 3 digits for people) and busy servers.
inline void append_capacity_cells(table_rows& rows, const service_graph& g, const model_numbers& numbers,
                                  const capacity_result& cap, unit_index u) {
  const auto& p = numbers.unit(u);
  const auto& c = cap.units[u.value()];
  rows.text(g.id(u));
  if (p.unlimited_servers)
    rows.text("unlimited");
  else
    rows.integer(static_cast<long long>(p.servers));
  rows.number(c.load);
  if (p.unlimited_servers)
    rows.none();
  else
    rows.number(c.utilization, 3);
  rows.number(c.busy_servers);
}

}  // namespace servicechain::detail

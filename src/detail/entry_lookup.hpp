#pragma once
// Internal: the entry of a unit in a result list sorted by unit index that may skip units
// (a knock-out lists internal units only; an organization comparison the units both have).

#include <algorithm>

#include "servicechain/graph/service_graph.hpp"

namespace servicechain::detail {

/// The entry whose `.unit` is `u`, or nullptr; `entries` sorted by `.unit`.
template <typename Entries>
const typename Entries::value_type* find_unit_entry(const Entries& entries, unit_index u) {
  const auto it = std::lower_bound(entries.begin(), entries.end(), u,
                                   [](const auto& entry, unit_index key) { return entry.unit < key; });
  return it != entries.end() && it->unit == u ? &*it : nullptr;
}

}  // namespace servicechain::detail

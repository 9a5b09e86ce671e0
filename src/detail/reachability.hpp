#pragma once
// Internal: which units some chain of links leads from to an external customer
// (docs/semantics.md, "Alignment"); shared by the open analysis and the DOT picture.

#include <vector>

#include "servicechain/graph/service_graph.hpp"

namespace servicechain::detail {

/// 1 for every unit with a chain of links to some external customer (customers included).
std::vector<char> reaches_customer(const service_graph& g);

}  // namespace servicechain::detail

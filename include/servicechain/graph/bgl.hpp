#pragma once
/// @file
/// @brief Opt-in: a read-only Boost.Graph view of a `service_graph`, for power users.
///
/// Vertices are unit indices; each edge runs provider → consumer and carries its link
/// index as the bundled property `bgl_edge::link`. The graph is bidirectional
/// (`in_edges` work). Including this header pulls in Boost.Graph's CSR graph.

#include <cstdint>

#include <boost/graph/compressed_sparse_row_graph.hpp>

#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Bundled edge property of the BGL view: the `link_index` value of the edge.
struct bgl_edge {
  /// `link_index::value()` of the link this edge stands for.
  std::uint32_t link = 0;
};

/// @brief The BGL graph type of the view.
using bgl_graph = boost::compressed_sparse_row_graph<boost::bidirectionalS, boost::no_property, bgl_edge,
                                                     boost::no_property, std::uint32_t, std::uint32_t>;

namespace detail {
struct bgl_storage {
  bgl_graph graph;
};
}  // namespace detail

/// @brief The read-only BGL graph of `g`, valid as long as `g` (or a copy of it) lives.
/// Built on the first call for `g` or any copy of it (thread-safe), then shared.
/// @throws std::bad_alloc if its arrays (≈ 18 bytes a link) cannot be allocated.
[[nodiscard]] inline const bgl_graph& bgl_view(const service_graph& g) { return g.bgl_storage().graph; }

}  // namespace servicechain

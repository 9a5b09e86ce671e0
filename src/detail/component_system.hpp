#pragma once
// Internal: the weighted adjacency of one strongly connected component as a small
// local system. Shared by the propagation kernel (which solves it) and by compile()
// (which computes its spectral radius, the loop gain).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "servicechain/error.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain::detail {

/// One entry A(row, col) += weight of a component's local matrix; rows and columns are
/// positions within the component (`order_position(u) − first position`).
struct local_entry {
  std::uint32_t row;
  std::uint32_t col;
  double weight;
};

/// The entries of `adj` (row = unit, neighbor = other end) that stay inside component `c`,
/// with `weights` in CSR order of `adj`.
std::vector<local_entry> component_entries(const service_graph& g, std::uint32_t c, const service_graph::csr& adj,
                                           std::span<const double> weights);

/// Spectral radius of the `requests` matrix restricted to component `c` (its loop gain),
/// with `out_requests` the requests in `g.out_csr()` order.
/// @throws servicechain::solver_error if it cannot be determined.
double component_spectral_radius(const service_graph& g, std::uint32_t c, std::span<const double> out_requests);

/// Whether a loop of gain `gain` (as computed, with rounding) diverges. A gain of exactly 1
/// can come out of the eigensolver as 1 − 2ε; the loads would then be 1/(1 − gain) ≈ 10^15
/// or a singular system in the solvers. So "< 1" means below 1 − 10⁻¹² (far beyond any
/// meaningful model: a loop of gain 1 − 10⁻⁹ still solves, tests/analysis/numeric_stress_test.cpp).
inline bool divergent_gain(double gain) { return !(gain < 1.0 - 1e-12); }

/// The loop of component `c` with gain `gain`, for a `loop_gain_error`.
divergent_loop divergent_component(const service_graph& g, std::uint32_t c, double gain);

/// `'a', 'b', 'c'` — ids quoted and joined; past `max_chars` characters the rest is `…`.
std::string quoted_ids(const service_graph& g, std::span<const unit_index> units, std::size_t max_chars = 200);

}  // namespace servicechain::detail

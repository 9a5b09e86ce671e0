#include "servicechain/analysis/propagation.hpp"

#include <Eigen/LU>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <utility>
#include <cmath>
#include <type_traits>
#include <vector>

#include "detail/component_system.hpp"
#include "detail/huge_pages.hpp"
#include "detail/kernel_layout.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

constexpr std::size_t dense_loop_limit = 512;

std::string loop_ids(const service_graph& g, std::uint32_t c) { return detail::quoted_ids(g, g.component_units(c)); }

// Most loops of mutual service have a handful of units (a rework pair, a ward and its
// lab). They are solved in place by Gaussian elimination with partial pivoting on the
// stack, with no allocation per loop; larger loops go to Eigen.
constexpr std::size_t small_loop_limit = 8;

// `entries` are the loop's links (detail/kernel_layout.hpp) and `weight[i]` the weight of
// `entries[i]`. Solved in place in the members' rows of x; `width` is the column count when
// it is known at compile time (see propagate), 0 otherwise.
template <std::size_t width>
void solve_small_loop(const service_graph& g, std::uint32_t c, std::span<const unit_index> members,
                      std::span<const detail::loop_entry> entries, const double* weight, unit_matrix& x) {
  const std::size_t k = members.size();
  const std::size_t columns = width != 0 ? width : static_cast<std::size_t>(x.cols());
  double m[small_loop_limit][small_loop_limit];
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = 0; j < k; ++j) m[i][j] = i == j ? 1.0 : 0.0;
  for (std::size_t i = 0; i < entries.size(); ++i) m[entries[i].row][entries[i].col] -= weight[i];
  double* b[small_loop_limit];
  for (std::size_t i = 0; i < k; ++i) b[i] = x.data() + std::size_t{members[i].value()} * columns;
  // m = I − A with A ≥ 0 (the weights) and, compile() has checked, ρ(A) < 1: a nonsingular
  // M-matrix. Its Schur complements are M-matrices too, so Gaussian elimination needs no
  // pivoting and every pivot is positive (Berman & Plemmons, Nonnegative Matrices in the
  // Mathematical Sciences, ch. 6). Without row swaps the pivots are those of D⁻¹·m·D for
  // any positive diagonal D, so comparing them with the diagonal's 1 is independent of
  // scale: requests from 1e-9 to 1e9 in one loop (badly scaled, well conditioned) solve;
  // a max-entry criterion with partial pivoting called that system singular.
  for (std::size_t col = 0; col < k; ++col) {
    if (!(m[col][col] > 1e-13)) {
      throw solver_error(fmt::format("loop of mutual service {{{}}}: its system is singular; "
                                     "the loop gain of these weights is ≥ 1",
                                     loop_ids(g, c)));
    }
    for (std::size_t r = col + 1; r < k; ++r) {
      const double f = m[r][col] / m[col][col];
      if (f == 0.0) continue;
      for (std::size_t j = col; j < k; ++j) m[r][j] -= f * m[col][j];
      for (std::size_t j = 0; j < columns; ++j) b[r][j] -= f * b[col][j];
    }
  }
  for (std::size_t i = k; i-- > 0;) {
    for (std::size_t j = i + 1; j < k; ++j)
      for (std::size_t q = 0; q < columns; ++q) b[i][q] -= m[i][j] * b[j][q];
    for (std::size_t q = 0; q < columns; ++q) {
      b[i][q] /= m[i][i];
      if (!std::isfinite(b[i][q])) {
        throw solver_error(fmt::format("loop of mutual service {{{}}}: the solution is not finite", loop_ids(g, c)));
      }
    }
  }
}

// Solves one loop of mutual service: (I − A) X = B for its members, where B already
// holds b plus everything that flows in from outside the loop.
void solve_loop(const service_graph& g, std::uint32_t c, const service_graph::csr& adj,
                std::span<const double> weights, unit_matrix& x) {
  const auto members = g.component_units(c);
  const auto k = static_cast<Eigen::Index>(members.size());
  const Eigen::Index columns = x.cols();
  const auto entries = detail::component_entries(g, c, adj, weights);

  Eigen::MatrixXd b(k, columns);
  for (Eigen::Index i = 0; i < k; ++i) b.row(i) = x.row(members[static_cast<std::size_t>(i)].value());

  Eigen::MatrixXd solution;
  if (members.size() <= dense_loop_limit) {
    Eigen::MatrixXd m = Eigen::MatrixXd::Identity(k, k);
    for (const auto& e : entries) m(e.row, e.col) -= e.weight;
    Eigen::PartialPivLU<Eigen::MatrixXd> lu(m);
    // An estimate of the reciprocal condition number catches (near-)singular loops.
    if (!(lu.rcond() > 1e-13)) {
      throw solver_error(fmt::format("loop of mutual service {{{}}}: its system is singular (rcond = {:.3g}); "
                                     "the loop gain of these weights is ≥ 1",
                                     loop_ids(g, c), lu.rcond()));
    }
    solution = lu.solve(b);
  } else {
    std::vector<Eigen::Triplet<double>> triplets;
    triplets.reserve(entries.size() + members.size());
    for (Eigen::Index i = 0; i < k; ++i) triplets.emplace_back(i, i, 1.0);
    for (const auto& e : entries) triplets.emplace_back(e.row, e.col, -e.weight);
    Eigen::SparseMatrix<double> m(k, k);
    m.setFromTriplets(triplets.begin(), triplets.end());
    Eigen::SparseLU<Eigen::SparseMatrix<double>> lu;
    lu.compute(m);
    if (lu.info() != Eigen::Success) {
      throw solver_error(fmt::format("loop of mutual service {{{}}}: sparse LU failed on its {} units ({})",
                                     loop_ids(g, c), k, lu.lastErrorMessage()));
    }
    solution = lu.solve(b);
    if (lu.info() != Eigen::Success) {
      throw solver_error(fmt::format("loop of mutual service {{{}}}: sparse solve failed", loop_ids(g, c)));
    }
  }
  if (!solution.allFinite()) {
    throw solver_error(fmt::format("loop of mutual service {{{}}}: the solution is not finite", loop_ids(g, c)));
  }
  for (Eigen::Index i = 0; i < k; ++i) x.row(members[static_cast<std::size_t>(i)].value()) = solution.row(i);
}

// Calls f(std::integral_constant<std::size_t, columns>{}) for 1 ≤ columns ≤ max_static_width
// (one compiled kernel per width, the common case of a few classes or KPIs), and
// f(std::integral_constant<std::size_t, 0>{}) otherwise.
constexpr std::size_t max_static_width = 16;

template <typename F>
void with_static_width(std::size_t columns, F&& f) {
  [&]<std::size_t... w>(std::index_sequence<w...>) {
    const bool fixed = ((columns == w + 1 && (f(std::integral_constant<std::size_t, w + 1>{}), true)) || ...);
    if (!fixed) f(std::integral_constant<std::size_t, 0>{});
  }(std::make_index_sequence<max_static_width>{});
}

}  // namespace

unit_matrix propagate(const service_graph& g, direction dir, unit_matrix rhs, std::span<const double> link_weights) {
  return propagate(g, g.numbers(), dir, std::move(rhs), link_weights);
}

unit_matrix propagate(const service_graph& g, const model_numbers& numbers, direction dir, unit_matrix x,
                      std::span<const double> link_weights) {
  const std::size_t n = g.unit_count();
  assert(numbers.units().size() == n && numbers.links().size() == g.link_count());  // numbers of another graph
  if (static_cast<std::size_t>(x.rows()) != n) {
    throw error(error_code::invalid_argument,
                fmt::format("propagate: the right-hand side has {} rows, but the graph has {} units", x.rows(), n));
  }
  if (!link_weights.empty() && link_weights.size() != g.link_count()) {
    throw error(error_code::invalid_argument,
                fmt::format("propagate: {} link weights given, but the graph has {} links", link_weights.size(),
                            g.link_count()));
  }
  for (std::size_t l = 0; l < link_weights.size(); ++l) {
    if (!(link_weights[l] >= 0.0) || !std::isfinite(link_weights[l])) {
      const auto& p = g.link(link_index{static_cast<std::uint32_t>(l)});
      throw error(error_code::invalid_argument,
                  fmt::format("propagate: link '{}' -> '{}': weight = {}, but must be finite and >= 0",
                              g.id(p.provider), g.id(p.consumer), link_weights[l]));
    }
  }

  // A loop's own system reads the graph's CSR `adj`; everything else streams the kernel's
  // copy of it, rows in topological order (detail/kernel_layout.hpp).
  const bool with_demand = dir == direction::with_demand;
  const auto& adj = with_demand ? g.out_csr() : g.in_csr();
  const auto& layout = detail::kernel_layout_of(g);
  const auto& rows = with_demand ? layout.out : layout.in;
  const std::span<const double> csr_requests = with_demand ? numbers.out_requests() : numbers.in_requests();
  std::span<const double> weights = detail::kernel_requests(numbers, with_demand);
  std::vector<double> permuted;
  if (!link_weights.empty()) {
    detail::huge_resize(permuted, rows.neighbor.size() + rows.loop_entries.size());
    detail::to_kernel_entries(g, adj, layout, rows, link_weights, permuted);
    weights = permuted;
  }
  // Large loops take their entries in CSR order: with caller weights, those are made once.
  std::vector<double> csr_permuted;
  auto csr_weights = [&]() -> std::span<const double> {
    if (link_weights.empty()) return csr_requests;
    if (csr_permuted.empty()) {
      csr_permuted.resize(adj.link.size());
      for (std::size_t pos = 0; pos < csr_permuted.size(); ++pos) csr_permuted[pos] = link_weights[adj.link[pos].value()];
    }
    return csr_permuted;
  };

  const std::size_t columns = static_cast<std::size_t>(x.cols());
  const std::uint32_t* offset = rows.offset.data();
  const std::uint32_t* neighbor = rows.neighbor.data();
  const double* w = weights.data();
  const unit_index* unit_at = layout.unit_at.data();
  double* data = x.data();

  // Row p gathers for the unit at topological position p from outside its component:
  // every such value is final by the time it is visited (demand travels from the last
  // position to the first, service the other way). With the width fixed at compile time the
  // row's sums stay in registers, as in a bare CSR pass; width 0 means "known at run time".
  auto gather = [&]<std::size_t width>(std::uint32_t p, std::integral_constant<std::size_t, width>) {
    double* xu = data + std::size_t{unit_at[p].value()} * columns;
    if constexpr (width == 0) {
      for (std::uint32_t e = offset[p]; e < offset[p + 1]; ++e) {
        const double* xv = data + std::size_t{neighbor[e]} * columns;
        const double wv = w[e];
        for (std::size_t k = 0; k < columns; ++k) xu[k] += wv * xv[k];
      }
    } else {
      double sum[width];
      for (std::size_t k = 0; k < width; ++k) sum[k] = xu[k];
      for (std::uint32_t e = offset[p]; e < offset[p + 1]; ++e) {
        const double* xv = data + std::size_t{neighbor[e]} * width;
        const double wv = w[e];
        for (std::size_t k = 0; k < width; ++k) sum[k] += wv * xv[k];
      }
      for (std::size_t k = 0; k < width; ++k) xu[k] = sum[k];
    }
  };
  // The k-th loop by kernel position: its members were just gathered, its entries follow
  // the previous loop's.
  const auto& loops = layout.loops;
  auto solve = [&]<std::size_t width>(std::size_t k, std::integral_constant<std::size_t, width>) {
    const auto& loop = loops[k];
    if (loop.size <= small_loop_limit) {
      const auto entries =
          std::span(rows.loop_entries).subspan(rows.loop_offset[k], rows.loop_offset[k + 1] - rows.loop_offset[k]);
      solve_small_loop<width>(g, loop.component, std::span(unit_at + loop.first, loop.size), entries,
                              w + rows.neighbor.size() + rows.loop_offset[k], x);
    } else {
      solve_loop(g, loop.component, adj, csr_weights(), x);
    }
  };

  // Single units need nothing but their gather; a loop's rows are gathered, then solved.
  const auto n32 = static_cast<std::uint32_t>(n);
  auto traverse = [&](auto width) {
    if (with_demand) {
      std::uint32_t p = n32;
      for (std::size_t k = loops.size(); k-- > 0;) {
        const std::uint32_t first = loops[k].first, last = first + loops[k].size;
        while (p > last) gather(--p, width);
        for (std::uint32_t q = first; q < last; ++q) gather(q, width);
        solve(k, width);
        p = first;
      }
      while (p > 0) gather(--p, width);
    } else {
      std::uint32_t p = 0;
      for (std::size_t k = 0; k < loops.size(); ++k) {
        const std::uint32_t first = loops[k].first, last = first + loops[k].size;
        while (p < first) gather(p++, width);
        for (std::uint32_t q = first; q < last; ++q) gather(q, width);
        solve(k, width);
        p = last;
      }
      while (p < n32) gather(p++, width);
    }
  };
  with_static_width(columns, traverse);
  return x;
}

}  // namespace servicechain

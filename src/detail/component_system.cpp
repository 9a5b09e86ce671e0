#include "detail/component_system.hpp"

#include <Eigen/Eigenvalues>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "servicechain/error.hpp"

namespace servicechain::detail {

std::vector<local_entry> component_entries(const service_graph& g, std::uint32_t c, const service_graph::csr& adj,
                                           std::span<const double> weights) {
  const auto members = g.component_units(c);
  const std::uint32_t first = g.order_position(members.front());
  std::vector<local_entry> entries;
  for (unit_index u : members) {
    for (std::uint32_t pos = adj.offset[u.value()]; pos < adj.offset[u.value() + 1]; ++pos) {
      const std::uint32_t v = adj.neighbor[pos];
      if (g.component_of(unit_index{v}) != c || weights[pos] == 0.0) continue;
      entries.push_back({g.order_position(u) - first, g.order_position(unit_index{v}) - first, weights[pos]});
    }
  }
  return entries;
}

namespace {

std::string describe_component(const service_graph& g, std::uint32_t c) {
  return fmt::format("{{{}}}", quoted_ids(g, g.component_units(c)));
}

// Small loops: all eigenvalues, exactly.
constexpr std::size_t dense_limit = 200;

double dense_spectral_radius(const std::vector<local_entry>& entries, std::size_t k) {
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
  for (const auto& e : entries) a(e.row, e.col) += e.weight;
  Eigen::EigenSolver<Eigen::MatrixXd> solver(a, /*computeEigenvectors=*/false);
  if (solver.info() != Eigen::Success) return -1;
  return solver.eigenvalues().cwiseAbs().maxCoeff();
}

// Large loops: power iteration on B = A + I. A component is irreducible and A ≥ 0, so by
// Perron–Frobenius ρ(B) = ρ(A) + 1 is a simple eigenvalue with a positive eigenvector and,
// B being primitive (positive diagonal), the iteration converges. For any positive x the
// Collatz–Wielandt quotients bracket it: min_i (Bx)_i/x_i ≤ ρ(B) ≤ max_i (Bx)_i/x_i
// (Horn & Johnson, Matrix Analysis, 2nd ed., Thm. 8.1.26), so we stop on a certified bracket.
double iterative_spectral_radius(const std::vector<local_entry>& entries, std::size_t k) {
  std::vector<double> x(k, 1.0), y(k);
  double lower = 0, upper = 0;
  for (int iteration = 0; iteration < 100000; ++iteration) {
    std::copy(x.begin(), x.end(), y.begin());  // the identity part of B
    for (const auto& e : entries) y[e.row] += e.weight * x[e.col];
    lower = std::numeric_limits<double>::infinity();
    upper = 0;
    double norm = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double q = y[i] / x[i];
      lower = std::min(lower, q);
      upper = std::max(upper, q);
      norm = std::max(norm, y[i]);
    }
    if (upper - lower <= 1e-12 * upper) break;
    for (std::size_t i = 0; i < k; ++i) x[i] = y[i] / norm;
  }
  if (!(upper - lower <= 1e-9 * upper)) return -1;
  return 0.5 * (lower + upper) - 1.0;
}

}  // namespace

double component_spectral_radius(const service_graph& g, std::uint32_t c, std::span<const double> out_requests) {
  const auto entries = component_entries(g, c, g.out_csr(), out_requests);
  const std::size_t k = g.component_units(c).size();
  const double radius = k <= dense_limit ? dense_spectral_radius(entries, k) : iterative_spectral_radius(entries, k);
  if (radius < 0) {
    throw solver_error(fmt::format("loop of mutual service {}: could not determine the loop gain of its {} units",
                                   describe_component(g, c), k));
  }
  return radius;
}

divergent_loop divergent_component(const service_graph& g, std::uint32_t c, double gain) {
  divergent_loop d;
  d.gain = gain;
  std::vector<unit_index> members(g.component_units(c).begin(), g.component_units(c).end());
  std::sort(members.begin(), members.end());
  for (unit_index u : members) d.unit_ids.push_back(g.id(u));
  return d;
}

std::string quoted_ids(const service_graph& g, std::span<const unit_index> units, std::size_t max_chars) {
  std::string names;
  for (unit_index u : units) {
    if (names.size() > max_chars) {
      names += ", …";
      break;
    }
    if (!names.empty()) names += ", ";
    names += '\'';
    names += g.id(u);
    names += '\'';
  }
  return names;
}

}  // namespace servicechain::detail

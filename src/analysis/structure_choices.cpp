// Capacity with choices: the largest demand scale when grouped requests may be re-split
// (structure.hpp, docs/structure.md "Capacity with choices").

#include "servicechain/analysis/structure.hpp"

#include "servicechain/analysis/capacity.hpp"

#include <Eigen/Dense>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "servicechain/error.hpp"

namespace servicechain {

namespace {

// The mean service time of a unit at its current loads: its own, or the mixture over its
// links when links have service times of their own (the LP keeps that mix fixed).
double mean_service_time(const model_numbers& numbers, const load_result& load, std::uint32_t u) {
  const double own = numbers.unit(unit_index{u}).service_time;
  return numbers.has_link_service() && load.total_load[u] > 0 ? load.total_work[u] / load.total_load[u] : own;
}

// ------------------------------------------------------------------ dense simplex

// max c·x subject to E x = 0, A x ≤ b (b > 0), x ≥ 0. The origin is feasible, so a single
// phase suffices once the artificial variables of the equality rows (all at 0) are
// pivoted out. Bland's rule (Bland, "New finite pivoting rules for the simplex method",
// Math. of Operations Research 2(2), 1977) guarantees termination under degeneracy,
// which is the rule here, not the exception: every equality row starts degenerate.
struct lp_solution {
  bool unbounded = false;
  std::vector<double> x{};         // structural values
  std::vector<double> row_dual{};  // dual price of each ≤ row (∂ objective / ∂ b_i)
};

lp_solution solve_lp(const Eigen::MatrixXd& equalities, const Eigen::MatrixXd& inequalities, const Eigen::VectorXd& b,
                     const Eigen::VectorXd& c) {
  const Eigen::Index vars = c.size();
  const Eigen::Index eq = equalities.rows();
  const Eigen::Index le = inequalities.rows();
  const Eigen::Index rows = eq + le;
  // Columns: structural, one slack per ≤ row, one artificial per = row, then the right-hand side.
  const Eigen::Index slack0 = vars;
  const Eigen::Index art0 = vars + le;
  const Eigen::Index rhs = vars + le + eq;
  Eigen::MatrixXd t = Eigen::MatrixXd::Zero(rows + 1, rhs + 1);  // last row: objective
  std::vector<Eigen::Index> basis(static_cast<std::size_t>(rows));
  for (Eigen::Index i = 0; i < le; ++i) {
    t.row(i).head(vars) = inequalities.row(i);
    t(i, slack0 + i) = 1;
    t(i, rhs) = b(i);
    basis[static_cast<std::size_t>(i)] = slack0 + i;
  }
  for (Eigen::Index i = 0; i < eq; ++i) {
    t.row(le + i).head(vars) = equalities.row(i);
    t(le + i, art0 + i) = 1;
    basis[static_cast<std::size_t>(le + i)] = art0 + i;
  }
  t.row(rows).head(vars) = -c.transpose();
  std::vector<char> dropped(static_cast<std::size_t>(rows), 0);
  constexpr double tol = 1e-11;

  auto pivot = [&](Eigen::Index r, Eigen::Index j) {
    t.row(r) /= t(r, j);
    for (Eigen::Index i = 0; i <= rows; ++i) {
      if (i == r || t(i, j) == 0) continue;
      t.row(i) -= t(i, j) * t.row(r);
      t(i, j) = 0;  // exactly, whatever the rounding of the line above
    }
    basis[static_cast<std::size_t>(r)] = j;
  };

  // Drive every artificial variable (value 0) out of the basis: any non-zero structural
  // entry of its row will do, since the pivot moves nothing when the right-hand side is 0.
  for (Eigen::Index i = le; i < rows; ++i) {
    Eigen::Index best = -1;
    double largest = tol;
    for (Eigen::Index j = 0; j < vars; ++j) {
      if (std::abs(t(i, j)) > largest) {
        largest = std::abs(t(i, j));
        best = j;
      }
    }
    if (best < 0) {
      dropped[static_cast<std::size_t>(i)] = 1;  // 0 = 0: the row is implied by the others
    } else {
      pivot(i, best);
    }
  }

  const std::size_t limit = 200 * static_cast<std::size_t>(rows + vars) + 1000;
  for (std::size_t iteration = 0;; ++iteration) {
    if (iteration > limit)
      throw solver_error(
          fmt::format("capacity_with_choices: the simplex did not converge in {} pivots ({} constraints, "
                      "{} variables)",
                      limit, rows, vars));
    Eigen::Index entering = -1;
    for (Eigen::Index j = 0; j < art0; ++j) {
      if (t(rows, j) < -tol) {
        entering = j;  // Bland: the lowest index that improves
        break;
      }
    }
    if (entering < 0) break;
    Eigen::Index leaving = -1;
    double best_ratio = std::numeric_limits<double>::infinity();
    for (Eigen::Index i = 0; i < rows; ++i) {
      if (dropped[static_cast<std::size_t>(i)] || !(t(i, entering) > tol)) continue;
      const double ratio = std::max(0.0, t(i, rhs)) / t(i, entering);
      if (leaving < 0 || ratio < best_ratio ||
          (ratio == best_ratio && basis[static_cast<std::size_t>(i)] < basis[static_cast<std::size_t>(leaving)])) {
        best_ratio = ratio;
        leaving = i;
      }
    }
    if (leaving < 0) return {.unbounded = true};
    pivot(leaving, entering);
  }

  lp_solution s;
  s.x.assign(static_cast<std::size_t>(vars), 0.0);
  for (Eigen::Index i = 0; i < rows; ++i) {
    const Eigen::Index j = basis[static_cast<std::size_t>(i)];
    if (!dropped[static_cast<std::size_t>(i)] && j < vars) s.x[static_cast<std::size_t>(j)] = std::max(0.0, t(i, rhs));
  }
  s.row_dual.resize(static_cast<std::size_t>(le));
  for (Eigen::Index i = 0; i < le; ++i) s.row_dual[static_cast<std::size_t>(i)] = std::max(0.0, t(rows, slack0 + i));
  return s;
}

}  // namespace

choice_capacity_result capacity_with_choices(const service_graph& g, const model_numbers& numbers,
                                             const load_result& load) {
  const std::size_t n = g.unit_count();
  const std::size_t m = g.link_count();
  const auto links = g.links();
  const auto link_numbers = numbers.links();
  choice_capacity_result r;
  r.directory = g.directory();
  for (double d : load.demand) r.demand += d;

  // The grouped links: one LP column each, after θ.
  std::vector<std::uint32_t> grouped;
  std::vector<std::int64_t> column_of(m, -1);
  for (std::uint32_t l = 0; l < m; ++l) {
    if (links[l].group < 0) continue;
    column_of[l] = static_cast<std::int64_t>(grouped.size()) + 1;
    grouped.push_back(l);
    r.splits.push_back({link_index{l}, link_numbers[l].requests, link_numbers[l].requests, 0.0});
  }

  // The bound with the splits as given: the first unit to saturate, 1/ρ_max.
  double rho_max = 0;
  for (std::uint32_t u = 0; u < n; ++u) {
    if (capacity_limited(g, numbers, unit_index{u}))
      rho_max = std::max(rho_max, load.total_work[u] / numbers.unit(unit_index{u}).servers);
  }
  if (r.demand <= 0 || rho_max <= 0) return r;  // no open demand, or nothing that saturates
  r.fixed_split_demand_scale = 1.0 / rho_max;
  r.fixed_split_value = *r.fixed_split_demand_scale * r.demand;

  // Items per unit of each LP variable, by propagation over the ungrouped links:
  // column 0 is θ (the open demands), column 1 + j one request per time unit on grouped link j.
  const Eigen::Index columns = static_cast<Eigen::Index>(grouped.size()) + 1;
  std::vector<double> weights(m);
  for (std::uint32_t l = 0; l < m; ++l) weights[l] = links[l].group < 0 ? link_numbers[l].requests : 0.0;
  unit_matrix rhs = unit_matrix::Zero(static_cast<Eigen::Index>(n), columns);
  for (std::size_t c = 0; c < g.class_count(); ++c) rhs(g.customers()[c].value(), 0) = load.demand[c];
  for (std::size_t j = 0; j < grouped.size(); ++j)
    rhs(links[grouped[j]].provider.value(), static_cast<Eigen::Index>(j) + 1) = 1.0;
  const unit_matrix items = propagate(g, numbers, direction::with_demand, std::move(rhs), weights);

  // Loads per unit of each variable: λ = y + Σ_links e·f at both ends (docs/semantics.md,
  // "Load": redos at the provider, re-checks at the consumer), with f = r·y_consumer on an
  // ungrouped link and f = the variable itself on a grouped one.
  unit_matrix loads = unit_matrix::Zero(static_cast<Eigen::Index>(n), columns);
  for (std::uint32_t u = 0; u < n; ++u)
    if (!g.is_external(unit_index{u})) loads.row(u) = items.row(u);
  for (std::uint32_t l = 0; l < m; ++l) {
    const auto& p = links[l];
    const auto& pn = link_numbers[l];
    if (pn.rejections == 0) continue;
    Eigen::RowVectorXd flow = Eigen::RowVectorXd::Zero(columns);
    if (column_of[l] < 0) {
      flow = pn.requests * items.row(p.consumer.value());
    } else {
      flow(column_of[l]) = 1.0;
    }
    loads.row(p.provider.value()) += pn.rejections * flow;
    if (!g.is_external(p.consumer)) loads.row(p.consumer.value()) += pn.rejections * flow;
  }

  // Capacity rows, scaled to a right-hand side of 1. Rows that involve θ alone bound θ by
  // μ/λ(θ = 1); only the tightest can bind, so they merge into one row (ties share it).
  std::vector<std::vector<std::uint32_t>> row_units;
  std::vector<Eigen::RowVectorXd> row_coefficients;
  std::vector<std::uint32_t> theta_only;
  double theta_only_bound = std::numeric_limits<double>::infinity();
  for (std::uint32_t u = 0; u < n; ++u) {
    if (!capacity_limited(g, numbers, unit_index{u})) continue;
    const double capacity = numbers.unit(unit_index{u}).servers / mean_service_time(numbers, load, u);
    const Eigen::RowVectorXd a = loads.row(u) / capacity;
    if (columns > 1 && a.tail(columns - 1).cwiseAbs().maxCoeff() > 0) {
      row_units.push_back({u});
      row_coefficients.push_back(a);
    } else if (a(0) > 0) {
      const double bound = 1.0 / a(0);
      if (bound < theta_only_bound * (1 - 1e-12)) {
        theta_only_bound = bound;
        theta_only.assign(1, u);
      } else if (bound <= theta_only_bound * (1 + 1e-12)) {
        theta_only.push_back(u);
      }
    }
  }
  if (!theta_only.empty()) {
    Eigen::RowVectorXd a = Eigen::RowVectorXd::Zero(columns);
    a(0) = 1.0 / theta_only_bound;
    row_units.push_back(theta_only);
    row_coefficients.push_back(a);
  }

  // Group rows: Σ_{l∈G} g_l − R_G·y_j(θ, g) = 0 for each (consumer j, group G).
  std::map<std::pair<std::uint32_t, std::int32_t>, std::vector<std::uint32_t>> groups;
  for (std::uint32_t l : grouped) groups[{links[l].consumer.value(), links[l].group}].push_back(l);
  Eigen::MatrixXd equalities = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(groups.size()), columns);
  {
    Eigen::Index i = 0;
    for (const auto& [key, members] : groups) {
      double total = 0;
      for (std::uint32_t l : members) {
        total += link_numbers[l].requests;
        equalities(i, column_of[l]) += 1.0;
      }
      equalities.row(i) -= total * items.row(key.first);
      const double scale = equalities.row(i).cwiseAbs().maxCoeff();
      if (scale > 0) equalities.row(i) /= scale;
      ++i;
    }
  }

  Eigen::MatrixXd inequalities(static_cast<Eigen::Index>(row_coefficients.size()), columns);
  for (std::size_t i = 0; i < row_coefficients.size(); ++i)
    inequalities.row(static_cast<Eigen::Index>(i)) = row_coefficients[i];
  // Column scaling: every column's largest entry becomes 1, so one tolerance fits all.
  Eigen::VectorXd column_scale(columns);
  for (Eigen::Index j = 0; j < columns; ++j) {
    double s = 0;
    if (inequalities.rows() > 0) s = inequalities.col(j).cwiseAbs().maxCoeff();
    if (equalities.rows() > 0) s = std::max(s, equalities.col(j).cwiseAbs().maxCoeff());
    column_scale(j) = s > 0 ? s : 1.0;
    inequalities.col(j) /= column_scale(j);
    equalities.col(j) /= column_scale(j);
  }
  Eigen::VectorXd objective = Eigen::VectorXd::Zero(columns);
  objective(0) = 1.0 / column_scale(0);
  const lp_solution s = solve_lp(equalities, inequalities, Eigen::VectorXd::Ones(inequalities.rows()), objective);
  if (s.unbounded) return r;  // some demand is served by unlimited units alone: no finite bound

  Eigen::VectorXd x(columns);
  for (Eigen::Index j = 0; j < columns; ++j) x(j) = s.x[static_cast<std::size_t>(j)] / column_scale(j);
  // The given splits are one feasible point of the LP, so θ* ≥ θ_fixed exactly; the two
  // are computed along different roundings, and the bound must not dip below by an ulp.
  r.demand_scale = std::max(x(0), *r.fixed_split_demand_scale);
  r.value = *r.demand_scale * r.demand;

  // Dual prices: a row scaled by 1/μ has ∂θ/∂μ = dual / μ. A merged θ-only row lists
  // every tied unit with the price of raising them all together.
  const double significant = 1e-9 * x(0);
  for (std::size_t i = 0; i < row_units.size(); ++i) {
    const double dual = s.row_dual[i];
    if (!(dual > significant)) continue;
    for (std::uint32_t u : row_units[i]) {
      r.limiting_units.push_back(
          {unit_index{u}, dual * mean_service_time(numbers, load, u) / numbers.unit(unit_index{u}).servers});
    }
  }
  std::sort(r.limiting_units.begin(), r.limiting_units.end(),
            [](const limiting_unit& a, const limiting_unit& b) { return a.unit < b.unit; });

  // When the given splits already reach θ*, re-splitting gains nothing: report them
  // rather than another optimal vertex of the LP, which would suggest a pointless change.
  if (*r.fixed_split_demand_scale >= x(0) * (1 - 1e-12)) {
    r.demand_scale = r.fixed_split_demand_scale;
    r.value = r.fixed_split_value;
    const Eigen::Map<const Eigen::VectorXd> d(load.demand.data(), static_cast<Eigen::Index>(load.demand.size()));
    for (std::size_t j = 0; j < grouped.size(); ++j) {
      const double consumer_items = load.visits.row(links[grouped[j]].consumer.value()).dot(d);
      r.splits[j].flow = link_numbers[grouped[j]].requests * consumer_items * *r.demand_scale;
    }
    return r;
  }
  const Eigen::VectorXd y = items * x;
  for (std::size_t j = 0; j < grouped.size(); ++j) {
    auto& split = r.splits[j];
    split.flow = x(static_cast<Eigen::Index>(j) + 1);
    const double consumer_items = y(links[grouped[j]].consumer.value());
    if (consumer_items > 0) split.optimal_requests = split.flow / consumer_items;
  }
  return r;
}

}  // namespace servicechain

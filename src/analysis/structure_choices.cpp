// Capacity with choices: the largest demand scale when grouped requests may be re-split
// (structure.hpp, docs/structure.md "Capacity with choices").

#include "servicechain/analysis/structure.hpp"

#include "servicechain/analysis/capacity.hpp"

#include <Eigen/Dense>
#include <coin/ClpSimplex.hpp>
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

// ------------------------------------------------------------------ the LP, sparse

// A sparse LP in column form for COIN-OR CLP: max θ subject to equality rows (= 0) and
// capacity rows (≤ 1), every variable ≥ 0. Rows and columns are added as triplets.
class sparse_lp {
 public:
  // A column starts in the simplex basis when `basic`; so does the slack of every ≤ row.
  // The caller picks one basic column per equality row, which makes the start a basis.
  int add_column(bool basic = false) {
    basic_column_.push_back(basic ? 1 : 0);
    return columns_++;
  }
  int add_row(bool equality) {
    row_low_.push_back(equality ? 0.0 : -COIN_DBL_MAX);
    row_high_.push_back(equality ? 0.0 : 1.0);
    return static_cast<int>(row_low_.size()) - 1;
  }
  void add(int row, int column, double value) {
    if (value != 0) entries_.push_back({column, row, value});
  }

  struct solution {
    bool unbounded = false;
    std::vector<double> x{};     // column values
    std::vector<double> dual{};  // ∂θ/∂(right-hand side) of each row, ≥ 0 on capacity rows
  };

  // Maximizes column 0 (θ).
  [[nodiscard]] solution maximize_first_column(std::size_t unit_count) {
    std::sort(entries_.begin(), entries_.end(), [](const entry& a, const entry& b) {
      return a.column != b.column ? a.column < b.column : a.row < b.row;
    });
    std::vector<CoinBigIndex> start(static_cast<std::size_t>(columns_) + 1, 0);
    std::vector<int> index;
    std::vector<double> value;
    index.reserve(entries_.size());
    value.reserve(entries_.size());
    for (const auto& e : entries_) {
      ++start[static_cast<std::size_t>(e.column) + 1];
      index.push_back(e.row);
      value.push_back(e.value);
    }
    for (std::size_t j = 1; j < start.size(); ++j) start[j] += start[j - 1];
    const auto cols = static_cast<std::size_t>(columns_);
    std::vector<double> column_low(cols, 0.0), column_high(cols, COIN_DBL_MAX), objective(cols, 0.0);
    objective[0] = 1.0;

    ClpSimplex model;
    model.setLogLevel(0);
    model.loadProblem(columns_, static_cast<int>(row_low_.size()), start.data(), index.data(), value.data(),
                      column_low.data(), column_high.data(), objective.data(), row_low_.data(), row_high_.data());
    model.setOptimizationDirection(-1);  // maximize
    // Start from the basis where the items and one flow per group are basic at θ = 0 (all
    // zero: feasible). Its factor is I − R over the fed units, triangular up to the loops,
    // so the primal simplex starts cheap and needs about one pivot per binding capacity,
    // where a cold start pivots every item in one by one.
    for (int j = 0; j < columns_; ++j)
      model.setColumnStatus(j, basic_column_[static_cast<std::size_t>(j)] ? ClpSimplex::basic : ClpSimplex::atLowerBound);
    for (std::size_t i = 0; i < row_low_.size(); ++i)
      model.setRowStatus(static_cast<int>(i), row_low_[i] == row_high_[i] ? ClpSimplex::atLowerBound : ClpSimplex::basic);
    model.primal();
    if (model.status() == 2) return {.unbounded = true};  // dual infeasible: θ unbounded
    if (model.status() != 0)
      throw solver_error(fmt::format("capacity_with_choices: CLP status {} (not optimal) on the LP of {} units "
                                     "({} constraints, {} variables)",
                                     model.status(), unit_count, row_low_.size(), columns_));
    solution s;
    s.x.assign(model.primalColumnSolution(), model.primalColumnSolution() + columns_);
    // CLP reports duals of the minimization it solves; for a maximum and a ≤ row the
    // shadow price is their magnitude.
    s.dual.resize(row_low_.size());
    for (std::size_t i = 0; i < row_low_.size(); ++i) s.dual[i] = std::abs(model.dualRowSolution()[i]);
    return s;
  }

 private:
  struct entry {
    int column;
    int row;
    double value;
  };
  int columns_ = 0;
  std::vector<char> basic_column_{};
  std::vector<double> row_low_{};
  std::vector<double> row_high_{};
  std::vector<entry> entries_{};
};

// Units whose items depend on the grouped flows: the providers of grouped links and every
// unit that serves them, directly or through others.
std::vector<char> units_fed_by_groups(const service_graph& g) {
  std::vector<char> affected(g.unit_count(), 0);
  std::vector<std::uint32_t> stack;
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const auto& t = g.link(link_index{l});
    if (t.group >= 0 && !affected[t.provider.value()]) {
      affected[t.provider.value()] = 1;
      stack.push_back(t.provider.value());
    }
  }
  while (!stack.empty()) {
    const unit_index u{stack.back()};
    stack.pop_back();
    for (link_index l : g.in_links(u)) {
      const std::uint32_t p = g.link(l).provider.value();
      if (!affected[p]) {
        affected[p] = 1;
        stack.push_back(p);
      }
    }
  }
  return affected;
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

  // The grouped links: one LP column each.
  std::vector<std::uint32_t> grouped;
  for (std::uint32_t l = 0; l < m; ++l) {
    if (links[l].group < 0) continue;
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

  // The LP (docs/structure.md): max θ over θ (column 0), the items y_u of every unit fed by
  // the grouped flows, and the flow g_l of each grouped link. Every other unit's items do
  // not depend on the split: y_u = θ·Y_u with Y_u its items at the demands as given.
  const std::vector<char> affected = units_fed_by_groups(g);
  const Eigen::Map<const Eigen::VectorXd> d(load.demand.data(), static_cast<Eigen::Index>(load.demand.size()));
  const Eigen::VectorXd given_items = load.visits * d;  // Y_u, items per time unit at θ = 1
  sparse_lp lp;
  const int theta = lp.add_column();
  std::vector<int> y_column(n, -1);
  for (std::uint32_t u = 0; u < n; ++u)
    if (affected[u]) y_column[u] = lp.add_column(true);
  // Group rows: Σ_{l∈G} g_l − R_G·y_j = 0 for each (consumer j, group G); the first
  // member's flow starts basic.
  std::map<std::pair<std::uint32_t, std::int32_t>, std::vector<std::uint32_t>> groups;
  for (std::uint32_t l : grouped) groups[{links[l].consumer.value(), links[l].group}].push_back(l);
  std::vector<int> g_column(m, -1);
  for (const auto& [key, members] : groups)
    for (std::uint32_t l : members) g_column[l] = lp.add_column(l == members.front());
  // Adds coefficient·y_j to a row: a column for a unit fed by groups, θ·Y_j otherwise.
  const auto add_items = [&](int row, std::uint32_t j, double coefficient) {
    if (y_column[j] >= 0) lp.add(row, y_column[j], coefficient);
    else lp.add(row, theta, coefficient * given_items(j));
  };

  // Flow rows: y_u − Σ_{ungrouped u→j} r·y_j − Σ_{grouped u→j} g_l = 0.
  for (std::uint32_t u = 0; u < n; ++u) {
    if (!affected[u]) continue;
    const int row = lp.add_row(true);
    lp.add(row, y_column[u], 1.0);
    for (link_index l : g.out_links(unit_index{u})) {
      if (g_column[l.value()] >= 0) lp.add(row, g_column[l.value()], -1.0);
      else add_items(row, links[l.value()].consumer.value(), -link_numbers[l.value()].requests);
    }
  }
  for (const auto& [key, members] : groups) {
    const int row = lp.add_row(true);
    double total = 0;
    for (std::uint32_t l : members) {
      total += link_numbers[l].requests;
      lp.add(row, g_column[l], 1.0);
    }
    add_items(row, key.first, -total);
  }

  // Capacity rows, load/μ ≤ 1, for units whose load depends on the split: λ = y + Σ e·f at
  // both ends of each link with rework (docs/semantics.md, "Load"), f = r·y_consumer or g_l.
  // The others' loads scale with θ alone: only the tightest of them can bind, so they merge
  // into one row θ ≤ min μ/λ (tied units share it and its price).
  std::vector<char> split_dependent(affected.begin(), affected.end());
  for (std::uint32_t l : grouped)
    if (link_numbers[l].rejections > 0 && !g.is_external(links[l].consumer)) split_dependent[links[l].consumer.value()] = 1;
  std::vector<int> capacity_row(n, -1);
  std::vector<std::uint32_t> theta_only;
  double theta_only_bound = std::numeric_limits<double>::infinity();
  const auto capacity_of = [&](std::uint32_t u) {
    return numbers.unit(unit_index{u}).servers / mean_service_time(numbers, load, u);
  };
  for (std::uint32_t u = 0; u < n; ++u) {
    if (!capacity_limited(g, numbers, unit_index{u})) continue;
    if (split_dependent[u]) {
      capacity_row[u] = lp.add_row(false);
      add_items(capacity_row[u], u, 1.0 / capacity_of(u));
    } else if (load.total_load[u] > 0) {
      const double bound = capacity_of(u) / load.total_load[u];
      if (bound < theta_only_bound * (1 - 1e-12)) {
        theta_only_bound = bound;
        theta_only.assign(1, u);
      } else if (bound <= theta_only_bound * (1 + 1e-12)) {
        theta_only.push_back(u);
      }
    }
  }
  for (std::uint32_t l = 0; l < m; ++l) {
    const double e = link_numbers[l].rejections;
    if (e == 0) continue;
    for (const unit_index end : {links[l].provider, links[l].consumer}) {
      const int row = g.is_external(end) ? -1 : capacity_row[end.value()];
      if (row < 0) continue;
      const double scale = e / capacity_of(end.value());
      if (g_column[l] >= 0) lp.add(row, g_column[l], scale);
      else add_items(row, links[l].consumer.value(), scale * link_numbers[l].requests);
    }
  }
  int theta_row = -1;
  if (!theta_only.empty()) {
    theta_row = lp.add_row(false);
    lp.add(theta_row, theta, 1.0 / theta_only_bound);
  }

  const sparse_lp::solution s = lp.maximize_first_column(n);
  if (s.unbounded) return r;  // some demand is served by unlimited units alone: no finite bound
  const double theta_star = s.x[static_cast<std::size_t>(theta)];
  // The given splits are one feasible point of the LP, so θ* ≥ θ_fixed exactly; the two
  // are computed along different roundings, and the bound must not dip below by an ulp.
  r.demand_scale = std::max(theta_star, *r.fixed_split_demand_scale);
  r.value = *r.demand_scale * r.demand;

  // Dual prices: a row scaled by 1/μ has ∂θ/∂μ = dual / μ. A merged θ-only row lists
  // every tied unit with the price of raising them all together.
  const double significant = 1e-9 * theta_star;
  const auto add_limiting = [&](std::uint32_t u, double dual) {
    if (dual > significant) r.limiting_units.push_back({unit_index{u}, dual / capacity_of(u)});
  };
  for (std::uint32_t u = 0; u < n; ++u)
    if (capacity_row[u] >= 0) add_limiting(u, s.dual[static_cast<std::size_t>(capacity_row[u])]);
  if (theta_row >= 0)
    for (std::uint32_t u : theta_only) add_limiting(u, s.dual[static_cast<std::size_t>(theta_row)]);
  std::sort(r.limiting_units.begin(), r.limiting_units.end(),
            [](const limiting_unit& a, const limiting_unit& b) { return a.unit < b.unit; });

  // When the given splits already reach θ*, re-splitting gains nothing: report them
  // rather than another optimal vertex of the LP, which would suggest a pointless change.
  if (*r.fixed_split_demand_scale >= theta_star * (1 - 1e-12)) {
    r.demand_scale = r.fixed_split_demand_scale;
    r.value = r.fixed_split_value;
    for (std::size_t j = 0; j < grouped.size(); ++j) {
      const double consumer_items = given_items(links[grouped[j]].consumer.value());
      r.splits[j].flow = link_numbers[grouped[j]].requests * consumer_items * *r.demand_scale;
    }
    return r;
  }
  for (std::size_t j = 0; j < grouped.size(); ++j) {
    auto& split = r.splits[j];
    split.flow = s.x[static_cast<std::size_t>(g_column[grouped[j]])];
    const std::uint32_t consumer = links[grouped[j]].consumer.value();
    const double consumer_items = y_column[consumer] >= 0 ? s.x[static_cast<std::size_t>(y_column[consumer])]
                                                          : theta_star * given_items(consumer);
    if (consumer_items > 0) split.optimal_requests = split.flow / consumer_items;
  }
  return r;
}

}  // namespace servicechain

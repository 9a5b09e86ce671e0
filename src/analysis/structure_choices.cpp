// Capacity with choices: the largest demand scale when grouped requests may be re-split
// (structure.hpp, docs/structure.md "Capacity with choices").

#include "servicechain/analysis/structure.hpp"

#include "servicechain/analysis/capacity.hpp"

#include <Eigen/Dense>
#include <coin/ClpDualRowDantzig.hpp>
#include <coin/ClpFactorization.hpp>
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

// A sparse LP for COIN-OR CLP: max θ subject to equality rows (= 0) and ≤ rows (capacity
// rows ≤ 1, flows ≥ 0 written as ≤ 0), every variable ≥ 0. Rows and columns are added as
// triplets. Rows added as `lazy` enter CLP only when a solution comes near them (row
// generation): most units never bind, and every row in the basis makes each simplex
// pivot dearer.
class sparse_lp {
 public:
  // A column starts in the simplex basis when `basic`; so does the slack of every ≤ row.
  // The caller picks one basic column per equality row, which makes the start a basis.
  int add_column(bool basic = false) {
    basic_column_.push_back(basic ? 1 : 0);
    return columns_++;
  }
  // Equality rows are = 0, the others ≤ `high`, scaled so that 1 is the natural size of
  // their activity (the row generation's tolerance is absolute).
  int add_row(bool equality, bool lazy = false, double high = 1.0) {
    row_low_.push_back(equality ? 0.0 : -COIN_DBL_MAX);
    row_high_.push_back(equality ? 0.0 : high);
    lazy_.push_back(!equality && lazy ? 1 : 0);
    return static_cast<int>(row_low_.size()) - 1;
  }
  [[nodiscard]] int column_count() const noexcept { return columns_; }
  void add(int row, int column, double value) {
    if (value != 0) entries_.push_back({column, row, value});
  }

  struct solution {
    bool unbounded = false;
    std::vector<double> x{};     // column values
    std::vector<double> dual{};  // ∂θ/∂(right-hand side) of each row, ≥ 0 on capacity rows
  };

  // Maximizes column 0 (θ). `start` is a feasible point (one value per column): the lazy
  // rows tight or nearly tight there join the first LP. Every lazy row left out is at
  // least `near` below its bound at the end, so the relaxation's optimum is feasible, hence
  // optimal, for the whole LP (delayed constraint generation, Bertsimas & Tsitsiklis 1997,
  // §6.3), and the duals padded with zeros for the rows left out are optimal duals of the
  // whole LP.
  [[nodiscard]] solution maximize_first_column(std::size_t unit_count, const std::vector<double>& start) {
    const std::size_t rows = row_low_.size();
    const auto cols = static_cast<std::size_t>(columns_);
    // Row-major copy: activities of the lazy rows, and rows added to CLP later.
    std::vector<std::size_t> row_start(rows + 1, 0);
    for (const auto& e : entries_) ++row_start[static_cast<std::size_t>(e.row) + 1];
    for (std::size_t i = 1; i <= rows; ++i) row_start[i] += row_start[i - 1];
    std::vector<int> row_column(entries_.size());
    std::vector<double> row_value(entries_.size());
    {
      std::vector<std::size_t> next(row_start.begin(), row_start.end() - 1);
      for (const auto& e : entries_) {
        const std::size_t k = next[static_cast<std::size_t>(e.row)]++;
        row_column[k] = e.column;
        row_value[k] = e.value;
      }
    }
    const auto activity = [&](std::size_t i, const double* x) {
      double a = 0;
      for (std::size_t k = row_start[i]; k < row_start[i + 1]; ++k) a += row_value[k] * x[row_column[k]];
      return a;
    };
    constexpr double near = 1e-9;  // rows are scaled to activities of order 1
    // The first LP also takes the rows within 0.1 % of their bound at the start: the
    // optimum moves few splits, and those rows are the likeliest to bind. It is a guess
    // that only saves rounds (each costs a factorization of the whole basis: ~0.6 s at
    // 10⁵ units, and 1 of 2 rounds at 10³ units); the test for the end is `near`.
    constexpr double first_margin = 1e-3;
    std::vector<int> clp_row(rows, -1);  // the row's index in CLP, −1 while left out
    std::vector<std::size_t> in_clp;     // CLP's rows, in order
    for (std::size_t i = 0; i < rows; ++i)
      if (!lazy_[i] || activity(i, start.data()) > row_high_[i] - first_margin) {
        clp_row[i] = static_cast<int>(in_clp.size());
        in_clp.push_back(i);
      }

    // Column-major copy of the first rows, for loadProblem.
    std::vector<CoinBigIndex> column_start(cols + 1, 0);
    for (const auto& e : entries_)
      if (clp_row[static_cast<std::size_t>(e.row)] >= 0) ++column_start[static_cast<std::size_t>(e.column) + 1];
    for (std::size_t j = 1; j <= cols; ++j) column_start[j] += column_start[j - 1];
    std::vector<int> index(static_cast<std::size_t>(column_start[cols]));
    std::vector<double> value(index.size());
    {
      std::vector<CoinBigIndex> next(column_start.begin(), column_start.end() - 1);
      for (std::size_t i : in_clp)  // by row, so each column's rows come out sorted
        for (std::size_t k = row_start[i]; k < row_start[i + 1]; ++k) {
          const auto slot = static_cast<std::size_t>(next[static_cast<std::size_t>(row_column[k])]++);
          index[slot] = clp_row[i];
          value[slot] = row_value[k];
        }
    }
    std::vector<double> column_low(cols, 0.0), column_high(cols, COIN_DBL_MAX), objective(cols, 0.0);
    objective[0] = 1.0;
    std::vector<double> low, high;
    for (std::size_t i : in_clp) {
      low.push_back(row_low_[i]);
      high.push_back(row_high_[i]);
    }

    ClpSimplex model;
    model.setLogLevel(0);
    model.loadProblem(columns_, static_cast<int>(in_clp.size()), column_start.data(), index.data(), value.data(),
                      column_low.data(), column_high.data(), objective.data(), low.data(), high.data());
    model.setOptimizationDirection(-1);  // maximize
    // Once capacity rows bind, B⁻¹ couples each of them with the whole cone of units it
    // serves: CLP's default LU spends most of its time in that fill-in, the OSL-derived
    // one handles it about 4× faster at 10⁵ units (benchmarks/RESULTS.md). Dantzig's
    // rule for the dual re-solves saves the steepest-edge weights over 10⁵ rows.
    model.factorization()->forceOtherFactorization(3);
    {
      ClpDualRowDantzig dantzig;
      model.setDualRowPivotAlgorithm(dantzig);
    }
    // Start from the basis where the items and one shift per group are basic at θ = 0 (all
    // zero: feasible). Its factor is I − R over the fed units, triangular up to the loops,
    // so the primal simplex starts cheap and needs about one pivot per binding capacity,
    // where a cold start pivots every item in one by one.
    for (int j = 0; j < columns_; ++j)
      model.setColumnStatus(j, basic_column_[static_cast<std::size_t>(j)] ? ClpSimplex::basic : ClpSimplex::atLowerBound);
    for (std::size_t r = 0; r < in_clp.size(); ++r)
      model.setRowStatus(static_cast<int>(r), row_low_[in_clp[r]] == row_high_[in_clp[r]] ? ClpSimplex::atLowerBound
                                                                                           : ClpSimplex::basic);
    model.primal();
    const auto check = [&] {
      if (model.status() != 0)
        throw solver_error(fmt::format("capacity_with_choices: CLP status {} (not optimal) on the LP of {} units "
                                       "({} of {} constraints, {} variables)",
                                       model.status(), unit_count, in_clp.size(), rows, columns_));
    };
    // Rows join until none left out is near its bound. Each round adds rows to a basis
    // that stays dual feasible, so the dual simplex resumes from it.
    std::vector<CoinBigIndex> add_start;
    std::vector<int> add_column;
    std::vector<double> add_value, add_low, add_high;
    std::vector<double> ray;
    for (;;) {
      ray.clear();
      if (model.status() == 2) {
        // Unbounded without the rows left out; with all of them the LP may not be.
        if (in_clp.size() == rows) return {.unbounded = true};  // dual infeasible: θ unbounded
        // The rows left out that the ray of unboundedness would break join (all of them
        // if CLP has no ray, or none would): with the flows' f ≥ 0 rows lazy, a shift that
        // drives a flow below 0 is such a ray, and adding every row would cost the whole LP.
        if (double* r = model.unboundedRay()) {
          ray.assign(r, r + columns_);
          delete[] r;
        }
      } else {
        check();
      }
      const double* x = model.primalColumnSolution();
      const auto join = [&](std::size_t i) {
        if (model.status() == 0) return activity(i, x) > row_high_[i] - near;
        return ray.empty() || activity(i, x) > row_high_[i] - near || activity(i, ray.data()) > 0;
      };
      for (int pass = 0; pass < 2; ++pass) {
        add_start.assign(1, 0);
        add_column.clear();
        add_value.clear();
        add_low.clear();
        add_high.clear();
        for (std::size_t i = 0; i < rows; ++i) {
          if (clp_row[i] >= 0 || !join(i)) continue;
          clp_row[i] = static_cast<int>(in_clp.size());
          in_clp.push_back(i);
          for (std::size_t k = row_start[i]; k < row_start[i + 1]; ++k) {
            add_column.push_back(row_column[k]);
            add_value.push_back(row_value[k]);
          }
          add_start.push_back(static_cast<CoinBigIndex>(add_column.size()));
          add_low.push_back(row_low_[i]);
          add_high.push_back(row_high_[i]);
        }
        if (!add_low.empty() || ray.empty()) break;
        ray.clear();  // no row left out bounds the ray: let them all join
      }
      if (add_low.empty()) break;
      model.addRows(static_cast<int>(add_low.size()), add_low.data(), add_high.data(), add_start.data(),
                    add_column.data(), add_value.data());
      if (model.status() == 2) model.primal();
      else model.dual();
    }
    solution s;
    s.x.assign(model.primalColumnSolution(), model.primalColumnSolution() + columns_);
    // CLP reports duals of the minimization it solves; for a maximum and a ≤ row the
    // shadow price is their magnitude. Rows left out have price 0.
    s.dual.assign(rows, 0.0);
    for (std::size_t i = 0; i < rows; ++i)
      if (clp_row[i] >= 0) s.dual[i] = std::abs(model.dualRowSolution()[clp_row[i]]);
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
  std::vector<char> lazy_{};
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
  // the grouped flows, and the flow f_l of each grouped link. Every other unit's items do
  // not depend on the split: y_u = θ·Y_u with Y_u its items at the demands as given.
  //
  // Each grouped flow is its share at the given split plus a shift up or down:
  // f_l = r_l·y_j + p_l − q_l with p_l, q_l ≥ 0 (j the consumer, r_l the given requests).
  // A group's row then reads Σ_{l∈G} (p_l − q_l) = 0 and f_l ≥ 0 becomes a (lazy) row. This
  // is an exact change of variables: every f ≥ 0 is reached, by p = (f − r·y)⁺ and
  // q = (r·y − f)⁺, and the capacity rows are unchanged, so θ* and the value of θ* as a
  // function of the capacities (whose slopes are the reported prices) are those of the LP
  // in f. What changes is the simplex's path: a nonbasic shift is 0, so a vertex keeps the
  // given split in every group but those its basis needs. With f_l as columns, a vertex
  // put all but one flow of each group at 0: an extreme split that overloaded units all
  // over the model, and the dual simplex spent ~1 900 pivots at 10⁵ units repairing them
  // (benchmarks/RESULTS.md); with the shifts the same LP takes ~10 pivots.
  const std::vector<char> affected = units_fed_by_groups(g);
  const Eigen::Map<const Eigen::VectorXd> d(load.demand.data(), static_cast<Eigen::Index>(load.demand.size()));
  const Eigen::VectorXd given_items = load.visits * d;  // Y_u, items per time unit at θ = 1
  const double theta_fixed = *r.fixed_split_demand_scale;
  sparse_lp lp;
  const int theta = lp.add_column();
  std::vector<int> y_column(n, -1);
  for (std::uint32_t u = 0; u < n; ++u)
    if (affected[u]) y_column[u] = lp.add_column(true);
  std::map<std::pair<std::uint32_t, std::int32_t>, std::vector<std::uint32_t>> groups;
  for (std::uint32_t l : grouped) groups[{links[l].consumer.value(), links[l].group}].push_back(l);
  std::vector<int> more_column(m, -1), less_column(m, -1);  // p_l, q_l
  for (const auto& [key, members] : groups)
    for (std::uint32_t l : members) {
      more_column[l] = lp.add_column(l == members.front());  // one basic column per group row
      less_column[l] = lp.add_column();
    }
  // Adds coefficient·y_j to a row: a column for a unit fed by groups, θ·Y_j otherwise.
  const auto add_items = [&](int row, std::uint32_t j, double coefficient) {
    if (y_column[j] >= 0) lp.add(row, y_column[j], coefficient);
    else lp.add(row, theta, coefficient * given_items(j));
  };
  // Adds coefficient·f_l to a row, f_l the requests per time unit on link l.
  const auto add_flow = [&](int row, std::uint32_t l, double coefficient) {
    add_items(row, links[l].consumer.value(), coefficient * link_numbers[l].requests);
    if (more_column[l] >= 0) {
      lp.add(row, more_column[l], coefficient);
      lp.add(row, less_column[l], -coefficient);
    }
  };

  // Flow rows: y_u − Σ_{u→j} f_l = 0.
  for (std::uint32_t u = 0; u < n; ++u) {
    if (!affected[u]) continue;
    const int row = lp.add_row(true);
    lp.add(row, y_column[u], 1.0);
    for (link_index l : g.out_links(unit_index{u})) add_flow(row, l.value(), -1.0);
  }
  // Group rows: Σ_{l∈G} (p_l − q_l) = 0 for each (consumer j, group G).
  for (const auto& [key, members] : groups) {
    const int row = lp.add_row(true);
    for (std::uint32_t l : members) {
      lp.add(row, more_column[l], 1.0);
      lp.add(row, less_column[l], -1.0);
    }
  }
  // f_l ≥ 0 as −f_l / F ≤ 0, F the group's flow at the given split at θ_fixed (1 if none).
  for (const auto& [key, members] : groups) {
    double total = 0;
    for (std::uint32_t l : members) total += link_numbers[l].requests;
    const double flow = theta_fixed * total * given_items(key.first);
    for (std::uint32_t l : members) add_flow(lp.add_row(false, /*lazy=*/true, 0.0), l, -1.0 / (flow > 0 ? flow : 1.0));
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
      capacity_row[u] = lp.add_row(false, /*lazy=*/true);
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
      add_flow(row, l, scale);
    }
  }
  int theta_row = -1;
  if (!theta_only.empty()) {
    theta_row = lp.add_row(false);
    lp.add(theta_row, theta, 1.0 / theta_only_bound);
  }

  // The given splits at θ_fixed: a feasible point, and the rows tight there start the LP.
  std::vector<double> start(static_cast<std::size_t>(lp.column_count()), 0.0);  // no shift
  start[static_cast<std::size_t>(theta)] = theta_fixed;
  for (std::uint32_t u = 0; u < n; ++u)
    if (y_column[u] >= 0) start[static_cast<std::size_t>(y_column[u])] = theta_fixed * given_items(u);
  const sparse_lp::solution s = lp.maximize_first_column(n, start);
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
    const std::uint32_t l = grouped[j];
    const std::uint32_t consumer = links[l].consumer.value();
    const double consumer_items = y_column[consumer] >= 0 ? s.x[static_cast<std::size_t>(y_column[consumer])]
                                                          : theta_star * given_items(consumer);
    const double shift = s.x[static_cast<std::size_t>(more_column[l])] - s.x[static_cast<std::size_t>(less_column[l])];
    // f_l ≥ 0 holds to CLP's tolerance; a rounding below 0 is reported as 0.
    split.flow = std::max(0.0, link_numbers[l].requests * consumer_items + shift);
    if (consumer_items > 0) split.optimal_requests = split.flow / consumer_items;
  }
  return r;
}

}  // namespace servicechain

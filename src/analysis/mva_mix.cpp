// mix_bottlenecks: which stations can be the bottleneck for some mix of classes.
//
// Station k carries load L_k(β) = Σ_c β_c·D_ck per unit of throughput at mix β (β in the
// simplex), so the bottleneck is the upper envelope of K linear functions. The stations
// on the envelope are those of Balbo & Serazzi, "Asymptotic analysis of multiclass
// closed queueing networks: multiple bottlenecks", Performance Evaluation 30(3), 1997.
// Two classes: the envelope of K lines on [0, 1], exactly. More classes: one LP per
// station (COIN-OR CLP), maximize its lead t over every other station.

#include <fmt/format.h>
#include <coin/ClpSimplex.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "servicechain/analysis/mva.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

using matrix = std::vector<std::vector<double>>;

void validate(const matrix& demand) {
  if (demand.empty() || demand[0].empty())
    throw error("servicechain.invalid_argument",
                "mix_bottlenecks: demand has no class or no station, but needs at least one of each");
  const std::size_t stations = demand[0].size();
  for (std::size_t c = 0; c < demand.size(); ++c) {
    if (demand[c].size() != stations)
      throw error(
          "servicechain.invalid_argument",
          fmt::format("mix_bottlenecks: demand[{}] (class {}) has {} entries, but must have {} (one per station)", c, c,
                      demand[c].size(), stations));
    for (std::size_t k = 0; k < stations; ++k)
      if (!(std::isfinite(demand[c][k]) && demand[c][k] >= 0))
        throw error("servicechain.invalid_argument",
                    fmt::format("mix_bottlenecks: class {}, station {}: demand = {}, but must be finite and >= 0", c, k,
                                demand[c][k]));
  }
}

double load(const matrix& demand, const std::vector<double>& mix, std::size_t k) {
  double sum = 0;
  for (std::size_t c = 0; c < demand.size(); ++c) sum += mix[c] * demand[c][k];
  return sum;
}

// Lead of station k over its runner-up at `mix` (its own load when it is alone).
double lead(const matrix& demand, const std::vector<double>& mix, std::size_t k) {
  double runner_up = -std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < demand[0].size(); ++j)
    if (j != k) runner_up = std::max(runner_up, load(demand, mix, j));
  const double own = load(demand, mix, k);
  return std::isfinite(runner_up) ? own - runner_up : own;
}

// Ties are judged relative to the largest demand: rounding of Σ β·D is about that size.
double tie_tolerance(const matrix& demand) {
  double scale = 0;
  for (const auto& row : demand)
    for (const double d : row) scale = std::max(scale, d);
  return 1e-12 * std::max(scale, std::numeric_limits<double>::min());
}

void add_station(mix_bottleneck_result& r, const matrix& demand, std::size_t k, std::vector<double> mix) {
  r.margin.push_back(lead(demand, mix, k));
  r.stations.push_back(k);
  r.witness_mix.push_back(std::move(mix));
}

// Two classes: walk the upper envelope of y_k(β) = D_1k + β·(D_0k − D_1k) from β = 0,
// each time jumping to the line that overtakes the current one first.
void two_classes(const matrix& demand, double tolerance, mix_bottleneck_result& r) {
  const std::size_t stations = demand[0].size();
  const auto at = [&](std::size_t k, double beta) { return demand[1][k] + beta * (demand[0][k] - demand[1][k]); };
  const auto slope = [&](std::size_t k) { return demand[0][k] - demand[1][k]; };
  const auto better = [&](std::size_t a, std::size_t b, double beta) {  // a above b just right of beta
    const double ya = at(a, beta), yb = at(b, beta);
    return ya > yb || (ya == yb && slope(a) > slope(b));
  };
  std::size_t current = 0;
  for (std::size_t k = 1; k < stations; ++k)
    if (better(k, current, 0.0)) current = k;
  double from = 0;
  std::vector<mix_interval> pieces;
  while (true) {
    double cross_at = std::numeric_limits<double>::infinity();
    std::size_t next = current;
    for (std::size_t k = 0; k < stations; ++k) {
      if (slope(k) <= slope(current)) continue;
      const double cross = std::max(from, (demand[1][current] - demand[1][k]) / (slope(k) - slope(current)));
      if (cross < cross_at || (cross == cross_at && slope(k) > slope(next))) {
        cross_at = cross;
        next = k;
      }
    }
    if (next == current || cross_at >= 1) {
      pieces.push_back({current, from, 1.0});
      break;
    }
    pieces.push_back({current, from, cross_at});
    from = cross_at;
    current = next;
  }
  for (const auto& piece : pieces) {
    const double mid = 0.5 * (piece.low + piece.high);
    const std::vector<double> mix{mid, 1 - mid};
    if (piece.high > piece.low && lead(demand, mix, piece.station) > tolerance) {
      if (std::find(r.stations.begin(), r.stations.end(), piece.station) == r.stations.end())
        add_station(r, demand, piece.station, mix);
      r.intervals.push_back(piece);
    }
  }
}

// Three or more classes: max t s.t. Σ_c β_c(D_ck − D_cj) − t ≥ 0 (j ≠ k), Σ_c β_c = 1, β ≥ 0.
// Returns t* and the optimal β in `mix`.
double best_lead(const matrix& demand, std::size_t k, std::vector<double>& mix) {
  const std::size_t classes = demand.size();
  const std::size_t stations = demand[0].size();
  const int rows = static_cast<int>(stations);  // stations − 1 leads + the simplex row
  const int columns = static_cast<int>(classes) + 1;
  std::vector<CoinBigIndex> start{0};
  std::vector<int> index;
  std::vector<double> value;
  for (std::size_t c = 0; c <= classes; ++c) {
    int row = 0;
    for (std::size_t j = 0; j < stations; ++j) {
      if (j == k) continue;
      index.push_back(row++);
      value.push_back(c < classes ? demand[c][k] - demand[c][j] : -1.0);
    }
    if (c < classes) {
      index.push_back(row);
      value.push_back(1.0);
    }
    start.push_back(static_cast<CoinBigIndex>(index.size()));
  }
  const double inf = COIN_DBL_MAX;
  std::vector<double> column_low(classes, 0.0), column_high(classes, 1.0), objective(classes, 0.0);
  column_low.push_back(-inf);
  column_high.push_back(inf);
  objective.push_back(1.0);
  std::vector<double> row_low(stations - 1, 0.0), row_high(stations - 1, inf);
  row_low.push_back(1.0);
  row_high.push_back(1.0);

  ClpSimplex model;
  model.setLogLevel(0);
  model.loadProblem(columns, rows, start.data(), index.data(), value.data(), column_low.data(), column_high.data(),
                    objective.data(), row_low.data(), row_high.data());
  model.setOptimizationDirection(-1);  // maximize
  model.initialSolve();
  if (model.status() != 0)
    throw solver_error(
        fmt::format("mix_bottlenecks: CLP status {} (not optimal) for the LP of station {}", model.status(), k));
  const double* solution = model.primalColumnSolution();
  mix.assign(classes, 0.0);
  double sum = 0;
  for (std::size_t c = 0; c < classes; ++c) sum += mix[c] = std::max(solution[c], 0.0);
  for (auto& share : mix) share /= sum;
  return model.objectiveValue();
}

void many_classes(const matrix& demand, double tolerance, mix_bottleneck_result& r) {
  for (std::size_t k = 0; k < demand[0].size(); ++k) {
    std::vector<double> mix;
    const double t = best_lead(demand, k, mix);
    if (t > tolerance && lead(demand, mix, k) > 0)
      add_station(r, demand, k, mix);
    else if (t >= -tolerance)
      r.tied_only.push_back(k);
  }
}

// Stations that are not strict bottlenecks but touch the envelope somewhere: for two
// classes the envelope is piecewise linear, so checking its breakpoints suffices.
void ties_on_envelope(const matrix& demand, double tolerance, mix_bottleneck_result& r) {
  std::vector<double> points{0.0, 1.0};
  for (const auto& piece : r.intervals) points.push_back(piece.low);
  for (std::size_t k = 0; k < demand[0].size(); ++k) {
    if (std::find(r.stations.begin(), r.stations.end(), k) != r.stations.end()) continue;
    for (const double beta : points) {
      const std::vector<double> mix{beta, 1 - beta};
      if (lead(demand, mix, k) >= -tolerance) {
        r.tied_only.push_back(k);
        break;
      }
    }
  }
}

}  // namespace

mix_bottleneck_result mix_bottlenecks(const matrix& demand) {
  validate(demand);
  const double tolerance = tie_tolerance(demand);
  mix_bottleneck_result r;
  if (demand[0].size() == 1) {
    // One station is the bottleneck of every mix; its "lead" is its own load.
    add_station(r, demand, 0, std::vector<double>(demand.size(), 1.0 / static_cast<double>(demand.size())));
    if (demand.size() == 2) r.intervals.push_back({0, 0.0, 1.0});
    return r;
  }
  if (demand.size() == 1) {
    const std::vector<double> mix{1.0};
    for (std::size_t k = 0; k < demand[0].size(); ++k) {
      const double l = lead(demand, mix, k);
      if (l > tolerance || demand[0].size() == 1)
        add_station(r, demand, k, mix);
      else if (l >= -tolerance)
        r.tied_only.push_back(k);
    }
  } else if (demand.size() == 2) {
    two_classes(demand, tolerance, r);
    ties_on_envelope(demand, tolerance, r);
  } else {
    many_classes(demand, tolerance, r);
  }
  // Ascending stations, witnesses and margins in the same order.
  std::vector<std::size_t> order(r.stations.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return r.stations[a] < r.stations[b]; });
  mix_bottleneck_result sorted;
  for (const auto i : order) {
    sorted.stations.push_back(r.stations[i]);
    sorted.witness_mix.push_back(r.witness_mix[i]);
    sorted.margin.push_back(r.margin[i]);
  }
  sorted.tied_only = r.tied_only;
  std::sort(sorted.tied_only.begin(), sorted.tied_only.end());
  sorted.intervals = r.intervals;
  return sorted;
}

}  // namespace servicechain

// Approximate multiclass MVA: Schweitzer–Bard and Linearizer. Sources in
// include/servicechain/analysis/mva.hpp.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "analysis/mva_internal.hpp"
#include "servicechain/error.hpp"

namespace servicechain::detail {

namespace {

using matrix = std::vector<std::vector<double>>;

// One population of the fixed point: populations n (some may be 0), queue lengths Q
// (in/out), and the extra term `shift[i][k]` = Σ_c (n_c − δ_ci)·F_cik that Linearizer
// adds to the estimate of Q_k(n − e_i); zero for Schweitzer–Bard.
struct fixed_point {
  const closed_network& net;
  std::vector<double> n;
  matrix queue;
  matrix residence;
  std::vector<double> throughput;
};

// Iterates R_ik = D_ik(1 + Σ_c Q_ck(n − e_i)), X_i = n_i/(Z_i + Σ_k R_ik), Q_ik = X_i R_ik
// with Q_ck(n − e_i) ≈ (n_c − δ_ci)·Q_ck(n)/n_c + shift: Σ over c of the first term is
// Σ_c Q_ck − Q_ik/n_i. Returns the sweeps used; throws if `max_iterations` is reached.
int iterate(fixed_point& fp, const matrix* shift, const mva_options& options, const char* name) {
  const auto& net = fp.net;
  const std::size_t classes = fp.n.size();
  const std::size_t stations = net.stations.size();
  std::vector<double> total(stations);
  for (int sweep = 1; sweep <= options.max_iterations; ++sweep) {
    std::fill(total.begin(), total.end(), 0.0);
    for (std::size_t c = 0; c < classes; ++c)
      for (std::size_t k = 0; k < stations; ++k) total[k] += fp.queue[c][k];
    double change = 0;
    for (std::size_t i = 0; i < classes; ++i) {
      if (fp.n[i] == 0) continue;
      double cycle = net.think_time[i];
      for (std::size_t k = 0; k < stations; ++k) {
        const double d = net.demand[i][k];
        if (net.stations[k].kind == mva_station_kind::delay) {
          fp.residence[i][k] = d;
        } else {
          double seen = total[k] - fp.queue[i][k] / fp.n[i];
          if (shift != nullptr) seen += (*shift)[i][k];
          fp.residence[i][k] = d * (1 + std::max(seen, 0.0));
        }
        cycle += fp.residence[i][k];
      }
      fp.throughput[i] = fp.n[i] / cycle;
      for (std::size_t k = 0; k < stations; ++k) {
        const double q = fp.throughput[i] * fp.residence[i][k];
        change = std::max(change, std::abs(q - fp.queue[i][k]) / fp.n[i]);
        fp.queue[i][k] = q;
      }
    }
    if (change <= options.tolerance) return sweep;
  }
  throw solver_error(fmt::format("{}: no convergence after {} sweeps (tolerance {:g}); raise max_iterations", name,
                                 options.max_iterations, options.tolerance));
}

fixed_point start(const closed_network& net, std::vector<double> n) {
  const std::size_t classes = n.size();
  const std::size_t stations = net.stations.size();
  fixed_point fp{net, std::move(n), matrix(classes, std::vector<double>(stations, 0.0)),
                 matrix(classes, std::vector<double>(stations, 0.0)), std::vector<double>(classes, 0.0)};
  for (std::size_t c = 0; c < classes; ++c)
    for (std::size_t k = 0; k < stations; ++k) fp.queue[c][k] = fp.n[c] / static_cast<double>(stations);
  return fp;
}

closed_solution to_solution(const fixed_point& fp, std::string method, int iterations) {
  closed_solution s;
  s.throughput = fp.throughput;
  s.residence = fp.residence;
  s.queue = fp.queue;
  s.method = std::move(method);
  s.iterations = iterations;
  return s;
}

std::vector<double> populations(const closed_network& net) {
  std::vector<double> n;
  for (const auto p : net.population) n.push_back(static_cast<double>(p));
  return n;
}

}  // namespace

closed_solution schweitzer_bard(const closed_network& net, const mva_options& options) {
  auto fp = start(net, populations(net));
  const int sweeps = iterate(fp, nullptr, options, "Schweitzer-Bard MVA");
  return to_solution(fp, "Schweitzer-Bard", sweeps);
}

// Chandy & Neuse (1982): F_cjk = Q_ck(N − e_j)/(N − e_j)_c − Q_ck(N)/N_c, estimated from the
// core solutions at N − e_j and N and then held fixed in the core at N; three rounds.
closed_solution linearizer(const closed_network& net, const mva_options& options) {
  const std::size_t classes = net.population.size();
  const std::size_t stations = net.stations.size();
  const auto full = populations(net);
  // deviation[c][j][k] = F_cjk.
  std::vector<matrix> deviation(classes, matrix(classes, std::vector<double>(stations, 0.0)));
  const auto shift_for = [&](const std::vector<double>& n) {
    matrix shift(classes, std::vector<double>(stations, 0.0));
    for (std::size_t i = 0; i < classes; ++i)
      for (std::size_t c = 0; c < classes; ++c) {
        const double weight = n[c] - (c == i ? 1.0 : 0.0);
        if (weight <= 0) continue;
        for (std::size_t k = 0; k < stations; ++k) shift[i][k] += weight * deviation[c][i][k];
      }
    return shift;
  };

  auto at_full = start(net, full);
  int sweeps = iterate(at_full, nullptr, options, "Linearizer core");
  for (int round = 0; round < 3; ++round) {
    // Every core at N − e_j uses the same F; F is updated only after all of them.
    std::vector<fixed_point> reduced;
    for (std::size_t j = 0; j < classes; ++j) {
      auto n = full;
      n[j] -= 1;
      fixed_point fp = start(net, n);
      for (std::size_t c = 0; c < classes; ++c)
        for (std::size_t k = 0; k < stations; ++k) fp.queue[c][k] = at_full.queue[c][k] * n[c] / full[c];
      const auto shift = shift_for(n);
      sweeps += iterate(fp, &shift, options, "Linearizer core");
      reduced.push_back(std::move(fp));
    }
    for (std::size_t j = 0; j < classes; ++j)
      for (std::size_t c = 0; c < classes; ++c)
        for (std::size_t k = 0; k < stations; ++k)
          deviation[c][j][k] =
              reduced[j].n[c] > 0 ? reduced[j].queue[c][k] / reduced[j].n[c] - at_full.queue[c][k] / full[c] : 0.0;
    const auto shift = shift_for(full);
    sweeps += iterate(at_full, &shift, options, "Linearizer core");
  }
  return to_solution(at_full, "Linearizer", sweeps);
}

}  // namespace servicechain::detail

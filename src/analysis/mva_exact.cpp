// Exact MVA: single class with the stable load-dependent recursion for multi-server
// stations, and multiclass over the population lattice. Formulas and sources are in
// include/servicechain/analysis/mva.hpp.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "analysis/mva_internal.hpp"

namespace servicechain::detail {

namespace {

using kind = mva_station_kind;

// One multi-server convolution stage of a complement chain: the normalized constant
// ĝ_S⊛l(n) = G_S⊛l(n)/G(n) of "stations so far plus station l", kept for the last W
// levels (a ring indexed by n mod W), and the geometric tail T(n) of its convolution.
struct ld_stage {
  std::size_t station = 0;
  std::vector<long double> history;
  long double tail = 0;
};

// p_k(0|n) = G_{−k}(n)/G(n) for every multi-server station k, from chains that add the
// stations one at a time to the network, each value divided by the full G(n).
//
// Why this shape: G_{−k}(n)/G(n) is a probability, so it needs no scaling; dividing by
// G(n) makes every stage value ≤ 1 (a subnetwork has fewer states, all weights ≥ 0);
// and the division turns each convolution step into "value at level n = value of the
// previous stage at n + X(n)·(non-negative terms of lower levels)" — Buzen's recursion
// with X(n) = G(n−1)/G(n) from the MVA. Long double: w_j below reaches c^c/c! ≈ e^c
// (servers up to ~10⁴) and the stage values may be far below the double range.
class complement_chains {
 public:
  complement_chains(const closed_network& net, const std::vector<std::size_t>& multi)
      : demand_(net.demand[0]), stations_(net.stations), multi_(multi) {
    std::int64_t max_servers = 1;
    for (const auto k : multi) max_servers = std::max(max_servers, net.stations[k].servers);
    window_ = static_cast<std::size_t>(max_servers) + 1;
    delay_total_ = net.think_time[0];
    for (std::size_t k = 0; k < stations_.size(); ++k) {
      if (stations_[k].kind == kind::delay) delay_total_ += demand_[k];
      const bool one_server =
          stations_[k].kind == kind::queueing || (stations_[k].kind == kind::multi_server && stations_[k].servers == 1);
      if (one_server && demand_[k] > 0) single_.push_back(k);
    }
    single_value_.assign(single_.size(), 1.0L);
    base_history_.assign(window_, 0.0L);
    base_history_[0] = 1;
    throughput_.assign(window_, 0.0L);
    for (const auto k : multi) {
      std::vector<ld_stage> chain;
      for (const auto l : multi) {
        if (l == k) continue;
        ld_stage stage{.station = l, .history = std::vector<long double>(window_, 0.0L)};
        stage.history[0] = 1;
        chain.push_back(std::move(stage));
      }
      chains_.push_back(std::move(chain));
    }
  }

  // Advances every chain to population n ≥ 1 given X(n); returns p_k(0|n) per entry of `multi`.
  void advance(std::int64_t n, double throughput, std::vector<double>& empty_probability) {
    const std::size_t slot = static_cast<std::size_t>(n) % window_;
    const long double x = throughput;
    throughput_[slot] = x;
    // Delay stations and think time: G_base(n) = Z^n/n!, so ĝ_base(n) = X(n)·(Z/n)·ĝ_base(n−1).
    base_value_ = x * (static_cast<long double>(delay_total_) / static_cast<long double>(n)) * base_value_;
    long double value = base_value_;
    // Buzen: G_{S+s}(n) = G_S(n) + D_s·G_{S+s}(n−1), divided by G(n).
    for (std::size_t i = 0; i < single_.size(); ++i) {
      single_value_[i] = value + x * static_cast<long double>(demand_[single_[i]]) * single_value_[i];
      value = single_value_[i];
    }
    base_history_[slot] = value;
    for (std::size_t i = 0; i < chains_.size(); ++i) {
      const std::vector<long double>* input = &base_history_;
      for (auto& stage : chains_[i]) {
        stage.history[slot] = convolve(stage, *input, n, x);
        input = &stage.history;
      }
      empty_probability[i] = static_cast<double>((*input)[slot]);
    }
  }

 private:
  // ĝ_{S⊛l}(n) = ĝ_S(n) + X(n)·Σ_{j=1}^{c−1} w_j·ĝ_S(n−j) + T(n), with
  // w_j = f(j)·Π_{i=n−j+1}^{n−1} X(i), f(j) = D^j/j! (j ≤ c), and the tail
  // T(n) = X(n)·(w_c·ĝ_S(n−c) + (D/c)·T(n−1)), since f(j+1) = f(j)·D/c beyond c.
  long double convolve(ld_stage& stage, const std::vector<long double>& input, std::int64_t n, long double x) {
    const auto c = stations_[stage.station].servers;
    const long double d = demand_[stage.station];
    const std::size_t w = window_;
    const std::size_t slot = static_cast<std::size_t>(n) % w;
    long double weight = d;  // w_1
    long double head = 0;
    const std::int64_t last = std::min<std::int64_t>(c - 1, n);
    for (std::int64_t j = 1; j <= last; ++j) {
      head += weight * input[(slot + w - static_cast<std::size_t>(j)) % w];
      weight *= d * throughput_[(slot + w - static_cast<std::size_t>(j)) % w] / static_cast<long double>(j + 1);
    }
    long double tail_term = d / static_cast<long double>(c) * stage.tail;
    if (n >= c) tail_term += weight * input[(slot + w - static_cast<std::size_t>(c)) % w];
    stage.tail = x * tail_term;
    return input[slot] + x * head + stage.tail;
  }

  const std::vector<double>& demand_;
  const std::vector<mva_station>& stations_;
  std::vector<std::size_t> multi_;
  std::vector<std::size_t> single_;
  std::size_t window_ = 1;
  double delay_total_ = 0;
  long double base_value_ = 1;
  std::vector<long double> single_value_;
  std::vector<long double> base_history_;
  std::vector<long double> throughput_;
  std::vector<std::vector<ld_stage>> chains_;
};

// Residence time at a multi-server station (Bolch et al. 2006, §8.2.1):
// R(n) = (D/c)·(1 + Q(n−1) + Σ_{j=0}^{c−2} (c−1−j)·p(j|n−1)).
double multi_server_residence(double d, std::int64_t servers, double queue, const std::vector<double>& marginal) {
  double idle = 0;
  for (std::int64_t j = 0; j + 2 <= servers; ++j)
    idle += static_cast<double>(servers - 1 - j) * marginal[static_cast<std::size_t>(j)];
  return d / static_cast<double>(servers) * (1 + queue + idle);
}

// p(j|n) = X(n)·D/j · p(j−1|n−1) for 1 ≤ j < c (exact), p(0|n) from the chains.
void update_marginal(std::vector<double>& marginal, double x, double d, double empty) {
  for (std::size_t j = marginal.size() - 1; j >= 1; --j) marginal[j] = x * d / static_cast<double>(j) * marginal[j - 1];
  marginal[0] = empty;
}

}  // namespace

closed_solution exact_single_class(const closed_network& net) {
  const std::size_t stations = net.stations.size();
  const auto& d = net.demand[0];
  const std::int64_t population = net.population[0];
  const double think = net.think_time[0];

  std::vector<std::size_t> multi;
  for (std::size_t k = 0; k < stations; ++k)
    if (net.stations[k].kind == kind::multi_server && net.stations[k].servers > 1 && d[k] > 0) multi.push_back(k);
  std::vector<std::vector<double>> marginal;
  for (const auto k : multi) {
    marginal.emplace_back(static_cast<std::size_t>(net.stations[k].servers), 0.0);
    marginal.back()[0] = 1;  // p(0|0) = 1
  }
  std::vector<double> empty(multi.size(), 1.0);
  std::optional<complement_chains> chains;
  if (!multi.empty()) chains.emplace(net, multi);

  std::vector<double> queue(stations, 0.0), residence(stations, 0.0);
  std::vector<std::uint8_t> is_multi(stations, 0);
  for (const auto k : multi) is_multi[k] = 1;
  double x = 0;
  for (std::int64_t n = 1; n <= population; ++n) {
    double total = think;
    std::size_t m = 0;
    for (std::size_t k = 0; k < stations; ++k) {
      if (is_multi[k] != 0) {
        residence[k] = multi_server_residence(d[k], net.stations[k].servers, queue[k], marginal[m++]);
      } else if (net.stations[k].kind == kind::delay) {
        residence[k] = d[k];
      } else {  // one server (a multi-server station with c = 1 is one too)
        residence[k] = d[k] * (1 + queue[k]);
      }
      total += residence[k];
    }
    x = static_cast<double>(n) / total;
    for (std::size_t k = 0; k < stations; ++k) queue[k] = x * residence[k];
    if (chains) {
      chains->advance(n, x, empty);
      for (std::size_t i = 0; i < multi.size(); ++i) update_marginal(marginal[i], x, d[multi[i]], empty[i]);
    }
  }
  closed_solution s;
  s.throughput = {x};
  s.residence = {residence};
  s.queue = {queue};
  s.method = multi.empty() ? "exact MVA" : "exact load-dependent MVA";
  return s;
}

closed_solution exact_multiclass(const closed_network& net) {
  const std::size_t classes = net.population.size();
  const std::size_t stations = net.stations.size();
  // Mixed radix over the lattice; the class of largest population varies slowest, so
  // the window back to n − e_c for every c (its stride) is as short as it can be.
  std::vector<std::size_t> order(classes);
  for (std::size_t c = 0; c < classes; ++c) order[c] = c;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return net.population[a] < net.population[b]; });
  std::vector<std::size_t> stride(classes);
  std::size_t points = 1;
  for (const auto c : order) {
    stride[c] = points;
    points *= static_cast<std::size_t>(net.population[c]) + 1;
  }
  const std::size_t window = stride[order.back()] + 1;
  std::vector<double> total_queue(window * stations, 0.0);  // Σ_c Q_ck at a lattice point
  std::vector<std::int64_t> n(classes, 0);
  std::vector<double> x(classes, 0.0);
  std::vector<std::vector<double>> residence(classes, std::vector<double>(stations, 0.0));

  for (std::size_t index = 1; index < points; ++index) {
    for (const auto c : order) {  // increment the mixed-radix counter
      if (n[c] < net.population[c]) {
        ++n[c];
        break;
      }
      n[c] = 0;
    }
    double* here = &total_queue[(index % window) * stations];
    std::fill(here, here + stations, 0.0);
    for (std::size_t c = 0; c < classes; ++c) {
      if (n[c] == 0) {
        x[c] = 0;
        continue;
      }
      const double* before = &total_queue[((index - stride[c]) % window) * stations];
      double total = net.think_time[c];
      for (std::size_t k = 0; k < stations; ++k) {
        const double dk = net.demand[c][k];
        residence[c][k] = net.stations[k].kind == kind::delay ? dk : dk * (1 + before[k]);
        total += residence[c][k];
      }
      x[c] = static_cast<double>(n[c]) / total;
      for (std::size_t k = 0; k < stations; ++k) here[k] += x[c] * residence[c][k];
    }
  }
  closed_solution s;
  s.throughput = x;
  s.residence = residence;
  s.queue.assign(classes, std::vector<double>(stations, 0.0));
  for (std::size_t c = 0; c < classes; ++c)
    for (std::size_t k = 0; k < stations; ++k) s.queue[c][k] = x[c] * residence[c][k];
  s.method = "exact MVA";
  return s;
}

}  // namespace servicechain::detail

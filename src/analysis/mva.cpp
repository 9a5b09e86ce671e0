// solve_mva: open classes, Seidmann's split of multi-server stations, the choice of the
// closed solver, async demand, and the assembly of the result. Sources in
// include/servicechain/analysis/mva.hpp.

#include "servicechain/analysis/mva.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "analysis/mva_internal.hpp"
#include "servicechain/analysis/queueing.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

using detail::closed_network;
using detail::closed_solution;
using matrix = std::vector<std::vector<double>>;
using kind = mva_station_kind;

bool is_multi(const mva_station& s) { return s.kind == kind::multi_server && s.servers > 1; }
double servers_of(const mva_station& s) { return s.kind == kind::multi_server ? static_cast<double>(s.servers) : 1.0; }
double async_of(const mva_input& in, std::size_t c, std::size_t k) {
  return in.async_demand.empty() ? 0.0 : in.async_demand[c][k];
}
std::int64_t population_of(const mva_input& in, std::size_t c) {
  return detail::is_open_class(in, c) || in.population.empty() ? 0 : in.population[c];
}

// The closed classes solved once, with per-server utilization `busy[k]` of open work
// (open classes and async requests) inflating the queueing demands to D/(1 − busy).
struct closed_pass {
  closed_solution solution;         // original stations, classes as in `active`
  std::vector<double> queue_ahead;  // per station: closed requests an open arrival waits behind
  bool seidmann = false;
};

// Exact when the lattice allows; the exact single-class solver keeps multi-server
// stations exact when nothing open inflates them (the inflation of a load-dependent
// station has no exact counterpart).
closed_solution choose_solver(const closed_network& net, const mva_options& options) {
  double lattice = 1;
  std::int64_t largest = 0;
  for (const auto n : net.population) {
    lattice *= static_cast<double>(n) + 1;
    largest = std::max(largest, n);
  }
  // exact_multiclass keeps a window of (lattice/(N_max + 1) + 1) lattice points of K
  // doubles each; past 5·10⁷ doubles (400 MB) the approximation is used instead.
  const double window = (lattice / (static_cast<double>(largest) + 1) + 1) * static_cast<double>(net.stations.size());
  const bool fits = net.population.size() == 1 || window <= 5e7;
  if (lattice <= options.exact_lattice_limit && fits)
    return net.population.size() == 1 ? detail::exact_single_class(net) : detail::exact_multiclass(net);
  using approximation = mva_options::approximation;
  const double classes = static_cast<double>(net.population.size());
  const double cost = (classes + 1) * classes * static_cast<double>(net.stations.size());
  const bool use_linearizer =
      options.method == approximation::linearizer || (options.method == approximation::automatic && cost <= 1e6);
  return use_linearizer ? detail::linearizer(net, options) : detail::schweitzer_bard(net, options);
}

closed_pass solve_closed(const mva_input& in, const std::vector<std::size_t>& active, const std::vector<double>& busy,
                         const mva_options& options) {
  const std::size_t stations = in.stations.size();
  const bool inflated = std::any_of(busy.begin(), busy.end(), [](double u) { return u > 0; });
  const bool exact_multi = active.size() == 1 && !inflated &&
                           static_cast<double>(in.population[active[0]]) + 1 <= options.exact_lattice_limit;
  closed_pass pass;
  pass.seidmann = !exact_multi && std::any_of(in.stations.begin(), in.stations.end(), is_multi);

  // Seidmann: station k becomes a queueing part (D/c) at part[k] and a delay (D(c−1)/c) at part[k] + 1.
  closed_network net;
  std::vector<std::size_t> part(stations);
  bool multi_as_delay = false;
  for (std::size_t k = 0; k < stations; ++k) {
    part[k] = net.stations.size();
    const auto& s = in.stations[k];
    if (pass.seidmann && is_multi(s)) {
      net.stations.push_back({kind::queueing, 1});
      net.stations.push_back({kind::delay, 1});
    } else if (exact_multi && is_multi(s) && s.servers >= in.population[active[0]]) {
      // At least as many servers as requests in circulation: nobody ever queues, so the
      // station is exactly a delay; and the exact solver, whose arrays are sized by the
      // server count, must not be asked for 10^18 marginal probabilities.
      net.stations.push_back({kind::delay, 1});
      multi_as_delay = true;
    } else {
      net.stations.push_back(s.kind == kind::multi_server && s.servers == 1 ? mva_station{} : s);
    }
  }
  for (const auto c : active) {
    std::vector<double> row;
    for (std::size_t k = 0; k < stations; ++k) {
      const auto& s = in.stations[k];
      const double d = in.demand[c][k];
      const double stretch = s.kind == kind::delay ? 1.0 : 1.0 / (1.0 - busy[k]);
      if (pass.seidmann && is_multi(s)) {
        const double servers = static_cast<double>(s.servers);
        row.push_back(d / servers * stretch);
        row.push_back(d * (servers - 1) / servers);
      } else {
        row.push_back(d * stretch);
      }
    }
    net.demand.push_back(std::move(row));
    net.population.push_back(in.population[c]);
    net.think_time.push_back(in.think_time.empty() ? 0.0 : in.think_time[c]);
  }
  const auto split = choose_solver(net, options);

  // Back to the original stations.
  pass.solution.throughput = split.throughput;
  // Still the exact solution of the load-dependent stations (theirs is a delay's).
  pass.solution.method = multi_as_delay && split.method == "exact MVA" ? "exact load-dependent MVA" : split.method;
  pass.solution.iterations = split.iterations;
  pass.solution.residence.assign(active.size(), std::vector<double>(stations, 0.0));
  pass.solution.queue.assign(active.size(), std::vector<double>(stations, 0.0));
  pass.queue_ahead.assign(stations, 0.0);
  for (std::size_t i = 0; i < active.size(); ++i) {
    for (std::size_t k = 0; k < stations; ++k) {
      const std::size_t p = part[k];
      const bool two = pass.seidmann && is_multi(in.stations[k]);
      pass.solution.residence[i][k] = split.residence[i][p] + (two ? split.residence[i][p + 1] : 0.0);
      pass.solution.queue[i][k] = split.queue[i][p] + (two ? split.queue[i][p + 1] : 0.0);
      pass.queue_ahead[k] += split.queue[i][p];
    }
  }
  return pass;
}

// Per-server utilization of open work at each non-delay station: open classes' λ·(D + async D)
// plus, for closed classes, X_c·async D (async requests arrive like an open class).
std::vector<double> open_busy(const mva_input& in, const std::vector<std::size_t>& active,
                              const std::vector<double>& closed_x) {
  std::vector<double> busy(in.stations.size(), 0.0);
  for (std::size_t k = 0; k < in.stations.size(); ++k) {
    if (in.stations[k].kind == kind::delay) continue;
    double load = 0;
    for (std::size_t c = 0; c < in.demand.size(); ++c)
      if (detail::is_open_class(in, c)) load += *in.arrival_rate[c] * (in.demand[c][k] + async_of(in, c, k));
    for (std::size_t i = 0; i < active.size(); ++i) load += closed_x[i] * async_of(in, active[i], k);
    busy[k] = load / servers_of(in.stations[k]);
  }
  return busy;
}

void throw_if_saturated(const mva_input& in, const std::vector<double>& busy) {
  std::vector<saturated_unit> units;
  for (std::size_t k = 0; k < busy.size(); ++k) {
    if (busy[k] >= 1) {
      const double servers = servers_of(in.stations[k]);
      units.push_back(
          {.id = detail::station_id(in, k), .utilization = busy[k], .load = busy[k] * servers, .capacity = servers});
    }
  }
  if (!units.empty()) throw unstable_error(std::move(units));
}

// Time per request of open work (demand d) at station k: Lazowska et al. §7.4.4 at a
// queueing station; Seidmann's split at a multi-server station when closed classes are
// present, the exact M/M/c (Erlang C) sojourn when the network is open only.
double open_residence(const mva_input& in, std::size_t k, double d, double busy, double queue_ahead,
                      bool closed_present) {
  const auto& s = in.stations[k];
  if (s.kind == kind::delay || d == 0) return d;
  if (!is_multi(s)) return d * (1 + queue_ahead) / (1 - busy);
  const double c = static_cast<double>(s.servers);
  if (!closed_present) {
    const double offered = busy * c;
    return d * (1 + erlang_c(s.servers, offered) / (c - offered));
  }
  return d * (c - 1) / c + d / c * (1 + queue_ahead) / (1 - busy);
}

// Damped fixed point on the closed throughputs: async work at rate X_c loads the stations
// like an open class, which slows the closed classes, which lowers X_c.
closed_pass solve_with_async(const mva_input& in, const std::vector<std::size_t>& active, const mva_options& options,
                             std::vector<double>& busy, int& sweeps) {
  const std::vector<double> none(active.size(), 0.0);
  const auto open_only = open_busy(in, active, none);
  auto pass = solve_closed(in, active, open_only, options);
  std::vector<double> x = pass.solution.throughput;
  for (sweeps = 1; sweeps <= options.max_iterations; ++sweeps) {
    busy = open_busy(in, active, x);
    const double worst = *std::max_element(busy.begin(), busy.end());
    if (worst >= 1) {
      // Infeasible guess: shrink X until every station is below saturation.
      double scale = 1;
      for (std::size_t k = 0; k < busy.size(); ++k)
        if (busy[k] > open_only[k]) scale = std::min(scale, 0.999 * (1 - open_only[k]) / (busy[k] - open_only[k]));
      for (auto& v : x) v *= scale;
      continue;
    }
    pass = solve_closed(in, active, busy, options);
    double change = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double next = pass.solution.throughput[i];
      change = std::max(change, std::abs(next - x[i]) / std::max(next, 1e-300));
      x[i] = 0.5 * (x[i] + next);
    }
    if (change <= options.tolerance) {
      busy = open_busy(in, active, pass.solution.throughput);
      return pass;
    }
  }
  throw solver_error(
      fmt::format("solve_mva: the async-demand fixed point did not converge after {} sweeps "
                  "(tolerance {:g}); raise max_iterations",
                  options.max_iterations, options.tolerance));
}

mva_result empty_result(const mva_input& in) {
  const std::size_t classes = in.demand.size();
  const std::size_t stations = in.stations.size();
  mva_result r;
  r.throughput.assign(classes, 0.0);
  r.response_time.assign(classes, 0.0);
  r.residence_time.assign(classes, std::vector<double>(stations, 0.0));
  r.queue_length = r.residence_time;
  r.utilization = r.residence_time;
  r.async_queue_length = r.residence_time;
  return r;
}

void fill_class(const mva_input& in, mva_result& r, std::size_t c, double x, const std::vector<double>& busy,
                const std::vector<double>& queue_ahead, bool closed_present) {
  r.throughput[c] = x;
  for (std::size_t k = 0; k < in.stations.size(); ++k) {
    const double a = async_of(in, c, k);
    r.utilization[c][k] = x * (in.demand[c][k] + a) / servers_of(in.stations[k]);
    r.async_queue_length[c][k] = x * open_residence(in, k, a, busy[k], queue_ahead[k], closed_present);
  }
}

void check_finite(const mva_result& r) {
  const auto bad = [](double v) { return !std::isfinite(v); };
  bool ok = std::none_of(r.throughput.begin(), r.throughput.end(), bad) &&
            std::none_of(r.response_time.begin(), r.response_time.end(), bad);
  for (const auto* m : {&r.residence_time, &r.queue_length, &r.utilization, &r.async_queue_length})
    for (const auto& row : *m) ok = ok && std::none_of(row.begin(), row.end(), bad);
  if (!ok) throw solver_error(fmt::format("solve_mva ({}): a result is not finite", r.method));
}

}  // namespace

mva_result solve_mva(const mva_input& in, const mva_options& options) {
  detail::validate_mva_input(in);
  const std::size_t classes = in.demand.size();
  const std::size_t stations = in.stations.size();
  std::vector<std::size_t> active;
  bool any_open = false;
  bool any_async = false;
  for (std::size_t c = 0; c < classes; ++c) {
    any_open = any_open || detail::is_open_class(in, c);
    if (population_of(in, c) > 0) {
      active.push_back(c);
      for (std::size_t k = 0; k < stations; ++k) any_async = any_async || async_of(in, c, k) > 0;
    }
  }
  std::vector<double> busy = open_busy(in, active, std::vector<double>(active.size(), 0.0));
  throw_if_saturated(in, busy);

  mva_result r = empty_result(in);
  std::vector<double> queue_ahead(stations, 0.0);
  if (!active.empty()) {
    int sweeps = 0;
    closed_pass pass =
        any_async ? solve_with_async(in, active, options, busy, sweeps) : solve_closed(in, active, busy, options);
    queue_ahead = pass.queue_ahead;
    r.method = pass.solution.method;
    if (pass.seidmann) r.method += " with Seidmann's multi-server approximation";
    if (any_open) r.method = "mixed (open classes inflate demands) + " + r.method;
    if (any_async) r.method += " + async fixed point (approximate)";
    r.iterations = pass.solution.iterations + sweeps;
    for (std::size_t i = 0; i < active.size(); ++i) {
      const std::size_t c = active[i];
      fill_class(in, r, c, pass.solution.throughput[i], busy, queue_ahead, true);
      r.residence_time[c] = pass.solution.residence[i];
      r.queue_length[c] = pass.solution.queue[i];
    }
  } else {
    r.method = "open (product form; M/M/c at multi-server stations)";
  }
  for (std::size_t c = 0; c < classes; ++c) {
    if (!detail::is_open_class(in, c)) continue;
    const double lambda = *in.arrival_rate[c];
    fill_class(in, r, c, lambda, busy, queue_ahead, !active.empty());
    for (std::size_t k = 0; k < stations; ++k) {
      r.residence_time[c][k] = open_residence(in, k, in.demand[c][k], busy[k], queue_ahead[k], !active.empty());
      r.queue_length[c][k] = lambda * r.residence_time[c][k];
    }
  }
  for (std::size_t c = 0; c < classes; ++c)
    for (const double v : r.residence_time[c]) r.response_time[c] += v;
  check_finite(r);
  return r;
}

}  // namespace servicechain

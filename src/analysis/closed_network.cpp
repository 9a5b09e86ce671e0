// Closed and mixed classes on the service graph: the graph translated into the class ×
// station network of mva.hpp (rules in include/servicechain/analysis/closed_network.hpp),
// solved by the MVA core, and read back per unit and class.

#include "servicechain/analysis/closed_network.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "detail/services.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/propagation.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

using index_t = Eigen::Index;

// Per unit × class: busy-server time per request that the class waits for (`sync`) and
// in all (`total`), time units; their difference is the async work.
struct class_work {
  unit_matrix sync;
  unit_matrix total;
};

// `total`: every service of every link at the link's service time (the flows stage's
// `work_per_request`, or load × s_i when no link has a service time of its own).
unit_matrix total_work(const service_graph& g, const model_numbers& numbers, const load_result& flows) {
  if (flows.work_per_request.size() != 0) return flows.work_per_request;
  unit_matrix work = flows.load_per_request;
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) work.row(i) *= numbers.unit(unit_index{i}).service_time;
  return work;
}

// `sync`: the chain stage's lead-time weights, per link. z_jc are the items of j that c
// waits for (the kernel over sync links only) and a sync link i → j carries
// r_ij (1 + R^s_i + e_ij) services at i per waited-for item of j, each taking s_l; so
// D_ic = Σ_l κ_lc s_l, the same weights as `compute_chain` (chain.cpp) applies to sojourns.
class_work compute_work(const service_graph& g, const model_numbers& numbers, const load_result& flows) {
  const std::size_t n = g.unit_count();
  const std::size_t classes = g.class_count();
  class_work w;
  w.total = total_work(g, numbers, flows);
  std::vector<char> sync(g.link_count());
  bool all_sync = true;
  for (std::size_t l = 0; l < sync.size(); ++l) {
    sync[l] = g.links()[l].mode == link_mode::sync;
    all_sync = all_sync && sync[l];
  }
  if (all_sync) {  // every service is waited for: z = v, κ = load per request
    w.sync = w.total;
    return w;
  }
  const std::vector<double> sync_requests = detail::masked_requests(numbers, sync);
  unit_matrix rhs = unit_matrix::Zero(static_cast<index_t>(n), static_cast<index_t>(classes));
  for (std::size_t c = 0; c < classes; ++c) rhs(g.customers()[c].value(), static_cast<index_t>(c)) = 1.0;
  const unit_matrix z = propagate(g, numbers, direction::with_demand, std::move(rhs), sync_requests);
  w.sync = unit_matrix::Zero(static_cast<index_t>(n), static_cast<index_t>(classes));
  for (std::uint32_t i = 0; i < n; ++i) {
    const unit_index u{i};
    if (g.is_external(u) || g.out_links(u).empty()) continue;
    const double rechecks = detail::rechecks_per_item(g, numbers, u, sync);
    for (link_index l : g.out_links(u)) {
      if (!sync[l.value()]) continue;
      const auto& p = numbers.link(l);
      const double per_item = p.requests * (1.0 + rechecks + p.rejections) * numbers.service_time(l);
      if (per_item != 0.0) w.sync.row(i) += per_item * z.row(g.link(l).consumer.value());
    }
  }
  return w;
}

// Async work = all work − waited-for work; differences at the rounding level of the total
// are zero (so that a unit every class waits for gets no async demand from rounding).
double async_part(double total, double sync) {
  const double a = total - sync;
  return a > 1e-12 * total ? a : 0.0;
}

mva_station station_of(const unit_parameters& p) {
  if (p.unlimited_servers) return {mva_station_kind::delay, 1};
  const auto servers = static_cast<std::int64_t>(p.servers);
  if (servers == 1) return {mva_station_kind::queueing, 1};
  return {mva_station_kind::multi_server, servers};
}

bool class_active(const service_graph& g, const model_numbers& numbers, std::size_t c) {
  const auto& p = numbers.unit(g.customers()[c]);
  return p.open_class ? p.demand > 0 : p.population > 0;
}

// Why unit u is not exact under the product-form equations (empty: it is). Only links that
// do work for an active class count; unlimited-server and `shared` units are always exact.
std::string approximation_of(const service_graph& g, const model_numbers& numbers, const load_result& flows,
                             const std::vector<char>& active, unit_index u) {
  const auto& p = numbers.unit(u);
  if (p.unlimited_servers || p.queue_discipline == discipline::shared) return {};
  std::vector<link_index> loaded;
  for (link_index l : g.out_links(u)) {
    const auto consumer = g.link(l).consumer.value();
    for (std::size_t c = 0; c < active.size(); ++c) {
      if (active[c] && flows.link_services_per_item[l.value()] * flows.visits(consumer, static_cast<index_t>(c)) > 0) {
        loaded.push_back(l);
        break;
      }
    }
  }
  if (loaded.empty()) return {};
  std::vector<std::string> reasons;

  // Priority levels in use, grouped as the stations stage groups them (stations.cpp).
  std::size_t levels = 1;
  if (p.queue_discipline == discipline::external_first || p.queue_discipline == discipline::internal_first) {
    bool kinds[2] = {false, false};
    for (link_index l : loaded) kinds[g.is_external(g.link(l).consumer) ? 1 : 0] = true;
    levels = (kinds[0] ? 1 : 0) + (kinds[1] ? 1 : 0);
  } else if (p.queue_discipline == discipline::priority) {
    std::vector<std::int64_t> priorities;
    for (link_index l : loaded) priorities.push_back(numbers.link(l).priority);
    std::sort(priorities.begin(), priorities.end());
    levels = static_cast<std::size_t>(std::unique(priorities.begin(), priorities.end()) - priorities.begin());
  }
  if (levels > 1)
    reasons.push_back(
        fmt::format("{} discipline with {} priority levels in use", to_string(p.queue_discipline), levels));

  double s_low = std::numeric_limits<double>::infinity(), s_high = 0;
  double scv_low = std::numeric_limits<double>::infinity(), scv_high = 0;
  for (link_index l : loaded) {
    s_low = std::min(s_low, numbers.service_time(l));
    s_high = std::max(s_high, numbers.service_time(l));
    scv_low = std::min(scv_low, numbers.service_scv(l));
    scv_high = std::max(scv_high, numbers.service_scv(l));
  }
  if (s_high - s_low > 1e-12 * s_high)
    reasons.push_back(fmt::format("per-link mean service times from {:g} to {:g}", s_low, s_high));
  if (scv_low == scv_high && scv_low != 1.0)
    reasons.push_back(fmt::format("service SCV {:g} (not 1)", scv_low));
  else if (scv_low != scv_high)
    reasons.push_back(fmt::format("service SCVs from {:g} to {:g} (not all 1)", scv_low, scv_high));
  if (reasons.empty()) return {};

  std::string text = fmt::format("unit '{}': ", g.id(u));
  for (std::size_t k = 0; k < reasons.size(); ++k) {
    if (k > 0) text += ", ";
    text += reasons[k];
  }
  text +=
      "; analysed with the FIFO/shared (product-form) mean-value equations, each service exponential with its "
      "link's mean";
  return text;
}

// Open work (with its async part) at ρ ≥ 1: named by unit id, with the load in services
// per time unit and the capacity load/ρ at the unit's mix of service times.
void throw_if_open_saturates(const service_graph& g, const load_result& flows, const mva_input& in,
                             const std::vector<unit_index>& units) {
  std::vector<saturated_unit> saturated;
  for (std::size_t k = 0; k < units.size(); ++k) {
    if (in.stations[k].kind == mva_station_kind::delay) continue;
    double busy = 0, load = 0;
    for (std::size_t c = 0; c < in.demand.size(); ++c) {
      if (!in.arrival_rate[c]) continue;
      const double lambda = *in.arrival_rate[c];
      const double async = in.async_demand.empty() ? 0.0 : in.async_demand[c][k];
      busy += lambda * (in.demand[c][k] + async);
      load += lambda * flows.load_per_request(units[k].value(), static_cast<index_t>(c));
    }
    busy /= static_cast<double>(in.stations[k].servers);
    if (busy >= 1)
      saturated.push_back({.id = g.id(units[k]), .utilization = busy, .load = load, .capacity = load / busy});
  }
  if (!saturated.empty()) throw unstable_error(std::move(saturated));
}

// A closed class with no think time and nothing it waits for would cycle infinitely fast.
void throw_if_no_cycle_time(const service_graph& g, const mva_input& in) {
  std::vector<diagnostic> problems;
  for (std::size_t c = 0; c < in.demand.size(); ++c) {
    if (in.arrival_rate[c] || in.population[c] == 0 || in.think_time[c] > 0) continue;
    double cycle = 0;
    for (const double d : in.demand[c]) cycle += d;
    if (cycle > 0) continue;
    const unit_index u = g.customers()[c];
    problems.push_back({fmt::format("unit '{}' (/units/{})", g.id(u), u.value()),
                        fmt::format("population = {} with think_time = 0 and no work it waits for, but a closed class "
                                    "needs a positive think time or some sync provider (its throughput would be "
                                    "infinite)",
                                    in.population[c])});
  }
  if (!problems.empty()) throw invalid_model_error(std::move(problems));
}

// The bounds' network: async work becomes open classes (an open class's at its arrival
// rate, a closed class's at the throughput the MVA found), appended after the classes.
mva_input bounds_network(const mva_input& in, const mva_result& solved) {
  mva_input b = in;
  b.async_demand.clear();
  if (in.async_demand.empty()) return b;
  for (std::size_t c = 0; c < in.demand.size(); ++c) {
    const auto& row = in.async_demand[c];
    if (std::none_of(row.begin(), row.end(), [](double a) { return a > 0; })) continue;
    b.demand.push_back(row);
    b.population.push_back(0);
    b.think_time.push_back(0.0);
    b.arrival_rate.emplace_back(in.arrival_rate[c] ? *in.arrival_rate[c] : solved.throughput[c]);
  }
  return b;
}

// The network of the graph: stations (units with work) and per-class demands.
struct translation {
  mva_input input;
  std::vector<unit_index> units;  // per station
};

translation translate(const service_graph& g, const model_numbers& numbers, const load_result& flows,
                      const class_work& work) {
  const std::size_t classes = g.class_count();
  translation t;
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    if (g.is_external(u) || classes == 0 || flows.load_per_request.row(i).maxCoeff() <= 0) continue;
    t.units.push_back(u);
    t.input.stations.push_back(station_of(numbers.unit(u)));
    t.input.station_names.push_back(g.id(u));
  }
  const std::size_t stations = t.units.size();
  t.input.demand.assign(classes, std::vector<double>(stations, 0.0));
  std::vector<std::vector<double>> async(classes, std::vector<double>(stations, 0.0));
  bool any_async = false;
  for (std::size_t c = 0; c < classes; ++c) {
    const auto col = static_cast<index_t>(c);
    for (std::size_t k = 0; k < stations; ++k) {
      const auto row = static_cast<index_t>(t.units[k].value());
      t.input.demand[c][k] = work.sync(row, col);
      async[c][k] = async_part(work.total(row, col), work.sync(row, col));
      any_async = any_async || async[c][k] > 0;
    }
    const auto& p = numbers.unit(g.customers()[c]);
    t.input.population.push_back(p.open_class ? 0 : p.population);
    t.input.think_time.push_back(p.open_class ? 0.0 : p.think_time);
    t.input.arrival_rate.push_back(p.open_class ? std::optional<double>(p.demand) : std::nullopt);
  }
  if (any_async) t.input.async_demand = std::move(async);
  return t;
}

}  // namespace

bool has_closed_classes(const service_graph& g, const model_numbers& numbers) {
  return std::any_of(g.customers().begin(), g.customers().end(),
                     [&](unit_index u) { return !numbers.unit(u).open_class; });
}

closed_result analyze_closed(const service_graph& g, const model_numbers& numbers, const closed_options& options) {
  const std::size_t n = g.unit_count();
  const std::size_t classes = g.class_count();
  const load_result flows = compute_load(g, numbers);
  const class_work work = compute_work(g, numbers, flows);
  translation t = translate(g, numbers, flows, work);
  const mva_input& in = t.input;
  throw_if_no_cycle_time(g, in);
  throw_if_open_saturates(g, flows, in, t.units);

  closed_result r;
  r.directory = g.directory();
  r.customers.resize(classes);
  for (auto* m : {&r.residence_, &r.queue_, &r.async_queue_, &r.utilization_, &r.busy_}) m->assign(n * classes, 0.0);
  if (classes == 0) {
    r.method = "no customers";
    return r;
  }

  const mva_result solved = solve_mva(in, options.mva);
  const mva_bounds bounds = compute_bounds(bounds_network(in, solved));

  std::vector<char> active(classes);
  for (std::size_t c = 0; c < classes; ++c) active[c] = class_active(g, numbers, c) ? 1 : 0;
  for (const unit_index u : t.units) {
    std::string why = approximation_of(g, numbers, flows, active, u);
    if (!why.empty()) r.approximations.push_back(std::move(why));
  }
  r.method = solved.method;
  if (!r.approximations.empty())
    r.method += fmt::format("; product-form approximation at {} unit{} (see approximations)", r.approximations.size(),
                            r.approximations.size() == 1 ? "" : "s");
  r.iterations = solved.iterations;

  for (std::size_t c = 0; c < classes; ++c) {
    auto& cc = r.customers[c];
    const auto& p = numbers.unit(g.customers()[c]);
    cc.customer = g.customers()[c];
    cc.closed = !p.open_class;
    cc.population = cc.closed ? p.population : 0;
    cc.think_time = cc.closed ? p.think_time : 0.0;
    cc.throughput = solved.throughput[c];
    cc.lead_time = solved.response_time[c];
    double capacity = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < t.units.size(); ++k) {
      if (in.stations[k].kind == mva_station_kind::delay) continue;
      const double d = in.demand[c][k] + (in.async_demand.empty() ? 0.0 : in.async_demand[c][k]);
      if (d > 0) capacity = std::min(capacity, static_cast<double>(in.stations[k].servers) / d);
    }
    cc.max_throughput = std::isfinite(capacity) ? capacity : 0.0;
    cc.lead_time_bounds = bounds.response_time[c];
    if (cc.closed) {
      cc.throughput_bounds = bounds.throughput[c];
      cc.knee_population = bounds.knee_population[c];
    } else {
      cc.throughput_bounds = {0.0, capacity};  // +∞ only when no unit with finite servers
    }
  }

  for (std::size_t k = 0; k < t.units.size(); ++k) {
    const bool delay = in.stations[k].kind == mva_station_kind::delay;
    const double servers = delay ? 1.0 : static_cast<double>(in.stations[k].servers);
    for (std::size_t c = 0; c < classes; ++c) {
      const std::size_t at = t.units[k].value() * classes + c;
      r.residence_[at] = solved.residence_time[c][k];
      r.queue_[at] = solved.queue_length[c][k];
      r.async_queue_[at] = solved.async_queue_length[c][k];
      r.busy_[at] = solved.utilization[c][k] * servers;
      r.utilization_[at] = delay ? 0.0 : solved.utilization[c][k];
    }
  }
  r.station_units = std::move(t.units);
  r.network = std::move(t.input);
  return r;
}

closed_result analyze_closed(const service_graph& g, const closed_options& options) {
  return analyze_closed(g, g.numbers(), options);
}

std::vector<mix_bottleneck_unit> mix_bottlenecks(const service_graph& g, const model_numbers& numbers) {
  const std::size_t classes = g.class_count();
  if (classes == 0) return {};
  const load_result flows = compute_load(g, numbers);
  const unit_matrix work = total_work(g, numbers, flows);
  std::vector<unit_index> units;
  std::vector<std::vector<double>> demand(classes);
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const unit_index u{i};
    const auto& p = numbers.unit(u);
    if (g.is_external(u) || p.unlimited_servers || work.row(i).maxCoeff() <= 0) continue;
    units.push_back(u);
    for (std::size_t c = 0; c < classes; ++c) demand[c].push_back(work(i, static_cast<index_t>(c)) / p.servers);
  }
  if (units.empty()) return {};
  const mix_bottleneck_result core = mix_bottlenecks(demand);

  std::vector<mix_bottleneck_unit> out;
  const auto strict_entry = [&](std::size_t station) {
    const auto pos = static_cast<std::size_t>(std::find(core.stations.begin(), core.stations.end(), station) -
                                              core.stations.begin());
    return mix_bottleneck_unit{.unit = units[station],
                               .id = g.id(units[station]),
                               .strict = true,
                               .witness_mix = core.witness_mix[pos],
                               .margin = core.margin[pos]};
  };
  if (!core.intervals.empty()) {
    for (const auto& interval : core.intervals) {
      out.push_back(strict_entry(interval.station));
      out.back().share_of_first_class = {interval.low, interval.high};
    }
  } else {
    for (const auto station : core.stations) out.push_back(strict_entry(station));
  }
  for (const auto station : core.tied_only)
    out.push_back({.unit = units[station], .id = g.id(units[station]), .strict = false});
  return out;
}

std::vector<mix_bottleneck_unit> mix_bottlenecks(const service_graph& g) { return mix_bottlenecks(g, g.numbers()); }

}  // namespace servicechain

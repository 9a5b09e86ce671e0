#include "servicechain/analysis/stations.hpp"
#include "detail/huge_pages.hpp"
#include "detail/result_storage.hpp"

#include <algorithm>
#include <cmath>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/queueing.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

using index_t = Eigen::Index;

server_count servers_of(const unit_parameters& p) {
  return p.unlimited_servers ? server_count::unlimited() : server_count(static_cast<std::int64_t>(p.servers));
}

// QNA traffic-variability equations (Whitt 1983, §4), linear in the arrival SCVs x:
//   departures of unit j:     cd²_j = α_j + β_j x_j,  β_j = 1 − ρ_j², α_j = ρ_j² (1 + (cs²_j − 1)/√c_j)
//   stream j -> provider i:   q cd²_j + 1 − q,  q = min(1, a_ij / λ_j)  (Markovian splitting)
//   arrivals at i:            x_i = Σ_j (a_ij / λ_i) (stream j -> i) + (rechecks_i / λ_i) · 1
// with a_ij = r_ij (1 + e_ij) y_j the requests (first passes and redos) j sends to i.
// Following the routing view of the Jackson translation, a consumer's departures are the
// requests it sends upstream. Customers are Poisson sources (cd² = 1); a stream with more
// than one request per item keeps the departure SCV (q capped at 1), and re-check streams
// are taken as Poisson. The system has the structure of `propagate`'s `with_demand`
// direction: one kernel call solves it, loops included.
std::vector<double> qna_arrival_scv(const service_graph& g, const model_numbers& numbers, const load_result& load,
                                    const std::vector<double>& utilization, const std::vector<double>& service_scv) {
  const std::size_t n = g.unit_count();
  const auto links = g.links();
  const Eigen::Map<const Eigen::VectorXd> d(load.demand.data(), static_cast<index_t>(load.demand.size()));
  const Eigen::VectorXd items = load.visits * d;

  auto alpha = detail::huge_vector<double>(n, 1.0), beta = detail::huge_vector<double>(n, 0.0);
  for (std::uint32_t j = 0; j < n; ++j) {
    const auto& p = numbers.unit(unit_index{j});
    if (g.is_external(unit_index{j})) continue;  // Poisson source: α = 1, β = 0
    if (p.unlimited_servers) {                   // M/G/∞ keeps the arrival SCV (ρ = 0 in the formula)
      alpha[j] = 0.0;
      beta[j] = 1.0;
      continue;
    }
    const double rho2 = utilization[j] * utilization[j];
    beta[j] = 1.0 - rho2;
    alpha[j] = rho2 * (1.0 + (service_scv[j] - 1.0) / std::sqrt(p.servers));
  }

  auto b = detail::huge_zero<unit_matrix>(static_cast<index_t>(n), 1);
  auto weights = detail::huge_vector<double>(links.size(), 0.0);
  auto first_and_redo = detail::huge_vector<double>(n, 0.0);
  for (std::size_t l = 0; l < links.size(); ++l) {
    const auto& t = links[l];
    const auto& p = numbers.links()[l];
    const double rate = p.requests * (1.0 + p.rejections) * items(t.consumer.value());
    const double total = load.total_load[t.provider.value()];
    if (rate <= 0 || total <= 0) continue;
    const double share = rate / total;
    // Routing probability: the fraction of the consumer's departures (all its services,
    // re-checks and redos included; a customer's are its requests) that go to i.
    const double consumer_departures =
        g.is_external(t.consumer) ? items(t.consumer.value()) : load.total_load[t.consumer.value()];
    const double q = std::min(1.0, rate / consumer_departures);
    b(t.provider.value(), 0) += share * (q * alpha[t.consumer.value()] + 1.0 - q);
    weights[l] = share * q * beta[t.consumer.value()];
    first_and_redo[t.provider.value()] += share;
  }
  for (std::uint32_t i = 0; i < n; ++i) {
    // Whatever is not a consumer's stream (re-checks, or no load at all) counts as Poisson.
    b(i, 0) += std::max(0.0, 1.0 - first_and_redo[i]);
  }
  const unit_matrix x = propagate(g, numbers, direction::with_demand, std::move(b), weights);
  auto scv = detail::huge_vector<double>(n);
  for (std::uint32_t i = 0; i < n; ++i) scv[i] = std::max(0.0, x(i, 0));
  return scv;
}

// The service law of a unit: its own, or the load-weighted mixture of its links' laws
// (first and second moments add over the links: E[S] = Σ λ_l s_l / λ,
// E[S²] = Σ λ_l s_l² (1 + cs²_l) / λ).
struct service_law {
  double mean = 0;
  double scv = 1;
  bool uniform = true;  ///< every link has the unit's own law
};

service_law unit_service_law(const service_graph& g, const model_numbers& numbers, const load_result& flows,
                             unit_index u) {
  const auto& p = numbers.unit(u);
  service_law law{p.service_time, p.service_scv, true};
  if (!numbers.has_link_service()) return law;
  double rate = 0, first = 0, second = 0;
  for (link_index l : g.out_links(u)) {
    const auto& lp = numbers.link(l);
    if (lp.service_time || lp.service_scv) law.uniform = false;
    const double lambda = flows.link_load[l.value()];
    const double s = numbers.service_time(l);
    rate += lambda;
    first += lambda * s;
    second += lambda * s * s * (1.0 + numbers.service_scv(l));
  }
  if (law.uniform || !(rate > 0)) return law;
  law.mean = first / rate;
  law.scv = std::max(0.0, second / (rate * law.mean * law.mean) - 1.0);
  return law;
}

// The formula `analyze_station` applies (it covers the three FIFO cases with one expression).
std::string_view fifo_method(const unit_parameters& p, double arrival_scv, double service_scv) {
  if (p.unlimited_servers) return "unlimited servers (no queue)";
  if (arrival_scv == 1.0 && service_scv == 1.0) return "M/M/c";
  if (p.servers == 1.0 && arrival_scv == 1.0) return "M/G/1 Pollaczek-Khinchine";
  return "Allen-Cunneen G/G/c";
}

bool fifo_exact(const unit_parameters& p, double arrival_scv, double service_scv) {
  return p.unlimited_servers || (arrival_scv == 1.0 && (service_scv == 1.0 || p.servers == 1.0));
}

// What every link of a FIFO unit with one service law shares.
struct fifo_share {
  double service_time = 0, service_scv = 1, wait = 0, sojourn = 0;
  void set(link_station& ls, double load) const {
    ls.load = load;
    ls.service_time = service_time;
    ls.service_scv = service_scv;
    ls.wait = wait;
    ls.wait_fifo = wait;
    ls.sojourn = sojourn;
  }
};

fifo_share fifo_share_of(const unit_parameters& p, const unit_station& unit) {
  return {p.service_time, p.service_scv, unit.wait, unit.sojourn};
}

// A FIFO unit whose links share its own service law: one wait, one sojourn, exactly as
// `analyze_station` computes them. Its links' entries are left to the caller (fifo_share).
void fifo_unit(const service_graph& g, const model_numbers& numbers, const load_result& flows, unit_index u,
               double arrival_scv, const service_law& law, station_result& r) {
  const auto& p = numbers.unit(u);
  auto& unit = r.units[u.value()];
  const station_metrics m = analyze_station({.arrival_rate = flows.total_load[u.value()],
                                             .service_time = law.mean,
                                             .servers = servers_of(p),
                                             .arrival_scv = arrival_scv,
                                             .service_scv = law.scv},
                                            g.id(u));
  unit.load = flows.total_load[u.value()];
  unit.utilization = m.utilization;
  unit.busy_servers = m.busy_servers;
  unit.service_time = law.mean;
  unit.service_scv = law.scv;
  unit.arrival_scv = arrival_scv;
  unit.p_wait = m.p_wait;
  unit.wait = m.wait;
  unit.sojourn = m.sojourn;
  unit.queue_length = m.queue_length;
  unit.number_in_unit = m.number_in_unit;
  unit.uniform = true;
  unit.queue_discipline = discipline::fifo;
  unit.method = fifo_method(p, arrival_scv, law.scv);
  unit.exact = fifo_exact(p, arrival_scv, law.scv);
}

// The class of each out-link of `u` (in `g.out_links(u)` order), 0 served first; returns
// the number of classes. FIFO and shared: one class.
std::uint32_t link_classes(const service_graph& g, const model_numbers& numbers, unit_index u,
                           std::vector<std::uint32_t>& out) {
  const auto links = g.out_links(u);
  out.assign(links.size(), 0);
  switch (numbers.unit(u).queue_discipline) {
    case discipline::fifo:
    case discipline::shared:
      return links.empty() ? 0 : 1;
    case discipline::external_first:
    case discipline::internal_first: {
      const bool external_first = numbers.unit(u).queue_discipline == discipline::external_first;
      bool any[2] = {false, false};
      for (std::size_t k = 0; k < links.size(); ++k) {
        const bool external = g.is_external(g.link(links[k]).consumer);
        out[k] = external == external_first ? 0 : 1;
        any[out[k]] = true;
      }
      if (!any[0])  // only one kind of consumer: a single class
        for (auto& c : out) c = 0;
      return any[0] && any[1] ? 2 : (links.empty() ? 0 : 1);
    }
    case discipline::priority: {
      std::vector<std::int64_t> levels;
      for (link_index l : links) levels.push_back(numbers.link(l).priority);
      std::sort(levels.begin(), levels.end());
      levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
      for (std::size_t k = 0; k < links.size(); ++k) {
        out[k] = static_cast<std::uint32_t>(
            std::lower_bound(levels.begin(), levels.end(), numbers.link(links[k]).priority) - levels.begin());
      }
      return static_cast<std::uint32_t>(levels.size());
    }
  }
  return 1;
}

station_policy policy_of(discipline d) {
  switch (d) {
    case discipline::fifo: return station_policy::fifo;
    case discipline::shared: return station_policy::shared;
    default: return station_policy::priority;
  }
}

server_count servers_count(const unit_parameters& p) {
  return p.unlimited_servers ? server_count::unlimited() : server_count(static_cast<std::int64_t>(p.servers));
}

// A unit through its station model: every link's sojourn is stretch·s_l + delay of its class.
void solve_unit(const service_graph& g, const model_numbers& numbers, const load_result& flows, unit_index u,
                double arrival_scv, const service_law& law, bool derivatives, station_result& r) {
  const auto& p = numbers.unit(u);
  auto& unit = r.units[u.value()];
  const auto links = g.out_links(u);
  std::vector<std::uint32_t> cls;
  const std::uint32_t class_count = link_classes(g, numbers, u, cls);
  station_traffic traffic{.servers = servers_count(p),
                          .arrival_scv = arrival_scv,
                          .policy = policy_of(p.queue_discipline),
                          .preemptive = p.preemptive,
                          .classes = std::vector<class_traffic>(class_count)};
  class_traffic all;
  for (std::size_t k = 0; k < links.size(); ++k) {
    const link_index l = links[k];
    const double lambda = flows.link_load[l.value()];
    const double s = law.uniform ? p.service_time : numbers.service_time(l);
    const double scv = law.uniform ? p.service_scv : numbers.service_scv(l);
    auto& c = traffic.classes[cls[k]];
    c.rate += lambda;
    c.work += lambda * s;
    c.second += lambda * s * s * (1.0 + scv);
  }
  for (const auto& c : traffic.classes) {
    all.rate += c.rate;
    all.work += c.work;
    all.second += c.second;
  }
  const station_response response = solve_station(traffic, g.id(u), derivatives);
  station_response fifo = response;
  if (traffic.policy != station_policy::fifo) {
    station_traffic merged = traffic;
    merged.policy = station_policy::fifo;
    merged.classes.assign(1, all);
    fifo = solve_station(merged, g.id(u));
  }
  double waits = 0, sojourns = 0;
  for (std::size_t k = 0; k < links.size(); ++k) {
    const link_index l = links[k];
    auto& ls = r.links[l.value()];
    const auto& c = response.classes[cls[k]];
    ls.load = flows.link_load[l.value()];
    ls.service_time = law.uniform ? p.service_time : numbers.service_time(l);
    ls.service_scv = law.uniform ? p.service_scv : numbers.service_scv(l);
    ls.service_class = cls[k];
    ls.sojourn = c.stretch * ls.service_time + c.delay;
    ls.wait = ls.sojourn - ls.service_time;
    const auto& f = fifo.classes[traffic.policy == station_policy::fifo ? cls[k] : 0];
    ls.wait_fifo = f.stretch * ls.service_time + f.delay - ls.service_time;
    waits += ls.load * ls.wait;
    sojourns += ls.load * ls.sojourn;
  }
  unit.load = flows.total_load[u.value()];
  unit.utilization = response.utilization;
  unit.busy_servers = all.work;
  unit.service_time = law.mean;
  unit.service_scv = law.scv;
  unit.arrival_scv = arrival_scv;
  unit.p_wait = response.p_wait;
  if (all.rate > 0) {
    unit.wait = waits / all.rate;
    unit.sojourn = sojourns / all.rate;
  } else {  // no load: a service would see an empty unit
    unit.wait = 0;
    unit.sojourn = law.mean;
  }
  unit.queue_length = waits;
  unit.number_in_unit = sojourns;
  unit.queue_discipline = p.queue_discipline;
  unit.method = response.method;
  unit.exact = response.exact;
  unit.uniform = law.uniform && class_count <= 1;  // one law, one class: one sojourn for every link
  if (derivatives) {
    unit.classes = std::move(traffic.classes);
    unit.jacobian = response.jacobian;
  }
}

// Solves unit u. Returns true for a FIFO unit with one service law, whose links' entries
// the caller then sets from `fifo_share_of`; solve_unit sets them for every other unit.
bool station_of(const service_graph& g, const model_numbers& numbers, const load_result& flows, unit_index u,
                double arrival_scv, const service_law& law, bool derivatives, station_result& r) {
  if (numbers.unit(u).queue_discipline == discipline::fifo && law.uniform && !derivatives) {
    fifo_unit(g, numbers, flows, u, arrival_scv, law, r);
    return true;
  }
  solve_unit(g, numbers, flows, u, arrival_scv, law, derivatives, r);
  return false;
}

}  // namespace

void analyze_station_of(const service_graph& g, const model_numbers& numbers, const load_result& flows, unit_index u,
                        station_result& result) {
  if (g.is_external(u)) return;
  const double arrival_scv = result.units[u.value()].arrival_scv;
  if (!station_of(g, numbers, flows, u, arrival_scv, unit_service_law(g, numbers, flows, u), false, result)) return;
  const fifo_share share = fifo_share_of(numbers.unit(u), result.units[u.value()]);
  for (link_index l : g.out_links(u)) share.set(result.links[l.value()], flows.link_load[l.value()]);
}

station_result analyze_stations(const service_graph& g, const model_numbers& numbers, const load_result& flows,
                                const station_options& options) {
  return detail::analyze_stations(g, numbers, flows, options, station_result{});
}

void detail::reserve_stations(const service_graph& g, station_result& r, reserved_buffers& buffers) {
  huge_reserve(r.units, g.unit_count(), buffers);
  huge_reserve(r.links, g.link_count(), buffers);
}

station_result detail::analyze_stations(const service_graph& g, const model_numbers& numbers, const load_result& flows,
                                        const station_options& options, station_result r) {
  const std::size_t n = g.unit_count();
  if (auto saturated = saturated_units(g, numbers, flows); !saturated.empty()) {
    throw unstable_error(std::move(saturated));
  }
  r.directory = g.directory();
  detail::huge_resize(r.units, n);
  detail::huge_resize(r.links, g.link_count());

  auto laws = detail::huge_vector<service_law>(n);
  auto utilization = detail::huge_vector<double>(n, 0.0), service_scv = detail::huge_vector<double>(n, 1.0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const unit_index u{i};
    if (g.is_external(u)) continue;
    laws[i] = unit_service_law(g, numbers, flows, u);
    service_scv[i] = laws[i].scv;
    const auto& p = numbers.unit(u);
    if (!p.unlimited_servers) utilization[i] = flows.total_work[i] / p.servers;
  }
  auto arrival_scv = detail::huge_vector<double>(n, 1.0);
  if (options.variability == arrival_variability::propagate) {
    arrival_scv = qna_arrival_scv(g, numbers, flows, utilization, service_scv);
  }

  // The links of FIFO units are set afterwards in link order, from a compact copy of what
  // they share: by provider it was a read and a write at random per link.
  auto shares = detail::huge_vector<fifo_share>(n);
  std::vector<char> fifo(n, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    const unit_index u{i};
    if (g.is_external(u)) {
      r.units[i].arrival_scv = 0;
      continue;
    }
    if (station_of(g, numbers, flows, u, arrival_scv[i], laws[i], options.derivatives, r)) {
      fifo[i] = 1;
      shares[i] = fifo_share_of(numbers.unit(u), r.units[i]);
    }
  }
  const auto links = g.links();
  for (std::size_t l = 0; l < links.size(); ++l) {
    const std::uint32_t i = links[l].provider.value();
    if (fifo[i]) shares[i].set(r.links[l], flows.link_load[l]);
  }
  return r;
}

}  // namespace servicechain

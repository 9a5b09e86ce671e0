// compute_bounds: asymptotic (ABA) and balanced job bounds (BJB). Formulas from Lazowska,
// Zahorjan, Graham & Sevcik, Quantitative System Performance, 1984, ch. 5 (Tables 5.1
// and 5.2), and Zahorjan, Sevcik, Eager & Galler, CACM 25(2), 1982.

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <vector>

#include "analysis/mva_internal.hpp"
#include "servicechain/analysis/mva.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

using kind = mva_station_kind;

bool is_multi(const mva_station& s) { return s.kind == kind::multi_server && s.servers > 1; }

// A single-class network reduced to what the bound formulas need: queueing demands
// (total D, largest, count of stations with demand) and a fixed delay Z.
struct reduced {
  double total = 0;
  double largest = 0;
  double stations = 0;
  double delay = 0;
};

void add_queueing(reduced& r, double d) {
  r.total += d;
  r.largest = std::max(r.largest, d);
  if (d > 0) r.stations += 1;
}

// Open work per server at each non-delay station (open classes only; async work of
// closed classes depends on their unknown throughput and is left out).
std::vector<double> open_busy(const mva_input& in) {
  std::vector<double> busy(in.stations.size(), 0.0);
  for (std::size_t k = 0; k < in.stations.size(); ++k) {
    if (in.stations[k].kind == kind::delay) continue;
    for (std::size_t c = 0; c < in.demand.size(); ++c)
      if (detail::is_open_class(in, c)) busy[k] += *in.arrival_rate[c] * in.demand[c][k];
    if (in.stations[k].kind == kind::multi_server) busy[k] /= static_cast<double>(in.stations[k].servers);
  }
  std::vector<saturated_unit> units;
  for (std::size_t k = 0; k < busy.size(); ++k) {
    if (busy[k] >= 1) {
      const double servers =
          in.stations[k].kind == kind::multi_server ? static_cast<double>(in.stations[k].servers) : 1.0;
      units.push_back(
          {.id = detail::station_id(in, k), .utilization = busy[k], .load = busy[k] * servers, .capacity = servers});
    }
  }
  if (!units.empty()) throw unstable_error(std::move(units));
  return busy;
}

// Optimistic network: a multi-server station is a delay of D (never slower than c
// servers), its capacity c/D enters D_max. Pessimistic: it is one server of demand D.
// Open classes inflate queueing demands to D/(1 − U_open) (exact in a mixed network).
reduced optimistic(const mva_input& in, std::size_t c, const std::vector<double>& busy, double& d_max) {
  reduced r;
  d_max = 0;
  for (std::size_t k = 0; k < in.stations.size(); ++k) {
    const auto& s = in.stations[k];
    const double d = in.demand[c][k];
    if (s.kind == kind::delay) {
      r.delay += d;
    } else if (is_multi(s)) {
      r.delay += d;
      d_max = std::max(d_max, d / static_cast<double>(s.servers) / (1 - busy[k]));
    } else {
      add_queueing(r, d / (1 - busy[k]));
      d_max = std::max(d_max, d / (1 - busy[k]));
    }
  }
  return r;
}

reduced pessimistic(const mva_input& in, std::size_t c, const std::vector<double>& busy) {
  reduced r;
  for (std::size_t k = 0; k < in.stations.size(); ++k) {
    const double d = in.demand[c][k];
    if (in.stations[k].kind == kind::delay)
      r.delay += d;
    else
      add_queueing(r, d / (1 - busy[k]));
  }
  return r;
}

struct closed_class_bounds {
  std::pair<double, double> aba, bjb;  // on X
  double knee = 0;
  double saturation = 0;
};

// QSP Table 5.2 with think time Z' = Z + delays; the (N−1)·D/(1 + Z/D) terms are written
// as (N−1)·D·D_tot/(D_tot + Z) so that D_tot = 0 needs no special case.
closed_class_bounds closed_bounds(const mva_input& in, std::size_t c, const std::vector<double>& busy,
                                  double others_population) {
  const double n = static_cast<double>(in.population[c]);
  const double z = in.think_time.empty() ? 0.0 : in.think_time[c];
  double d_max = 0;
  const reduced o = optimistic(in, c, busy, d_max);
  const reduced p = pessimistic(in, c, busy);
  closed_class_bounds b;
  const double zo = z + o.delay;
  const double zp = z + p.delay;
  const double capacity = d_max > 0 ? 1 / d_max : 0.0;  // 0: no finite limit
  const auto capped = [&](double x) { return capacity > 0 ? std::min(x, capacity) : x; };
  b.aba.second = capped(n / (o.total + zo));
  const double d_avg = o.stations > 0 ? o.total / o.stations : 0.0;
  b.bjb.second = capped(n / (o.total + zo + (n - 1) * d_avg * o.total / (o.total + zo)));
  if (others_population == 0) {
    b.aba.first = n / (n * p.total + zp);
    b.bjb.first = n / (p.total + zp + (n - 1) * p.largest * n * p.total / (n * p.total + zp));
  } else {
    // Every other closed request may be queued ahead at every visit.
    b.aba.first = n / ((n + others_population) * p.total + zp);
    b.bjb.first = b.aba.first;
  }
  b.knee = d_max > 0 ? (o.total + o.delay + z) / d_max : 0.0;
  b.saturation = capacity;
  return b;
}

std::pair<double, double> response_of(double n, double z, std::pair<double, double> x) {
  return {n / x.second - z, n / x.first - z};
}

void bound_closed(const mva_input& in, std::size_t c, const std::vector<double>& busy, double all_population,
                  mva_bounds& out) {
  const double n = in.population.empty() ? 0.0 : static_cast<double>(in.population[c]);
  const double z = in.think_time.empty() ? 0.0 : in.think_time[c];
  if (n == 0) return;  // no requests: X = R = 0, as solve_mva reports
  const auto b = closed_bounds(in, c, busy, all_population - n);
  out.aba_throughput[c] = b.aba;
  out.bjb_throughput[c] = b.bjb;
  out.throughput[c] = {std::max(b.aba.first, b.bjb.first), std::min(b.aba.second, b.bjb.second)};
  out.aba_response_time[c] = response_of(n, z, b.aba);
  out.bjb_response_time[c] = response_of(n, z, b.bjb);
  out.response_time[c] = response_of(n, z, out.throughput[c]);
  out.knee_population[c] = b.knee;
  out.saturation_throughput[c] = b.saturation;
}

// Open class: R ≥ D (ABA) and R ≥ D/(1 − λ·D_avg) (BJB, the class alone, single servers);
// R ≤ D/(1 − λ·D_max) alone with single servers, else every other class's load and
// every closed request ahead: Σ_k D_k(1 + N_closed)/(1 − U_k).
void bound_open(const mva_input& in, std::size_t c, const std::vector<double>& busy, double all_population, bool alone,
                mva_bounds& out) {
  const double lambda = *in.arrival_rate[c];
  double total = 0, largest = 0, queueing = 0, count = 0, upper = 0;
  bool multi = false;
  for (std::size_t k = 0; k < in.stations.size(); ++k) {
    const auto& s = in.stations[k];
    const double d = in.demand[c][k];
    total += d;
    if (s.kind == kind::delay) {
      upper += d;
      continue;
    }
    multi = multi || (is_multi(s) && d > 0);
    const double per_server = s.kind == kind::multi_server ? d / static_cast<double>(s.servers) : d;
    largest = std::max(largest, per_server);
    queueing += d;
    if (d > 0) count += 1;
    upper += d * (1 + all_population) / (1 - busy[k]);
  }
  const double d_avg = count > 0 ? queueing / count : 0.0;
  const double bjb_low = multi ? total : (total - queueing) + queueing / (1 - lambda * d_avg);
  if (alone && !multi) upper = (total - queueing) + queueing / (1 - lambda * largest);
  out.throughput[c] = out.aba_throughput[c] = out.bjb_throughput[c] = {lambda, lambda};
  out.aba_response_time[c] = {total, upper};
  out.bjb_response_time[c] = {bjb_low, upper};
  out.response_time[c] = {std::max(total, bjb_low), upper};
  out.saturation_throughput[c] = largest > 0 ? 1 / largest : 0.0;
}

}  // namespace

mva_bounds compute_bounds(const mva_input& in) {
  detail::validate_mva_input(in);
  const std::size_t classes = in.demand.size();
  const auto busy = open_busy(in);
  mva_bounds out;
  out.throughput.assign(classes, {0.0, 0.0});
  out.response_time = out.aba_throughput = out.aba_response_time = out.bjb_throughput = out.bjb_response_time =
      out.throughput;
  out.knee_population.assign(classes, 0.0);
  out.saturation_throughput.assign(classes, 0.0);
  double all_population = 0;
  std::size_t loaded = 0;
  for (std::size_t c = 0; c < classes; ++c) {
    if (!detail::is_open_class(in, c) && !in.population.empty())
      all_population += static_cast<double>(in.population[c]);
    const bool active =
        detail::is_open_class(in, c) ? *in.arrival_rate[c] > 0 : !in.population.empty() && in.population[c] > 0;
    if (active) ++loaded;
  }
  for (std::size_t c = 0; c < classes; ++c) {
    if (detail::is_open_class(in, c))
      bound_open(in, c, busy, all_population, loaded <= 1, out);
    else
      bound_closed(in, c, busy, all_population, out);
  }
  return out;
}

}  // namespace servicechain

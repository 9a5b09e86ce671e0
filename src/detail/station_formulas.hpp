#pragma once
// Internal: the formulas of the station models (servicechain/analysis/station_model.hpp,
// where each is stated with its source), as templates on their number type: `double` for
// the values, `detail::dual` for the exact jacobian. Only finite servers and a validated,
// stable station (ρ < 1) reach them. Branches test values (`value_of`), so every pass of
// the jacobian differentiates the same formula as the value pass.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "detail/dual.hpp"
#include "detail/erlang.hpp"
#include "servicechain/analysis/station_model.hpp"

namespace servicechain::detail {

/// Rate Λ, work a (erlangs) and second moment M = Σ λ E[S²] of a stream of services.
template <class Number>
struct stream {
  Number rate{0};
  Number work{0};
  Number second{0};

  friend stream operator+(const stream& x, const stream& y) {
    return {x.rate + y.rate, x.work + y.work, x.second + y.second};
  }
};

/// A validated station with finite servers, in the number type of the pass.
template <class Number>
struct station_numbers {
  std::int64_t servers = 1;
  station_policy policy = station_policy::fifo;
  bool preemptive = false;
  Number arrival_scv{1};
  std::vector<stream<Number>> classes;  // in service order
};

/// Per class: a service of mean s has mean sojourn `stretch·s + delay`.
template <class Number>
struct station_values {
  std::vector<Number> stretch;
  std::vector<Number> delay;
  Number p_wait{0};
};

// ---------------------------------------------------------------- Erlang B and C

// Values by the stable recursion; the derivative of a dual by dB/da = B(k/a − 1 + B)
// (Jagerman, "Some properties of the Erlang loss function", Bell System Technical Journal
// 53(3), 1974), which costs O(1) where differentiating the recursion would cost O(k).
inline double erlang_b_of(std::int64_t servers, double load) { return erlang_b_unchecked(servers, load); }

inline double erlang_b_slope(std::int64_t servers, double load, double b) {
  if (servers == 0) return 0;                      // B(0, a) = 1
  if (load == 0) return servers == 1 ? 1.0 : 0.0;  // B(k, a) = a^k/k! + O(a^(k+1))
  return b * (static_cast<double>(servers) / load - 1 + b);
}

inline dual erlang_b_of(std::int64_t servers, const dual& load) {
  const double b = erlang_b_unchecked(servers, load.v);
  return {b, erlang_b_slope(servers, load.v, b) * load.d};
}

/// C(c, a), and C(c, a)/a, which stays finite at a = 0 (1 for c = 1, 0 for c ≥ 2).
template <class Number>
struct erlang_c_terms {
  Number wait_probability;
  Number per_load;
};

// C/a takes B(c)/a from the recursion's last step, B(c)/a = B(c−1)/(c + a·B(c−1)), without
// dividing by a: the waits C·R/(a(c − a)) below are then smooth at an idle station, and
// so are their derivatives.
template <class Number>
erlang_c_terms<Number> erlang_c_of(std::int64_t servers, const Number& load) {
  // C(1, a) = ρ exactly (Gross & Harris, ch. 2): no rounding from the recursion for M/G/1.
  if (servers == 1) return {load, Number(1)};
  const double c = static_cast<double>(servers);
  const Number b_prev = erlang_b_of(servers - 1, load);
  const Number ab = load * b_prev;
  const Number b = ab / (c + ab);  // the recursion's last step, as in erlang_b_unchecked
  const Number denominator = (c - load) + load * b;
  return {erlang_c_from_b(c, load, b), c * (b_prev / (c + ab)) / denominator};
}

/// Mean number waiting in M/M/c at load x: Lq = x·C(c, x)/(c − x) (Gross & Harris, ch. 2).
template <class Number>
Number mmc_queue_length(std::int64_t servers, const Number& load) {
  return load * load * erlang_c_of(servers, load).per_load / (static_cast<double>(servers) - load);
}

// dLq/dx = C·(1 + c/(D(c − x)) + x/(c − x)²) with D = (c − x) + x·B, from dC/dx by the
// quotient rule and x·dB/dx = B·D (Jagerman's derivative above).
template <class Number>
Number mmc_queue_length_slope(std::int64_t servers, const Number& load) {
  const double c = static_cast<double>(servers);
  const Number b = erlang_b_of(servers, load);
  const Number free = c - load;
  const Number d = free + load * b;
  return erlang_c_from_b(c, load, b) * (1 + c / (d * free) + load / (free * free));
}

// ---------------------------------------------------------------- the policies

/// Mean residual work R = (M + (ca² − 1)·a²/Λ)/2: M/2 for Poisson arrivals
/// (Pollaczek–Khinchine, Cobham), ρ·s̄·(ca² + cs²)/2 in general (Kingman, "The single server
/// queue in heavy traffic", Proc. Cambridge Philos. Soc. 57, 1961; the Allen–Cunneen
/// factor). Written around M so that ca² = 1 gives M/2 exactly.
template <class Number>
Number residual_work(const stream<Number>& s, const Number& arrival_scv) {
  if (value_of(s.rate) == 0) return s.second / 2;  // validated: no rate, no work, no second moment
  const Number r = (s.second + (arrival_scv - 1) * (s.work * (s.work / s.rate))) / 2;
  // R ≥ ca²·a²/(2Λ) ≥ 0 since M ≥ a²/Λ (validated); only rounding can take it below 0.
  return value_of(r) < 0 ? Number(0) : r;
}

template <class Number>
stream<Number> merged(const std::vector<stream<Number>>& classes) {
  stream<Number> all;
  for (const auto& k : classes) all = all + k;
  return all;
}

/// FIFO: Wq = C(c, a)·R/(a(c − a)), Allen–Cunneen C·s̄/(c − a)·(ca² + cs²)/2 of the mixture.
template <class Number>
Number fifo_wait(std::int64_t servers, const stream<Number>& all, const erlang_c_terms<Number>& erlang,
                 const Number& arrival_scv) {
  return erlang.per_load * residual_work(all, arrival_scv) / (static_cast<double>(servers) - all.work);
}

/// Non-preemptive priority: Wq_p = Wq_FIFO·(1 − ρ)/((1 − σ_{p−1})(1 − σ_p))
///                               = C(c, a)·R/(a(c − a_{≤p}))·c/(c − a_{<p}).
template <class Number>
void head_of_line_waits(const station_numbers<Number>& s, const stream<Number>& all,
                        const erlang_c_terms<Number>& erlang, std::vector<Number>& delay) {
  const double c = static_cast<double>(s.servers);
  const Number base = erlang.per_load * residual_work(all, s.arrival_scv);
  Number higher{0};  // a_{<p}
  for (std::size_t p = 0; p < s.classes.size(); ++p) {
    const Number level = higher + s.classes[p].work;  // a_{≤p}
    delay[p] = base / (c - level) * (c / (c - higher));
    higher = level;
  }
}

// (Lq(a_{≤p}) − Lq(a_{<p}))/a_p. For a class whose load is tiny beside the others the
// difference cancels; there the midpoint derivative Lq'(a_{<p} + a_p/2), whose error is
// O(a_p²) against the O(ε/a_p) of the difference. At the switch (a_p = 1e-5 of the scale
// on which Lq bends) both are below ~1e-10 relative.
template <class Number>
Number queue_growth_per_load(std::int64_t servers, const Number& higher, const Number& own, const Number& level,
                             const Number& queue_higher, const Number& queue_level) {
  const double c = static_cast<double>(servers);
  const double bend = std::min(value_of(higher) / c, c - value_of(level));
  if (!(value_of(own) < 1e-5 * bend)) return (queue_level - queue_higher) / own;
  return mmc_queue_length_slope(servers, higher + own / 2);
}

/// Preemptive-resume priority: class p sees classes 0..p only (see the file comment of
/// station_model.hpp). c = 1: the exact M/G/1 result; c ≥ 2: the fast single server
/// scaled by G_p, exact for M/M/c with equal means.
template <class Number>
void preemptive_resume(const station_numbers<Number>& s, station_values<Number>& out) {
  const double c = static_cast<double>(s.servers);
  stream<Number> higher;   // classes 0..p−1
  Number queue_higher{0};  // Lq(a_{<p}) of M/M/c
  for (std::size_t p = 0; p < s.classes.size(); ++p) {
    const stream<Number> level = higher + s.classes[p];
    const Number residual = residual_work(level, s.arrival_scv);
    if (s.servers == 1) {
      const Number free_higher = 1 - higher.work;
      out.stretch[p] = 1 / free_higher;
      out.delay[p] = residual / (free_higher * (1 - level.work));
    } else if (value_of(level.work) > 0) {
      const Number queue_level = mmc_queue_length(s.servers, level.work);
      const Number growth =
          queue_growth_per_load(s.servers, higher.work, s.classes[p].work, level.work, queue_higher, queue_level);
      const Number scale = growth * c * (c - level.work) / (higher.work * (c - level.work) + c * level.work);
      out.stretch[p] = 1 + scale * higher.work / c;
      out.delay[p] = scale * residual / (c - level.work);
      queue_higher = queue_level;
    }
    // else: classes 0..p carry no load: stretch 1, delay 0, and G_p → 0 as their loads vanish.
    higher = level;
  }
}

/// Processor sharing: stretch = W/s̄ of M/M/c = 1 + C(c, a)/(c − a), the wait part scaled by
/// (ca² + 1)/2 for non-Poisson arrivals (GI/M/c by Allen–Cunneen; PS ignores the service law).
template <class Number>
Number sharing_stretch(std::int64_t servers, const stream<Number>& all, const erlang_c_terms<Number>& erlang,
                       const Number& arrival_scv) {
  const Number wait_per_service =
      erlang.wait_probability / (static_cast<double>(servers) - all.work) * ((arrival_scv + 1) / 2);
  return 1 + wait_per_service;
}

/// The response of every class; `p_wait` is Erlang C of the whole station.
template <class Number>
station_values<Number> evaluate(const station_numbers<Number>& s) {
  const stream<Number> all = merged(s.classes);
  const erlang_c_terms<Number> erlang = erlang_c_of(s.servers, all.work);
  station_values<Number> out;
  out.p_wait = erlang.wait_probability;
  out.stretch.assign(s.classes.size(), Number(1));
  out.delay.assign(s.classes.size(), Number(0));
  switch (s.policy) {
    case station_policy::fifo:
      std::fill(out.delay.begin(), out.delay.end(), fifo_wait(s.servers, all, erlang, s.arrival_scv));
      break;
    case station_policy::shared:
      std::fill(out.stretch.begin(), out.stretch.end(), sharing_stretch(s.servers, all, erlang, s.arrival_scv));
      break;
    case station_policy::priority:
      if (s.preemptive) {
        preemptive_resume(s, out);
      } else {
        head_of_line_waits(s, all, erlang, out.delay);
      }
      break;
  }
  return out;
}

}  // namespace servicechain::detail

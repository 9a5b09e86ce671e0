#pragma once
/// @file
/// @brief One station (unit) seen as a queue with several classes of services in a
/// service order, for every scheduling discipline: FIFO, non-preemptive and
/// preemptive-resume priority, processor sharing; with exact local derivatives.
///
/// A pure function per station, no graph: the network analyses aggregate the links of a
/// unit into classes and call `solve_station` once per unit. Rates are per time unit, times
/// in the model's time unit, loads in erlangs (busy servers).
///
/// ## Formulas and sources
/// Notation: class p has rate Λ_p, work a_p = Σ λ_l s_l and second moment
/// m_p = Σ λ_l E[S_l²]; totals Λ, a, M; `c` servers, `ρ = a/c`, `ca²` the SCV of the
/// merged arrivals. `σ_p = Σ_{q≤p} a_q / c` (classes 0..p), `σ_{−1} = 0`.
/// `C(c, a)` is Erlang C (see queueing.hpp). Every formula starts from the mean residual
/// work `R = (M + (ca² − 1)·a²/Λ) / 2`, which is `M/2` (Pollaczek–Khinchine, Cobham) for
/// Poisson arrivals and `ρ·s̄·(ca² + cs²)/2` in general (Kingman's heavy-traffic numerator,
/// the Allen–Cunneen factor at c = 1), with `s̄ = a/Λ`, `cs² = MΛ/a² − 1` the mixture.
///
/// - **FIFO** — the mixture of all services: `Wq = C(c, a)·R / (a(c − a))`, which is
///   Allen–Cunneen `C·s̄/(c − a)·(ca² + cs²)/2` written so that it is smooth at a = 0.
///   Exact M/G/1 (Pollaczek–Khinchine, `Wq = M/(2(1 − ρ))`) for c = 1, ca² = 1; exact
///   M/M/c for ca² = cs² = 1; equal to `analyze_station` of the mixture.
/// - **Priority, non-preemptive** — `Wq_p = Wq_FIFO·(1 − ρ) / ((1 − σ_{p−1})(1 − σ_p))`.
///   For c = 1 and Poisson arrivals this is Cobham's formula `W0/((1 − σ_{p−1})(1 − σ_p))`,
///   `W0 = M/2` (Cobham 1954; Kleinrock, *Queueing Systems* Vol. 2, Wiley 1976, §3.6),
///   exact for general service per class. For c ≥ 2 it is the Bondi–Buzen scaling (the
///   single server c times faster, times the ratio of the multi-server to that server's FIFO
///   waits, `C(c, a)/ρ`): `Wq_p = C(c, a)·R / (a·c·(1 − σ_{p−1})(1 − σ_p))`, which is the
///   exact M/M/c priority result `C·s/(c(1 − σ_{p−1})(1 − σ_p))` when every class is
///   exponential with the same mean s (Cobham 1954; Gross & Harris, *Fundamentals of
///   Queueing Theory*, 3rd ed., 1998, ch. 3).
/// - **Priority, preemptive-resume** — a service of size x in class p has mean sojourn
///   `x·stretch_p + delay_p`. For c = 1: `stretch = 1/(1 − σ_{p−1})`,
///   `delay = R_{≤p} / ((1 − σ_{p−1})(1 − σ_p))` with `R_{≤p}` the residual work of classes
///   0..p (Conway, Maxwell & Miller, *Theory of Scheduling*, Addison-Wesley 1967; Kleinrock
///   1976, ch. 3), exact for Poisson arrivals and general service. For c ≥ 2, the same shape with
///   the fast single server, scaled by `G_p`, chosen so that the result is exact for M/M/c
///   with equal means (Buzen & Bondi, Operations Research 31(3), 1983, where class p sees
///   the classes 0..p as one M/M/c and `Λ_p(T_p − s) = Lq(a_{≤p}) − Lq(a_{≤p−1})`):
///   `stretch = 1 + G_p·σ_{p−1}`, `delay = G_p·R_{≤p}/(c − a_{≤p})`,
///   `G_p = (ΔLq_p/a_p) · c(c − a_{≤p}) / (a_{≤p−1}(c − a_{≤p}) + c·a_{≤p})`.
/// - **Processor sharing** — insensitive: a service of size x has mean sojourn `x·W/s̄`
///   with W/s̄ the M/M/c ratio `1 + C(c, a)/(c − a)` (Kleinrock 1976, ch. 4, `x/(1 − ρ)` for
///   c = 1; Kelly, *Reversibility and Stochastic Networks*, Wiley 1979, ch. 3, symmetric
///   queues). With ca² ≠ 1 the wait part is scaled by `(ca² + 1)/2` (GI/M/c by
///   Allen–Cunneen, since processor sharing ignores the service law).
///
/// `exact` is true for Poisson arrivals (ca² = 1) and: FIFO with one server, or with an
/// exponential mixture (cs² = 1); priority with one server, or with every class
/// exponential of the same mean; processor sharing always; unlimited servers always.
/// Two moments are all the model knows of a service law: cs² = 1 is taken as exponential.
///
/// ## Known weaknesses
/// - Non-Poisson arrivals (ca² ≠ 1) enter every formula through `R` only, with the merged
///   ca² for every class: Cobham's `W0 = M/2` becomes Kingman's `ρ·s̄·(ca² + cs²)/2`, so the
///   priority waits are the G/G/c FIFO wait shared out by Kleinrock's conservation law and a
///   one-class priority station is exactly FIFO. Scaling W0 by `(ca² + 1)/2` instead agrees
///   when cs² = 1 but would not reduce to FIFO otherwise, and would make D/D/1 wait.
/// - Bondi–Buzen is an approximation for unequal means or non-exponential service at
///   c ≥ 2. It is known to mislead when the classes' means differ widely, e.g. on the best
///   number of servers (Osogami, *Analysis of multi-server systems via dimensionality
///   reduction of Markov chains*, PhD thesis, Carnegie Mellon University, 2005, ch. 4).
/// - Preemptive-resume at c ≥ 2 assumes a service's sojourn affine in its size, which holds
///   exactly only for c = 1; with equal means only the class mean matters, and that is exact.

#include <string_view>
#include <vector>

#include "servicechain/model/unit.hpp"

namespace servicechain {

/// How a station orders its waiting services (analysis view). The network layer maps the
/// model's disciplines onto it: fifo -> fifo; external_first / internal_first / priority ->
/// priority with its classes in service order; shared (processor sharing: a person
/// multitasking) -> shared.
enum class station_policy {
  fifo,      ///< first come, first served; the classes are merged
  priority,  ///< head-of-the-line priority by class; `classes[0]` is served first
  shared,    ///< processor sharing: every service in progress at once; the classes are merged
};

/// One class of services at a station (FIFO and shared: a single class holds everything).
struct class_traffic {
  double rate = 0;    ///< Λ_p, services per time unit (sum over the links in the class)
  double work = 0;    ///< Σ_l λ_l s_l: the class's offered load in erlangs (busy servers)
  double second = 0;  ///< Σ_l λ_l E[S_l²] = Σ_l λ_l s_l² (1 + cs_l²), time units
};

/// The traffic of one station, by class.
struct station_traffic {
  server_count servers = 1;  ///< c ≥ 1 or unlimited (from servicechain/model/unit.hpp)
  double arrival_scv = 1;    ///< ca² of the merged arrival stream
  /// Order of service among the classes.
  station_policy policy = station_policy::fifo;
  bool preemptive = false;               ///< priority only: preemptive-resume
  std::vector<class_traffic> classes{};  ///< in service order: classes[0] is served first
};

/// A service of mean s in class p has mean sojourn (wait + service) `stretch·s + delay`.
/// FIFO and non-preemptive priority: stretch 1, delay = the class's mean wait.
/// Shared (PS): delay 0, stretch = W/s̄ of the station's M/M/c (insensitive).
/// Preemptive-resume: both may differ from (1, 0).
struct class_response {
  double stretch = 1;  ///< dimensionless, ≥ 1
  double delay = 0;    ///< time units, ≥ 0
};

/// The response of one station.
struct station_response {
  std::vector<class_response> classes{};  ///< one per input class, same order
  double utilization = 0;                 ///< ρ = Σ work / c (0 for unlimited servers)
  /// Probability that an arrival finds every server busy, Erlang C(c, a) for every policy
  /// (ρ for c = 1): exact for Poisson arrivals where the number in the station is that of
  /// M/M/c or M/G/1 (FIFO and priority at c = 1 or with exponential equal means, processor
  /// sharing always), an approximation otherwise. Under priority it is the probability of
  /// waiting for the highest class, not of every class; under processor sharing nobody
  /// waits, and it is the probability of being slowed down.
  double p_wait = 0;
  /// Names the formula used, e.g. "M/M/c", "M/G/1 Pollaczek-Khinchine", "Allen-Cunneen G/G/c",
  /// "Cobham M/G/1 priority", "M/G/1 preemptive-resume priority", "M/M/c priority (exact,
  /// equal means)", "... (approximation)", "M/G/c processor sharing". Points to a literal.
  std::string_view method{};
  bool exact = false;  ///< true where the formula is exact for Poisson arrivals and the given service laws
  /// Local derivatives, when asked for: row-major (2P) × (3P + 1): row 2p = ∂stretch_p,
  /// row 2p+1 = ∂delay_p; column 3q+0 = ∂/∂rate_q, 3q+1 = ∂/∂work_q, 3q+2 = ∂/∂second_q,
  /// last column = ∂/∂arrival_scv. Empty unless asked for.
  std::vector<double> jacobian{};
};

/// @brief Mean response of each class of services at one station, for its scheduling
/// policy (see the file comment for the formulas, their sources and which are exact).
///
/// Zero classes, or a zero total rate, are valid: nobody waits. A class with zero rate gets
/// the response that a vanishing stream of its services would see. Unlimited servers:
/// stretch 1 and delay 0 for every policy, `utilization = p_wait = 0`, a zero jacobian.
/// FIFO and shared merge all the classes and give every class the same response.
///
/// The jacobian is exact (forward-mode automatic differentiation through the formulas, with
/// Erlang B differentiated by `dB/da = B(c/a − 1 + B)`). Where a formula is not
/// differentiable it holds one-sided or conventional values: the term `(ca² − 1)·a²/Λ` of a
/// stream with zero rate counts as constant 0 (it has no derivative at the origin), and a
/// clamp of a rounding-negative variance to 0 as constant.
///
/// @param traffic the station's servers, arrival SCV, policy and classes in service order.
/// @param id the unit's id, used in error messages only (may be empty).
/// @param with_derivatives fill `jacobian`; costs 3P + 1 extra passes through the formulas.
/// @return the response; every number finite.
/// @throws servicechain::unstable_error if `ρ = Σ work / c ≥ 1` with finite servers; its one
///         `saturated_unit` carries `id`, ρ, the load Σ rate and the capacity c·Σ rate / Σ work.
/// @throws servicechain::error (`servicechain.invalid_argument`) if an input is negative or
///         not finite, `servers < 1`, a class with zero rate has work or second moment, or a
///         second moment is below the square of its mean (`second < work²/rate`, a negative
///         variance); (`servicechain.overflow`) if a result exceeds the double range.
[[nodiscard]] station_response solve_station(const station_traffic& traffic, std::string_view id = {},
                                             bool with_derivatives = false);

/// @brief `fifo`, `priority` or `shared`.
[[nodiscard]] std::string_view to_string(station_policy policy) noexcept;

}  // namespace servicechain

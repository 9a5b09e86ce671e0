#pragma once
/// @file
/// @brief Single-station queueing formulas: Erlang B and C, the mean waiting time of one
/// multi-server station, and the QNA variability operations of a network node.
///
/// Pure numeric functions, no graph: the network analyses call them once per unit.
/// Rates are per time unit and times are in the model's time unit; inputs are taken
/// as exact doubles (see `erlang_c` for what that means near saturation).
///
/// ## Formulas and sources
/// Notation: `λ` arrival rate, `s` mean service time, `c` servers, `a = λ·s` offered
/// load (erlangs), `ρ = a/c` utilization per server, `ca²`, `cs²` squared coefficients
/// of variation (SCV) of the inter-arrival and service times.
///
/// - **Erlang B** (loss probability of M/M/c/c), by the recursion
///   `B(0) = 1`, `B(k) = a·B(k−1) / (k + a·B(k−1))` — Gross & Harris, *Fundamentals of
///   Queueing Theory*, 3rd ed., Wiley 1998, ch. 2 (Erlang's loss formula). Each step
///   maps a relative error `δ` of `B(k−1)` to at most `δ·k/(k + a·B(k−1)) < δ`, so
///   rounding errors do not grow: O(c) operations, no factorials, no overflow.
/// - **Erlang C** (probability of waiting in M/M/c), from B:
///   `C = B / ((1 − ρ) + ρ·B) = c·B / ((c − a) + a·B)` — Gross & Harris, ch. 2 (M/M/c).
///   The second form never forms `ρ` or `1 − ρ`: `c − a` is exact when `a ≥ c/2`
///   (Sterbenz), so there is no cancellation as `ρ → 1`.
/// - **M/M/c** (exact): `Wq = C·s / (c − a)` (Gross & Harris, ch. 2).
/// - **M/G/1** (exact, Pollaczek–Khinchine mean value formula):
///   `Wq = ρ·s·(1 + cs²) / (2(1 − ρ))` — Kleinrock, *Queueing Systems*, Vol. 1, Wiley
///   1975, ch. 5.
/// - **G/G/c** (approximation, Allen–Cunneen): `Wq ≈ Wq(M/M/c) · (ca² + cs²) / 2` —
///   Allen, *Probability, Statistics, and Queueing Theory with Computer Science
///   Applications*, 2nd ed., Academic Press 1990. It reduces to the two exact formulas
///   above when `ca² = cs² = 1`, and when `c = 1, ca² = 1` (since `C(1, a) = ρ`).
/// - **Little's law**: `Lq = λ·Wq`, `L = λ·W` — Little, *A proof for the queuing formula
///   L = λW*, Operations Research 9(3), 1961.
/// - **QNA** node operations — Whitt, *The Queueing Network Analyzer*, Bell System
///   Technical Journal 62(9), 1983, pp. 2779–2815:
///   departures `cd² = 1 + (1 − ρ²)(ca² − 1) + ρ²(cs² − 1)/√c`;
///   Markovian splitting with probability `q`: `q·cd² + 1 − q`;
///   superposition by the *asymptotic method*, the rate-weighted mean of the SCVs
///   `Σ (λ_i/λ)·c_i²` (Whitt, *Approximating a point process by a renewal process, I:
///   two basic methods*, Operations Research 30(1), 1982).
///
/// ## Known weaknesses
/// - Allen–Cunneen is a heuristic outside the exact cases: errors of tens of percent
///   occur in light traffic when `ca²` is far from 1 and for large SCVs (Whitt,
///   *Approximations for the GI/G/m queue*, Production and Operations Management 2(2),
///   1993). For `c = 1` it is Kingman's heavy-traffic formula, correct as `ρ → 1`.
/// - `p_wait` is Erlang C: exact for M/M/c and M/G/1 (where it equals `ρ`), an
///   approximation for any other arrival or service distribution, since it ignores
///   both SCVs.
/// - The QNA formulas treat every flow as a renewal process described by two moments,
///   ignoring the correlation between successive intervals (departures from a
///   heavily loaded queue are positively correlated). The departure formula
///   interpolates between the light- and heavy-traffic limits. The asymptotic method
///   of superposition is right in heavy traffic at the receiving station but ignores
///   that the merge of many sparse streams looks Poisson in light traffic; Whitt's
///   hybrid (1983), which weights it toward 1 by the receiving utilization, is not
///   implemented here.

#include <cstdint>
#include <span>
#include <string_view>

#include "servicechain/model/unit.hpp"

namespace servicechain {

/// @brief Erlang B: probability that all `servers` are busy in M/M/c/c (a request is
/// lost), for offered load `a`, by the stable recursion (see the file comment).
///
/// @param servers c, a positive number of servers.
/// @param offered_load a = λ·s in erlangs (any finite value ≥ 0; `a ≥ c` is allowed).
/// @return B(c, a) in [0, 1]. Values below the smallest normal double (e.g. c = 10⁴,
///         a = 5000, B ≈ 10⁻⁸⁴¹) underflow gracefully toward 0.
/// @throws servicechain::error (`servicechain.invalid_argument`) if `servers < 1` or the
///         load is negative or not finite.
[[nodiscard]] double erlang_b(std::int64_t servers, double offered_load);

/// @brief Erlang C: probability that a request waits in M/M/c, `c·B / ((c − a) + a·B)`.
///
/// Relative error below 1e-12 for c up to 10⁴ and ρ up to 1 − 10⁻⁹ (tested against
/// 50-digit references, `scripts/erlang_reference.py`). The inputs are taken as exact:
/// if the caller forms `a` as `c·ρ` from a rounded `ρ = 1 − 10⁻⁹`, then `c − a` already
/// differs from `c·10⁻⁹` by up to ~1e-7 relative, and so does any waiting time built on
/// it — that is the conditioning of the problem, not an error of this function.
///
/// @param servers c, a positive number of servers.
/// @param offered_load a = λ·s in erlangs, 0 ≤ a < c.
/// @return C(c, a) in [0, 1).
/// @throws servicechain::error (`servicechain.invalid_argument`) if `servers < 1`, the
///         load is negative or not finite, or `a ≥ c` (no steady state).
[[nodiscard]] double erlang_c(std::int64_t servers, double offered_load);

/// @brief One station (unit) seen as a multi-server FIFO queue.
struct station_input {
  double arrival_rate = 0;     ///< λ, arrivals per time unit, finite, ≥ 0
  double service_time = 0;     ///< s, mean time one request occupies one server, time units, finite, ≥ 0
  server_count servers = 1;    ///< c ≥ 1, or `server_count::unlimited()` for a pure delay
  double arrival_scv = 1;      ///< ca², SCV of inter-arrival times (1 = Poisson), finite, ≥ 0
  double service_scv = 1;      ///< cs², SCV of service times (1 = exponential), finite, ≥ 0
};

/// @brief Steady-state means of one station. Times in time units, numbers in requests.
struct station_metrics {
  double utilization = 0;     ///< ρ = λ·s / c, per server, in [0, 1); 0 for unlimited servers
  double p_wait = 0;          ///< probability an arrival waits: Erlang C (see the file comment)
  double wait = 0;            ///< Wq, mean time in queue before service starts
  double sojourn = 0;         ///< W = Wq + s, mean time in the station
  double queue_length = 0;    ///< Lq = λ·Wq, mean number waiting
  double number_in_unit = 0;  ///< L = λ·W, mean number waiting or in service
  double busy_servers = 0;    ///< λ·s, mean number of busy servers (offered load)
};

/// @brief Mean wait, sojourn and queue lengths of one station by a two-moment formula.
///
/// Exact M/M/c (Erlang C) when both SCVs are 1; exact M/G/1 (Pollaczek–Khinchine) when
/// c = 1 and ca² = 1; the Allen–Cunneen approximation otherwise (one formula covers all
/// three, see the file comment). Unlimited servers: no wait, `sojourn = s`,
/// `utilization = 0`, `busy_servers = number_in_unit = λ·s`. A zero arrival rate is
/// valid: no wait, `sojourn = s`, zero queues.
///
/// @param input the station's rates, times, servers and SCVs.
/// @param id the unit's id, used in error messages only (may be empty).
/// @return the station's metrics, all finite.
/// @throws servicechain::unstable_error if `λ·s / c ≥ 1` with finite servers; its one
///         `saturated_unit` carries `id`, ρ, the load λ and the capacity c/s.
/// @throws servicechain::error (`servicechain.invalid_argument`) if an input is negative
///         or not finite, or `servers < 1`; (`servicechain.overflow`) if a result
///         exceeds the double range (only for absurd inputs such as s = 1e300).
[[nodiscard]] station_metrics analyze_station(const station_input& input, std::string_view id = {});

/// @brief QNA: SCV of the departure process of a station,
/// `cd² = 1 + (1 − ρ²)(ca² − 1) + ρ²(cs² − 1)/√c` (Whitt 1983).
///
/// For a station with unlimited servers pass `utilization = 0`: the departures then
/// keep the arrival SCV (exact for Poisson arrivals, M/G/∞).
/// @param utilization ρ per server, in [0, 1] (at ρ = 1 and c = 1 it gives cs², the
///        output of a saturated server).
/// @param servers c ≥ 1.
/// @param arrival_scv ca² ≥ 0.
/// @param service_scv cs² ≥ 0.
/// @return cd² ≥ 0.
/// @throws servicechain::error (`servicechain.invalid_argument`) on an out-of-range or
///         non-finite argument.
[[nodiscard]] double qna_departure_scv(double utilization, std::int64_t servers, double arrival_scv,
                                       double service_scv);

/// @brief QNA: SCV of the stream that a request follows with probability `q`,
/// independently of everything else (Markovian routing): `q·cd² + 1 − q` (Whitt 1983).
///
/// @param departure_scv SCV of the stream being split, ≥ 0.
/// @param probability q in [0, 1].
/// @return the SCV of the split stream, ≥ 0 (1 for q = 0: a vanishing thinned stream is Poisson).
/// @throws servicechain::error (`servicechain.invalid_argument`) on an out-of-range or
///         non-finite argument.
[[nodiscard]] double qna_split_scv(double departure_scv, double probability);

/// @brief QNA: SCV of the superposition of independent streams by the asymptotic method,
/// `Σ (λ_i/λ)·c_i²` with `λ = Σ λ_i` (Whitt 1982; the basic approximation of Whitt 1983).
///
/// Poisson streams stay Poisson (SCV 1); a single stream keeps its SCV.
/// @param rates λ_i, per time unit, finite, ≥ 0.
/// @param scvs c_i², same length as `rates`, finite, ≥ 0.
/// @return the merged SCV; 1 when the total rate is 0 (no flow: the Poisson default).
/// @throws servicechain::error (`servicechain.invalid_argument`) if the lengths differ or
///         a value is negative or not finite.
[[nodiscard]] double qna_superposition_scv(std::span<const double> rates, std::span<const double> scvs);

}  // namespace servicechain

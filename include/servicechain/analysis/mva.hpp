#pragma once
/// @file
/// @brief Mean-value analysis (MVA) of closed, open and mixed product-form queueing
/// networks, performance bounds, and the stations that can be the bottleneck of a mix.
///
/// Pure numeric functions on a class × station demand matrix, no graph: the network
/// analyses build an `mva_input` from a service graph. Times are in the model's time
/// unit, rates per time unit, populations in requests.
///
/// ## Notation
/// `D[c][k]` service demand of class c at station k (visits × mean service time),
/// `N_c` population and `Z_c` think time of a closed class, `λ_c` arrival rate of an open
/// class, `X` throughput, `R` response time (think time excluded), `Q` mean number at a
/// station including those in service, `U` utilization per server.
///
/// ## Algorithms and sources
/// - **Exact single-class MVA** — Reiser & Lavenberg, *Mean-value analysis of closed
///   multichain queuing networks*, JACM 27(2), 1980: `R_k(n) = D_k(1 + Q_k(n−1))` at a
///   queueing station, `R_k = D_k` at a delay station, `X(n) = n / (Z + Σ R_k(n))`,
///   `Q_k(n) = X(n)·R_k(n)`.
/// - **Multi-server stations, single class: exact load-dependent MVA**, `R_k(n) =
///   (D_k/c)(1 + Q_k(n−1) + Σ_{j=0}^{c−2} (c−1−j)·p_k(j|n−1))` (Bolch, Greiner, de Meer &
///   Trivedi, *Queueing Networks and Markov Chains*, 2nd ed., Wiley 2006, §8.2.1), which
///   needs only the marginals `p_k(j|n)` below the server count. The textbook gets
///   `p_k(0|n)` as `1 − (X·D_k + Σ_{j=1}^{c−1}(c−j)p_k(j|n))/c`, a difference that
///   cancels catastrophically once the station is busy; the error then grows by up to
///   `c^j/j!` as it moves up to p(j) (on the 64-server model of the tests p(0) < 0 from
///   N = 888 on, and X < 0 at N = 10 000). Here `p_k(0|n) = G_{−k}(n)/G(n)`
///   instead — the complement-network identity of Reiser, *Mean-value analysis and
///   convolution method for queue-dependent servers in closed queueing networks*,
///   Performance Evaluation 1(1), 1981 — where each normalizing constant `G_S` of a
///   subnetwork is carried divided by the full network's `G(n)` (Buzen's convolution,
///   CACM 16(9), 1973, normalized level by level as in Lam's dynamic scaling, JACM
///   29(2), 1982). Every step adds or multiplies non-negative numbers, so relative
///   errors grow only linearly, and the normalized values lie in [0, 1] (underflow is
///   graceful). Cost O(N·(K + L²·c)) for L multi-server stations of up to c servers.
/// - **Exact multiclass MVA** over the population lattice (Reiser & Lavenberg 1980)
///   while `Π(N_c + 1) ≤ exact_lattice_limit`, with a rolling window of the lattice
///   (`Π_{c≠c_max}(N_c + 1)` points of K doubles; when that exceeds 5·10⁷ doubles,
///   400 MB, the approximation is used even inside the limit). Time: lattice × C × K.
/// - **Schweitzer–Bard** approximate MVA: `Q_ck(N − e_c) ≈ (N_c − 1)/N_c · Q_ck(N)` —
///   Schweitzer, *Approximate analysis of multiclass closed networks of queues*, Int.
///   Conf. on Stochastic Control and Optimization, Amsterdam 1979; Bard, *Some extensions
///   to multiclass queueing network analysis*, 1979.
/// - **Linearizer** — Chandy & Neuse, *Linearizer: a heuristic algorithm for queueing
///   network models of computing systems*, CACM 25(2), 1982: the fractional deviations
///   `F_cjk = Q_ck(N − e_j)/(N − e_j)_c − Q_ck(N)/N_c` are estimated from C + 1
///   approximate solutions and kept fixed in a core Schweitzer-like iteration; three
///   rounds, as in the paper.
/// - **Multi-server stations with several classes, open classes, async demand, or beyond
///   the lattice limit**: Seidmann's approximation — a queueing station with demand
///   `D/c` in series with a delay of `D(c−1)/c` (Seidmann, Schweitzer & Shalev-Oren, *Computerized closed queueing
///   network models of flexible manufacturing systems*, Large Scale Systems 12, 1987).
///   `method` then says so. In an open-only network a multi-server station is exact
///   M/M/c instead (Erlang C, `queueing.hpp`).
/// - **Mixed networks** — Lazowska, Zahorjan, Graham & Sevcik, *Quantitative System
///   Performance*, Prentice-Hall 1984, ch. 7 (mixed models): the open classes'
///   utilization `U_k` inflates the closed classes' demands at queueing stations to
///   `D/(1 − U_k)`, and an open class sees `R_ck = D_ck(1 + Q_k^closed)/(1 − U_k)`.
/// - **Asynchronous demand** of a closed class (work it causes at rate `X_c` without
///   waiting for it) is treated as an extra open class of rate `X_c`, and `X` is found by
///   a damped fixed-point iteration. The result is exact only without async demand.
/// - **Bounds** — asymptotic bounds (Muntz & Wong 1974; Lazowska et al. ch. 5) and
///   balanced job bounds (Zahorjan, Sevcik, Eager & Galler, *Balanced job bound analysis
///   of queueing networks*, CACM 25(2), 1982).
///
/// ## Automatic choice of the approximation
/// Beyond the exact lattice limit, `automatic` uses Linearizer when
/// `(C + 1)·C·K ≤ 10⁶` (C closed classes with N_c > 0, K stations after Seidmann's
/// split): Linearizer solves C + 1 core problems per round, each needing C²·K work
/// to set up; beyond that Schweitzer–Bard, whose iterations cost C·K.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace servicechain {

/// @brief How a station serves requests.
enum class mva_station_kind {
  queueing,     ///< one server, FCFS (class-independent demand) or PS
  delay,        ///< infinitely many servers: no waiting (think time, a pure delay)
  multi_server  ///< `servers` identical servers, one queue
};

/// @brief One station of the network.
struct mva_station {
  /// Delay, single-server queue or multi-server queue.
  mva_station_kind kind = mva_station_kind::queueing;
  std::int64_t servers = 1;  ///< c ≥ 1; read only for `multi_server`
};

/// @brief Options of `solve_mva`.
struct mva_options {
  /// Exact multiclass MVA while Π(N_c + 1) over the closed classes is at most this;
  /// an approximation beyond it. 0 forces the approximation.
  double exact_lattice_limit = 1e6;
  /// Which approximation, beyond the lattice limit (see the file comment for `automatic`).
  enum class approximation {
    automatic,   ///< chosen by size (see the file comment)
    schweitzer,  ///< Bard–Schweitzer proportional estimate
    linearizer   ///< Chandy–Neuse Linearizer
  } method = approximation::automatic;  ///< the approximation used beyond the lattice limit
  /// Fixed points stop when the largest change of a queue length, relative to its
  /// class population (or of a throughput, relative to itself) is at most this.
  double tolerance = 1e-10;
  /// A fixed point that has not converged after this many sweeps throws `solver_error`.
  int max_iterations = 100000;
};

/// @brief A network: K stations, C classes, each class open or closed.
struct mva_input {
  std::vector<mva_station> stations{};        ///< K stations
  std::vector<std::vector<double>> demand{};  ///< [class][station] D ≥ 0, time units per request
  std::vector<std::int64_t> population{};     ///< per class N_c ≥ 0 (closed); ignored for open classes; empty = all 0
  std::vector<double> think_time{};           ///< per class Z_c ≥ 0 (closed); empty = all 0
  /// per class: λ_c ≥ 0 for an OPEN class, empty for closed; empty vector = all closed
  std::vector<std::optional<double>> arrival_rate{};
  /// Optional ([class][station] or empty): work a class causes at a station at a rate
  /// proportional to its throughput without waiting for it (asynchronous requests).
  std::vector<std::vector<double>> async_demand{};
  /// Optional (K names or empty): used in every message instead of `station 3`.
  std::vector<std::string> station_names{};
};

/// @brief Per-class and per-station means. Every number is finite.
struct mva_result {
  std::vector<double> throughput{};     ///< per class, requests per time unit (open: λ_c)
  std::vector<double> response_time{};  ///< per class R_c = Σ_k residence, time units, think time excluded
  /// [class][station], time per request at the station (all visits)
  std::vector<std::vector<double>> residence_time{};
  /// [class][station], mean number of (synchronous) requests there, incl. in service
  std::vector<std::vector<double>> queue_length{};
  /// [class][station], per server: X·(D + async D)/servers; at a delay station the
  /// mean number busy X·(D + async D).
  std::vector<std::vector<double>> utilization{};
  /// [class][station], mean number of the class's asynchronous requests at the station
  /// (zeros without async demand).
  std::vector<std::vector<double>> async_queue_length{};
  std::string method{};  ///< e.g. "exact MVA", "Schweitzer-Bard", "mixed (open classes inflate demands) + exact MVA"
  int iterations = 0;    ///< sweeps of the fixed points (0 for the exact recursions)
};

/// @brief Solves a closed, open or mixed network by mean-value analysis.
///
/// A class with `arrival_rate` set is open; otherwise it is closed with population
/// `population[c]` and think time `think_time[c]`. A closed class with N_c = 0 has zero
/// throughput, residence times and queues. The exact algorithms and approximations,
/// and when each is used, are listed in the file comment; `method` names the one used.
///
/// @param input the network; see `mva_input` for units and ranges.
/// @param options lattice limit, approximation, tolerance and iteration limit.
/// @return the means per class and station, all finite.
/// @throws servicechain::error (`servicechain.invalid_argument`) on a shape mismatch, a
///         negative or non-finite demand, think time or arrival rate, a negative
///         population, `servers < 1` at a multi-server station, or a closed class with
///         N_c > 0 whose think time and demands are all 0; the message names the class
///         and station.
/// @throws servicechain::unstable_error if the open classes (with the async work of
///         the closed ones) load a station to a utilization ≥ 1; each `saturated_unit`
///         has the station's name (or `station k`), the utilization, the load
///         Σ λ·D in busy servers and the capacity in servers.
/// @throws servicechain::solver_error if a fixed point does not converge within
///         `max_iterations`.
[[nodiscard]] mva_result solve_mva(const mva_input& input, const mva_options& options = {});

/// @brief Bounds per class; every pair is [low, high].
///
/// Closed class c with N_c > 0: asymptotic bounds (ABA) and balanced job bounds (BJB)
/// on X_c and R_c, combined into the tightest. With other closed classes present, the
/// optimistic side (X high, R low) is the class alone (others only slow it down), and
/// the pessimistic side assumes every other closed request is queued ahead (ABA with the
/// total population); open classes enter as inflated demands `D/(1 − U_open)`. A
/// multi-server station counts as a single server of demand D on the pessimistic side
/// and as a delay of D on the optimistic side, with capacity c/D for `1/D_max`.
/// Open class: throughput [λ, λ]; R_c in [max(D, D/(1 − λ·D_avg)), upper], the upper
/// bound being BJB's `D/(1 − λ·D_max)` when the class is alone, else
/// Σ_k D_ck(1 + N_closed)/(1 − U_k) with every other class's load.
struct mva_bounds {
  std::vector<std::pair<double, double>> throughput{};     ///< per class, requests per time unit
  std::vector<std::pair<double, double>> response_time{};  ///< per class, time units, think time excluded
  std::vector<double> knee_population{};  ///< per class N* = (D + Z)/D_max (closed), 0 for open classes
  /// per class 1/D_max, requests per time unit (the open-class maximum); 0 when the class
  /// uses no queueing or multi-server station (no finite limit)
  std::vector<double> saturation_throughput{};
  std::vector<std::pair<double, double>> aba_throughput{};  ///< asymptotic bounds alone
  /// asymptotic bounds alone (open: high = the upper bound above)
  std::vector<std::pair<double, double>> aba_response_time{};
  std::vector<std::pair<double, double>> bjb_throughput{};     ///< balanced job bounds alone
  std::vector<std::pair<double, double>> bjb_response_time{};  ///< balanced job bounds alone
};

/// @brief Asymptotic and balanced job bounds of every class (see `mva_bounds`).
///
/// A closed class with N_c = 0 gets [0, 0] throughput and response time, as `solve_mva` reports.
/// @param input the network, validated as by `solve_mva`.
/// @return the bounds, all finite.
/// @throws servicechain::error (`servicechain.invalid_argument`) as `solve_mva`.
/// @throws servicechain::unstable_error as `solve_mva`, for open classes that saturate a station.
[[nodiscard]] mva_bounds compute_bounds(const mva_input& input);

/// @brief Where a station is the bottleneck, for two classes: β ∈ [low, high], β the share of class 0.
struct mix_interval {
  /// Index of the station in `mva_input`.
  std::size_t station = 0;
  /// Lowest share β of class 0 at which the station is the bottleneck, in [0, 1].
  double low = 0;
  /// Highest share β of class 0 at which the station is the bottleneck, in [0, 1].
  double high = 0;
};

/// @brief The stations that are the bottleneck for some mix of classes.
struct mix_bottleneck_result {
  /// Stations that are the strict bottleneck (largest Σ_c β_c·D_ck) for some mix β in
  /// the simplex, ascending.
  std::vector<std::size_t> stations{};
  /// Per entry of `stations`, a mix (C shares summing to 1) where it is the strict
  /// bottleneck: the mix that maximizes its lead over the runner-up.
  std::vector<std::vector<double>> witness_mix{};
  /// Per entry of `stations`, that lead Σ_c β_c(D_ck − D_cj) over the runner-up j, > 0.
  std::vector<double> margin{};
  /// Stations that reach the largest load only in a tie (e.g. a duplicate column), never strictly.
  std::vector<std::size_t> tied_only{};
  /// Two classes only: the maximal β intervals, by increasing β, where each station of
  /// `stations` is a bottleneck; consecutive intervals share their switching point.
  std::vector<mix_interval> intervals{};
};

/// @brief The mix bottlenecks of a demand matrix (utilization per unit of throughput).
///
/// One class: the stations of largest demand. Two classes: the exact upper envelope of
/// the lines `β·D_0k + (1 − β)·D_1k`. Three or more: one linear program per station,
/// maximize t subject to `Σ_c β_c(D_ck − D_cj) ≥ t` for every j ≠ k, β in the simplex,
/// solved by COIN-OR CLP; the station is a strict bottleneck iff t > 0.
///
/// @param demand [class][station], ≥ 0 and finite, at least one class and one station.
/// @return the bottleneck stations with witnesses (and intervals for two classes).
/// @throws servicechain::error (`servicechain.invalid_argument`) on a ragged matrix or a
///         negative or non-finite entry (naming class and station).
/// @throws servicechain::solver_error if CLP does not report an optimal solution.
[[nodiscard]] mix_bottleneck_result mix_bottlenecks(const std::vector<std::vector<double>>& demand);

}  // namespace servicechain

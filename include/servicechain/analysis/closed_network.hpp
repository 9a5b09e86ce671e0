#pragma once
/// @file
/// @brief Closed and mixed classes on the service graph: mean-value analysis of customers
/// with a population (and open customers beside them), bounds, and the units that are the
/// bottleneck as the class mix shifts (issue 9).
///
/// The service graph is translated into the class × station network of `mva.hpp` and
/// solved there; this file says how, and what the answer means on the graph.
///
/// ## Translation rules
/// - **Classes.** Class `c` is the external customer `g.customers()[c]`, open or closed. A
///   closed class (`population`, `think_time`) is closed with population N_c and think time
///   Z_c; an open class (`demand`) is open with arrival rate d_c (a mixed network when both
///   kinds are present).
/// - **Stations.** Every internal unit that does work for some class (some services per
///   request, whatever the population or demand) is a station named by its id: `servers ==
///   1` is a queueing station, `unlimited` a delay station, more servers a multi-server
///   station. Units with no work for any class are left out (zero in every result).
/// - **Demand a class waits for.** Visits, rework and items come from the flows stage
///   (`compute_load`) and the lead-time weights from the chain stage's formula: `z_jc`, the
///   items of unit j that class c waits for (the kernel over sync links only), and per link
///   `l = i → j` the services at i per waited-for item of j, `r_ij (1 + R^s_i + e_ij)`
///   (`chain_result::link_sync_services_per_item`). With `s_l` the link's service time
///   (`model_numbers::service_time(l)`), the demand of class c at unit i is
///   `D_ic = Σ_{sync l = i→j} r_ij (1 + R^s_i + e_ij) z_jc s_l = Σ_l κ_lc s_l` — the busy-server
///   time per request that the customer waits for. The residence time of c at i is then the
///   unit's lead-time contribution `Σ_l κ_lc W_l` of docs/semantics.md, so the residence
///   times sum to the lead time exactly.
/// - **Asynchronous work.** The rest of a class's work at a unit — all its services per
///   request (`load_result`, every link) minus the waited-for ones, each at its link's
///   service time — is `mva_input::async_demand`: it loads the unit at a rate proportional
///   to the class's throughput but adds nothing to its lead time. The core solves the
///   resulting fixed point (`mva.hpp`); the result is then approximate and `method` says so.
/// - **Open classes** enter as `arrival_rate` (their demand), with the same D and async D.
///   If their work (with its async part) saturates a unit, `analyze_closed` throws
///   `unstable_error` naming the units by id with ρ, the load in services per time unit and
///   the capacity `load/ρ` in services per time unit at that unit's mix of service times.
/// - **Only open classes.** Not an error: the open network is solved by the same core
///   (product form: M/M/1 at single servers, Erlang C at multi-server units, no queue at
///   unlimited ones) and the result has the same shape. For disciplines, SCVs ≠ 1 and
///   per-link waits, `analyze_open` is the analysis to use; on a model where both are exact
///   (FIFO, one exponential service time per unit) they agree.
///
/// ## What is exact and what is approximated
/// Exact (Reiser & Lavenberg's MVA, BCMP product form): closed classes at `shared` units
/// (processor sharing: any service law, class-dependent times), at unlimited-server units,
/// and at FIFO units whose loaded links all have one exponential service time (SCV 1) —
/// single class with multi-server units included (exact load-dependent MVA). Not exact,
/// and listed one entry per unit in `closed_result::approximations` (issue 9 item 5):
/// - a unit with a priority discipline (`external_first`, `internal_first`, `priority`) whose
///   loaded links fall into more than one priority level (with one level in use it is FIFO);
/// - a FIFO or priority unit whose loaded links have different mean service times (per-link
///   `service_time`: the classes' mean service times differ, or a class sees a mixture), or a
///   service SCV ≠ 1.
///
/// Such a unit is analysed with the product-form (FIFO/shared) mean-value equations as if
/// each request's service were exponential with its link's mean and the unit served in
/// order of arrival or shared — the documented approximation; `method` says how many units
/// it concerns. What the core itself approximates (multi-server units with several classes
/// or open classes: Seidmann; lattices beyond `mva_options::exact_lattice_limit`:
/// Linearizer or Schweitzer–Bard; async work: a fixed point) is named in `method` by the
/// core.
///
/// ## Bounds
/// From the core's `compute_bounds` on the same network, per class. The asynchronous work
/// enters the bounds as open work: an open class's at its arrival rate, a closed class's at
/// the throughput the MVA found (so with async work the bounds bracket that solution, not
/// the network before it is solved).
///
/// @code
/// auto g = servicechain::compile(org);              // a customer with population 40
/// auto r = servicechain::analyze_closed(g);
/// double x = r.customer("brokers").throughput;      // claims per hour
/// double t = r.residence_time("legal", "brokers");  // hours of each claim spent at legal
/// @endcode

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "servicechain/analysis/mva.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Options of `analyze_closed`.
struct closed_options {
  /// Lattice limit, approximation, tolerance and iteration limit of the MVA core.
  mva_options mva{};
};

/// @brief What one external customer (class) gets, open or closed. Times in the model's
/// time unit, rates per time unit.
struct closed_customer {
  /// The external unit of this class.
  unit_index customer{};
  bool closed = false;          ///< a closed class (population), else open (demand)
  std::int64_t population = 0;  ///< N_c, closed classes (0 for open ones)
  double think_time = 0;        ///< Z_c, time units, closed classes (0 for open ones)
  /// X_c, requests per time unit (an open class: its demand).
  double throughput = 0;
  /// R_c, time from request to delivery, think time excluded, time units; the sum over
  /// units of `closed_result::residence_time`.
  double lead_time = 0;
  /// [low, high] on X_c, requests per time unit. Closed: the core's asymptotic and
  /// balanced-job bounds, combined. Open: [0, `max_throughput`] — the throughput the class
  /// can sustain (+∞ as high only when it uses no unit with finite servers).
  std::pair<double, double> throughput_bounds{};
  /// [low, high] on R_c, time units (think time excluded).
  std::pair<double, double> lead_time_bounds{};
  /// N* = (D + Z)/D_max, the population beyond which the bottleneck saturates (closed
  /// classes; 0 for open ones or when no unit has finite servers).
  double knee_population = 0;
  /// The throughput at which this class alone saturates its bottleneck unit, requests per
  /// time unit: `min_k servers_k / (D_kc + async D_kc)` over units with finite servers; 0
  /// when it uses none (no finite limit).
  double max_throughput = 0;
};

/// @brief Result of `analyze_closed`: per class, and per unit × class.
///
/// Unit × class figures are dense, row = unit index, column = class; units that are not
/// stations (external units, units with no work) read 0.
struct closed_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  std::vector<closed_customer> customers;  ///< by class
  /// What solved it, from the MVA core (e.g. "exact MVA", "mixed (open classes inflate
  /// demands) + exact load-dependent MVA"), followed by "; product-form approximation at
  /// N unit(s) (see approximations)" when `approximations` is not empty.
  std::string method;
  /// One entry per unit analysed by an approximation (see the file comment), e.g.
  /// "unit 'assessment': external_first discipline with 2 priority levels in use: analysed
  /// with the product-form (FIFO/shared) mean-value equations". The CLI prints them as warnings.
  std::vector<std::string> approximations;
  int iterations = 0;  ///< sweeps of the core's fixed points (0 for the exact recursions)
  /// The units that are stations of `network`, in station order.
  std::vector<unit_index> station_units;
  /// The class × station network that was solved (station names = unit ids).
  mva_input network;

  /// @brief Time per request of class c spent at unit u (all its waited-for visits, wait and
  /// service), time units; sums over units to `customers[c].lead_time`.
  [[nodiscard]] double residence_time(unit_index u, std::size_t c) const { return at(residence_, u, c); }
  /// @brief Mean number of class c's waited-for requests at unit u, waiting or in service.
  /// For a closed class, Σ_u queue_length + X·Z = N (Little's law).
  [[nodiscard]] double queue_length(unit_index u, std::size_t c) const { return at(queue_, u, c); }
  /// @brief Mean number of class c's asynchronous requests at unit u (0 without async links).
  [[nodiscard]] double async_queue_length(unit_index u, std::size_t c) const { return at(async_queue_, u, c); }
  /// @brief Utilization of unit u by class c, per server: X_c (D + async D)/servers; 0 at
  /// unlimited-server units (as in the open analysis; see `busy_servers`).
  [[nodiscard]] double utilization(unit_index u, std::size_t c) const { return at(utilization_, u, c); }
  /// @brief Mean number of servers of unit u busy with class c, X_c (D + async D).
  [[nodiscard]] double busy_servers(unit_index u, std::size_t c) const { return at(busy_, u, c); }
  /// @brief Utilization of unit u by every class together, per server (0 at unlimited ones).
  [[nodiscard]] double utilization(unit_index u) const { return row_sum(utilization_, u); }
  /// @brief Mean number of waited-for requests of every class at unit u.
  [[nodiscard]] double queue_length(unit_index u) const { return row_sum(queue_, u); }

  /// @brief The customer with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no customer has this id.
  [[nodiscard]] const closed_customer& customer(std::string_view id) const {
    return customers[directory->class_at(id)];
  }
  /// @brief `residence_time` by ids, time units.
  /// @throws servicechain::error (`servicechain.unknown_id`) for an unknown unit or customer.
  [[nodiscard]] double residence_time(std::string_view unit_id, std::string_view customer_id) const {
    return residence_time(directory->at(unit_id), directory->class_at(customer_id));
  }
  /// @brief `queue_length` by ids.
  /// @throws servicechain::error (`servicechain.unknown_id`) for an unknown unit or customer.
  [[nodiscard]] double queue_length(std::string_view unit_id, std::string_view customer_id) const {
    return queue_length(directory->at(unit_id), directory->class_at(customer_id));
  }
  /// @brief `utilization` by ids.
  /// @throws servicechain::error (`servicechain.unknown_id`) for an unknown unit or customer.
  [[nodiscard]] double utilization(std::string_view unit_id, std::string_view customer_id) const {
    return utilization(directory->at(unit_id), directory->class_at(customer_id));
  }

 private:
  friend closed_result analyze_closed(const service_graph& g, const model_numbers& numbers,
                                      const closed_options& options);
  [[nodiscard]] double at(const std::vector<double>& m, unit_index u, std::size_t c) const {
    return m[u.value() * customers.size() + c];
  }
  [[nodiscard]] double row_sum(const std::vector<double>& m, unit_index u) const {
    double sum = 0;
    for (std::size_t c = 0; c < customers.size(); ++c) sum += at(m, u, c);
    return sum;
  }
  std::vector<double> residence_, queue_, async_queue_, utilization_, busy_;  // units × classes
};

/// @brief True when some customer is a closed class (has a population).
/// @param g the compiled structure; @param numbers its numbers.
[[nodiscard]] bool has_closed_classes(const service_graph& g, const model_numbers& numbers);

/// @brief Mean-value analysis of every customer, closed classes with their population and
/// think time, open ones beside them (translation rules and what is exact: file comment).
///
/// Per class: throughput, lead time and its exact decomposition by unit (residence times),
/// per unit and class: queue length and utilization; bounds and the knee population. Cost:
/// the flows and chain stages (O((links + units) · classes) plus the loop solves), then the
/// core (`solve_mva`: exact single class O(N · K), exact multiclass O(Π(N_c + 1) · C · K),
/// approximations O(C · K) per sweep).
/// @param g the compiled structure; @param numbers its numbers; @param options the core's options.
/// @return per-class and per-unit means, all finite.
/// @throws servicechain::unstable_error if the open classes' work (with its async part)
///         loads some unit to ρ ≥ 1; every such unit is named by id, with ρ, its load and
///         capacity in services per time unit.
/// @throws servicechain::invalid_model_error naming the customer if a closed class has
///         think time 0 and no work it waits for (its throughput would be infinite).
/// @throws servicechain::solver_error if a loop's system cannot be solved or a fixed point
///         of the core does not converge within `options.mva.max_iterations`.
[[nodiscard]] closed_result analyze_closed(const service_graph& g, const model_numbers& numbers,
                                           const closed_options& options = {});

/// @brief `analyze_closed(g, g.numbers(), options)`.
/// @throws as `analyze_closed(g, numbers, options)`.
[[nodiscard]] closed_result analyze_closed(const service_graph& g, const closed_options& options = {});

/// @brief A unit that is the bottleneck for some mix of classes.
struct mix_bottleneck_unit {
  /// Index of the unit.
  unit_index unit{};
  /// Id of the unit.
  std::string id{};
  /// False for a unit that reaches the largest utilization only in a tie with another
  /// (e.g. the same demands), never alone; then `witness_mix` is empty and `margin` 0.
  bool strict = true;
  /// A mix (one share per class, summing to 1) where the unit is the strict bottleneck:
  /// the mix that maximizes its lead over the runner-up.
  std::vector<double> witness_mix{};
  /// That lead, utilization per request at the witness mix (> 0 for strict bottlenecks).
  double margin = 0;
  /// Two classes only: the share β of class 0 (`g.customers()[0]`) over which the unit is
  /// the bottleneck, [low, high]; consecutive units share their switching point. {0, 0}
  /// otherwise.
  std::pair<double, double> share_of_first_class{};
};

/// @brief The units that are the bottleneck for some mix of the classes (issue 9 item 4):
/// a graph-level wrapper of the core's `mix_bottlenecks`.
///
/// Stations are the units with finite servers that do work for some class; the demand of
/// class c at unit k is its utilization per request, the busy-server time per request of c
/// at k (sync and async work, each service at its link's service time) divided by the
/// servers. A mix is a vector of throughput shares (for open classes, the shares of
/// demand): at mix β unit k carries Σ_c β_c D_ck per request, and the bottleneck is the
/// largest. Unlimited-server units never saturate and are left out.
/// @param g the compiled structure; @param numbers its numbers.
/// @return the strict bottlenecks (two classes: by increasing share of class 0, with the
///         exact switching points; otherwise by unit index), then the tied-only units by
///         unit index; empty when no unit with finite servers has work or there is no class.
/// @throws servicechain::solver_error if a loop's system cannot be solved or CLP fails.
[[nodiscard]] std::vector<mix_bottleneck_unit> mix_bottlenecks(const service_graph& g, const model_numbers& numbers);

/// @brief `mix_bottlenecks(g, g.numbers())`.
/// @throws as `mix_bottlenecks(g, numbers)`.
[[nodiscard]] std::vector<mix_bottleneck_unit> mix_bottlenecks(const service_graph& g);

}  // namespace servicechain

#pragma once
/// @file
/// @brief Structure of the service chain: line of sight, heaviest chains, loops of mutual
/// service, gatekeepers (dominators), articulation points, brokers (betweenness),
/// capacity with substitutable providers, and misaligned units.
///
/// Every function is a pure function of a compiled `service_graph` (and, where load
/// matters, a `load_result`). Results are indexed by `unit_index` and carry the graph's
/// `unit_directory` for lookups by id. The meaning, formulas and sources of each result
/// are in `docs/structure.md`.
///
/// Direction words: a link `provider -> consumer` points the way service flows, toward
/// customers. A *chain* of a unit runs along the links from the unit to a customer; a
/// customer's *gatekeepers* are found against the links, from the customer toward its
/// providers (`direction::with_demand`).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "servicechain/analysis/critical_chain.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/propagation.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

// =============================================================== line of sight

/// @brief Each unit's load split by external customer (class).
struct line_of_sight_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  /// The customer of each class: column `c` of `share` belongs to `customers[c]`.
  std::vector<unit_index> customers{};
  /// `share(i, c) = λ_ic / λ_i`: the fraction of unit i's services (first passes and
  /// rework) performed for customer c. Each row sums to 1 for a unit with load; rows of
  /// units without load (and of external units) are 0.
  unit_matrix share{};
  /// `λ_i`, services per time unit, the denominator of each row (0: no load).
  std::vector<double> load{};

  /// @brief True if unit `u` carries load, so its row of shares sums to 1.
  [[nodiscard]] bool has_load(unit_index u) const noexcept { return load[u.value()] > 0; }
  /// @brief The share of unit `u`'s load caused by class `c` (by index).
  [[nodiscard]] double share_of(unit_index u, std::size_t c) const {
    return share(u.value(), static_cast<Eigen::Index>(c));
  }
  /// @brief The share of unit `unit_id`'s load caused by customer `customer_id`.
  /// @throws servicechain::error (`servicechain.unknown_id`) if either id is unknown or
  ///         `customer_id` is not an external customer.
  [[nodiscard]] double share_of(std::string_view unit_id, std::string_view customer_id) const;
};

/// @brief Line of sight: for every unit, the share of its load caused by each customer.
///
/// `λ_ic = load_per_request_ic · t_c` with `t_c` the class throughput (by default the
/// demand of an open class; closed classes count only if a throughput is given).
/// Cost O(units · classes).
/// @param g the compiled graph; @param load its loads (`compute_load(g)`).
/// @param class_throughput requests per time unit of each class (size `g.class_count()`),
///        e.g. the throughputs of a closed-class analysis; empty: `load.demand`.
/// @throws servicechain::error (`servicechain.invalid_argument`) if `class_throughput`
///         has the wrong size or a negative or non-finite entry.
[[nodiscard]] line_of_sight_result line_of_sight(const service_graph& g, const load_result& load,
                                                 std::span<const double> class_throughput = {});

// =============================================================== heaviest chains

/// @brief A chain of service: a simple path along the links from a unit to a customer.
struct service_chain {
  /// The units from the first provider to the customer, both included; no unit repeats.
  std::vector<unit_index> units{};
  /// `Π requests` along the chain (parallel links between two units add their
  /// requests): items the first unit delivers along this chain per customer request.
  double gain = 0;
  /// `gain · d_c`: items per time unit the chain carries (0 for a closed class).
  double flow = 0;
  /// `gain / v_ic`: the fraction of the first unit's items for this customer that
  /// travel this chain (`v_ic` counts every walk; chains through loops share the rest).
  double share = 0;
};

/// @brief Options of `heaviest_chains()`.
struct chain_options {
  std::size_t k = 3;  ///< chains per unit and customer, heaviest first (≥ 1)
};

/// @brief The `k` heaviest chains of one unit: `result[c]` lists those to customer
/// `g.customers()[c]`, heaviest first (fewer if fewer exist; none for external units).
///
/// Exact: Yen's k-shortest simple paths (Yen, *Finding the k shortest loopless paths in
/// a network*, Management Science 17(11), 1971) with edge costs `−log(r_ab · v_b / v_a)`,
/// which are ≥ 0 because the visit ratios satisfy `v_a ≥ r_ab v_b` (Johnson's
/// reweighting with the visit ratios as potentials), so Dijkstra applies even when
/// `requests > 1`. Cost O(k · L · (E log V)) per customer on the part of the graph
/// between the unit and the customer, L the longest chain found.
/// @param g the compiled graph; @param load its loads (for visit ratios and demands).
/// @param u the unit; @param options `k`.
/// @throws servicechain::error (`servicechain.invalid_argument`) if `k == 0` or `u` is
///         not a unit of `g`.
[[nodiscard]] std::vector<std::vector<service_chain>> heaviest_chains(const service_graph& g, const model_numbers& numbers,
                                                                     const load_result& load, unit_index u,
                                                                     const chain_options& options = {});

/// @brief `heaviest_chains(g, g.numbers(), load, u, options)`.
[[nodiscard]] std::vector<std::vector<service_chain>> heaviest_chains(const service_graph& g, const load_result& load,
                                                                     unit_index u, const chain_options& options = {});

/// @brief The heaviest chains of every unit to every customer.
struct chains_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  std::vector<unit_index> customers{};  ///< class c → its customer
  /// `chains[i][c]`: up to k chains from unit i to customer c, heaviest first.
  std::vector<std::vector<std::vector<service_chain>>> chains{};

  /// @brief The chains of unit `unit_id` to customer `customer_id`.
  /// @throws servicechain::error (`servicechain.unknown_id`) if an id is unknown or
  ///         `customer_id` is not a customer.
  [[nodiscard]] const std::vector<service_chain>& of(std::string_view unit_id, std::string_view customer_id) const;
};

/// @brief The `k` heaviest chains of every unit to every customer, exactly.
///
/// Per customer, a dynamic programme over the condensation from the customer back
/// toward the providers: a unit outside any loop merges the k best chains of its
/// consumers; inside a loop, Yen's algorithm runs on the loop's units plus one virtual
/// exit per (consumer outside the loop, rank). Same chains as `heaviest_chains(g, load,
/// u)` for each `u`, at a fraction of the cost; memory O(units · customers · k) plus the
/// chains returned (their total length can reach units² · k — call it for models of a
/// few thousand units, or ask per unit).
/// @throws servicechain::error (`servicechain.invalid_argument`) if `k == 0`.
[[nodiscard]] chains_result heaviest_chains(const service_graph& g, const model_numbers& numbers, const load_result& load,
                                            const chain_options& options = {});

/// @brief `heaviest_chains(g, g.numbers(), load, options)`.
[[nodiscard]] chains_result heaviest_chains(const service_graph& g, const load_result& load,
                                            const chain_options& options = {});

// =============================================================== loops of mutual service

/// @brief A loop of mutual service (strongly connected component of two or more units).
struct loop_report {
  std::vector<unit_index> units{};  ///< by index
  double gain = 0;                  ///< spectral radius of the loop's `requests` matrix, < 1
  /// `1 / (1 − gain)`: how much the loop multiplies the items fed into it along its
  /// dominant mode (the Neumann series `Σ gainᵏ`); it grows without bound as gain → 1.
  double amplification = 1;
  bool fragile = false;  ///< `gain ≥ loops_options::fragile_gain`
};

/// @brief Options of `loops_of_mutual_service()`.
struct loops_options {
  /// A loop whose gain reaches this value is reported fragile: a 1/gain − 1 relative
  /// increase of the requests inside it (11% at 0.9) makes it diverge, and it already
  /// multiplies what enters it by ≥ 1/(1 − gain) (10 at 0.9). In (0, 1].
  double fragile_gain = 0.9;
};

/// @brief Every loop of mutual service with its gain (computed by `compile()`), flagged
/// fragile when the gain is close to 1. In `g.loops()` order.
/// @throws servicechain::error (`servicechain.invalid_argument`) if `fragile_gain` is
///         not in (0, 1].
[[nodiscard]] std::vector<loop_report> loops_of_mutual_service(const service_graph& g, const model_numbers& numbers,
                                                               const loops_options& options = {});

/// @brief `loops_of_mutual_service(g, g.numbers(), options)`.
[[nodiscard]] std::vector<loop_report> loops_of_mutual_service(const service_graph& g, const loops_options& options = {});

// =============================================================== dominators and gatekeepers

/// @brief A dominator tree: unit `d` dominates `u` if every path from the root to `u`
/// passes through `d`.
struct dominator_tree {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  /// The unit every path starts from (a customer, for gatekeepers).
  unit_index root{};
  direction dir = direction::with_service;  ///< the direction the paths travel along the links
  /// The immediate dominator of each unit: the root's is the root itself; empty for a
  /// unit the root cannot reach.
  std::vector<std::optional<unit_index>> immediate_dominator{};

  /// @brief True if the root reaches `u`.
  [[nodiscard]] bool reachable(unit_index u) const noexcept { return immediate_dominator[u.value()].has_value(); }
  /// @brief The dominators of `u` other than `u`, nearest first, ending at the root;
  /// empty for the root and for unreachable units.
  [[nodiscard]] std::vector<unit_index> dominators_of(unit_index u) const;
};

/// @brief The dominator tree of the graph seen from `root`, following links in direction `dir`.
///
/// Lengauer & Tarjan, *A fast algorithm for finding dominators in a flowgraph*, ACM TOPLAS
/// 1(1), 1979 (the version with path compression, O(E log V)), written iteratively: it
/// runs on a million-unit pipeline with a rework loop, where Boost.Graph's recursive
/// `lengauer_tarjan_dominator_tree` overflows the stack (and allocates a deque per
/// vertex). The tests check it against Boost.Graph and NetworkX.
/// @param dir `with_service`: paths follow the links (provider → consumer);
///        `with_demand`: paths go against them (consumer → provider).
/// @throws servicechain::error (`servicechain.invalid_argument`) if `root` is not a unit of `g`.
[[nodiscard]] dominator_tree dominators(const service_graph& g, unit_index root, direction dir);

/// @brief A unit through which every chain between some providers and a customer passes.
struct gatekeeper {
  /// The unit that gates the customer.
  unit_index unit{};
  /// Units (other than itself) all of whose chains to the customer pass through it:
  /// the size of its subtree in the dominator tree, minus one.
  std::size_t gated_units = 0;
};

/// @brief The gatekeepers of one external customer.
struct customer_gatekeepers {
  /// The external unit of this class.
  unit_index customer{};
  /// Dominator tree rooted at the customer, `direction::with_demand` (consumer → provider).
  dominator_tree tree;
  /// Internal units that gate at least one other unit, most gated units first (ties by index).
  std::vector<gatekeeper> gatekeepers{};
};

/// @brief Gatekeepers of every customer: for each, the dominator tree of the provider
/// graph seen from it, and the units that gate others. In class order. Cost
/// O(customers · E log V).
[[nodiscard]] std::vector<customer_gatekeepers> gatekeepers(const service_graph& g);

/// @brief Articulation points of the undirected structure: units whose removal
/// disconnects some other units from each other (links taken without direction).
/// Iterative depth-first search (Hopcroft & Tarjan, *Efficient algorithms for graph
/// manipulation*, CACM 16(6), 1973) over the links in both directions, without a copy of
/// the graph. Sorted by index. Cost O(V + E) time, O(V) memory.
[[nodiscard]] std::vector<unit_index> articulation_points(const service_graph& g);

// =============================================================== brokers (betweenness)

/// @brief Options of `betweenness()`.
struct betweenness_options {
  /// Length of each link (index = `link_index`), finite and > 0, e.g. a latency; empty:
  /// every link has length 1 (shortest = fewest links).
  std::span<const double> link_length{};
  /// Number of source units to sample; 0 or ≥ the unit count: exact (every source).
  std::size_t sample_size = 0;
  /// Seed of the sample (a uniform sample without replacement).
  std::uint64_t seed = 1;
  /// Explicit sources, used instead of a random sample when non-empty (no repeats).
  std::vector<unit_index> sources{};
  /// Threads evaluating a sample's sources (0: one per core; at most 4 are used). The
  /// result is the same bit for bit whatever the number.
  unsigned threads = 0;
};

/// @brief Betweenness centrality of every unit: a structural index of brokerage.
struct betweenness_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  /// `C(v) = Σ_{s ≠ v ≠ t} σ_st(v) / σ_st` over ordered pairs of the directed graph,
  /// endpoints excluded (NetworkX's directed, unnormalized convention); an estimate
  /// when sampled.
  std::vector<double> raw{};
  /// `raw / ((n − 1)(n − 2))`, n = unit count (0 when n ≤ 2).
  std::vector<double> normalized{};
  /// Estimated standard error of `raw` (0 when exact); divide by (n − 1)(n − 2) for `normalized`.
  std::vector<double> standard_error{};
  std::size_t sources_used = 0;  ///< sources evaluated (the unit count when exact)
  bool exact = true;             ///< every source evaluated
};

/// @brief Betweenness centrality (Brandes, *A faster algorithm for betweenness
/// centrality*, J. Math. Sociology 25(2), 2001), exactly or from a sample of sources.
///
/// Exact: Boost.Graph `brandes_betweenness_centrality` on the directed graph, O(V·E)
/// (O(V·E + V² log V) with lengths). Sampled (Brandes & Pich, *Centrality estimation in
/// large networks*, Int. J. Bifurcation and Chaos 17(7), 2007): with `k` sources drawn
/// without replacement, `Ĉ(v) = (n/k) Σ_s δ_s(v)` is unbiased, and its standard error is
/// estimated from the spread of the per-source dependencies `δ_s(v)`:
/// `SE = n · sqrt((1 − k/n) · s²_v / k)` with `s²_v` their sample variance (Cochran,
/// *Sampling Techniques*, 3rd ed., Wiley 1977, ch. 2: the variance of the mean of a
/// simple random sample with the finite population correction, and its unbiased estimate).
/// Direction does not matter: reversing every link permutes the (s, t) pairs.
/// @throws servicechain::error (`servicechain.invalid_argument`) if `link_length` has the
///         wrong size or a length that is not finite and > 0 (naming the link), or a
///         source is out of range or repeated.
[[nodiscard]] betweenness_result betweenness(const service_graph& g, const betweenness_options& options = {});

// =============================================================== capacity with choices

/// @brief The re-split of one substitutable link at the optimum.
struct link_split {
  /// The substitutable link.
  link_index link{};
  double given_requests = 0;    ///< `requests` in the model
  double optimal_requests = 0;  ///< requests per consumer item after re-splitting
  double flow = 0;              ///< requests per time unit at the optimum (at `demand_scale`)
};

/// @brief A unit whose capacity limits the throughput with choices.
struct limiting_unit {
  /// The unit whose capacity limits the throughput.
  unit_index unit{};
  /// `∂θ*/∂μ_u`: the gain in demand scale per extra service per time unit of capacity
  /// (the LP's dual price). Always > 0.
  double shadow_price = 0;
};

/// @brief Largest sustainable external throughput with the splits as given and with
/// the splits inside each group re-optimized.
struct choice_capacity_result {
  /// Ids of the units and customers, for the lookups by id (shared with the graph).
  std::shared_ptr<const unit_directory> directory;
  double demand = 0;  ///< `D = Σ d_c` over open classes, requests per time unit
  /// `θ_fixed`: largest common factor on every demand with the given splits (`1/ρ_max`);
  /// empty if no capacity-limited unit carries load.
  std::optional<double> fixed_split_demand_scale;
  /// `θ*`: the same with the splits re-optimized (≥ `θ_fixed`); empty if unbounded.
  std::optional<double> demand_scale;
  /// `θ_fixed · D`, requests per time unit.
  std::optional<double> fixed_split_value;
  /// `θ* · D`, requests per time unit: the largest sustainable external throughput at the current mix.
  std::optional<double> value;
  /// Units whose capacity constraints bind with a positive dual price: jointly they
  /// limit `θ*` (for a network of pure choices, a minimum node cut). By index.
  std::vector<limiting_unit> limiting_units{};
  /// Every grouped link with its optimal re-split (model order of links).
  std::vector<link_split> splits{};
};

/// @brief Capacity with choices: the largest factor `θ` on every open demand that the
/// organization can serve when each consumer may re-split the requests of each of its
/// groups among the group's providers (their total per item fixed).
///
/// Exact linear programme (docs/structure.md, "Capacity with choices"): variables `θ`
/// and the flow `g_l` of every grouped link; items `y = θ·Y₀ + Σ_l g_l·Y_l` by
/// propagation over the ungrouped links; constraints `Σ_{l∈G} g_l = R_G · y_j` per group,
/// `λ_u(θ, g) ≤ servers_u / service_time_u` per capacity-limited unit (loads with
/// rework, docs/semantics.md). Exact with loops, rework, nested groups and several
/// classes (the mix is held). It is a Leontief substitution system, not a network flow:
/// a consumer needs *all* of its ungrouped providers, so one item does not follow one
/// path; for a network of pure choices (every unit has one group of providers whose
/// requests sum to 1, no rework) it reduces to the node-capacitated maximum flow, and
/// the tests check that against `max_flow_min_cut`. Solved by COIN-OR CLP on a sparse
/// programme (one row per unit fed by a grouped flow and per group, capacity rows only
/// when a solution comes near them); about 0.5 s CPU for 10⁵ units with 10⁴ grouped links.
/// @throws servicechain::solver_error if the LP solver fails (numerically).
[[nodiscard]] choice_capacity_result capacity_with_choices(const service_graph& g, const model_numbers& numbers,
                                                           const load_result& load);

/// @brief `capacity_with_choices(g, g.numbers(), load)`.
[[nodiscard]] choice_capacity_result capacity_with_choices(const service_graph& g, const load_result& load);

// =============================================================== misalignment

/// @brief Why a unit is reported as misaligned.
enum class misalignment {
  no_path_to_customer,  ///< no chain of links leads from it to any external customer
  mostly_rework,        ///< more than the threshold of its load is internal rework
};

/// @brief A misaligned unit and what it costs.
struct misaligned_unit {
  /// The misaligned unit.
  unit_index unit{};
  /// Why the unit is misaligned.
  misalignment reason = misalignment::no_path_to_customer;
  double load = 0;          ///< λ, services per time unit
  double rework_share = 0;  ///< `(λ − y) / λ`: services that redo or re-check (0 without load)
  double cost = 0;          ///< `cost_per_time + cost_per_request · λ`, currency per time unit
};

/// @brief Options of `misaligned_units()`.
struct misalignment_options {
  double rework_threshold = 0.5;  ///< report `mostly_rework` above this share, in [0, 1)
};

/// @brief Units that work for no external customer, and units whose load is mostly
/// rework, with their cost per time unit. By index.
/// @throws servicechain::error (`servicechain.invalid_argument`) if the threshold is not in [0, 1).
[[nodiscard]] std::vector<misaligned_unit> misaligned_units(const service_graph& g, const model_numbers& numbers,
                                                           const load_result& load,
                                                           const misalignment_options& options = {});

/// @brief `misaligned_units(g, g.numbers(), load, options)`.
[[nodiscard]] std::vector<misaligned_unit> misaligned_units(const service_graph& g, const load_result& load,
                                                           const misalignment_options& options = {});

// =============================================================== everything at once

/// @brief Options of `analyze_structure()`.
struct structure_options {
  std::size_t k = 3;                     ///< heaviest chains per unit and customer
  std::size_t chains_unit_limit = 2000;  ///< chains for every unit only up to this many units
  double fragile_gain = 0.9;             ///< see `loops_options`
  double rework_threshold = 0.5;         ///< see `misalignment_options`
  /// Exact betweenness up to this many units; above, a sample (`betweenness_sample_size`).
  std::size_t betweenness_exact_limit = 5000;
  /// Sources sampled for the betweenness estimate above `betweenness_exact_limit` units,
  /// at most; see `betweenness_link_budget`.
  std::size_t betweenness_samples = 500;
  /// Cap on sampled sources × links (each source costs up to two passes over the links):
  /// above 500 000 links fewer than 500 sources, `budget / links` but at least 2 (62 at
  /// 4·10⁶ links, 10⁶ units). The standard errors report what precision that leaves.
  std::size_t betweenness_link_budget = 250'000'000;
};

/// @brief Sources `analyze_structure` samples for betweenness, 0 for exact: 0 up to
/// `betweenness_exact_limit` units, else `min(betweenness_samples, max(2,
/// betweenness_link_budget / links))`.
[[nodiscard]] std::size_t betweenness_sample_size(const service_graph& g, const structure_options& options);

/// @brief Every structural result.
struct structure_result {
  /// Each unit's load split by customer.
  line_of_sight_result line_of_sight;
  std::optional<chains_result> chains;  ///< empty above `chains_unit_limit` units
  /// Every loop of mutual service, with its gain and whether it is fragile.
  std::vector<loop_report> loops{};
  /// The gatekeepers of each customer, by class.
  std::vector<customer_gatekeepers> gatekeepers{};
  /// Units whose removal disconnects the graph (ignoring link direction).
  std::vector<unit_index> articulation_points{};
  /// Betweenness centrality of every unit (brokers).
  betweenness_result betweenness;
  /// Largest throughput with the given and the re-optimized splits of substitutable links.
  choice_capacity_result capacity_with_choices;
  /// Units that serve no customer or mostly rework.
  std::vector<misaligned_unit> misaligned{};
  /// The critical chain of each customer with every unit's slack (`critical_chains()`);
  /// empty when a unit is saturated, since it needs the waits of the open analysis.
  std::optional<std::vector<critical_chain>> critical_chains{};

  /// @brief The gatekeepers of the customer with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no customer has this id.
  [[nodiscard]] const customer_gatekeepers& gatekeepers_of(std::string_view customer_id) const;
  /// @brief The critical chain of the customer with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no customer has this id, or
  ///         (`servicechain.unstable`) if the critical chains were not computed because a
  ///         unit is saturated.
  [[nodiscard]] const critical_chain& critical_chain_of(std::string_view customer_id) const;
};

/// @brief Runs every structural analysis with `load = compute_load(g)`.
/// @throws servicechain::error (`servicechain.invalid_argument`) on an invalid option.
/// @throws servicechain::solver_error if a loop's system or the simplex fails.
[[nodiscard]] structure_result analyze_structure(const service_graph& g, const model_numbers& numbers,
                                                 const structure_options& options = {});

/// @brief `analyze_structure(g, g.numbers(), options)`.
[[nodiscard]] structure_result analyze_structure(const service_graph& g, const structure_options& options = {});

}  // namespace servicechain

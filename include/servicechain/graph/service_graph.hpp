#pragma once
/// @file
/// @brief The compiled, immutable service graph: dense indices, CSR adjacency in both
/// directions, strongly connected components and a topological order of their condensation.

#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "servicechain/model/organization.hpp"

namespace servicechain {

/// @brief A dense index in `[0, n)`; a distinct type per `Tag` so unit and link indices never mix.
template <typename Tag>
class strong_index {
 public:
  /// The raw index type.
  using value_type = std::uint32_t;
  constexpr strong_index() noexcept = default;
  /// @brief The index at position `value`.
  constexpr explicit strong_index(value_type value) noexcept : value_(value) {}
  /// @brief The raw position, for indexing result vectors.
  [[nodiscard]] constexpr value_type value() const noexcept { return value_; }
  /// @brief Ordered as the raw positions.
  friend constexpr auto operator<=>(strong_index, strong_index) noexcept = default;

 private:
  value_type value_ = 0;
};

/// @brief Index of a unit: its position in `organization::units`.
using unit_index = strong_index<struct unit_index_tag>;
/// @brief Index of a link: its position in `organization::links`.
using link_index = strong_index<struct link_index_tag>;

/// @brief The numbers of a unit, as compiled (ids, names and whether it is external
/// belong to the structure, `service_graph`).
///
/// Times are in the model's time unit, rates per time unit, money in its currency.
struct unit_parameters {
  /// A pure delay: every request is served at once.
  bool unlimited_servers = false;
  /// Priority disciplines: preemptive-resume (else non-preemptive).
  bool preemptive = false;
  /// Order of service among the unit's consumers.
  discipline queue_discipline = discipline::fifo;
  double servers = 1;            ///< server count; 0 when unlimited
  double service_time = 0;       ///< 0 for external units
  /// Squared coefficient of variation of the service time (1 = exponential).
  double service_scv = 1;
  double cost_per_time = 0;      ///< currency per time unit
  double cost_per_request = 0;   ///< currency per service
  /// Probability that a service adds no defect, in (0, 1].
  double yield = 1;
  bool open_class = false;       ///< external with `demand`
  double demand = 0;             ///< requests per time unit (open classes), else 0
  std::int64_t population = 0;   ///< closed classes, else 0
  double think_time = 0;         ///< closed classes, time units
  double value_per_request = 0;  ///< currency per request
  /// Working hours (internal units), shared between copies; null for constant servers. With
  /// one, `servers` = ⌈c̄⌉ for its time-average servers c̄ and `service_time` (and each
  /// link's own service time at this unit) is the model's divided by `speed` = c̄ / ⌈c̄⌉: the
  /// analyses see the time-average capacity (docs/semantics.md, "Working hours").
  std::shared_ptr<const periodic_schedule> schedule{};
  /// c̄ / ⌈c̄⌉ for a unit with working hours, else 1 (dimensionless, in (0, 1]).
  double speed = 1;
  /// The model's own `service_time`, before the working-hours rule (time units); equal to
  /// `service_time` without a schedule.
  double model_service_time = 0;
  /// Demand profile (open classes), shared between copies; null for a constant rate. `demand`
  /// is its time average.
  std::shared_ptr<const periodic_schedule> profile{};
};

/// @brief The numbers of a link, as compiled.
struct link_parameters {
  double requests = 1;    ///< mean requests to the provider per item the consumer delivers
  double acceptance = 1;  ///< probability a delivery is accepted first time
  double rejections = 0;  ///< e = (1 − a) / a, expected rejections per accepted delivery
  /// Priority at the provider under `discipline::priority`; lower is served first.
  std::int64_t priority = 0;
  std::optional<double> service_time{};  ///< the provider's mean time for this consumer; empty = the provider's
  std::optional<double> service_scv{};   ///< its SCV; empty = the provider's
};

/// @brief Where a link runs and how: the part of a link that belongs to the structure.
struct link_topology {
  /// The unit that serves (the link's `from`).
  unit_index provider{};
  /// The unit that is served (the link's `to`).
  unit_index consumer{};
  /// Whether the consumer waits for the service (sync) or not (async).
  link_mode mode = link_mode::sync;
  std::int32_t group = -1;  ///< index into `service_graph::group_names()`, −1 for none
};

/// @brief A strongly connected component with more than one unit: a loop of mutual service.
/// Its gain depends on the numbers: `model_numbers::loop_gain`.
struct service_loop {
  /// The units of the loop, in topological-order position.
  std::vector<unit_index> units{};
  std::uint32_t component = 0;  ///< its component in `service_graph`
};

namespace detail {
struct id_image;
}  // namespace detail

/// @brief Id → index lookup shared by a graph and the results computed from it.
///
/// Results keep a `shared_ptr` to it so they stay valid after the graph is gone. It also
/// knows the customers: class `c` is the `c`-th external unit in model order.
class unit_directory {
 public:
  /// @param ids unit ids in index order.
  /// @param external per unit, whether it is an external customer (empty: none is).
  explicit unit_directory(std::vector<std::string> ids, const std::vector<bool>& external = {});
  /// @brief Number of units.
  [[nodiscard]] std::size_t size() const noexcept { return ids_.size(); }
  /// @brief Id of unit `u`.
  [[nodiscard]] const std::string& id(unit_index u) const noexcept { return ids_[u.value()]; }
  /// @brief Every id, by unit index.
  [[nodiscard]] const std::vector<std::string>& ids() const noexcept { return ids_; }
  /// @brief The index of the unit with this id, or `std::nullopt`.
  [[nodiscard]] std::optional<unit_index> find(std::string_view id) const noexcept;
  /// @brief The index of the unit with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if there is none.
  [[nodiscard]] unit_index at(std::string_view id) const;
  /// @brief Looks up many ids at once, overlapping their memory accesses (much faster
  /// than one `find` after another on large models): `found[k]` is the index of
  /// `ids[k]`, or `std::nullopt`. `found` must have `ids.size()` elements.
  void find_many(std::span<const std::string_view> ids, std::span<std::optional<unit_index>> found) const;

  /// @brief The external units in model order; class `c` is `customers()[c]`.
  [[nodiscard]] std::span<const unit_index> customers() const noexcept { return customers_; }
  /// @brief The class of an external unit, or `std::nullopt` for an internal one.
  [[nodiscard]] std::optional<std::size_t> class_of(unit_index u) const noexcept {
    const std::int32_t c = class_of_[u.value()];
    return c < 0 ? std::nullopt : std::optional<std::size_t>(static_cast<std::size_t>(c));
  }
  /// @brief The class of the customer with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if no external unit has this id.
  [[nodiscard]] std::size_t class_at(std::string_view id) const;

 private:
  std::vector<std::string> ids_{};
  std::vector<unit_index> customers_{};
  std::vector<std::int32_t> class_of_{};
  // Open addressing: a slot holds index + 1 (0 = empty) and the id's image, its length
  // and the id itself if it is short (src/detail/id_image.hpp).
  struct id_slot {
    std::uint32_t entry = 0;
    std::uint32_t head = 0;
    std::uint64_t body = 0;
  };
  bool holds(const id_slot& slot, const detail::id_image& image, std::string_view id) const noexcept;
  // The slot holding `id`, or the empty slot where its search ends.
  std::size_t search(std::size_t hash, const detail::id_image& image, std::string_view id) const noexcept;
  std::optional<unit_index> probe(std::size_t hash, std::string_view id) const noexcept;
  std::vector<id_slot> table_{};
};

class service_graph;
namespace detail {
struct bgl_storage;
struct bgl_cache;
struct kernel_layout;
/// The propagation kernel's adjacency in topological order (src/detail/kernel_layout.hpp).
[[nodiscard]] const kernel_layout& kernel_layout_of(const service_graph& g) noexcept;
/// Both `compile` overloads: `owned`, when given, is `org` itself, whose units and links are
/// freed as soon as they have been read.
[[nodiscard]] service_graph compile_model(const organization& org, organization* owned);
}  // namespace detail

class model_numbers;

/// @brief The immutable compiled structure of an `organization`.
///
/// Built once by `compile()`, then shared by every analysis. It holds what does not
/// change when a number is edited: ids, which units are customers, the links' ends,
/// modes and groups, CSR adjacency in both directions, the strongly connected components
/// and a topological order of their condensation. The numbers (service times, servers,
/// requests, demands, …) are a separate, editable value, `model_numbers`; the graph keeps
/// the numbers it was compiled with as `numbers()`, and every analysis takes a graph and
/// a set of numbers (what-if: copy `numbers()`, edit the copy, analyse again — no
/// recompilation).
///
/// Units keep the indices of `organization::units` and links those of
/// `organization::links`. `out_links(u)` are the links where `u` is the provider
/// (towards its consumers), `in_links(u)` those where `u` is the consumer (from its
/// providers). Components are numbered in topological order of the condensation:
/// every link goes from a component to itself or to a later one.
class service_graph {
 public:
  /// @brief Moves; the moved-from graph may only be destroyed or assigned to.
  service_graph(service_graph&&) noexcept;
  /// @brief Move assignment.
  service_graph& operator=(service_graph&&) noexcept;
  /// @brief Copies the structure; the numbers and the id directory are shared (immutable).
  service_graph(const service_graph&);
  /// @brief Copy assignment.
  service_graph& operator=(const service_graph&);
  ~service_graph();

  // ---- the model as a whole
  /// @brief The model's name.
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// @brief Label of the time unit of every time and rate, e.g. `hour`.
  [[nodiscard]] const std::string& time_unit() const noexcept { return time_unit_; }
  /// @brief Label of the currency of every cost; may be empty.
  [[nodiscard]] const std::string& currency() const noexcept { return currency_; }
  /// @brief The numbers the graph was compiled with; copy them to edit a scenario.
  [[nodiscard]] const model_numbers& numbers() const noexcept { return *numbers_; }

  // ---- units
  /// @brief Number of units, external customers included.
  [[nodiscard]] std::size_t unit_count() const noexcept { return external_.size(); }
  /// @brief True for an external customer.
  [[nodiscard]] bool is_external(unit_index u) const noexcept { return external_[u.value()] != 0; }
  /// @brief Id of unit `u`.
  [[nodiscard]] const std::string& id(unit_index u) const noexcept { return directory_->id(u); }
  /// @brief Name of unit `u` for display: its `name`, else its id.
  [[nodiscard]] const std::string& display_name(unit_index u) const noexcept { return names_[u.value()]; }
  /// @brief Id lookup, shared with results.
  [[nodiscard]] const std::shared_ptr<const unit_directory>& directory() const noexcept { return directory_; }
  /// @brief The index of the unit with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if there is none.
  [[nodiscard]] unit_index index_of(std::string_view id) const { return directory_->at(id); }

  // ---- links
  /// @brief Number of links.
  [[nodiscard]] std::size_t link_count() const noexcept { return links_.size(); }
  /// @brief Ends, mode and group of a link.
  [[nodiscard]] const link_topology& link(link_index l) const noexcept { return links_[l.value()]; }
  /// @brief Every link's ends, mode and group, by link index.
  [[nodiscard]] std::span<const link_topology> links() const noexcept { return links_; }
  /// @brief Group labels; `link_topology::group` indexes this.
  [[nodiscard]] const std::vector<std::string>& group_names() const noexcept { return group_names_; }
  /// @brief The link `from -> to` (the first one, if there are several).
  /// @throws servicechain::error (`servicechain.unknown_id`) if a unit or the link does not exist.
  [[nodiscard]] link_index link_between(std::string_view from, std::string_view to) const;

  /// @brief Links where `u` is the provider, i.e. towards its consumers.
  [[nodiscard]] std::span<const link_index> out_links(unit_index u) const noexcept {
    return {out_.link.data() + out_.offset[u.value()], out_.link.data() + out_.offset[u.value() + 1]};
  }
  /// @brief Links where `u` is the consumer, i.e. from its providers.
  [[nodiscard]] std::span<const link_index> in_links(unit_index u) const noexcept {
    return {in_.link.data() + in_.offset[u.value()], in_.link.data() + in_.offset[u.value() + 1]};
  }

  // ---- customers (classes)
  /// @brief The external units in model order; class `c` is `customers()[c]`.
  [[nodiscard]] std::span<const unit_index> customers() const noexcept { return directory_->customers(); }
  /// @brief Number of external customers (classes).
  [[nodiscard]] std::size_t class_count() const noexcept { return directory_->customers().size(); }
  /// @brief The class of an external unit, or `std::nullopt` for an internal one.
  [[nodiscard]] std::optional<std::size_t> class_of(unit_index u) const noexcept { return directory_->class_of(u); }

  // ---- structure
  /// @brief Number of strongly connected components.
  [[nodiscard]] std::size_t component_count() const noexcept { return component_start_.size() - 1; }
  /// @brief Component of a unit; components are numbered in topological order.
  [[nodiscard]] std::uint32_t component_of(unit_index u) const noexcept { return component_[u.value()]; }
  /// @brief Every unit, providers before consumers; the units of a component are contiguous.
  [[nodiscard]] std::span<const unit_index> topological_order() const noexcept { return order_; }
  /// @brief The units of component `c`, a contiguous slice of `topological_order()`.
  [[nodiscard]] std::span<const unit_index> component_units(std::uint32_t c) const noexcept {
    return {order_.data() + component_start_[c], order_.data() + component_start_[c + 1]};
  }
  /// @brief Position of a unit in `topological_order()`.
  [[nodiscard]] std::uint32_t order_position(unit_index u) const noexcept { return position_[u.value()]; }
  /// @brief True if some chain of links leads from unit `u` to an external customer
  /// (customers included); an internal unit without one works for no external customer.
  [[nodiscard]] bool reaches_customer(unit_index u) const noexcept { return reaches_customer_[u.value()] != 0; }
  /// @brief Every loop of mutual service (component with more than one unit), by component.
  [[nodiscard]] const std::vector<service_loop>& loops() const noexcept { return loops_; }

  /// @brief Raw CSR arrays for kernels: row `u` holds entries `[offset[u], offset[u+1])`.
  /// The link weights of a row (e.g. `requests`) are kept in the same order by `model_numbers`.
  struct csr {
    std::vector<std::uint32_t> offset{};    ///< size n + 1, indexed by unit index
    std::vector<link_index> link{};         ///< link of each entry
    std::vector<std::uint32_t> neighbor{};  ///< the unit at the other end of each entry
  };
  /// @brief Out-links (towards consumers) of every unit, as CSR.
  [[nodiscard]] const csr& out_csr() const noexcept { return out_; }
  /// @brief In-links (from providers) of every unit, as CSR.
  [[nodiscard]] const csr& in_csr() const noexcept { return in_; }

  /// @brief Opaque BGL storage; include `servicechain/graph/bgl.hpp` to use it. Built on the
  /// first call (thread-safe) and shared by copies: a graph that is never viewed through
  /// Boost.Graph does not hold a third copy of its links (≈ 70 MB at 4·10⁶ links).
  [[nodiscard]] const detail::bgl_storage& bgl_storage() const;

 private:
  friend service_graph detail::compile_model(const organization& org, organization* owned);
  friend const detail::kernel_layout& detail::kernel_layout_of(const service_graph& g) noexcept;
  service_graph();

  std::string name_, time_unit_, currency_;
  std::shared_ptr<const unit_directory> directory_;
  std::vector<std::string> names_{};
  std::vector<char> external_{};
  std::vector<link_topology> links_{};
  std::vector<std::string> group_names_{};
  csr out_, in_;
  std::vector<std::uint32_t> component_{};
  std::vector<std::uint32_t> component_start_{};
  std::vector<unit_index> order_{};
  std::vector<std::uint32_t> position_{};
  std::vector<service_loop> loops_{};
  std::vector<char> reaches_customer_{};
  std::shared_ptr<detail::bgl_cache> bgl_;
  std::shared_ptr<const detail::kernel_layout> kernel_;
  std::shared_ptr<const model_numbers> numbers_;
};

/// @brief Validates `org` and compiles it into an immutable `service_graph` (with the
/// model's numbers as `numbers()`).
///
/// Checks every rule of `validate()`, then that every loop of mutual service has a
/// loop gain (spectral radius of its `requests` matrix) below 1, so that
/// `(I − R) y = d` has a unique non-negative solution.
/// @throws servicechain::invalid_model_error listing every validation problem.
/// @throws servicechain::loop_gain_error listing every loop whose gain is ≥ 1.
/// @note On Linux with two cores or more, and for arrays of 64 MB and more in all, a helper
/// thread faults the call's large arrays in (page tables only, no byte written) while it fills
/// them; the thread is joined before the call returns.
[[nodiscard]] service_graph compile(const organization& org);

/// @brief As `compile(const organization&)`, for a model the caller no longer needs
/// (`compile(load_organization(file))`): its units and links are freed as soon as they have
/// been read, so that the graph's buffers reuse their memory. The peak memory drops by the
/// model's size, and at 10⁶ units compile is faster, because memory a process has just freed
/// is quicker to have again than memory it never had. On an error, `org` is left valid but
/// unspecified (its units and links may be gone).
/// @throws as `compile(const organization&)`.
[[nodiscard]] service_graph compile(organization&& org);

}  // namespace servicechain

#include "servicechain/graph/model_numbers.hpp"  // IWYU pragma: export

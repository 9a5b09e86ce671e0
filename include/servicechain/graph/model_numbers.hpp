#pragma once
/// @file
/// @brief The editable numbers of a compiled model: per unit, per link, per class.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

class model_numbers;

namespace detail {
/// A vector shared between copies until one of them edits it (copy on write), so that
/// copying a model's numbers for a what-if costs O(1) and an edit copies only the array
/// it changes.
template <typename T>
class shared_vector {
 public:
  shared_vector() : data_(std::make_shared<std::vector<T>>()) {}
  [[nodiscard]] const std::vector<T>& get() const noexcept { return *data_; }
  [[nodiscard]] std::vector<T>& edit() {
    if (data_.use_count() > 1) data_ = std::make_shared<std::vector<T>>(*data_);
    return *data_;
  }

 private:
  std::shared_ptr<std::vector<T>> data_;
};
/// A process-wide unique id for `model_numbers::flows_revision` (never 0).
[[nodiscard]] std::uint64_t new_flows_revision() noexcept;
/// `requests` in the propagation kernel's layout (src/detail/kernel_layout.hpp): of the
/// out-rows (`out` true) or in-rows.
[[nodiscard]] std::span<const double> kernel_requests(const model_numbers& n, bool out) noexcept;
}  // namespace detail

/// @brief A number of a unit that can be edited without recompiling.
enum class unit_field {
  service_time,       ///< time units, > 0 (internal units)
  service_scv,        ///< ≥ 0
  cost_per_time,      ///< currency per time unit, ≥ 0
  cost_per_request,   ///< currency, ≥ 0
  yield,              ///< probability in (0, 1]
  demand,             ///< requests per time unit, ≥ 0 (open classes)
  think_time,         ///< time units, ≥ 0 (closed classes)
  value_per_request,  ///< currency, ≥ 0 (customers)
};

/// @brief A number of a link that can be edited without recompiling.
enum class link_field {
  requests,      ///< requests per item, ≥ 0; re-checks the gain of the loop it lies in
  acceptance,    ///< probability in (0, 1]
  service_time,  ///< time units, > 0: the provider's time for this consumer
  service_scv,   ///< ≥ 0
};

/// @brief Every number of a compiled model, apart from its structure.
///
/// A plain value, cheap to copy (its arrays are shared until a copy edits them): copy it, edit the copy with the `set…` functions, and pass it to any
/// analysis together with the `service_graph` it belongs to. Editing never recompiles:
/// each edit is validated like the model itself (the same messages, naming the unit or
/// link and its JSON location) and, for `requests`, re-checks the gain of the one loop of
/// mutual service the link lies in. A rejected edit throws and changes nothing. Units and
/// links are the indices of the graph.
class model_numbers {
 public:
  // ---- reading
  /// @brief The numbers of unit `u`.
  [[nodiscard]] const unit_parameters& unit(unit_index u) const noexcept { return units_.get()[u.value()]; }
  /// @brief The numbers of every unit, by unit index.
  [[nodiscard]] std::span<const unit_parameters> units() const noexcept { return units_.get(); }
  /// @brief The numbers of link `l`.
  [[nodiscard]] const link_parameters& link(link_index l) const noexcept { return links_.get()[l.value()]; }
  /// @brief The numbers of every link, by link index.
  [[nodiscard]] std::span<const link_parameters> links() const noexcept { return links_.get(); }
  /// @brief The provider's mean time for one service of link `l` (its own override, else
  /// the provider's `service_time`), time units.
  [[nodiscard]] double service_time(link_index l) const noexcept {
    const auto& p = link(l);
    return p.service_time ? *p.service_time : units_.get()[provider_.get()[l.value()]].service_time;
  }
  /// @brief The SCV of that service time.
  [[nodiscard]] double service_scv(link_index l) const noexcept {
    const auto& p = link(l);
    return p.service_scv ? *p.service_scv : units_.get()[provider_.get()[l.value()]].service_scv;
  }
  /// @brief True if some link overrides its provider's service time or SCV.
  [[nodiscard]] bool has_link_service() const noexcept { return link_service_count_ != 0; }
  /// @brief Gain of loop `k` of `service_graph::loops()` (spectral radius of its `requests`), < 1.
  [[nodiscard]] double loop_gain(std::size_t k) const noexcept { return loop_gains_[k]; }
  /// @brief `requests` of every entry of `g.out_csr()` (or `g.in_csr()`), in CSR order: the
  /// kernel's default weights.
  [[nodiscard]] std::span<const double> out_requests() const noexcept { return out_requests_.get(); }
  /// @copydoc out_requests
  [[nodiscard]] std::span<const double> in_requests() const noexcept { return in_requests_.get(); }
  /// @brief An id of the numbers the flows stage depends on (demands, `requests`,
  /// `acceptance`): two `model_numbers` with the same id have the same flows, so a
  /// `load_result` computed from one serves the other (see `analyze_open` with flows).
  /// Every edit of those numbers takes a new, never reused id; other edits keep it.
  [[nodiscard]] std::uint64_t flows_revision() const noexcept { return flows_revision_; }

  // ---- editing (each: validated; throws and changes nothing on a bad value)
  /// @brief Sets a number of unit `u`.
  /// @throws servicechain::invalid_model_error naming the unit if the value breaks a model rule.
  void set(const service_graph& g, unit_index u, unit_field field, double value);
  /// @brief Sets the servers of unit `u` (a count ≥ 1, or unlimited).
  /// @throws servicechain::invalid_model_error naming the unit if the count is < 1.
  void set_servers(const service_graph& g, unit_index u, server_count servers);
  /// @brief Sets the population of a closed class (customer `u`).
  /// @throws servicechain::invalid_model_error naming the unit if it is not a closed class or `population < 1`.
  void set_population(const service_graph& g, unit_index u, std::int64_t population);
  /// @brief Sets the scheduling discipline of unit `u`.
  void set_discipline(const service_graph& g, unit_index u, discipline d, bool preemptive = false);
  /// @brief Sets a number of link `l`.
  /// @throws servicechain::invalid_model_error naming the link if the value breaks a model rule.
  /// @throws servicechain::loop_gain_error if new `requests` give its loop a gain ≥ 1.
  void set(const service_graph& g, link_index l, link_field field, double value);
  /// @brief Clears link `l`'s own service time and SCV: the provider's apply again.
  void clear_link_service(link_index l);
  /// @brief Sets the priority of link `l`'s requests at its provider.
  void set_priority(link_index l, std::int64_t priority);
  /// @brief Multiplies every open class's demand by `factor` (≥ 0, finite).
  /// @throws servicechain::error (`servicechain.invalid_argument`) on a bad factor.
  void scale_demand(double factor);

 private:
  friend service_graph detail::compile_model(const organization& org, organization* owned);
  friend std::span<const double> detail::kernel_requests(const model_numbers& n, bool out) noexcept;
  model_numbers() = default;
  void update_link_service_count(const link_parameters& before, const link_parameters& after) noexcept;

  detail::shared_vector<unit_parameters> units_{};
  detail::shared_vector<link_parameters> links_{};
  detail::shared_vector<std::uint32_t> provider_{};  ///< per link: for resolving per-link service times
  detail::shared_vector<double> out_requests_{}, in_requests_{};
  /// The same in the kernel's layout (entries between components only).
  detail::shared_vector<double> kernel_out_requests_{}, kernel_in_requests_{};
  std::vector<double> loop_gains_{};
  std::size_t link_service_count_ = 0;
  std::uint64_t flows_revision_ = 0;
};

}  // namespace servicechain

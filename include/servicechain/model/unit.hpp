#pragma once
/// @file
/// @brief A unit of the organization: an internal provider/consumer or an external customer.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "servicechain/model/schedule.hpp"

namespace servicechain {

/// @brief Order in which a unit serves waiting requests.
enum class discipline {
  fifo,            ///< first come, first served
  external_first,  ///< requests from external customers before internal ones
  internal_first,  ///< requests from internal consumers before external ones
  priority,        ///< by the `priority` of each outgoing link (the consumer served); lower is served first
  shared,          ///< processor sharing: attention split over all requests in hand (a person multitasking)
};

/// @brief `fifo`, `external_first`, `internal_first`, `priority` or `shared`.
[[nodiscard]] std::string_view to_string(discipline d) noexcept;
/// @brief Parses a discipline name; `std::nullopt` if unknown.
[[nodiscard]] std::optional<discipline> parse_discipline(std::string_view name) noexcept;

/// @brief Number of parallel servers: a positive count, or unlimited (a pure delay, no queue).
///
/// Converts implicitly from an integer so that `{.servers = 3}` reads naturally;
/// use `server_count::unlimited()` for a delay.
class server_count {
 public:
  /// @brief `count` servers (implicit, so that `.servers = 3` reads naturally).
  constexpr server_count(std::int64_t count = 1) noexcept : count_(count) {}  // NOLINT(google-explicit-constructor)
  /// @brief Infinitely many servers: every request is served at once.
  [[nodiscard]] static constexpr server_count unlimited() noexcept {
    server_count s;
    s.unlimited_ = true;
    s.count_ = 0;
    return s;
  }
  /// @brief True for unlimited servers (a pure delay).
  [[nodiscard]] constexpr bool is_unlimited() const noexcept { return unlimited_; }
  /// @brief The count; meaningless when unlimited.
  [[nodiscard]] constexpr std::int64_t count() const noexcept { return count_; }
  /// @brief Member-wise equality.
  friend constexpr bool operator==(const server_count&, const server_count&) = default;

 private:
  std::int64_t count_;
  bool unlimited_ = false;
};

/// @brief The six needs a consumer rates its provider on (scores 1–5).
inline constexpr std::string_view need_names[] = {"informed", "in_control", "choices",
                                                  "friendly", "knowledgeable", "attentive"};

/// @brief Ratings by need name, e.g. `{{"informed", 4}, {"friendly", 5}}`.
using need_ratings = std::vector<std::pair<std::string, double>>;

/// @brief A unit of the organization (docs/semantics.md, "Units"). A plain value: no algorithms.
///
/// Times are in the organization's `time_unit`, rates per time unit, money in its `currency`.
struct unit {
  std::string id{};                  ///< unique, non-empty
  std::string name{};                ///< display name; empty means "same as id"
  bool external = false;           ///< an external customer (segment): consumes, never provides
  server_count servers = 1;        ///< parallel servers, or unlimited
  std::optional<double> service_time{};  ///< mean time one request occupies one server; required for internal units
  double service_scv = 1;          ///< squared coefficient of variation of service time
  discipline queue_discipline = discipline::fifo;  ///< JSON key `discipline`
  bool preemptive = false;         ///< a higher-priority request interrupts the one in service
  double cost_per_time = 0;        ///< cost of keeping the unit, currency per time unit
  double cost_per_request = 0;     ///< variable cost per request served, currency
  double yield = 1;                ///< probability a delivered item has no escaped defect
  std::optional<double> demand{};    ///< external only: requests per time unit (open class)
  std::optional<std::int64_t> population{};  ///< external only: closed-class population
  std::optional<double> think_time{};        ///< external only, with population: time between requests
  double value_per_request = 0;    ///< external only: revenue or value of one request, currency
  /// Internal only: working hours, the number of servers over time (replaces `servers`, which
  /// must then keep its default). The analyses use its time average; the simulation follows it.
  std::optional<periodic_schedule> schedule{};
  /// Open class only: the shape of the arrival rate over time, as relative weights; the rate
  /// at time t is `demand · value_at(t) / time_average()`, so `demand` stays the mean rate.
  std::optional<periodic_schedule> profile{};

  /// @brief `name`, or `id` when the name is empty.
  [[nodiscard]] const std::string& display_name() const noexcept { return name.empty() ? id : name; }
  /// @brief Member-wise equality.
  friend bool operator==(const unit&, const unit&) = default;
};

}  // namespace servicechain

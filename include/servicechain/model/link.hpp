#pragma once
/// @file
/// @brief A link `provider -> consumer`: the provider serves the consumer.

#include <optional>
#include <string>
#include <string_view>

#include "servicechain/model/unit.hpp"

namespace servicechain {

/// @brief Whether the consumer waits for the provider's result.
enum class link_mode {
  sync,   ///< the consumer waits: the provider's time adds to lead time
  async,  ///< load only: never adds to lead time
};

/// @brief `sync` or `async`.
[[nodiscard]] std::string_view to_string(link_mode m) noexcept;
/// @brief Parses a mode name; `std::nullopt` if unknown.
[[nodiscard]] std::optional<link_mode> parse_link_mode(std::string_view name) noexcept;

/// @brief A link of the organization (docs/semantics.md, "Links"). Service flows `from -> to`;
/// demand flows against the arrow.
struct link {
  std::string from{};           ///< provider id
  std::string to{};             ///< consumer id
  double requests = 1;        ///< mean requests to the provider per item the consumer delivers
  /// sync: the consumer waits for the service; async: it does not.
  link_mode mode = link_mode::sync;
  double acceptance = 1;      ///< probability a delivery is accepted first time; rejected ones are redone
  std::string group{};          ///< substitutable providers of one consumer share a group; empty = none
  std::int64_t priority = 0;  ///< priority at the provider under `discipline::priority`; lower first
  /// The provider's mean service time for this consumer, time units; empty = the provider's own.
  std::optional<double> service_time{};
  /// SCV of the provider's service time for this consumer; empty = the provider's own.
  std::optional<double> service_scv{};
  need_ratings ratings{};       ///< the consumer's view of the service on the six needs (1–5)

  /// @brief Member-wise equality.
  friend bool operator==(const link&, const link&) = default;
};

}  // namespace servicechain

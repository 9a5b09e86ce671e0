#pragma once
/// @file
/// @brief The organization: units and links, a plain value the user builds or loads.

#include <string>
#include <string_view>
#include <vector>

#include "servicechain/model/link.hpp"
#include "servicechain/model/unit.hpp"

namespace servicechain {

/// @brief An organization as a directed graph of units and links (docs/semantics.md).
///
/// A value type with no algorithms: edit it freely, then `compile()` it.
/// @code
/// servicechain::organization org{.name = "shop", .time_unit = "hour"};
/// org.add_unit({.id = "desk", .service_time = 0.2});
/// org.add_unit({.id = "walk_in", .external = true, .demand = 3});
/// org.add_link({.from = "desk", .to = "walk_in"});
/// @endcode
struct organization {
  std::string name{};               ///< model name
  std::string description{};        ///< what the model represents (free text, optional)
  std::string time_unit = "hour"; ///< label of the time unit, e.g. "hour"
  std::string currency{};           ///< label of the currency, e.g. "EUR"; may be empty
  /// The units, in model order (their indices after `compile`).
  std::vector<unit> units{};
  /// The links, in model order (their indices after `compile`).
  std::vector<link> links{};

  /// @brief Appends a unit and returns a reference to it (valid until the next insertion).
  unit& add_unit(unit u);
  /// @brief Appends a link and returns a reference to it (valid until the next insertion).
  link& add_link(link l);

  /// @brief The unit with this id, or `nullptr`. Linear search: compile for repeated lookups.
  [[nodiscard]] const unit* find_unit(std::string_view id) const noexcept;
  /// @copydoc find_unit
  [[nodiscard]] unit* find_unit(std::string_view id) noexcept;
  /// @brief The unit with this id.
  /// @throws servicechain::error (`servicechain.unknown_id`) if there is none.
  [[nodiscard]] const unit& unit_by_id(std::string_view id) const;

  /// @brief Member-wise equality.
  friend bool operator==(const organization&, const organization&) = default;
};

}  // namespace servicechain

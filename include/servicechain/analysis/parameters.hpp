#pragma once
/// @file
/// @brief Parameter paths: one editable number of a compiled model named by text,
/// `units/<id>/<field>`, `links/<from>/<to>/<field>` or `customers/<id>/<field>`, read from
/// and written to a `model_numbers` (what-if, sweeps, sensitivities, Shapley programmes).
///
/// Grammar (docs/whatif.md):
/// - `units/<id>/<field>`, field one of `service_time` (time units), `service_scv`,
///   `servers` (a count ≥ 1, or `unlimited`), `cost_per_time` (currency per time unit),
///   `cost_per_request` (currency), `yield` (probability);
/// - `links/<from>/<to>/<field>` for the link whose provider is `from` and consumer `to`
///   (the first such link if there are several), field one of `requests`, `acceptance`,
///   `service_time` (the provider's time for this consumer, time units), `service_scv`;
/// - `customers/<id>/<field>` for an external customer, field one of `demand` (requests
///   per time unit, open classes), `population` (closed classes), `think_time` (time
///   units, closed classes), `value_per_request` (currency).
///
/// Ids may contain `/`: the field is the text after the last `/`, and a link's ends are
/// the one split of the rest into two existing unit ids.

#include <string>
#include <string_view>
#include <vector>

#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Which number a parameter path names.
enum class parameter_field {
  // units/<id>/<field>
  service_time,      ///< time units, > 0
  service_scv,       ///< ≥ 0
  servers,           ///< a count ≥ 1; infinity stands for unlimited
  cost_per_time,     ///< currency per time unit, ≥ 0
  cost_per_request,  ///< currency, ≥ 0
  yield,             ///< probability in (0, 1]
  // customers/<id>/<field>
  demand,             ///< requests per time unit, ≥ 0 (open classes)
  population,         ///< a count ≥ 1 (closed classes)
  think_time,         ///< time units, ≥ 0 (closed classes)
  value_per_request,  ///< currency, ≥ 0
  // links/<from>/<to>/<field>
  requests,           ///< requests per item, ≥ 0
  acceptance,         ///< probability in (0, 1]
  link_service_time,  ///< time units, > 0 (path field `service_time`)
  link_service_scv,   ///< ≥ 0 (path field `service_scv`)
};

/// @brief One editable number of a compiled model: a parsed parameter path.
struct parameter {
  parameter_field field = parameter_field::service_time;  ///< which number
  unit_index unit{};  ///< the unit or customer (`units/`, `customers/` paths)
  link_index link{};  ///< the link (`links/` paths)

  /// @brief True for a `links/…` parameter.
  [[nodiscard]] bool on_link() const noexcept {
    return field == parameter_field::requests || field == parameter_field::acceptance ||
           field == parameter_field::link_service_time || field == parameter_field::link_service_scv;
  }
  /// @brief Field-wise equality.
  friend bool operator==(const parameter&, const parameter&) = default;
};

/// @brief A parameter and the value it is given.
struct parameter_edit {
  parameter target{};  ///< the number edited
  double value = 0;  ///< in the parameter's unit (see `parameter_field`); infinity = unlimited servers
};

/// @brief The field's name as it appears in a path, e.g. `service_time` (also for
/// `link_service_time`).
[[nodiscard]] std::string_view parameter_field_name(parameter_field field) noexcept;

/// @brief Parses a parameter path against a compiled model.
/// @throws servicechain::error naming the path and what is wrong: `servicechain.unknown_id`
///         for an unknown unit or customer id or a missing link (with the nearest id when
///         one is a plausible typo), `servicechain.invalid_argument` for an unknown root or
///         field, or a `customers/` path naming an internal unit.
[[nodiscard]] parameter parse_parameter(const service_graph& g, std::string_view path);

/// @brief The canonical path of a parameter, e.g. `units/legal/service_time`.
[[nodiscard]] std::string parameter_path(const service_graph& g, const parameter& p);

/// @brief The current value of a parameter in `numbers`, in its unit (see
/// `parameter_field`). A link's `service_time` and `service_scv` are the provider's when
/// the link has none of its own; `servers` of an unlimited unit is infinity.
[[nodiscard]] double parameter_value(const service_graph& g, const model_numbers& numbers, const parameter& p);

/// @brief Sets a parameter in `numbers` (validated by `model_numbers`'s rules).
/// @param value in the parameter's unit; for `servers` and `population` an integer ≥ 1
///        (`servers`: infinity for unlimited).
/// @throws servicechain::error naming the path, the value and what is wrong (code of the
///         underlying failure: `servicechain.invalid_model`, `servicechain.loop_gain` or
///         `servicechain.invalid_argument`); `numbers` is unchanged then.
void set_parameter(const service_graph& g, model_numbers& numbers, const parameter& p, double value);

/// @brief Parses the text of a value for parameter `p`: a finite decimal number, or
/// `unlimited` for `servers` (returned as infinity).
/// @throws servicechain::error (`servicechain.invalid_argument`) naming the path and the text.
[[nodiscard]] double parse_parameter_value(const service_graph& g, const parameter& p, std::string_view text);

/// @brief Parses `PATH=VALUE` (the `--set` argument of the CLI).
/// @throws servicechain::error as `parse_parameter` and `parse_parameter_value`, or
///         (`servicechain.invalid_argument`) when there is no `=`.
[[nodiscard]] parameter_edit parse_parameter_edit(const service_graph& g, std::string_view text);

/// @brief Applies edits in order to a copy of `base` and returns it.
/// @throws servicechain::error as `set_parameter` for the first bad edit.
[[nodiscard]] model_numbers apply_edits(const service_graph& g, const model_numbers& base,
                                        const std::vector<parameter_edit>& edits);

}  // namespace servicechain

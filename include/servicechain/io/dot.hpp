#pragma once
/// @file
/// @brief Pictures of an organization: Graphviz DOT text coloured by a metric, and SVG
/// rendering through the Graphviz `dot` program (the `servicechain dot` command).
///
/// The picture reads left to right, from internal providers to the external customers
/// (service flows along the arrows). Units are filled on a sequential light-to-dark scale
/// (pale yellow → amber → dark brown: lightness falls monotonically, so it survives
/// colour-blindness and greyscale printing); a legend gives the scale with its values and
/// units. Edges carry their flow; rejected deliveries (acceptance < 1) are dashed red with
/// their rework flow, async links dotted. Customers are double octagons, misaligned units
/// grey, saturated units have a bold red border, highlighted units a thick blue one.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief The number that colours each unit of a picture.
enum class dot_metric {
  /// ρ = λ·s / servers (capacity analysis; works on saturated models too). Fixed scale 0–1.
  utilization,
  /// Lead-time contribution κ_ic·W_i of each unit to one customer (open-network analysis),
  /// in time units. Needs a stable model.
  lead_time,
  /// Without a customer: the unit's cost per time unit, cost_per_time + cost_per_request·λ
  /// (currency per time unit; works on saturated models too). With a customer: the unit's
  /// share of that customer's cost to serve (currency per request; needs a stable model).
  cost,
};

/// @brief `utilization`, `lead_time` or `cost`.
[[nodiscard]] std::string_view to_string(dot_metric m) noexcept;
/// @brief Parses a metric name; `std::nullopt` if unknown.
[[nodiscard]] std::optional<dot_metric> parse_dot_metric(std::string_view name) noexcept;

/// @brief Options of `to_dot`.
struct dot_options {
  /// What colours the units.
  dot_metric metric = dot_metric::utilization;
  /// Id of the external customer whose figures are shown (`lead_time`, `cost`). Required for
  /// `lead_time` when the model has more than one customer; defaults to the only one.
  std::optional<std::string> customer{};
  /// Units drawn with a thick blue border (e.g. gatekeepers, a loop, a critical chain).
  std::vector<unit_index> highlight_units{};
  /// What the highlighted units are, for the legend; empty means "highlighted".
  std::string highlight_label{};
};

/// @brief The analysis results a picture shows; `to_dot` formats them and runs no analysis.
struct dot_inputs {
  const model_numbers& numbers;        ///< the numbers the results were computed from
  const load_result& load;             ///< `compute_load(g, numbers)`
  const capacity_result& capacity;     ///< `analyze_capacity(g, numbers, load)`
  const open_result* open = nullptr;   ///< `analyze_open(g, numbers)`: needed for `lead_time`, and `cost` with a customer
};

/// @brief The organization as a Graphviz DOT digraph, units coloured by `options.metric`.
///
/// Node names are the unit ids as DOT quoted strings (`"` and `\` escaped); labels are
/// HTML-like, so any id or name is shown as written.
/// @param g the compiled organization.
/// @param inputs the analysis results to show.
/// @param options metric, customer and highlighted units.
/// @return the DOT text, ending with a newline.
/// @throws servicechain::error (`servicechain.unknown_id`) if `options.customer` names no
///         unit, or (`servicechain.invalid_argument`) a unit that is not an external
///         customer, or if the metric needs a customer and the model has none or several
///         and none was given, or if a highlighted index is out of range.
/// @throws servicechain::error (`servicechain.invalid_argument`) if the metric needs
///         `inputs.open` and it is missing.
[[nodiscard]] std::string to_dot(const service_graph& g, const dot_inputs& inputs, const dot_options& options = {});

/// @brief Renders DOT text to an SVG file with Graphviz (`dot -Tsvg`), found on `PATH`.
///
/// The text goes through a temporary file; the SVG is written to `out` only if `dot`
/// succeeds, replacing an existing file.
/// @param dot_text a DOT graph, e.g. from `to_dot`.
/// @param out path of the SVG file to write.
/// @throws servicechain::io_error if `dot` is not on `PATH`, cannot be started, fails
///         (its exit status and error output are in the message), or if a temporary file
///         or `out` cannot be written.
void render_svg(std::string_view dot_text, const std::filesystem::path& out);

}  // namespace servicechain

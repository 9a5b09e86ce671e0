#pragma once
/// @file
/// @brief Reports of `servicechain whatif`, `sweep` and `knockout` (text table, JSON, CSV;
/// keys in docs/whatif.md), and the sweep's line chart rendered with gnuplot.

#include <filesystem>
#include <string>
#include <string_view>

#include "servicechain/analysis/knockout.hpp"
#include "servicechain/analysis/scenario.hpp"
#include "servicechain/analysis/sweep.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/report.hpp"

namespace servicechain {

/// @brief The report of a what-if: the edits (each parameter's value before and after),
/// then every customer's, internal unit's and link's KPIs before, after and the difference.
/// Runs no analysis.
/// @param g the compiled model; @param base the numbers of the base;
/// @param s the scenario applied to them; @param comparison `compare(g, base, apply_scenario(g, base, s))`.
/// @return the report, ending with a newline.
[[nodiscard]] std::string whatif_report(const service_graph& g, const model_numbers& base, const scenario& s,
                                        const scenario_comparison& comparison, report_format format);

/// @brief The report of a what-if against an edited organization (another model file
/// whose structure may differ): the units and links added and removed, then the KPIs of
/// what both have, as `whatif_report`. Runs no analysis.
/// @param edited_graph the edited organization; @param comparison `compare(base_graph, base,
/// edited_graph, edited)`; @param base_name how the base is named in the report (its file).
[[nodiscard]] std::string whatif_report(const service_graph& edited_graph, const organization_comparison& comparison,
                                        std::string_view base_name, report_format format);

/// @brief The report of a sweep: at each step every customer's lead time, the
/// demand-weighted mean and the busiest units, or the saturated units. Runs no analysis.
[[nodiscard]] std::string sweep_report(const service_graph& g, const sweep_result& sweep, report_format format);

/// @brief The gnuplot script of the sweep's chart: customers' lead times (top panel) and
/// the busiest units' utilizations with the line ρ = 1 (bottom panel) against the swept
/// value, the first saturated step marked. Reads its data from `data_file`
/// (`sweep_chart_data`) and writes the SVG to `svg_file`.
[[nodiscard]] std::string sweep_chart_script(const service_graph& g, const sweep_result& sweep,
                                             const std::filesystem::path& data_file,
                                             const std::filesystem::path& svg_file);

/// @brief The data of the chart, one whitespace-separated row per step: the value, each
/// charted customer's lead time and each charted unit's utilization (`NaN`, gnuplot's
/// gap, where there is none: a saturated step's lead times, a unit not among the busiest).
[[nodiscard]] std::string sweep_chart_data(const service_graph& g, const sweep_result& sweep);

/// @brief Renders the sweep's chart to an SVG file with gnuplot, found on `PATH` (script
/// and data go through temporary files; `out` is written only if gnuplot succeeds).
/// @throws servicechain::io_error if gnuplot is not on `PATH` (install the Debian package
///         gnuplot-nox), cannot be started or fails (its error output in the message), or a
///         file cannot be written.
void render_sweep_chart(const service_graph& g, const sweep_result& sweep, const std::filesystem::path& out);

/// @brief The report of a knock-out: per internal unit its utilization before and after
/// the loss and every customer's lead-time change, or that the loss makes the system
/// unstable; then the units whose loss does. Runs no analysis.
[[nodiscard]] std::string knockout_report(const service_graph& g, const knockout_result& knockout,
                                          report_format format);

}  // namespace servicechain

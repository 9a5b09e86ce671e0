#pragma once
/// @file
/// @brief Reports of an analysis as a text table, JSON or CSV (the `servicechain analyze` output).

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Output format of a report.
enum class report_format {
  table,  ///< aligned text tables for people
  json,   ///< one JSON object (keys documented in docs/metrics.md)
  csv,    ///< CSV sections, each introduced by a `# section` line
};

/// @brief Parses `table`, `json` or `csv`; `std::nullopt` if unknown.
[[nodiscard]] std::optional<report_format> parse_report_format(std::string_view name) noexcept;

/// @brief Options of `analysis_report`.
struct report_options {
  /// Table format: units shown in each customer's lead-time waterfall (the rest are summed).
  std::size_t waterfall_units = 8;
  /// JSON format: threads that format blocks of rows side by side (the bytes are the same
  /// whatever the number); 0 uses `std::thread::hardware_concurrency()`, 1 formats on the
  /// calling thread only.
  unsigned threads = 0;
};

/// @brief The report of `servicechain analyze`: capacity of every unit, customer and link
/// and, when `open` is given, the open-network analysis (waits, lead time and its
/// decomposition, cost to serve, quality, cost of poor internal service, alignment).
/// @param g the compiled model.
/// @param numbers the numbers the analyses were computed from.
/// @param capacity its capacity analysis.
/// @param load the loads the capacity analysis was computed from.
/// @param open the open-network analysis of the same graph, or `nullptr` for capacity only.
/// @param format table, JSON or CSV.
[[nodiscard]] std::string analysis_report(const service_graph& g, const model_numbers& numbers,
                                          const capacity_result& capacity,
                                          const load_result& load, const open_result* open, report_format format,
                                          const report_options& options = {});

/// @brief `analysis_report` written to `out` as it is formatted: JSON row by row, CSV table
/// by table, so that the memory it needs does not grow with the model (the bytes are the
/// same as the string's). The stream's state tells whether writing succeeded.
/// @param out where the report goes; the other parameters are those of `analysis_report`.
void write_analysis_report(std::ostream& out, const service_graph& g, const model_numbers& numbers,
                           const capacity_result& capacity, const load_result& load, const open_result* open,
                           report_format format, const report_options& options = {});

}  // namespace servicechain

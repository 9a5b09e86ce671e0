#pragma once
/// @file
/// @brief Reports of an analysis as a text table, JSON or CSV (the `servicechain analyze` output).

#include <optional>
#include <string>
#include <string_view>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain {

/// @brief Output format of a report.
enum class report_format {
  table,  ///< aligned text tables for people
  json,   ///< one JSON object (keys documented in docs/cli.md)
  csv,    ///< CSV sections, each introduced by a `# section` line
};

/// @brief Parses `table`, `json` or `csv`; `std::nullopt` if unknown.
[[nodiscard]] std::optional<report_format> parse_report_format(std::string_view name) noexcept;

/// @brief The analysis report of `servicechain analyze`: capacity of every unit,
/// customer and link, in the requested format.
[[nodiscard]] std::string capacity_report(const service_graph& g, const load_result& load,
                                          const capacity_result& capacity, report_format format);

}  // namespace servicechain

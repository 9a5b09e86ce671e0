#pragma once
/// @file
/// @brief Improvement programmes (reading the programme file) and the reports of
/// `servicechain shapley`, `servicechain allocate` and `servicechain needs`
/// (docs/contribution.md).

#include <filesystem>
#include <string>
#include <string_view>

#include "servicechain/analysis/allocation.hpp"
#include "servicechain/analysis/needs.hpp"
#include "servicechain/analysis/shapley.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/report.hpp"
#include "servicechain/model/organization.hpp"

namespace servicechain {

/// @brief A programme file: the programme and how to sample its Shapley values.
struct programme_file {
  improvement_programme programme{};  ///< the KPI and the players
  shapley_options sampling{};  ///< sampling options from the file's `sampling` block (defaults otherwise)
};

/// @brief Parses a programme (docs/contribution.md, "Programme file") against a compiled model.
/// @param text the JSON text; @param source its name in messages (a file name).
/// @throws servicechain::parse_error naming the JSON location (`/players/1/set/…`) and what
///         is wrong: bad JSON, an unknown key, KPI or customer, a bad parameter path or value,
///         or one parameter given twice by a player.
[[nodiscard]] programme_file parse_programme(std::string_view text, const service_graph& g,
                                             std::string_view source = "<string>");

/// @brief Reads and parses a programme file.
/// @throws servicechain::io_error if it cannot be read; servicechain::parse_error as `parse_programme`.
[[nodiscard]] programme_file load_programme(const std::filesystem::path& file, const service_graph& g);

/// @brief Formats Shapley values of a programme (table, JSON or CSV); runs no analysis.
[[nodiscard]] std::string shapley_report(const service_graph& g, const improvement_programme& programme,
                                         const programme_result& result, report_format format);

/// @brief Formats an allocation, with the square-root assignment when given; runs no analysis.
/// @param options the options the allocation was computed with (budget and its kind).
/// @param square_root `square_root_servers(…)` or `nullptr`.
[[nodiscard]] std::string allocation_report(const service_graph& g, const allocation_options& options,
                                            const allocation_result& result, const square_root_allocation* square_root,
                                            report_format format);

/// @brief Formats six-needs indices and the importance–performance table; runs no analysis.
/// @param org the organization `g` was compiled from (for the links' ratings).
[[nodiscard]] std::string needs_report(const service_graph& g, const organization& org, const needs_result& result,
                                       report_format format);

}  // namespace servicechain

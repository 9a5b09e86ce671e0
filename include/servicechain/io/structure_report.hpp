#pragma once
/// @file
/// @brief The report of `servicechain structure`: every structural result as text tables,
/// JSON or CSV (keys in docs/structure.md).

#include <cstddef>
#include <iosfwd>
#include <string>

#include "servicechain/analysis/structure.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/report.hpp"

namespace servicechain {

/// @brief Formats a `structure_result`; runs no analysis.
/// @param g the compiled model the result belongs to.
/// @param s `analyze_structure(g, …)`.
/// @param format table, JSON or CSV.
/// @param chains_unit_limit the limit the chains were computed under (the table says when
///        the model exceeded it and the chains were skipped).
/// @return the report, ending with a newline.
[[nodiscard]] std::string structure_report(const service_graph& g, const structure_result& s, report_format format,
                                           std::size_t chains_unit_limit = structure_options{}.chains_unit_limit);

/// @brief `structure_report` written to `out` as it is formatted (JSON entry by entry, so
/// that the memory it needs does not grow with the model); the same bytes as the string.
/// The stream's state tells whether writing succeeded.
/// @param out where the report goes; the other parameters are those of `structure_report`.
void write_structure_report(std::ostream& out, const service_graph& g, const structure_result& s, report_format format,
                            std::size_t chains_unit_limit = structure_options{}.chains_unit_limit);

}  // namespace servicechain

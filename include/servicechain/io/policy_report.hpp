#pragma once
/// @file
/// @brief The report of `servicechain policy`: every customer's lead time under each
/// alternative discipline at each unit, side by side (keys in docs/metrics.md).

#include <string>

#include "servicechain/analysis/policy.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/report.hpp"

namespace servicechain {

/// @brief Formats a `policy_result`; runs no analysis.
/// @param g the compiled model the result belongs to.
/// @param policies `compare_policies(g, …)`.
/// @param format table, JSON or CSV.
/// @return the report, ending with a newline.
[[nodiscard]] std::string policy_report(const service_graph& g, const policy_result& policies, report_format format);

}  // namespace servicechain

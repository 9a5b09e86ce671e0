#pragma once
/// @file
/// @brief The report of `servicechain contributions`: every KPI's sensitivities to every
/// parameter, ranked by elasticity, and the effect of one server more or less (keys in
/// docs/sensitivities.md).

#include <cstddef>
#include <string>
#include <vector>

#include "servicechain/analysis/contribution.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/report.hpp"

namespace servicechain {

/// @brief What the report shows.
struct contribution_report_options {
  /// Indices into `sensitivity_result::kpis()` to report; empty = every KPI.
  std::vector<std::size_t> kpis{};
  /// Per KPI, the parameters with the largest |elasticity| only, and the units whose
  /// server effects are largest (|plus_one|); 0 = all.
  std::size_t top = 0;
  /// The analysis propagated the arrival variability (QNA): said in the report.
  bool propagated_variability = false;
};

/// @brief Formats sensitivities and server effects; runs no analysis.
///
/// Per KPI, the parameters are ranked by |elasticity| (those with no elasticity, where
/// the KPI is 0, by |derivative| after them); parameters the KPI does not depend on
/// (derivative exactly 0) are left out. Server effects: per KPI, the units by |plus_one|,
/// leaving out those whose one server more or less does not change it.
/// @param g the compiled model; @param s `sensitivities(g, …)`;
/// @param servers `server_effects(g, …, s.kpis())` (may be empty).
/// @return the report, ending with a newline.
[[nodiscard]] std::string contribution_report(const service_graph& g, const sensitivity_result& s,
                                              const std::vector<server_effect>& servers,
                                              const contribution_report_options& options, report_format format);

}  // namespace servicechain

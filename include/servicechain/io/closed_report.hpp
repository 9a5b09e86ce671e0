#pragma once
/// @file
/// @brief Reports of closed and mixed models: `servicechain analyze` on a model with closed
/// classes (mean-value analysis) and `servicechain mix` (bottlenecks as the class mix shifts).

#include <iosfwd>
#include <string>
#include <vector>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "servicechain/io/report.hpp"

namespace servicechain {

/// @brief What the open-network figures of `analyze` become on a model with closed
/// classes, in words: one warning naming the closed customers and the figures not computed,
/// and one naming the units with working hours and customers with demand profiles, whose
/// time averages the analyses use. Empty when the model has neither.
[[nodiscard]] std::vector<std::string> closed_model_warnings(const service_graph& g, const model_numbers& numbers);

/// @brief The report of `servicechain analyze` on a model with closed classes.
///
/// Per customer (class): kind, population and think time (closed) or demand (open),
/// throughput with its bounds, lead time (think time excluded) with its bounds and its
/// decomposition by unit (residence times, which sum to it), knee population, the
/// method. Per unit: the load, utilization and busy servers at the classes' throughputs
/// (`capacity` and `load` computed with `compute_load(g, numbers, throughputs)`), the
/// mean-value analysis's queue length, in total and per customer. Per link: flows at the
/// throughputs. JSON keys are listed in docs/metrics.md; unbounded bounds are `null`.
/// @param g the compiled model; @param numbers the numbers the analyses used.
/// @param capacity capacity at the throughputs; @param load flows at the throughputs.
/// @param closed the mean-value analysis; @param format table, JSON or CSV.
[[nodiscard]] std::string closed_analysis_report(const service_graph& g, const model_numbers& numbers,
                                                 const capacity_result& capacity, const load_result& load,
                                                 const closed_result& closed, report_format format);

/// @brief `closed_analysis_report` written to `out` as it is formatted (JSON row by row);
/// the same bytes as the string. The stream's state tells whether writing succeeded.
/// @param out where the report goes; the other parameters are those of `closed_analysis_report`.
void write_closed_analysis_report(std::ostream& out, const service_graph& g, const model_numbers& numbers,
                                  const capacity_result& capacity, const load_result& load, const closed_result& closed,
                                  report_format format);

/// @brief The report of `servicechain mix`: every unit that is the bottleneck for some mix
/// of the classes, with a mix where it is (shares summing to 1, by customer id), its lead
/// over the runner-up there (utilization per request) and, for two classes, the interval of
/// the first class's share over which it is the bottleneck.
/// @param g the compiled model; @param bottlenecks the result of `mix_bottlenecks`.
/// @param format table, JSON or CSV.
[[nodiscard]] std::string mix_report(const service_graph& g, const std::vector<mix_bottleneck_unit>& bottlenecks,
                                     report_format format);

}  // namespace servicechain

#pragma once
// Internal: the stations and lead-time stages writing into result arrays made ahead of them,
// so that `analyze_open` can fault all of its large arrays in on a second core from its start
// (fresh memory was the largest cost of the open analysis at 10⁶ units: benchmarks/RESULTS.md).

#include "detail/huge_pages.hpp"
#include "servicechain/analysis/chain.hpp"
#include "servicechain/analysis/stations.hpp"

namespace servicechain::detail {

/// Reserves in `r` the per-unit and per-link arrays `analyze_stations` fills, and appends
/// them to `buffers`.
void reserve_stations(const service_graph& g, station_result& r, reserved_buffers& buffers);

/// `analyze_stations`, filling `r`, whose arrays may have been reserved (`reserve_stations`).
[[nodiscard]] station_result analyze_stations(const service_graph& g, const model_numbers& numbers,
                                              const load_result& flows, const station_options& options,
                                              station_result r);

/// Reserves in `r` the arrays `compute_chain` fills on every graph (per unit, the figures and
/// the defect risks; per link, the factors of the lead-time decomposition), and appends them
/// to `buffers`.
void reserve_chain(const service_graph& g, chain_result& r, reserved_buffers& buffers);

/// `compute_chain`, filling `r`, whose arrays may have been reserved (`reserve_chain`).
[[nodiscard]] chain_result compute_chain(const service_graph& g, const model_numbers& numbers,
                                         const load_result& flows, const station_result& st, chain_result r);

}  // namespace servicechain::detail

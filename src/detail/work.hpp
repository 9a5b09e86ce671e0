#pragma once
// Internal: the busy-server time of a flows stage, the one part of a `load_result` that
// depends on service times rather than on demands, `requests` and `acceptance`.

#include "servicechain/analysis/load.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace servicechain::detail {

/// Fills `load.total_work` (Σ_l λ_l s_l per unit, erlangs) and, when some link has a
/// service time of its own, `load.work_per_request` (time units per request), from the
/// flows already in `load` and the service times of `numbers`. Run by `compute_load`,
/// and again by `analyze_open` on reused flows, whose numbers may have other service
/// times than the ones the flows were computed with (the flows revision ignores them).
void compute_work(const service_graph& g, const model_numbers& numbers, load_result& load);

}  // namespace servicechain::detail

#pragma once
// Internal: services a unit performs per request, from its item counts (DESIGN §Semantics,
// "Load"). The same formula gives loads (over all links) and lead-time contributions
// κ (over sync links only), since the lead time is linear in the sojourns with exactly the
// structure of the load.

#include <span>

#include "servicechain/analysis/propagation.hpp"

namespace servicechain::detail {

/// services_ic = v_ic (1 + Σ_{k→i} r_ki e_ki) + Σ_{i→j} r_ij e_ij v_jc for internal units,
/// 0 for external ones; a link counts only where `counts(link)` is true (all if empty).
unit_matrix services_per_request(const service_graph& g, const unit_matrix& items, std::span<const char> counts = {});

/// Weights `requests` on the links where `counts` is true, 0 elsewhere.
std::vector<double> masked_requests(const service_graph& g, std::span<const char> counts);

}  // namespace servicechain::detail

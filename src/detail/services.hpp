#pragma once
// Internal: services a unit performs per request, from its item counts (docs/semantics.md,
// "Load"). The same formula gives loads (over all links) and lead-time weights κ (over
// sync links only), since the lead time is linear in the sojourns with exactly the
// structure of the load.

#include <span>
#include <vector>

#include "servicechain/analysis/propagation.hpp"

namespace servicechain::detail {

/// R_u = Σ_{k→u} r_ku e_ku: re-checks of rejected inputs per fresh item of `u`, over the
/// links where `counts(link)` is true (all if empty). `rechecks_of_units` forms the same sums
/// for every unit at once.
double rechecks_per_item(const service_graph& g, const model_numbers& n, unit_index u,
                         std::span<const char> counts = {});

/// services_ic = v_ic (1 + R_i) + Σ_{i→j} r_ij e_ij v_jc for internal units, 0 for external
/// ones; a link counts only where `counts(link)` is true (all if empty).
/// `rechecks`, if not empty, holds R_i per unit for the same `counts` (computed once by the caller).
unit_matrix services_per_request(const service_graph& g, const model_numbers& n, const unit_matrix& items,
                                 std::span<const char> counts = {}, std::span<const double> rechecks = {});

/// R_u of every unit (see `rechecks_per_item`).
std::vector<double> rechecks_of_units(const service_graph& g, const model_numbers& n, std::span<const char> counts = {});

/// Weights `requests` on the links where `counts` is true, 0 elsewhere.
std::vector<double> masked_requests(const model_numbers& n, std::span<const char> counts);

}  // namespace servicechain::detail

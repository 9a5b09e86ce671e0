#pragma once
/// @file
/// @brief Validation of an organization: every problem, in one pass.

#include <vector>

#include "servicechain/error.hpp"
#include "servicechain/model/organization.hpp"

namespace servicechain {

/// @brief Checks every rule of docs/semantics.md and returns *all* problems found (empty if valid).
///
/// Each diagnostic names the unit or link and its JSON location (`/units/3`, `/links/7`)
/// and states the bad value and the expectation. Structural solvability (loop gain < 1)
/// is checked by `compile()`, not here.
[[nodiscard]] std::vector<diagnostic> validate(const organization& org);

/// @brief Throws `invalid_model_error` listing every problem if `validate(org)` finds any.
/// @throws servicechain::invalid_model_error
void require_valid(const organization& org);

}  // namespace servicechain

#pragma once
// Internal: "did you mean …?" hints for misspelt keys, ids and enum values.

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace servicechain::detail {

/// Levenshtein distance (insertions, deletions, substitutions).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `wrong` if it is a plausible typo, else empty. A typo changes a
/// few characters: at most a third of the word (at least 2), which keeps unrelated short
/// names such as 'qa' and 'hr' from being suggested for each other.
template <typename Range, typename Project>
std::string_view closest_spelling(std::string_view wrong, const Range& candidates, Project project) {
  // The distance costs |wrong|·|name|: past 64 bytes a hint is no help and, between two
  // ids of a megabyte, would take hours. Lengths that differ by more than the budget
  // cannot be within it.
  constexpr std::size_t max_length = 64;
  if (wrong.size() > max_length) return {};
  const std::size_t budget = std::max<std::size_t>(2, wrong.size() / 3);
  std::string_view best;
  std::size_t best_distance = budget + 1;
  for (const auto& candidate : candidates) {
    const std::string_view name = project(candidate);
    if (name.empty() || name.size() > wrong.size() + budget || wrong.size() > name.size() + budget) continue;
    const std::size_t d = edit_distance(wrong, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  return best;
}

}  // namespace servicechain::detail

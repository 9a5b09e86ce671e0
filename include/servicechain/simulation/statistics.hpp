#pragma once
/// @file
/// @brief Output analysis of the simulator: point estimates with Student-t confidence
/// intervals over independent replications, and sample quantiles.

#include <cstddef>
#include <span>

namespace servicechain {

/// @brief A simulated figure: the mean over replications and its confidence interval
/// `[low, high] = mean ± half_width` at the run's confidence level.
struct estimate {
  /// Mean over the replications.
  double mean = 0;
  /// Half-width of the confidence interval (Student t over the replications).
  double half_width = 0;
  /// mean − half_width.
  double low = 0;
  /// mean + half_width.
  double high = 0;

  /// @brief True if `value` lies in `[low, high]`.
  [[nodiscard]] constexpr bool contains(double value) const noexcept { return low <= value && value <= high; }
  /// @brief `half_width / |mean|`; 0 when both are 0, infinity when only the mean is 0.
  [[nodiscard]] double relative_half_width() const noexcept;
  /// @brief Member-wise equality.
  friend bool operator==(const estimate&, const estimate&) = default;
};

/// @brief The `probability` quantile of Student's t distribution with `degrees_of_freedom`.
/// @throws servicechain::error (`servicechain.invalid_argument`) unless 0 < probability < 1
///         and degrees_of_freedom > 0.
[[nodiscard]] double student_t_quantile(double probability, double degrees_of_freedom);

/// @brief The mean of `values` (one per independent replication) with the Student-t
/// confidence interval at `level` (e.g. 0.95): `half_width = t_{n−1, (1+level)/2} · s / √n`
/// with `s` the sample standard deviation (Law, *Simulation Modeling and Analysis*, 5th ed.,
/// McGraw-Hill 2015, §9.4.1). Identical values give a zero half-width.
/// @throws servicechain::error (`servicechain.invalid_argument`) if there are fewer than two
///         values, a value is not finite, or the level is not in (0, 1).
[[nodiscard]] estimate confidence_interval(std::span<const double> values, double level);

/// @brief The `q`-quantile (0 ≤ q ≤ 1) of a sample by linear interpolation between order
/// statistics, `x_(⌊h⌋) + (h − ⌊h⌋)(x_(⌊h⌋+1) − x_(⌊h⌋))` with `h = (n − 1) q` (0-based; Hyndman
/// & Fan, "Sample quantiles in statistical packages", The American Statistician 50(4), 1996,
/// definition 7). Reorders `values`; expected linear time. 0 for an empty sample.
[[nodiscard]] double sample_quantile(std::span<double> values, double q);

}  // namespace servicechain

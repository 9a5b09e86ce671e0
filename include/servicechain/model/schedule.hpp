#pragma once
/// @file
/// @brief A periodic, piecewise-constant function of time: a unit's working hours (servers
/// over time) or a customer's demand profile (relative arrival rate over time).

#include <vector>

namespace servicechain {

/// @brief A window `[from, to)` of one period where the function takes `value`.
struct time_window {
  double from = 0;   ///< start, time units from the start of the period, in [0, period)
  double to = 0;     ///< end (excluded), time units from the start of the period, in (from, period]
  double value = 0;  ///< servers (a schedule; a whole number ≥ 0) or relative weight (a profile; ≥ 0)
  /// @brief Field-wise equality.
  friend bool operator==(const time_window&, const time_window&) = default;
};

/// @brief A periodic, piecewise-constant function: `value_at(t)` is the value of the window
/// holding `t mod period`, or `base` outside every window (docs/model-format.md, "Working
/// hours and demand profiles").
///
/// As a unit's `schedule`, the values are numbers of servers (JSON keys `default_servers`,
/// `shifts`, `servers`); as a customer's `profile`, relative weights of its arrival rate
/// (JSON keys `default_weight`, `windows`, `weight`). Windows must not overlap and must lie
/// inside the period; `validate()` checks it.
/// @code
/// // 3 servers from 9 to 17 every day, none otherwise (times in hours)
/// servicechain::periodic_schedule office{.period = 24, .windows = {{.from = 9, .to = 17, .value = 3}}};
/// @endcode
struct periodic_schedule {
  double period = 0;                   ///< length of one period, time units, > 0
  double base = 0;                     ///< value outside every window
  std::vector<time_window> windows{};  ///< in any order; must not overlap

  /// @brief The value at time `t` (time units, ≥ 0 or not: the function is periodic).
  [[nodiscard]] double value_at(double t) const noexcept;
  /// @brief The time average of the value over one period: (base · (period − Σ window
  /// lengths) + Σ value · length) / period. Same unit as the values.
  [[nodiscard]] double time_average() const noexcept;
  /// @brief Field-wise equality.
  friend bool operator==(const periodic_schedule&, const periodic_schedule&) = default;
};

}  // namespace servicechain

#pragma once
// Internal: forward-mode automatic differentiation with one direction, for the exact
// local derivatives of the station models. A `dual` is v + d·ε with ε² = 0: running a
// formula on duals whose inputs carry d = 1 in one input and 0 elsewhere yields the value
// and its exact partial derivative in that input (Griewank & Walther, *Evaluating
// Derivatives*, 2nd ed., SIAM 2008, ch. 3, the tangent mode). The formulas are templates
// on their number type, so `double` runs them at full speed and `dual` differentiates them.

namespace servicechain::detail {

struct dual {
  double v = 0;  ///< value
  double d = 0;  ///< derivative along the seeded direction

  constexpr dual() = default;
  // Implicit on purpose: constants in the formulas (`1 - x`, `c * b`) become duals with d = 0.
  constexpr dual(double value, double derivative = 0) noexcept : v(value), d(derivative) {}  // NOLINT

  // Hidden friends: found by argument-dependent lookup, and a double operand converts.
  friend constexpr dual operator+(const dual& x, const dual& y) noexcept { return {x.v + y.v, x.d + y.d}; }
  friend constexpr dual operator-(const dual& x, const dual& y) noexcept { return {x.v - y.v, x.d - y.d}; }
  friend constexpr dual operator-(const dual& x) noexcept { return {-x.v, -x.d}; }
  friend constexpr dual operator*(const dual& x, const dual& y) noexcept { return {x.v * y.v, x.d * y.v + x.v * y.d}; }
  friend constexpr dual operator/(const dual& x, const dual& y) noexcept {
    const double q = x.v / y.v;
    return {q, (x.d - q * y.d) / y.v};
  }
};

/// The value of a plain or dual number, for branches: a branch taken on the value is the
/// same in every pass, so each pass differentiates the same formula.
constexpr double value_of(double x) noexcept { return x; }
constexpr double value_of(const dual& x) noexcept { return x.v; }

}  // namespace servicechain::detail

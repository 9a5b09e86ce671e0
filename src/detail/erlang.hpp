#pragma once
// Internal: the pieces of the single-station formulas shared by the FIFO station
// (src/analysis/queueing.cpp) and the station models with scheduling disciplines
// (src/analysis/station_model.cpp): argument checks in the house error format, and the
// stable Erlang B recursion with Erlang C built on it. One copy, so both analyses agree
// to the last bit on p_wait and on which inputs they reject.

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "servicechain/error.hpp"

namespace servicechain::detail {

[[noreturn]] inline void throw_invalid(std::string_view where, std::string_view name, double value,
                                       std::string_view expectation) {
  throw error(error_code::invalid_argument,
              fmt::format("{}: {} = {}, but must be {}", where, name, value, expectation));
}

inline void require_non_negative(std::string_view where, std::string_view name, double value) {
  // Written so that NaN fails too.
  if (!(value >= 0 && std::isfinite(value))) throw_invalid(where, name, value, "finite and >= 0");
}

inline void require_servers(std::string_view where, std::int64_t servers) {
  if (servers < 1) {
    throw error(error_code::invalid_argument,
                fmt::format("{}: servers = {}, but must be a positive integer", where, servers));
  }
}

/// `unit 'id'`, or `station` when the caller gave no id.
inline std::string station_name(std::string_view id) {
  return id.empty() ? std::string("station") : fmt::format("unit '{}'", id);
}

// B(c, a) after checking the arguments; B(0, a) = 1. The recursion
// B(k) = a·B(k−1) / (k + a·B(k−1)) only contracts relative errors (see queueing.hpp),
// unlike the reciprocal form, whose intermediate 1/B overflows where B underflows.
inline double erlang_b_unchecked(std::int64_t servers, double offered_load) {
  double b = 1;
  for (std::int64_t k = 1; k <= servers; ++k) {
    const double ab = offered_load * b;
    b = ab / (static_cast<double>(k) + ab);
    if (b == 0) break;  // underflowed: every later B(k) is 0 too
  }
  return b;
}

// C(c, a) = c·B / ((c − a) + a·B) for 0 ≤ a < c, given b = B(c, a). Multiplying
// B/((1 − ρ) + ρB) through by c avoids forming ρ = a/c and then 1 − ρ, which would cancel
// as ρ → 1. A template so that the station models can carry a derivative through it.
template <class Number>
Number erlang_c_from_b(double servers, const Number& offered_load, const Number& b) {
  return servers * b / ((servers - offered_load) + offered_load * b);
}

}  // namespace servicechain::detail

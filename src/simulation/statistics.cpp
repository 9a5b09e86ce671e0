#include "servicechain/simulation/statistics.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "servicechain/error.hpp"

namespace servicechain {

double estimate::relative_half_width() const noexcept {
  if (mean == 0) return half_width == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  return half_width / std::abs(mean);
}

double student_t_quantile(double probability, double degrees_of_freedom) {
  if (!(probability > 0 && probability < 1) || !(degrees_of_freedom > 0) || !std::isfinite(degrees_of_freedom)) {
    throw error(error_code::invalid_argument,
                fmt::format("student_t_quantile: probability = {}, degrees_of_freedom = {}, but must be in (0, 1) "
                            "and > 0",
                            probability, degrees_of_freedom));
  }
  const boost::math::students_t law(degrees_of_freedom);
  return boost::math::quantile(law, probability);
}

estimate confidence_interval(std::span<const double> values, double level) {
  if (values.size() < 2) {
    throw error(error_code::invalid_argument,
                fmt::format("confidence_interval: {} values, but needs at least 2", values.size()));
  }
  if (!(level > 0 && level < 1)) {
    throw error(error_code::invalid_argument,
                fmt::format("confidence_interval: level = {}, but must be in (0, 1)", level));
  }
  const double n = static_cast<double>(values.size());
  double mean = 0;
  for (const double x : values) {
    if (!std::isfinite(x)) {
      throw error(error_code::invalid_argument, fmt::format("confidence_interval: value = {}, but must be finite", x));
    }
    mean += x;
  }
  mean /= n;
  double squares = 0;
  for (const double x : values) squares += (x - mean) * (x - mean);
  const double sd = std::sqrt(squares / (n - 1));
  const double half = sd > 0 ? student_t_quantile(0.5 + level / 2, n - 1) * sd / std::sqrt(n) : 0.0;
  return {.mean = mean, .half_width = half, .low = mean - half, .high = mean + half};
}

double sample_quantile(std::span<double> values, double q) {
  if (values.empty()) return 0.0;
  q = std::clamp(q, 0.0, 1.0);
  const double h = static_cast<double>(values.size() - 1) * q;
  const auto k = static_cast<std::size_t>(std::floor(h));
  const auto kth = values.begin() + static_cast<std::ptrdiff_t>(k);
  std::nth_element(values.begin(), kth, values.end());
  const double low = *kth;
  if (k + 1 >= values.size()) return low;
  const double high = *std::min_element(kth + 1, values.end());  // the next order statistic
  return low + (h - static_cast<double>(k)) * (high - low);
}

}  // namespace servicechain

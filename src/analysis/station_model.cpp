#include "servicechain/analysis/station_model.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstddef>
#include <string>

#include "detail/dual.hpp"
#include "detail/erlang.hpp"
#include "detail/station_formulas.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

// Rounding slack of `second ≥ work²/rate`: the network layer sums λ·s²·(1 + cs²) link by
// link, so a deterministic service (cs² = 0) may land a few ulps below work²/rate.
constexpr double moment_slack = 1e-9;
// How close to 1 an SCV, and to each other the means, must be for `exact` and the method
// name. Only labels depend on it, never a number: the formulas are continuous across it.
constexpr double law_tolerance = 1e-9;

bool near(double x, double target) { return std::abs(x - target) <= law_tolerance * std::abs(target); }

// Checks run on every call and format the unit's name only on a failure: this runs once per
// unit of a model with a million units.
void validate_class(std::string_view id, std::size_t p, const class_traffic& k) {
  const auto fail = [&](std::string_view field, double value, std::string_view expectation) {
    detail::throw_invalid(detail::station_name(id), fmt::format("classes[{}].{}", p, field), value, expectation);
  };
  const auto require_non_negative = [&](std::string_view field, double value) {
    if (!(value >= 0 && std::isfinite(value))) fail(field, value, "finite and >= 0");  // NaN fails too
  };
  require_non_negative("rate", k.rate);
  require_non_negative("work", k.work);
  require_non_negative("second", k.second);
  if (k.rate == 0 && k.work != 0) fail("work", k.work, "0 when rate = 0");
  if (k.work == 0 && k.second != 0) fail("second", k.second, "0 when work = 0");
  // Σλ·E[S²] ≥ (Σλ·s)²/Σλ (Cauchy–Schwarz): the class's variance of service time is ≥ 0.
  const double square_of_mean = k.rate == 0 ? 0.0 : k.work * (k.work / k.rate);
  if (k.second < square_of_mean * (1 - moment_slack)) {
    fail("second", k.second,
         fmt::format(">= work^2/rate = {} (a second moment below the square of the mean: negative variance)",
                     square_of_mean));
  }
}

void validate(const station_traffic& t, std::string_view id) {
  if (!t.servers.is_unlimited() && t.servers.count() < 1) {
    detail::require_servers(detail::station_name(id), t.servers.count());
  }
  if (!(t.arrival_scv >= 0 && std::isfinite(t.arrival_scv))) {
    detail::throw_invalid(detail::station_name(id), "arrival_scv", t.arrival_scv, "finite and >= 0");
  }
  if (t.policy < station_policy::fifo || t.policy > station_policy::shared) {
    throw error(error_code::invalid_argument, fmt::format("{}: policy = {}, but must be fifo, priority or shared",
                                                             detail::station_name(id), static_cast<int>(t.policy)));
  }
  for (std::size_t p = 0; p < t.classes.size(); ++p) validate_class(id, p, t.classes[p]);
}

detail::stream<double> totals(const station_traffic& t, std::string_view id) {
  detail::stream<double> all;
  for (const auto& k : t.classes) all = all + detail::stream<double>{k.rate, k.work, k.second};
  if (!std::isfinite(all.rate) || !std::isfinite(all.work) || !std::isfinite(all.second)) {
    throw error(error_code::overflow,
                fmt::format("{}: the total rate, work or second moment overflows a double", detail::station_name(id)));
  }
  return all;
}

// ---------------------------------------------------------------- which formula, exact or not

struct formula {
  std::string_view method;
  bool exact;
};

// Every class exponential (cs² = 1, i.e. M·Λ = 2a²) with the station's mean work/rate.
// Classes without rate have no law; an idle station is trivially so.
bool exponential_equal_means(const station_traffic& t, const detail::stream<double>& all) {
  if (all.work == 0) return true;
  const double mean = all.work / all.rate;
  for (const auto& k : t.classes) {
    if (k.rate == 0) continue;
    if (!near(k.work / k.rate, mean) || !near(k.second * k.rate, 2 * k.work * k.work)) return false;
  }
  return true;
}

formula choose_formula(const station_traffic& t, const detail::stream<double>& all) {
  const bool poisson = near(t.arrival_scv, 1);
  const bool one_server = t.servers.count() == 1;
  switch (t.policy) {
    case station_policy::fifo:
      if (one_server) {
        return poisson ? formula{"M/G/1 Pollaczek-Khinchine", true} : formula{"Allen-Cunneen G/G/c", false};
      }
      // FIFO sees only the mixture: exponential when M·Λ = 2a².
      if (poisson && (all.work == 0 || near(all.second * all.rate, 2 * all.work * all.work))) {
        return {"M/M/c", true};
      }
      return {"Allen-Cunneen G/G/c", false};
    case station_policy::shared:
      return poisson ? formula{"M/G/c processor sharing", true}
                     : formula{"G/G/c processor sharing, Allen-Cunneen (approximation)", false};
    case station_policy::priority:
      break;
  }
  const bool exact = poisson && (one_server || exponential_equal_means(t, all));
  if (t.preemptive) {
    if (one_server) {
      return exact ? formula{"M/G/1 preemptive-resume priority", true}
                   : formula{"G/G/1 preemptive-resume priority, Kingman residual (approximation)", false};
    }
    return exact ? formula{"M/M/c preemptive-resume priority (exact, equal means)", true}
                 : formula{"Bondi-Buzen M/G/c preemptive-resume priority (approximation)", false};
  }
  if (one_server) {
    return exact ? formula{"Cobham M/G/1 priority", true}
                 : formula{"Cobham G/G/1 priority, Kingman residual (approximation)", false};
  }
  return exact ? formula{"M/M/c priority (exact, equal means)", true}
               : formula{"Bondi-Buzen M/G/c priority (approximation)", false};
}

// ---------------------------------------------------------------- values and derivatives

template <class Number>
detail::station_numbers<Number> numbers_of(const station_traffic& t) {
  detail::station_numbers<Number> s{.servers = t.servers.count(),
                                    .policy = t.policy,
                                    .preemptive = t.preemptive,
                                    .arrival_scv = Number(t.arrival_scv),
                                    .classes = {}};
  s.classes.reserve(t.classes.size());
  for (const auto& k : t.classes) s.classes.push_back({Number(k.rate), Number(k.work), Number(k.second)});
  return s;
}

// The derivative slot of input `column` (3q + 0/1/2 for rate/work/second of class q; 3P for ca²).
double& tangent(detail::station_numbers<detail::dual>& s, std::size_t column) {
  if (column == 3 * s.classes.size()) return s.arrival_scv.d;
  auto& k = s.classes[column / 3];
  switch (column % 3) {
    case 0:
      return k.rate.d;
    case 1:
      return k.work.d;
    default:
      return k.second.d;
  }
}

// One forward-mode pass per input: column k of the jacobian is the tangent of every
// output when input k carries derivative 1.
std::vector<double> local_jacobian(const station_traffic& t) {
  const std::size_t classes = t.classes.size();
  const std::size_t columns = 3 * classes + 1;
  std::vector<double> jacobian(2 * classes * columns, 0.0);
  if (t.servers.is_unlimited()) return jacobian;
  auto s = numbers_of<detail::dual>(t);
  for (std::size_t column = 0; column < columns; ++column) {
    tangent(s, column) = 1;
    const auto values = detail::evaluate(s);
    tangent(s, column) = 0;
    for (std::size_t p = 0; p < classes; ++p) {
      jacobian[2 * p * columns + column] = values.stretch[p].d;
      jacobian[(2 * p + 1) * columns + column] = values.delay[p].d;
    }
  }
  return jacobian;
}

void require_finite(const station_response& r, std::string_view id) {
  for (std::size_t p = 0; p < r.classes.size(); ++p) {
    if (!std::isfinite(r.classes[p].stretch) || !std::isfinite(r.classes[p].delay)) {
      throw error(error_code::overflow,
                  fmt::format("{}: classes[{}] stretch {} or delay {} overflows a double (utilization {})",
                              detail::station_name(id), p, r.classes[p].stretch, r.classes[p].delay, r.utilization));
    }
  }
}

}  // namespace

std::string_view to_string(station_policy policy) noexcept {
  switch (policy) {
    case station_policy::fifo:
      return "fifo";
    case station_policy::priority:
      return "priority";
    case station_policy::shared:
      return "shared";
  }
  return "unknown";
}

station_response solve_station(const station_traffic& traffic, std::string_view id, bool with_derivatives) {
  validate(traffic, id);
  const detail::stream<double> all = totals(traffic, id);
  station_response r;
  r.classes.resize(traffic.classes.size());
  if (traffic.servers.is_unlimited()) {
    // A pure delay: every service finds a free server, whatever the policy.
    r.method = "M/G/infinity (no wait)";
    r.exact = true;
    if (with_derivatives) r.jacobian = local_jacobian(traffic);
    return r;
  }

  const double c = static_cast<double>(traffic.servers.count());
  r.utilization = all.work / c;
  // Tested on ρ as analyze_station and the capacity analysis compute it, so that all agree
  // on which units are saturated; ρ < 1 implies a < c, so every c − a below is > 0.
  if (r.utilization >= 1) {
    throw unstable_error({saturated_unit{
        .id = std::string(id), .utilization = r.utilization, .load = all.rate, .capacity = c * all.rate / all.work}});
  }
  const formula f = choose_formula(traffic, all);
  r.method = f.method;
  r.exact = f.exact;

  const auto values = detail::evaluate(numbers_of<double>(traffic));
  r.p_wait = values.p_wait;
  for (std::size_t p = 0; p < r.classes.size(); ++p) r.classes[p] = {values.stretch[p], values.delay[p]};
  require_finite(r, id);
  if (with_derivatives) r.jacobian = local_jacobian(traffic);
  return r;
}

}  // namespace servicechain

#include "servicechain/analysis/queueing.hpp"

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "detail/erlang.hpp"
#include "servicechain/error.hpp"

namespace servicechain {

namespace {

using detail::erlang_b_unchecked;
using detail::require_non_negative;
using detail::require_servers;
using detail::station_name;
using detail::throw_invalid;

double erlang_c_unchecked(std::int64_t servers, double offered_load) {
  return detail::erlang_c_from_b(static_cast<double>(servers), offered_load, erlang_b_unchecked(servers, offered_load));
}

}  // namespace

double erlang_b(std::int64_t servers, double offered_load) {
  require_servers("erlang_b", servers);
  require_non_negative("erlang_b", "offered_load", offered_load);
  return erlang_b_unchecked(servers, offered_load);
}

double erlang_c(std::int64_t servers, double offered_load) {
  require_servers("erlang_c", servers);
  require_non_negative("erlang_c", "offered_load", offered_load);
  if (offered_load >= static_cast<double>(servers)) {
    throw error(error_code::invalid_argument,
                fmt::format("erlang_c: offered_load = {}, but must be < servers = {} "
                            "(an M/M/c queue with a >= c has no steady state)",
                            offered_load, servers));
  }
  return erlang_c_unchecked(servers, offered_load);
}

station_metrics analyze_station(const station_input& input, std::string_view id) {
  // The unit's name is formatted only on an error: this runs once per unit of a model
  // with a million units.
  const auto is_valid = [](double v) { return std::isfinite(v) && v >= 0; };
  if (!is_valid(input.arrival_rate) || !is_valid(input.service_time) || !is_valid(input.arrival_scv) ||
      !is_valid(input.service_scv) || (!input.servers.is_unlimited() && input.servers.count() < 1)) {
    const std::string where = station_name(id);
    require_non_negative(where, "arrival_rate", input.arrival_rate);
    require_non_negative(where, "service_time", input.service_time);
    require_non_negative(where, "arrival_scv", input.arrival_scv);
    require_non_negative(where, "service_scv", input.service_scv);
    require_servers(where, input.servers.count());
  }

  const double lambda = input.arrival_rate;
  const double s = input.service_time;
  const double offered_load = lambda * s;
  if (!std::isfinite(offered_load)) {
    throw error(error_code::overflow,
                fmt::format("{}: offered load = arrival_rate * service_time = {} * {} overflows a double",
                            station_name(id), lambda, s));
  }

  station_metrics m;
  m.busy_servers = offered_load;
  m.sojourn = s;
  if (input.servers.is_unlimited()) {
    // A pure delay: every request finds a free server.
    m.number_in_unit = offered_load;
    return m;
  }

  const auto servers = input.servers.count();
  const double c = static_cast<double>(servers);
  m.utilization = offered_load / c;
  // Tested on ρ as the capacity analysis computes it, so that both agree on which units
  // are saturated; ρ < 1 implies a < c, hence c − a > 0 below.
  if (m.utilization >= 1) {
    throw unstable_error({saturated_unit{.id = std::string(id),
                                         .utilization = m.utilization,
                                         .load = lambda,
                                         .capacity = c / s}});
  }
  if (offered_load == 0) return m;  // no arrivals, or instantaneous service: nobody waits

  m.p_wait = erlang_c_unchecked(servers, offered_load);
  // Exact M/M/c: Wq = C·s / (c(1 − ρ)) = C·s / (c − a). Allen–Cunneen scales it by
  // (ca² + cs²)/2, which is exactly 1 for M/M/c and the Pollaczek–Khinchine factor
  // (1 + cs²)/2 for M/G/1 (see the header).
  const double variability = (input.arrival_scv + input.service_scv) / 2;
  m.wait = m.p_wait * s / (c - offered_load) * variability;
  m.sojourn = m.wait + s;
  m.queue_length = lambda * m.wait;
  m.number_in_unit = lambda * m.sojourn;
  if (!std::isfinite(m.number_in_unit) || !std::isfinite(m.sojourn)) {
    throw error(error_code::overflow,
                fmt::format("{}: mean sojourn {} or number in unit {} overflows a double "
                            "(arrival_rate {}, service_time {}, utilization {})",
                            station_name(id), m.sojourn, m.number_in_unit, lambda, s, m.utilization));
  }
  return m;
}

double qna_departure_scv(double utilization, std::int64_t servers, double arrival_scv, double service_scv) {
  constexpr std::string_view where = "qna_departure_scv";
  if (!(utilization >= 0 && utilization <= 1)) throw_invalid(where, "utilization", utilization, "in [0, 1]");
  require_servers(where, servers);
  require_non_negative(where, "arrival_scv", arrival_scv);
  require_non_negative(where, "service_scv", service_scv);
  const double rho2 = utilization * utilization;
  return 1 + (1 - rho2) * (arrival_scv - 1) + rho2 * (service_scv - 1) / std::sqrt(static_cast<double>(servers));
}

double qna_split_scv(double departure_scv, double probability) {
  constexpr std::string_view where = "qna_split_scv";
  require_non_negative(where, "departure_scv", departure_scv);
  if (!(probability >= 0 && probability <= 1)) throw_invalid(where, "probability", probability, "in [0, 1]");
  return probability * departure_scv + 1 - probability;
}

double qna_superposition_scv(std::span<const double> rates, std::span<const double> scvs) {
  constexpr std::string_view where = "qna_superposition_scv";
  if (rates.size() != scvs.size()) {
    throw error(error_code::invalid_argument,
                fmt::format("{}: {} rates and {} SCVs, but must be one SCV per rate", where, rates.size(),
                            scvs.size()));
  }
  double total_rate = 0;
  double weighted = 0;
  for (std::size_t i = 0; i < rates.size(); ++i) {
    require_non_negative(where, fmt::format("rates[{}]", i), rates[i]);
    require_non_negative(where, fmt::format("scvs[{}]", i), scvs[i]);
    total_rate += rates[i];
    weighted += rates[i] * scvs[i];
  }
  if (!std::isfinite(total_rate) || !std::isfinite(weighted)) {
    throw error(error_code::overflow, fmt::format("{}: the total rate overflows a double", where));
  }
  if (total_rate == 0) return 1;
  return weighted / total_rate;
}

}  // namespace servicechain

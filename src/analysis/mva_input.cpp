// Validation of an mva_input and the names of its stations in messages.

#include <fmt/format.h>

#include <cmath>
#include <cstddef>
#include <string>

#include "analysis/mva_internal.hpp"
#include "servicechain/error.hpp"

namespace servicechain::detail {

namespace {

[[noreturn]] void invalid(const std::string& message) { throw error("servicechain.invalid_argument", message); }

bool non_negative(double v) { return std::isfinite(v) && v >= 0; }

void check_count(const char* what, std::size_t got, std::size_t want, const char* per) {
  if (got != want)
    invalid(
        fmt::format("mva_input: {} has {} entries, but must be empty or have {} (one per {})", what, got, want, per));
}

void check_matrix(const mva_input& in, const std::vector<std::vector<double>>& m, const char* what) {
  const std::size_t stations = in.stations.size();
  for (std::size_t c = 0; c < m.size(); ++c) {
    if (m[c].size() != stations)
      invalid(fmt::format("mva_input: {}[{}] (class {}) has {} entries, but must have {} (one per station)", what, c, c,
                          m[c].size(), stations));
    for (std::size_t k = 0; k < stations; ++k)
      if (!non_negative(m[c][k]))
        invalid(fmt::format("mva_input: class {}, {}: {} = {}, but must be finite and >= 0", c, station_label(in, k),
                            what, m[c][k]));
  }
}

void check_classes(const mva_input& in) {
  const std::size_t classes = in.demand.size();
  if (!in.population.empty()) check_count("population", in.population.size(), classes, "class");
  if (!in.think_time.empty()) check_count("think_time", in.think_time.size(), classes, "class");
  if (!in.arrival_rate.empty()) check_count("arrival_rate", in.arrival_rate.size(), classes, "class");
  if (!in.async_demand.empty()) check_count("async_demand", in.async_demand.size(), classes, "class");
  for (std::size_t c = 0; c < classes; ++c) {
    if (!in.population.empty() && in.population[c] < 0 && !is_open_class(in, c))
      invalid(fmt::format("mva_input: class {}: population = {}, but must be >= 0", c, in.population[c]));
    if (!in.think_time.empty() && !non_negative(in.think_time[c]))
      invalid(fmt::format("mva_input: class {}: think_time = {}, but must be finite and >= 0", c, in.think_time[c]));
    if (is_open_class(in, c) && !non_negative(*in.arrival_rate[c]))
      invalid(
          fmt::format("mva_input: class {}: arrival_rate = {}, but must be finite and >= 0", c, *in.arrival_rate[c]));
  }
}

// A closed class with requests but nothing to do anywhere would cycle infinitely fast.
void check_cycles(const mva_input& in) {
  for (std::size_t c = 0; c < in.demand.size(); ++c) {
    if (is_open_class(in, c) || in.population.empty() || in.population[c] == 0) continue;
    double cycle = in.think_time.empty() ? 0.0 : in.think_time[c];
    for (const double d : in.demand[c]) cycle += d;
    if (cycle == 0)
      invalid(
          fmt::format("mva_input: class {}: population = {} but think time and every demand are 0, "
                      "but a closed class needs some positive demand or think time (its throughput would be infinite)",
                      c, in.population[c]));
  }
}

}  // namespace

std::string station_label(const mva_input& input, std::size_t station) {
  if (station < input.station_names.size()) return fmt::format("station '{}'", input.station_names[station]);
  return fmt::format("station {}", station);
}

std::string station_id(const mva_input& input, std::size_t station) {
  if (station < input.station_names.size()) return input.station_names[station];
  return fmt::format("station {}", station);
}

bool is_open_class(const mva_input& input, std::size_t c) {
  return c < input.arrival_rate.size() && input.arrival_rate[c].has_value();
}

void validate_mva_input(const mva_input& in) {
  const std::size_t stations = in.stations.size();
  if (!in.station_names.empty()) check_count("station_names", in.station_names.size(), stations, "station");
  for (std::size_t k = 0; k < stations; ++k) {
    if (in.stations[k].kind == mva_station_kind::multi_server && in.stations[k].servers < 1)
      invalid(fmt::format("mva_input: {}: servers = {}, but must be >= 1 at a multi-server station",
                          station_label(in, k), in.stations[k].servers));
  }
  check_matrix(in, in.demand, "demand");
  check_classes(in);
  if (!in.async_demand.empty()) check_matrix(in, in.async_demand, "async_demand");
  check_cycles(in);
}

}  // namespace servicechain::detail

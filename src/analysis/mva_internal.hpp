#pragma once
// Internal interface of the mean-value analysis (src/analysis/mva*.cpp): the closed
// network that the solvers see after the open classes and Seidmann's split have been
// applied, and the solvers themselves. Not a public header.

#include <cstdint>
#include <string>
#include <vector>

#include "servicechain/analysis/mva.hpp"

namespace servicechain::detail {

/// Closed classes only, every class with N_c > 0. Stations are queueing or delay, and
/// multi-server only where the exact single-class solver handles them.
struct closed_network {
  std::vector<mva_station> stations;
  std::vector<std::vector<double>> demand;  // [class][station]
  std::vector<std::int64_t> population;     // N_c > 0
  std::vector<double> think_time;           // Z_c
};

struct closed_solution {
  std::vector<double> throughput;              // per class
  std::vector<std::vector<double>> residence;  // [class][station]
  std::vector<std::vector<double>> queue;      // [class][station]
  std::string method;
  int iterations = 0;
};

/// Exact single-class MVA; multi-server stations by the stable load-dependent recursion.
closed_solution exact_single_class(const closed_network& net);
/// Exact multiclass MVA over the population lattice; queueing and delay stations only.
closed_solution exact_multiclass(const closed_network& net);
/// Schweitzer–Bard approximate MVA; queueing and delay stations only.
closed_solution schweitzer_bard(const closed_network& net, const mva_options& options);
/// Linearizer (Chandy & Neuse 1982); queueing and delay stations only.
closed_solution linearizer(const closed_network& net, const mva_options& options);

/// `station 'db'` with names, else `station 3`.
std::string station_label(const mva_input& input, std::size_t station);
/// The id of a station in a saturated_unit: its name, else `station 3`.
std::string station_id(const mva_input& input, std::size_t station);
/// Throws servicechain::error (servicechain.invalid_argument) on any bad input.
void validate_mva_input(const mva_input& input);
/// True if class c is open.
bool is_open_class(const mva_input& input, std::size_t c);

}  // namespace servicechain::detail

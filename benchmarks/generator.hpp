#pragma once
/// @file
/// @brief Deterministic generator of large layered organizations, for benchmarks.
///
/// Not part of the library's public API: it lives with the benchmarks and is linked
/// as the static library `servicechain_generator`.

#include <cstddef>
#include <cstdint>

#include "servicechain/model/organization.hpp"

namespace servicechain::bench {

/// @brief Shape of a generated organization.
struct generator_options {
  /// Internal units (the organization also has `classes` external customers).
  std::size_t units = 1000;
  /// External customers, each one class with an open demand.
  std::size_t classes = 1;
  /// Layers of internal units; 0 picks `max(2, round(sqrt(units) / 4))`.
  std::size_t layers = 0;
  /// Mean number of consumers of an internal unit (outside the last layer), so about
  /// `links_per_unit · units` links in all.
  double links_per_unit = 4;
  /// A unit of layer `l` serves consumers in layers `l + 1 … l + layer_span`.
  std::size_t layer_span = 3;
  /// Fraction of all links that get a reverse link with few requests (rework loops).
  /// Reverse links are only added on links between adjacent layers: any other path
  /// between the two ends spans at least two layers, so each reverse link closes a small
  /// loop instead of fusing the graph into one giant component.
  double rework_fraction = 0.01;
  /// Fraction of links whose acceptance is below 1 (rejected deliveries are redone).
  double rejection_fraction = 0.05;
  /// Service times are set so that every unit's utilization lies in `[0.2, max_utilization]`.
  double max_utilization = 0.9;
  /// Shuffle the units in the model (default: listed layer by layer, as a user would
  /// list departments). The links are always in random order.
  bool shuffle_units = false;
  /// Seed of the `std::mt19937_64`; the same options give the same organization.
  std::uint64_t seed = 42;
};

/// @brief A layered random organization (see `generator_options`).
///
/// Internal units are `u0 … u{units-1}`, customers `c0 … c{classes-1}`. Every internal
/// unit reaches a customer, so every unit carries load; service times are chosen after
/// one `compute_load()` of the model so that every utilization is in
/// `[0.2, max_utilization]`.
/// @throws std::invalid_argument if `units < 2`, `classes < 1` or `links_per_unit < 1`.
[[nodiscard]] organization generate_organization(const generator_options& options);

}  // namespace servicechain::bench

#pragma once
// Test support: the reference answers in tests/data/oracles (from independent tools)
// and their translation into ServiceChain models (oracles/README.md, "Translating a
// routing network into the model").

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "servicechain/servicechain.hpp"

namespace sc_test {

inline const nlohmann::json& oracle_file() {
  static const nlohmann::json data = [] {
    std::ifstream in(SERVICECHAIN_ORACLES_DIR "/expected.json");
    return nlohmann::json::parse(in);
  }();
  return data;
}

inline const nlohmann::json& oracle_case(std::string_view section, std::string_view name) {
  for (const auto& c : oracle_file().at(std::string(section)))
    if (c.at("name") == name) return c;
  throw std::runtime_error(fmt::format("no oracle case '{}' in {}", name, section));
}
inline const nlohmann::json& queueing_case(std::string_view name) { return oracle_case("queueing_cases", name); }
inline const nlohmann::json& graph_case(std::string_view name) { return oracle_case("graph_cases", name); }

/// An open single-class routing network as a model: station i routing to j with probability
/// P_ij is a link j -> i with requests P_ij; external arrivals γ_j are a link j -> customer
/// with requests γ_j / Γ, customer demand Γ. Servers 0 means unlimited (IS).
inline servicechain::organization open_network_model(const nlohmann::json& inputs) {
  servicechain::organization org{.name = "oracle"};
  const auto& names = inputs.at("station_names");
  const auto& routing = inputs.at("routing");
  const auto& gamma = inputs.at("external_arrival_rate");
  double total = 0;
  for (const auto& g : gamma) total += g.get<double>();
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto servers = inputs.at("servers")[i].get<std::int64_t>();
    org.add_unit({.id = names[i].get<std::string>(),
                  .servers = servers == 0 ? servicechain::server_count::unlimited() : servicechain::server_count(servers),
                  .service_time = inputs.at("service_time")[i].get<double>()});
  }
  org.add_unit({.id = "customer", .external = true, .demand = total});
  for (std::size_t i = 0; i < names.size(); ++i) {
    for (std::size_t j = 0; j < names.size(); ++j) {
      const double p = routing[i][j].get<double>();
      if (p != 0) org.add_link({.from = names[j].get<std::string>(), .to = names[i].get<std::string>(), .requests = p});
    }
    const double g = gamma[i].get<double>();
    if (g != 0) org.add_link({.from = names[i].get<std::string>(), .to = "customer", .requests = g / total});
  }
  return org;
}

/// |got − want| ≤ rel · max(|got|, |want|) (or ≤ rel when want is 0), printing both on failure.
inline ::testing::AssertionResult near_rel(double got, double want, double rel) {
  const double scale = std::max(std::abs(got), std::abs(want));
  const double bound = scale == 0 ? rel : rel * scale;
  if (std::isfinite(got) && std::abs(got - want) <= bound) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << fmt::format("expected {:.17g}, got {:.17g} (relative error {:.3g}, tolerance {:.3g})",
                                                      want, got, scale == 0 ? 0.0 : std::abs(got - want) / scale, rel);
}

inline std::string model_path(std::string_view file) { return std::string(SERVICECHAIN_ORACLES_DIR "/models/") + std::string(file); }

}  // namespace sc_test

#pragma once
// Test support for the simulator: comparing analytic values with simulated confidence
// intervals, and the run lengths of the tests.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "servicechain/analysis/open_network.hpp"
#include "servicechain/simulation/simulation.hpp"

namespace sc_test {

/// Optimized builds run the full lengths, long enough for the asked precision; unoptimized
/// (Debug, sanitizer) builds a twentieth of them, and check only that every analytic value
/// lies in the (wider) interval.
#ifdef NDEBUG
inline constexpr double run_scale = 1.0;
inline constexpr bool check_precision = true;
#else
inline constexpr double run_scale = 0.05;
inline constexpr bool check_precision = false;
#endif

/// `want` lies in the simulated interval (widened by a rounding margin, for analytic zeros).
/// With SERVICECHAIN_TEST_VERBOSE set, prints every comparison.
inline ::testing::AssertionResult inside(const servicechain::estimate& got, double want, std::string_view what = {}) {
  const double margin = 1e-9 * std::max(1.0, std::abs(want));
  if (std::getenv("SERVICECHAIN_TEST_VERBOSE") != nullptr) {  // every comparison, to see how close they are
    fmt::print("  {}: analytic {:.6g}, simulated {:.6g}, relative error {:.2e}, half-width {:.2e}\n", what, want,
               got.mean, want != 0 ? (got.mean - want) / want : got.mean, got.relative_half_width());
  }
  if (got.low - margin <= want && want <= got.high + margin) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << fmt::format(
             "{}: analytic {:.10g} outside the simulated interval [{:.10g}, {:.10g}] (mean {:.10g}, relative "
             "error {:.3g}, half-width {:.3g} of the mean)",
             what, want, got.low, got.high, got.mean, want != 0 ? (got.mean - want) / want : got.mean,
             got.relative_half_width());
}

/// The interval's half-width is at most `rel` of its mean (optimized builds only).
inline ::testing::AssertionResult precise(const servicechain::estimate& got, double rel, std::string_view what = {}) {
  if (!check_precision || got.half_width <= rel * std::abs(got.mean)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << fmt::format("{}: half-width {:.3g} of the mean {:.6g}, but must be <= {:.3g}",
                                                      what, got.relative_half_width(), got.mean, rel);
}

/// Every figure that the open analysis and the simulation both give lies in the simulated
/// interval: per unit, per link, per customer (lead time, its split by unit, throughput, cost).
inline void expect_analysis_inside(const servicechain::service_graph& g, const servicechain::open_result& a,
                                   const servicechain::simulation_result& s) {
  namespace sc = servicechain;
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const sc::unit_index u{i};
    if (g.is_external(u)) continue;
    const auto& want = a.units[i];
    const auto& got = s.units[i];
    const std::string id = g.id(u);
    EXPECT_TRUE(inside(got.load, want.load, id + " load"));
    EXPECT_TRUE(inside(got.utilization, want.utilization, id + " utilization"));
    EXPECT_TRUE(inside(got.busy_servers, want.busy_servers, id + " busy_servers"));
    EXPECT_TRUE(inside(got.p_wait, want.p_wait, id + " p_wait"));
    EXPECT_TRUE(inside(got.wait, want.wait, id + " wait"));
    EXPECT_TRUE(inside(got.sojourn, want.sojourn, id + " sojourn"));
    EXPECT_TRUE(inside(got.queue_length, want.queue_length, id + " queue_length"));
    EXPECT_TRUE(inside(got.number_in_unit, want.number_in_unit, id + " number_in_unit"));
  }
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    const auto& t = g.link(sc::link_index{l});
    const std::string id = fmt::format("link {} -> {}", g.id(t.provider), g.id(t.consumer));
    const auto& got = s.links[l];
    EXPECT_TRUE(inside(got.load, a.stations.links[l].load, id + " load"));
    EXPECT_TRUE(inside(got.flow, a.load.link_flow[l], id + " flow"));
    EXPECT_TRUE(inside(got.rework_flow, a.load.link_rework_flow[l], id + " rework_flow"));
    EXPECT_TRUE(inside(got.wait, a.stations.links[l].wait, id + " wait"));
    EXPECT_TRUE(inside(got.sojourn, a.stations.links[l].sojourn, id + " sojourn"));
  }
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    const std::string id = g.id(g.customers()[c]);
    const auto& got = s.customers[c];
    EXPECT_TRUE(inside(got.lead_time, a.customers[c].lead_time, id + " lead_time"));
    EXPECT_TRUE(inside(got.cost_to_serve, a.customers[c].cost_to_serve, id + " cost_to_serve"));
    EXPECT_TRUE(inside(got.throughput, a.load.demand[c], id + " throughput"));
    if (got.lead_time_by_unit.empty()) continue;
    for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
      EXPECT_TRUE(inside(got.lead_time_by_unit[i], a.lead_time_contribution(sc::unit_index{i}, c),
                         id + " lead_time_by_unit " + g.id(sc::unit_index{i})));
    }
  }
}

}  // namespace sc_test

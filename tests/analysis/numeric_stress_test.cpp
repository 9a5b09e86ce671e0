// Numeric stress: Erlang C and the kernels at extreme but valid values (issue 12): up to
// 10^4 servers, utilizations within 1e-9 of 1, loop gains within 1e-9 of 1, demands and
// service times from 1e-9 to 1e9. References: tests/data/numeric_stress_reference.json,
// computed at 60 digits with mpmath by tests/data/numeric_stress_reference.py from the
// same doubles the test passes (so the reference carries no rounding of the inputs).
//
// Stated error: relative 1e-9 in general; where a result divides by a difference that
// cancels (c − a with a = λs within 1e-9·c of c, 1 − r1·r2 within 1e-9 of 0), rounding λs
// or r1·r2 once in double (relative 2⁻⁵³ ≈ 1.1e-16) is amplified by 1/1e-9, so there the
// bound is 1e-9 + 4·2⁻⁵³·(amplification), about 5e-7 at most.

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "servicechain/servicechain.hpp"

namespace servicechain {
namespace {

using json = nlohmann::json;

json reference() {
  std::ifstream in(SERVICECHAIN_TEST_DATA_DIR "/numeric_stress_reference.json");
  return json::parse(in);
}

/// |actual − expected| ≤ tol·|expected|, and actual finite.
::testing::AssertionResult close(double expected, double actual, double tol) {
  if (std::isfinite(actual) && std::abs(actual - expected) <= tol * std::abs(expected))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << fmt::format("expected {:.17g}, actual {:.17g}, relative error {:.3g} > {:.3g}",
                                                      expected, actual,
                                                      std::abs(actual - expected) / std::abs(expected), tol);
}

/// The tolerance for a result with a cancelling difference of relative size `gap`.
double tolerance(double gap) { return 1e-9 + 4 * DBL_EPSILON / 2 / gap; }

void expect_all_finite(const open_result& r) {
  for (std::size_t u = 0; u < r.units.size(); ++u) {
    const auto& p = r.units[u];
    for (const double x : {p.load, p.utilization, p.busy_servers, p.arrival_scv, p.p_wait, p.wait, p.sojourn,
                           p.queue_length, p.number_in_unit, p.cost_per_service, p.cost_per_item,
                           p.lead_time_per_item, p.defect_free_per_item})
      EXPECT_TRUE(std::isfinite(x)) << "unit #" << u << ": " << x;
  }
  for (const auto& c : r.customers) {
    for (const double x : {c.lead_time, c.lead_time_fifo, c.cost_to_serve, c.defect_free})
      EXPECT_TRUE(std::isfinite(x)) << x;
  }
  EXPECT_TRUE(std::isfinite(r.total_cost));
  EXPECT_TRUE(std::isfinite(r.allocated_cost));
}

TEST(NumericStress, ErlangCStationAtExtremes) {
  const json ref = reference();
  ASSERT_GE(ref.at("station").size(), 40U);
  for (const auto& c : ref.at("station")) {
    const auto servers = c.at("servers").get<std::int64_t>();
    const double rho = c.at("rho").get<double>();
    SCOPED_TRACE(fmt::format("c = {}, rho = {}, s = {}", servers, rho, c.at("service_time").get<double>()));
    const station_metrics m = analyze_station({.arrival_rate = c.at("arrival_rate").get<double>(),
                                               .service_time = c.at("service_time").get<double>(),
                                               .servers = server_count(servers)});
    for (const double x : {m.utilization, m.p_wait, m.wait, m.sojourn, m.queue_length, m.number_in_unit, m.busy_servers})
      ASSERT_TRUE(std::isfinite(x)) << x;
    const double tol = tolerance(1 - rho);
    if (c.at("p_wait").get<double>() >= DBL_MIN) {
      EXPECT_TRUE(close(c.at("p_wait").get<double>(), m.p_wait, tol));
    } else {
      EXPECT_LT(m.p_wait, DBL_MIN);  // below the normal range: no relative accuracy exists
    }
    if (c.at("wait").get<double>() >= DBL_MIN) {
      EXPECT_TRUE(close(c.at("wait").get<double>(), m.wait, tol));
    }
    EXPECT_TRUE(close(c.at("sojourn").get<double>(), m.sojourn, tol));
  }
}

organization parse(const std::string& text) { return parse_organization(text, "numeric_stress"); }

TEST(NumericStress, LoopGainWithinOneBillionthOfOne) {
  const json ref = reference();
  for (const auto& c : ref.at("loop")) {
    const double r1 = c.at("r1").get<double>();
    const double r2 = c.at("r2").get<double>();
    SCOPED_TRACE(fmt::format("r1 = {}, r2 = {}", r1, r2));
    const std::string model = fmt::format(
        R"({{"units": [{{"id": "a", "service_time": 1e-12}}, {{"id": "b", "service_time": 1e-12}},
                       {{"id": "cust", "external": true, "demand": {}}}],
            "links": [{{"from": "a", "to": "cust"}}, {{"from": "b", "to": "a", "requests": {:.17g}}},
                      {{"from": "a", "to": "b", "requests": {:.17g}}}]}})",
        c.at("demand").get<double>(), r1, r2);
    const service_graph g = compile(parse(model));
    ASSERT_EQ(g.loops().size(), 1U);
    const double gain = c.at("gain").get<double>();
    EXPECT_TRUE(close(gain, g.numbers().loop_gain(0), 1e-12));
    const open_result r = analyze_open(g);
    expect_all_finite(r);
    const double tol = tolerance(1 - r1 * r2);
    EXPECT_TRUE(close(c.at("items_a").get<double>(), r.load.items("a", "cust"), tol));
    EXPECT_TRUE(close(c.at("items_b").get<double>(), r.load.items("b", "cust"), tol));
  }
}

TEST(NumericStress, TandemDemandsFromOneBillionthToOneBillion) {
  const json ref = reference();
  for (const auto& c : ref.at("tandem")) {
    const double d = c.at("demand").get<double>();
    const double sa = c.at("service_time_a").get<double>();
    const double sb = c.at("service_time_b").get<double>();
    SCOPED_TRACE(fmt::format("d = {}, s_a = {}, s_b = {}", d, sa, sb));
    const std::string model = fmt::format(
        R"({{"units": [{{"id": "a", "service_time": {:.17g}}}, {{"id": "b", "service_time": {:.17g}}},
                       {{"id": "cust", "external": true, "demand": {:.17g}}}],
            "links": [{{"from": "a", "to": "cust"}}, {{"from": "b", "to": "a"}}]}})",
        sa, sb, d);
    const open_result r = analyze_open(compile(parse(model)));
    expect_all_finite(r);
    EXPECT_TRUE(close(c.at("lead_time").get<double>(), r.customer("cust").lead_time, tolerance(1 - d * sa)));
  }
}

// A unit of 10^4 servers at ρ = 1 − 1e-9 inside a model: finite figures throughout.
TEST(NumericStress, TenThousandServersNearSaturationInAModel) {
  const double s = 1.0;
  const double d = (1 - 1e-9) * 10000 / s;
  const std::string model = fmt::format(
      R"({{"units": [{{"id": "a", "servers": 10000, "service_time": 1, "cost_per_time": 1e6}},
                     {{"id": "cust", "external": true, "demand": {:.17g}}}],
          "links": [{{"from": "a", "to": "cust"}}]}})",
      d);
  const open_result r = analyze_open(compile(parse(model)));
  expect_all_finite(r);
  EXPECT_GT(r.unit("a").utilization, 1 - 2e-9);
  EXPECT_LT(r.unit("a").utilization, 1.0);
}

}  // namespace
}  // namespace servicechain

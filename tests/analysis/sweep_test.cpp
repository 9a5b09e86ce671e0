// Sweeps: an M/M/1 unit swept over its demand and over its service time gives
// W = 1 / (μ − λ) at every stable step (Kleinrock, Queueing Systems I, eq. 3.26) and
// reports the steps with ρ ≥ 1 as saturated, naming the unit.

#include "servicechain/analysis/sweep.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "servicechain/error.hpp"

namespace sc = servicechain;
using ::testing::HasSubstr;

namespace {

// λ = 2, s = 0.25 (μ = 4); a second, idle-ish unit so that "busiest" has an order to check.
sc::service_graph mm1() {
  sc::organization org{.name = "mm1"};
  org.add_unit({.id = "desk", .service_time = 0.25});
  org.add_unit({.id = "archive", .service_time = 0.1});
  org.add_unit({.id = "walk_in", .external = true, .demand = 2});
  org.add_link({.from = "desk", .to = "walk_in"});
  org.add_link({.from = "archive", .to = "walk_in", .mode = sc::link_mode::async});
  return sc::compile(org);
}

}  // namespace

TEST(SweepTest, RangesIncludeTheirEnd) {
  const auto r = sc::parse_sweep_range("0.5:1.2:0.05", "--scale-demand");
  const auto v = r.values();
  ASSERT_EQ(v.size(), 15u);
  EXPECT_EQ(v.front(), 0.5);
  EXPECT_EQ(v.back(), 1.2);
  EXPECT_NEAR(v[7], 0.85, 1e-15);
  EXPECT_EQ(sc::parse_sweep_range("2", "x").values(), std::vector<double>{2.0});
  EXPECT_EQ(sc::parse_sweep_range("1:1:0", "x").values(), std::vector<double>{1.0});
  EXPECT_EQ(sc::parse_sweep_range("0:1:0.3", "x").values().size(), 4u);  // 0, 0.3, 0.6, 0.9
}

TEST(SweepTest, BadRangesAreClearErrors) {
  for (const char* bad : {"1:0.5:0.1", "0.5:1:0", "0.5:1:-0.1", "a:1:0.1", "0.5:1", "0.5:1:0.1:2", "0:1e9:1e-9", "inf"}) {
    SCOPED_TRACE(bad);
    try {
      (void)sc::parse_sweep_range(bad, "--scale-demand");
      FAIL() << "no error";
    } catch (const sc::error& e) {
      EXPECT_THAT(e.what(), HasSubstr("--scale-demand"));
      EXPECT_THAT(e.what(), HasSubstr(bad));
    }
  }
}

TEST(SweepTest, DemandScaleGivesTheMM1LeadTimeAndSaturation) {
  const auto g = mm1();
  const auto r = sc::sweep(g, g.numbers(), sc::parse_sweep_range("0.5:2.2:0.1", "scale"));
  ASSERT_EQ(r.steps.size(), 18u);
  EXPECT_FALSE(r.target);
  for (const auto& step : r.steps) {
    SCOPED_TRACE(step.value);
    const double lambda = 2 * step.value;
    ASSERT_FALSE(step.busiest.empty());
    EXPECT_EQ(g.id(step.busiest[0].unit), "desk");
    EXPECT_NEAR(step.busiest[0].utilization, lambda * 0.25, 1e-12);
    ASSERT_EQ(step.busiest.size(), 2u);
    EXPECT_NEAR(step.busiest[1].utilization, lambda * 0.1, 1e-12);
    if (lambda * 0.25 < 1 - 1e-9) {
      ASSERT_FALSE(step.is_saturated);
      ASSERT_EQ(step.lead_time.size(), 1u);
      EXPECT_NEAR(step.lead_time[0], 1.0 / (4.0 - lambda), 1e-12);  // archive is async: not in the lead time
      EXPECT_NEAR(step.mean_lead_time, 1.0 / (4.0 - lambda), 1e-12);
    } else {
      ASSERT_TRUE(step.is_saturated);
      EXPECT_TRUE(step.lead_time.empty());
      ASSERT_EQ(step.saturated.size(), 1u);
      EXPECT_EQ(step.saturated[0].id, "desk");
    }
  }
  ASSERT_TRUE(r.first_saturated);
  EXPECT_EQ(*r.first_saturated, 15u);  // scale 2.0: ρ = 1
}

TEST(SweepTest, ServiceTimeSweepReusesFlowsAndGivesTheMM1LeadTime) {
  const auto g = mm1();
  const sc::sweep_options options{.target = sc::parse_parameter(g, "units/desk/service_time"), .top_units = 1};
  const auto r = sc::sweep(g, g.numbers(), sc::parse_sweep_range("0.1:0.6:0.05", "--set"), options);
  ASSERT_EQ(r.steps.size(), 11u);
  for (const auto& step : r.steps) {
    SCOPED_TRACE(step.value);
    ASSERT_EQ(step.busiest.size(), 1u);
    const double rho = 2 * step.value;
    EXPECT_NEAR(step.busiest[0].utilization, std::max(rho, 0.2), 1e-12);
    if (rho < 1 - 1e-9) {
      ASSERT_EQ(step.lead_time.size(), 1u);
      EXPECT_NEAR(step.lead_time[0], 1.0 / (1.0 / step.value - 2.0), 1e-12);
    } else {
      EXPECT_TRUE(step.is_saturated);
      EXPECT_EQ(step.saturated.at(0).id, "desk");
      EXPECT_NEAR(step.saturated[0].utilization, rho, 1e-12);
    }
  }
  EXPECT_EQ(*r.first_saturated, 8u);  // s = 0.5
}

TEST(SweepTest, ABadValueOfTheParameterNamesIt) {
  const auto g = mm1();
  const sc::sweep_options options{.target = sc::parse_parameter(g, "units/desk/service_time")};
  try {
    (void)sc::sweep(g, g.numbers(), sc::parse_sweep_range("0:0.2:0.1", "--set"), options);
    FAIL() << "no error";
  } catch (const sc::error& e) {
    EXPECT_THAT(e.what(), HasSubstr("units/desk/service_time"));
  }
}

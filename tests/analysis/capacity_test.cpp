#include "servicechain/analysis/capacity.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/oracles.hpp"

namespace sc = servicechain;
using sc_test::near_rel;

TEST(CapacityTest, DesignWorkedExample) {
  std::ifstream in(sc_test::model_path("rework.expected.json"));
  const auto expected = nlohmann::json::parse(in).at("expected");
  const auto g = sc::compile(sc::load_organization(sc_test::model_path("rework.json")));
  const auto cap = sc::analyze_capacity(g);
  EXPECT_TRUE(cap.stable());
  ASSERT_TRUE(cap.bottleneck.has_value());
  EXPECT_EQ(g.id(*cap.bottleneck), expected.at("bottleneck").get<std::string>());
  EXPECT_TRUE(near_rel(*cap.max_demand_scale, expected.at("max_demand_scale").get<double>(), 1e-12));
  // ρ = λ s: intake 1·0.5, processing 1.25·0.4, qa 1.25·2/3.
  EXPECT_TRUE(near_rel(cap.unit("intake").utilization, 0.5, 1e-12));
  EXPECT_TRUE(near_rel(cap.unit("processing").utilization, 0.5, 1e-12));
  EXPECT_TRUE(near_rel(cap.unit("qa").utilization, 1.25 * 2.0 / 3.0, 1e-12));
  EXPECT_TRUE(near_rel(*cap.unit("qa").headroom, 0.2, 1e-12));
  EXPECT_TRUE(near_rel(*cap.unit("intake").saturation_scale, 2.0, 1e-12));
  ASSERT_EQ(cap.ranking.size(), 3u);
  EXPECT_EQ(g.id(cap.ranking[0]), "qa");
  // One class: its largest demand is the saturation scale times its demand.
  ASSERT_EQ(cap.customers.size(), 1u);
  EXPECT_TRUE(near_rel(*cap.customers[0].max_demand, 1.2, 1e-12));
  EXPECT_TRUE(near_rel(*cap.customers[0].max_demand_alone, 1.2, 1e-12));
  EXPECT_EQ(g.id(*cap.customers[0].limiting_unit), "qa");
}

TEST(CapacityTest, UtilizationsMatchOctave) {
  for (const char* name : {"open_jackson_4_mm1", "open_jackson_6_multiserver"}) {
    SCOPED_TRACE(name);
    const auto& c = sc_test::queueing_case(name);
    const auto g = sc::compile(sc_test::open_network_model(c.at("inputs")));
    const auto cap = sc::analyze_capacity(g);
    const auto& names = c.at("inputs").at("station_names");
    for (std::size_t k = 0; k < names.size(); ++k) {
      const auto& u = cap.unit(names[k].get<std::string>());
      const double want = c.at("outputs").at("U")[k].get<double>();
      if (c.at("inputs").at("servers")[k].get<int>() == 0) {
        // Infinite server: the package's U is the mean number busy; ours is busy_servers.
        EXPECT_EQ(u.utilization, 0.0);
        EXPECT_FALSE(u.headroom.has_value());
        EXPECT_TRUE(near_rel(u.busy_servers, want, 1e-12)) << names[k];
      } else {
        EXPECT_TRUE(near_rel(u.utilization, want, 1e-12)) << names[k];
      }
    }
    EXPECT_TRUE(cap.stable());
  }
}

TEST(CapacityTest, SaturatedUnitsAreListedWithUtilization) {
  const auto& c = sc_test::queueing_case("open_unstable");
  const auto g = sc::compile(sc_test::open_network_model(c.at("inputs")));
  const auto cap = sc::analyze_capacity(g);
  EXPECT_FALSE(cap.stable());
  ASSERT_EQ(cap.saturated.size(), 1u);
  const auto station = c.at("outputs").at("saturated_station_1based").get<std::size_t>() - 1;
  EXPECT_EQ(cap.saturated[0].id, c.at("inputs").at("station_names")[station].get<std::string>());
  EXPECT_TRUE(near_rel(cap.saturated[0].utilization, c.at("outputs").at("offered_utilization")[station].get<double>(), 1e-12));
  EXPECT_TRUE(near_rel(cap.saturated[0].capacity, 1.0 / c.at("inputs").at("service_time")[station].get<double>(), 1e-12));
  // The others' utilizations are still reported.
  for (std::size_t k = 0; k < 4; ++k)
    EXPECT_TRUE(near_rel(cap.unit(c.at("inputs").at("station_names")[k].get<std::string>()).utilization,
                         c.at("outputs").at("offered_utilization")[k].get<double>(), 1e-12));
  // The only class: its largest demand is today's demand scaled down to ρ_db = 1.
  const double demand = g.numbers().unit(g.customers()[0]).demand;
  EXPECT_TRUE(near_rel(*cap.customers[0].max_demand, demand / c.at("outputs").at("offered_utilization")[station].get<double>(), 1e-12));
  EXPECT_LT(*cap.customers[0].max_demand, demand);
}

// Worked by hand: unit A (s = 0.1, 1 server) serves class 1 (d = 2, 1 visit) and class 2
// (d = 3, 2 visits): ρ_A = 0.1 · (2 + 6) = 0.8. Unit B (s = 0.25, 2 servers) serves only
// class 2 once: ρ_B = 3 · 0.25 / 2 = 0.375.
//   class 1 with class 2 held: (1 − 0.6) / 0.1 = 4;  alone: 1 / 0.1 = 10.
//   class 2 with class 1 held: min((1 − 0.2) / 0.2, 1 / 0.125) = 4 (at A);  alone: min(5, 8) = 5.
TEST(CapacityTest, LargestDemandPerClassByHand) {
  sc::organization org;
  org.add_unit({.id = "A", .service_time = 0.1});
  org.add_unit({.id = "B", .servers = 2, .service_time = 0.25});
  org.add_unit({.id = "robot", .servers = sc::server_count::unlimited(), .service_time = 3});
  org.add_unit({.id = "c1", .external = true, .demand = 2});
  org.add_unit({.id = "c2", .external = true, .demand = 3});
  org.add_link({.from = "A", .to = "c1"});
  org.add_link({.from = "A", .to = "c2", .requests = 2});
  org.add_link({.from = "B", .to = "c2"});
  org.add_link({.from = "robot", .to = "c1"});
  const auto g = sc::compile(org);
  const auto cap = sc::analyze_capacity(g);
  EXPECT_TRUE(near_rel(cap.unit("A").utilization, 0.8, 1e-12));
  EXPECT_TRUE(near_rel(cap.unit("B").utilization, 0.375, 1e-12));
  EXPECT_TRUE(near_rel(*cap.customers[0].max_demand, 4, 1e-12));
  EXPECT_TRUE(near_rel(*cap.customers[0].max_demand_alone, 10, 1e-12));
  EXPECT_TRUE(near_rel(*cap.customers[1].max_demand, 4, 1e-12));
  EXPECT_TRUE(near_rel(*cap.customers[1].max_demand_alone, 5, 1e-12));
  EXPECT_EQ(g.id(*cap.customers[1].limiting_unit), "A");
  // Unlimited servers: never saturate, report their mean number busy.
  const auto& robot = cap.unit("robot");
  EXPECT_EQ(robot.utilization, 0.0);
  EXPECT_TRUE(near_rel(robot.busy_servers, 6.0, 1e-12));
  EXPECT_FALSE(robot.saturation_scale.has_value());
  EXPECT_EQ(std::count(cap.ranking.begin(), cap.ranking.end(), g.index_of("robot")), 0);
  EXPECT_TRUE(near_rel(*cap.max_demand_scale, 1.25, 1e-12));
}

TEST(CapacityTest, ClassOnlyOnUnlimitedUnitsIsUnbounded) {
  sc::organization org;
  org.add_unit({.id = "web", .servers = sc::server_count::unlimited(), .service_time = 0.1});
  org.add_unit({.id = "c", .external = true, .demand = 50});
  org.add_link({.from = "web", .to = "c"});
  const auto cap = sc::analyze_capacity(sc::compile(org));
  EXPECT_FALSE(cap.customers[0].max_demand.has_value());
  EXPECT_FALSE(cap.customers[0].max_demand_alone.has_value());
  EXPECT_FALSE(cap.bottleneck.has_value());
  EXPECT_FALSE(cap.max_demand_scale.has_value());
  EXPECT_TRUE(cap.stable());
}

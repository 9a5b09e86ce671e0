// Knock-out and degradation against hand-worked M/M/1 and M/M/2 figures.
//
// The customer (λ = 1) is served by A (M/M/1, s = 0.5, μ = 2: W = 1/(μ − λ) = 1), which
// needs B (2 servers, s = 0.8, a = 0.8, ρ = 0.4) synchronously. Erlang C (Kleinrock,
// Queueing Systems I, §3.5): C(2, a) = (a²/2)/(1 − ρ) / (1 + a + (a²/2)/(1 − ρ)) = 8/35,
// Wq = C / (2μ − λ) = 16/105, W_B = 0.8 + 16/105 = 20/21. Lead time L = W_A + W_B = 41/21.

#include "servicechain/analysis/knockout.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "servicechain/error.hpp"

namespace sc = servicechain;

namespace {

sc::service_graph chain() {
  sc::organization org{.name = "knockout"};
  org.add_unit({.id = "a", .service_time = 0.5});
  org.add_unit({.id = "b", .servers = 2, .service_time = 0.8});
  org.add_unit({.id = "pool", .servers = sc::server_count::unlimited(), .service_time = 0.3});
  org.add_unit({.id = "c", .external = true, .demand = 1});
  org.add_link({.from = "a", .to = "c"});
  org.add_link({.from = "b", .to = "a"});
  org.add_link({.from = "pool", .to = "a"});
  return sc::compile(org);
}

}  // namespace

TEST(KnockoutTest, OneServerLost) {
  const auto g = chain();
  const auto r = sc::knockout(g, g.numbers());
  const double base = 1.0 + 20.0 / 21.0 + 0.3;  // pool: infinite servers, W = s
  ASSERT_EQ(r.lead_time.size(), 1u);
  EXPECT_NEAR(r.lead_time[0], base, 1e-12);
  ASSERT_EQ(r.units.size(), 3u);

  const auto& a = r.units[0];  // its only server: no capacity for a load of 1
  EXPECT_TRUE(a.loses_all_servers);
  EXPECT_TRUE(a.unstable);
  EXPECT_TRUE(a.lead_time.empty());

  const auto& b = r.units[1];  // 2 -> 1 server: M/M/1 with μ = 1.25, W = 1/(1.25 − 1) = 4
  EXPECT_FALSE(b.unstable);
  EXPECT_NEAR(b.utilization_before, 0.4, 1e-12);
  EXPECT_NEAR(b.utilization_after, 0.8, 1e-12);
  ASSERT_EQ(b.lead_time.size(), 1u);
  EXPECT_NEAR(b.lead_time[0], 1.0 + 4.0 + 0.3, 1e-12);
  EXPECT_NEAR(b.lead_time_change[0], 4.0 - 20.0 / 21.0, 1e-12);
  EXPECT_NEAR(b.mean_lead_time_change, 4.0 - 20.0 / 21.0, 1e-12);

  const auto& pool = r.units[2];  // unlimited servers: nothing to lose
  EXPECT_FALSE(pool.applicable);
  EXPECT_EQ(pool.lead_time_change.at(0), 0.0);

  EXPECT_EQ(r.unstable, std::vector<sc::unit_index>{g.index_of("a")});
}

TEST(KnockoutTest, CapacityLost) {
  const auto g = chain();
  const auto r = sc::knockout(g, g.numbers(), {.capacity_loss = 0.2});
  ASSERT_EQ(r.units.size(), 3u);
  // A: s = 0.5 / 0.8 = 0.625, μ = 1.6: W = 1/0.6 = 5/3.
  EXPECT_NEAR(r.units[0].lead_time_change.at(0), 5.0 / 3.0 - 1.0, 1e-12);
  EXPECT_NEAR(r.units[0].utilization_after, 0.625, 1e-12);
  // B: s = 1, a = 1, ρ = 0.5: C = (1/2)/(1/2) / (1 + 1 + 1) = 1/3, Wq = (1/3)/(2 − 1), W = 4/3.
  EXPECT_NEAR(r.units[1].lead_time_change.at(0), 4.0 / 3.0 - 20.0 / 21.0, 1e-12);
  // pool: W = s = 0.3 / 0.8 = 0.375.
  EXPECT_NEAR(r.units[2].lead_time_change.at(0), 0.375 - 0.3, 1e-12);
  EXPECT_TRUE(r.unstable.empty());

  // Losing 60%: A's s = 1.25, ρ = 1.25 ≥ 1; B's s = 2, ρ = 1.
  const auto heavy = sc::knockout(g, g.numbers(), {.capacity_loss = 0.6});
  EXPECT_EQ(heavy.unstable, (std::vector<sc::unit_index>{g.index_of("a"), g.index_of("b")}));
  EXPECT_EQ(heavy.units[0].saturated.at(0).id, "a");
  EXPECT_NEAR(heavy.units[0].saturated.at(0).utilization, 1.25, 1e-12);
}

TEST(KnockoutTest, PerLinkServiceTimesDegradeToo) {
  sc::organization org{.name = "links"};
  org.add_unit({.id = "a", .service_time = 0.5});
  org.add_unit({.id = "c", .external = true, .demand = 1});
  org.add_link({.from = "a", .to = "c", .service_time = 0.25});  // μ = 4: W = 1/3
  const auto g = sc::compile(org);
  const auto r = sc::knockout(g, g.numbers(), {.capacity_loss = 0.5});  // s = 0.5, μ = 2: W = 1
  EXPECT_NEAR(r.lead_time.at(0), 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(r.units.at(0).lead_time.at(0), 1.0, 1e-12);
}

TEST(KnockoutTest, BadCapacityLoss) {
  const auto g = chain();
  for (double bad : {0.0, 1.0, -0.1, 1.5}) EXPECT_THROW((void)sc::knockout(g, g.numbers(), {.capacity_loss = bad}), sc::error);
}

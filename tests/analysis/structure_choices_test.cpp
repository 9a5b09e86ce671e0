// Capacity with choices (structure.hpp, docs/structure.md "Capacity with choices"): the LP
// optimum against hand-worked cases, brute force over splits, max-flow on pure choices, and
// strong duality of the reported shadow prices.

#include "servicechain/analysis/structure.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/max_flow.hpp"
#include "support/oracles.hpp"

namespace sc = servicechain;
using sc_test::near_rel;

namespace {

// The split found by capacity_with_choices applied to the model.
sc::organization with_split(sc::organization org, const sc::choice_capacity_result& r) {
  for (const auto& s : r.splits) org.links[s.link.value()].requests = s.optimal_requests;
  return org;
}

double max_demand_scale(const sc::organization& org) {
  const auto cap = sc::analyze_capacity(sc::compile(org));
  return cap.max_demand_scale.value_or(std::numeric_limits<double>::infinity());
}

// Σ_u (∂θ/∂μ_u)·μ_u over the limiting units: strong duality says it equals θ*.
double dual_objective(const sc::service_graph& g, const sc::choice_capacity_result& r) {
  double sum = 0;
  for (const auto& l : r.limiting_units) sum += l.shadow_price * g.numbers().unit(l.unit).servers / g.numbers().unit(l.unit).service_time;
  return sum;
}

}  // namespace

// =============================================================== capacity with choices

TEST(ChoiceCapacityTest, TwoSubstitutableProvidersByHand) {
  // Customer (demand 10) needs 1 request per item from group {a, b}: given 0.5 / 0.5.
  // a serves 4 per time unit (1 server, 0.25), b serves 12 (2 servers, 1/6).
  // Given split: a carries 5 > 4 → θ_fixed = 4/5; re-split: θ* = (4 + 12)/10 = 1.6,
  // with a at 4 and b at 12 (a's share 0.25). The customer also needs 0.5 from c (μ = 10):
  // c limits θ at 2, so it does not bind.
  sc::organization org;
  org.add_unit({.id = "a", .servers = 1, .service_time = 0.25});
  org.add_unit({.id = "b", .servers = 2, .service_time = 1.0 / 6.0});
  org.add_unit({.id = "c", .servers = 1, .service_time = 0.1});
  org.add_unit({.id = "cust", .external = true, .demand = 10});
  org.add_link({.from = "a", .to = "cust", .requests = 0.5, .group = "g"});
  org.add_link({.from = "b", .to = "cust", .requests = 0.5, .group = "g"});
  org.add_link({.from = "c", .to = "cust", .requests = 0.5});
  const auto g = sc::compile(org);
  const auto r = sc::capacity_with_choices(g, sc::compute_load(g));
  EXPECT_TRUE(near_rel(r.demand, 10.0, 1e-15));
  EXPECT_TRUE(near_rel(*r.fixed_split_demand_scale, 0.8, 1e-12));
  EXPECT_TRUE(near_rel(*r.fixed_split_value, 8.0, 1e-12));
  EXPECT_TRUE(near_rel(*r.demand_scale, 1.6, 1e-12));
  EXPECT_TRUE(near_rel(*r.value, 16.0, 1e-12));
  ASSERT_EQ(r.splits.size(), 2u);
  EXPECT_TRUE(near_rel(r.splits[0].optimal_requests, 0.25, 1e-12));
  EXPECT_TRUE(near_rel(r.splits[1].optimal_requests, 0.75, 1e-12));
  EXPECT_TRUE(near_rel(r.splits[0].flow, 4.0, 1e-12));
  EXPECT_EQ(r.splits[0].given_requests, 0.5);
  // Both a and b limit: one more service per time unit at either adds 1/10 to θ.
  ASSERT_EQ(r.limiting_units.size(), 2u);
  EXPECT_EQ(g.id(r.limiting_units[0].unit), "a");
  EXPECT_TRUE(near_rel(r.limiting_units[0].shadow_price, 0.1, 1e-9));
  EXPECT_TRUE(near_rel(r.limiting_units[1].shadow_price, 0.1, 1e-9));
  EXPECT_TRUE(near_rel(dual_objective(g, r), *r.demand_scale, 1e-9));
}

TEST(ChoiceCapacityTest, ReSplitCanEmptyAProviderByHand) {
  // x (demand 1) needs 1 request per item from group {a, b}, given 0.5 / 0.5; y (demand 1)
  // needs 9 from a alone. μ_a = 10, μ_b = 100. Given split: a carries 9.5θ → θ_fixed = 10/9.5.
  // Re-split: all of x's requests go to b (f_a = 0, the bound f ≥ 0 binds), a carries 9θ →
  // θ* = 10/9, and a alone limits it: ∂θ*/∂μ_a = 1/9 (b carries θ*, far below 100).
  sc::organization org;
  org.add_unit({.id = "a", .servers = 1, .service_time = 0.1});
  org.add_unit({.id = "b", .servers = 1, .service_time = 0.01});
  org.add_unit({.id = "x", .external = true, .demand = 1});
  org.add_unit({.id = "y", .external = true, .demand = 1});
  org.add_link({.from = "a", .to = "x", .requests = 0.5, .group = "g"});
  org.add_link({.from = "b", .to = "x", .requests = 0.5, .group = "g"});
  org.add_link({.from = "a", .to = "y", .requests = 9});
  const auto g = sc::compile(org);
  const auto r = sc::capacity_with_choices(g, sc::compute_load(g));
  EXPECT_TRUE(near_rel(*r.fixed_split_demand_scale, 10.0 / 9.5, 1e-12));
  EXPECT_TRUE(near_rel(*r.demand_scale, 10.0 / 9.0, 1e-12));
  ASSERT_EQ(r.splits.size(), 2u);
  EXPECT_NEAR(r.splits[0].optimal_requests, 0.0, 1e-12);
  EXPECT_NEAR(r.splits[0].flow, 0.0, 1e-12);
  EXPECT_TRUE(near_rel(r.splits[1].optimal_requests, 1.0, 1e-12));
  ASSERT_EQ(r.limiting_units.size(), 1u);
  EXPECT_EQ(g.id(r.limiting_units[0].unit), "a");
  EXPECT_TRUE(near_rel(r.limiting_units[0].shadow_price, 1.0 / 9.0, 1e-9));
  EXPECT_TRUE(near_rel(dual_objective(g, r), *r.demand_scale, 1e-9));
  EXPECT_TRUE(near_rel(max_demand_scale(with_split(org, r)), *r.demand_scale, 1e-9));
}

TEST(ChoiceCapacityTest, ReworkAndUpstreamUnitsByHand) {
  // cust (demand 1) needs 2 requests per item from {a, b}; a's deliveries are accepted
  // 80% (e = 0.25: a redoes 0.25 per request); b needs 1 request of s per request.
  // μ_a = 5, μ_b = 100, μ_s = 3. Loads with a flow x to a and z to b (x + z = 2θ):
  // a: 1.25x ≤ 5, s: z ≤ 3, b: z ≤ 100. Best: x = 4, z = 3, θ* = 3.5.
  // Given split 1/1 (x = z = θ): a 1.25θ ≤ 5, s θ ≤ 3 → θ_fixed = 3.
  sc::organization org;
  org.add_unit({.id = "a", .servers = 1, .service_time = 0.2});
  org.add_unit({.id = "b", .servers = 1, .service_time = 0.01});
  org.add_unit({.id = "s", .servers = 3, .service_time = 1});
  org.add_unit({.id = "cust", .external = true, .demand = 1});
  org.add_link({.from = "a", .to = "cust", .requests = 1, .acceptance = 0.8, .group = "g"});
  org.add_link({.from = "b", .to = "cust", .requests = 1, .group = "g"});
  org.add_link({.from = "s", .to = "b", .requests = 1});
  const auto g = sc::compile(org);
  const auto r = sc::capacity_with_choices(g, sc::compute_load(g));
  EXPECT_TRUE(near_rel(*r.fixed_split_demand_scale, 3.0, 1e-12));
  EXPECT_TRUE(near_rel(*r.demand_scale, 3.5, 1e-12));
  ASSERT_EQ(r.limiting_units.size(), 2u);
  EXPECT_EQ(g.id(r.limiting_units[0].unit), "a");
  EXPECT_EQ(g.id(r.limiting_units[1].unit), "s");
  // ∂θ/∂μ_a = (1/1.25)/2 = 0.4, ∂θ/∂μ_s = 1/2.
  EXPECT_TRUE(near_rel(r.limiting_units[0].shadow_price, 0.4, 1e-9));
  EXPECT_TRUE(near_rel(r.limiting_units[1].shadow_price, 0.5, 1e-9));
  EXPECT_TRUE(near_rel(max_demand_scale(with_split(org, r)), 3.5, 1e-9));
}

TEST(ChoiceCapacityTest, EqualsBruteForceOverSplitsAndNeverFallsBelowTheGivenSplit) {
  // Random models with loops, rework and one or two groups (nested when a group's provider
  // serves another group's consumer). The LP's split, applied to the model, sustains θ*
  // (so θ* is achievable), and no split on a grid does better (so it is optimal).
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  int checked = 0;
  for (int trial = 0; trial < 40; ++trial) {
    SCOPED_TRACE(trial);
    sc::organization org;
    const int n = 6;
    for (int i = 0; i < n; ++i)
      org.add_unit({.id = fmt::format("u{}", i),
                    .servers = 1 + static_cast<std::int64_t>(rng() % 3),
                    .service_time = 0.02 + 0.1 * uniform(rng)});
    org.add_unit({.id = "x", .external = true, .demand = 2 + 3 * uniform(rng)});
    org.add_unit({.id = "y", .external = true, .demand = 1 + 2 * uniform(rng)});
    // Group g1 at x over {u0, u1, u2}; group g2 at u0 over {u3, u4} (nested under g1).
    const double r1 = 0.5 + uniform(rng);
    org.add_link({.from = "u0", .to = "x", .requests = r1 * 0.5, .group = "g1"});
    org.add_link({.from = "u1", .to = "x", .requests = r1 * 0.3, .acceptance = 0.9, .group = "g1"});
    org.add_link({.from = "u2", .to = "x", .requests = r1 * 0.2, .group = "g1"});
    const bool nested = trial % 2 == 0;
    if (nested) {
      org.add_link({.from = "u3", .to = "u0", .requests = 0.7, .group = "g2"});
      org.add_link({.from = "u4", .to = "u0", .requests = 0.5, .group = "g2"});
    } else {
      org.add_link({.from = "u3", .to = "u0", .requests = 0.7});
    }
    org.add_link({.from = "u5", .to = "y", .requests = 1});
    org.add_link({.from = "u1", .to = "y", .requests = 0.3});
    org.add_link({.from = "u5", .to = "u2", .requests = 0.5 * uniform(rng), .acceptance = 0.85});
    org.add_link({.from = "u4", .to = "u1", .requests = 0.4 * uniform(rng)});
    org.add_link({.from = "u1", .to = "u4", .requests = 0.3 * uniform(rng)});  // loop u1 <-> u4
    const auto g = sc::compile(org);
    const auto r = sc::capacity_with_choices(g, sc::compute_load(g));
    ASSERT_TRUE(r.demand_scale.has_value());
    ASSERT_TRUE(r.fixed_split_demand_scale.has_value());
    EXPECT_GE(*r.demand_scale, *r.fixed_split_demand_scale);
    EXPECT_TRUE(near_rel(*r.fixed_split_demand_scale, max_demand_scale(org), 1e-12));
    EXPECT_TRUE(near_rel(max_demand_scale(with_split(org, r)), *r.demand_scale, 1e-9));
    EXPECT_TRUE(near_rel(dual_objective(g, r), *r.demand_scale, 1e-9));

    // Grid over g1's split (step 1/20) and, when nested, g2's (step 1/10).
    double best = 0;
    const int steps = 20;
    for (int i = 0; i <= steps; ++i)
      for (int j = 0; i + j <= steps; ++j) {
        const int jmax = nested ? 10 : 0;
        for (int h = 0; h <= jmax; ++h) {
          sc::organization s = org;
          s.links[0].requests = r1 * i / steps;
          s.links[1].requests = r1 * j / steps;
          s.links[2].requests = r1 * (steps - i - j) / steps;
          if (nested) {
            s.links[3].requests = 1.2 * h / 10;
            s.links[4].requests = 1.2 * (10 - h) / 10;
          }
          best = std::max(best, max_demand_scale(s));
        }
      }
    EXPECT_LE(best, *r.demand_scale * (1 + 1e-12));
    EXPECT_GE(best, *r.fixed_split_demand_scale * (1 - 1e-12));
    ++checked;
  }
  EXPECT_EQ(checked, 40);
}

TEST(ChoiceCapacityTest, NetworkOfPureChoicesIsANodeCapacitatedMaxFlow) {
  // Every unit has one group of providers whose requests sum to 1 (or a single provider
  // with requests 1), no rework: the LP is the maximum flow of customer requests from the
  // customer to the source of supply, each unit holding servers / service_time.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int trial = 0; trial < 30; ++trial) {
    SCOPED_TRACE(trial);
    const int layers = 3;
    const int width = 3;
    sc::organization org;
    auto id = [](int layer, int k) { return fmt::format("L{}_{}", layer, k); };
    for (int l = 0; l < layers; ++l)
      for (int k = 0; k < width; ++k)
        org.add_unit({.id = id(l, k), .servers = 1, .service_time = 0.05 + 0.2 * uniform(rng)});
    org.add_unit({.id = "supply", .servers = sc::server_count::unlimited(), .service_time = 1});
    org.add_unit({.id = "cust", .external = true, .demand = 5});
    // Consumers of layer l + 1 (the customer for the last layer) choose among providers of layer l.
    auto choose = [&](const std::string& consumer, int layer) {
      std::vector<int> providers;
      for (int k = 0; k < width; ++k)
        if (uniform(rng) < 0.6) providers.push_back(k);
      if (providers.empty()) providers.push_back(static_cast<int>(rng() % width));
      for (int k : providers)
        org.add_link({.from = id(layer, k),
                      .to = consumer,
                      .requests = 1.0 / static_cast<double>(providers.size()),
                      .group = providers.size() > 1 ? "choice" : ""});
    };
    choose("cust", layers - 1);
    for (int l = layers - 1; l > 0; --l)
      for (int k = 0; k < width; ++k) choose(id(l, k), l - 1);
    for (int k = 0; k < width; ++k) org.add_link({.from = "supply", .to = id(0, k)});

    const auto g = sc::compile(org);
    const auto r = sc::capacity_with_choices(g, sc::compute_load(g));
    std::vector<double> unit_capacity(g.unit_count(), std::numeric_limits<double>::infinity());
    for (std::uint32_t u = 0; u < g.unit_count(); ++u) {
      const auto& p = g.numbers().unit(sc::unit_index{u});
      if (!g.is_external(sc::unit_index{u}) && !p.unlimited_servers) unit_capacity[u] = p.servers / p.service_time;
    }
    const std::vector<double> links(g.link_count(), std::numeric_limits<double>::infinity());
    const auto flow = sc::max_flow_min_cut(g, g.index_of("cust"), g.index_of("supply"), links,
                                           {.dir = sc::direction::with_demand, .unit_capacity = unit_capacity});
    ASSERT_TRUE(r.value.has_value());
    EXPECT_TRUE(near_rel(*r.value, flow.value, 1e-12));
    EXPECT_TRUE(near_rel(dual_objective(g, r), *r.demand_scale, 1e-9));
    // Each limiting unit is worth 1/d per unit of capacity, as a cut vertex is.
    for (const auto& l : r.limiting_units) EXPECT_TRUE(near_rel(l.shadow_price, 1.0 / 5.0, 1e-9)) << g.id(l.unit);
  }
}

TEST(ChoiceCapacityTest, NoGroupsIsTheFixedBoundAndNoDemandIsEmpty) {
  const auto g = sc::compile(sc::load_organization(sc_test::model_path("rework.json")));
  const auto r = sc::capacity_with_choices(g, sc::compute_load(g));
  EXPECT_TRUE(r.splits.empty());
  EXPECT_TRUE(near_rel(*r.demand_scale, 1.2, 1e-12));  // 1/ρ_qa = 1/(1.25·2/3)
  EXPECT_TRUE(near_rel(*r.fixed_split_demand_scale, 1.2, 1e-12));
  ASSERT_EQ(r.limiting_units.size(), 1u);
  EXPECT_EQ(g.id(r.limiting_units[0].unit), "qa");

  sc::organization closed;
  closed.add_unit({.id = "a", .service_time = 1});
  closed.add_unit({.id = "c", .external = true, .population = 3, .think_time = 1});
  closed.add_link({.from = "a", .to = "c"});
  const auto cg = sc::compile(closed);
  const auto none = sc::capacity_with_choices(cg, sc::compute_load(cg));
  EXPECT_FALSE(none.value.has_value());
  EXPECT_FALSE(none.fixed_split_value.has_value());
}

TEST(ChoiceCapacityTest, RetailBankCanShiftEverydayBanking) {
  const auto org = sc::load_organization(std::string(SERVICECHAIN_EXAMPLES_DIR) + "/retail_bank.json");
  const auto g = sc::compile(org);
  const auto r = sc::capacity_with_choices(g, sc::compute_load(g));
  ASSERT_EQ(r.splits.size(), 2u);  // tellers and online_banking for retail customers
  EXPECT_GE(*r.demand_scale, *r.fixed_split_demand_scale);
  EXPECT_TRUE(near_rel(max_demand_scale(with_split(org, r)), *r.demand_scale, 1e-9));
  EXPECT_TRUE(near_rel(dual_objective(g, r), *r.demand_scale, 1e-9));
  double given = 0, optimal = 0;
  for (const auto& s : r.splits) {
    given += s.given_requests;
    optimal += s.optimal_requests;
  }
  EXPECT_TRUE(near_rel(optimal, given, 1e-12));  // the group's total per item is kept
}

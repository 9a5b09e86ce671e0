#include "servicechain/analysis/allocation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "servicechain/error.hpp"
#include "servicechain/graph/service_graph.hpp"

namespace sc = servicechain;

namespace {

// M/M/c mean number in system with service rate 1 and offered load a, by the textbook
// sum (Gross & Harris, ch. 2): C = (a^c/c!)(c/(c−a)) / (Σ_{k<c} a^k/k! + (a^c/c!)(c/(c−a))),
// L = C·a/(c − a) + a. Independent of the library's Erlang recursion.
double mmc_number_in_system(int c, double a) {
  double term = 1, sum = 0;
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double top = term * c / (c - a);
  return top / (sum + top) * a / (c - a) + a;
}

// Two units in parallel, each serving its own customer: λ = (3, 1.5), s = 1, one server each.
sc::service_graph two_parallel(std::int64_t servers_a = 1, std::int64_t servers_b = 1) {
  sc::organization org{.name = "two"};
  org.add_unit({.id = "a", .servers = servers_a, .service_time = 1.0});
  org.add_unit({.id = "b", .servers = servers_b, .service_time = 1.0});
  org.add_unit({.id = "ca", .external = true, .demand = 3.0});
  org.add_unit({.id = "cb", .external = true, .demand = 1.5});
  org.add_link({.from = "a", .to = "ca"});
  org.add_link({.from = "b", .to = "cb"});
  return sc::compile(org);
}

std::int64_t added(const sc::allocation_result& r, const sc::service_graph& g, const std::string& id) {
  for (const auto& a : r.allocation)
    if (g.id(a.unit) == id) return a.servers_added;
  return -1;
}

}  // namespace

// Issue 10's acceptance: λ = (3, 1.5), μ = 1, 8 servers in all → (5, 3). Starting from one
// server each (both saturated), 4 servers make them stable (4, 2), the other 2 go greedily.
// Hand check (mean number in system / total demand 4.5): (4,4) 1.3496, (5,3) 1.1313, (6,2) 1.4506.
TEST(AllocationTest, GreedyTwoQueuesEightServers) {
  const auto g = two_parallel();
  const auto r = sc::allocate_servers(g, g.numbers(), {.budget = 6});
  EXPECT_EQ(added(r, g, "a"), 4);
  EXPECT_EQ(added(r, g, "b"), 2);
  EXPECT_EQ(r.allocation[0].added_to_stabilize, 3);
  EXPECT_EQ(r.allocation[1].added_to_stabilize, 1);
  EXPECT_FALSE(r.objective_before.has_value());
  const double want = (mmc_number_in_system(5, 3.0) + mmc_number_in_system(3, 1.5)) / 4.5;
  EXPECT_NEAR(r.objective_after, want, 1e-12);
  EXPECT_NEAR(r.objective_after, 1.1313487801135491, 1e-12);
  EXPECT_EQ(r.budget_used, 6);
  EXPECT_EQ(r.budget_left, 0);
  ASSERT_EQ(r.steps.size(), 2u);
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes[0].find("made stable first"), std::string::npos);
  EXPECT_EQ(r.numbers.unit(g.index_of("a")).servers, 5);
  EXPECT_EQ(r.numbers.unit(g.index_of("b")).servers, 3);
}

TEST(AllocationTest, BudgetTooSmallToStabilizeSaysHowMuchIsNeeded) {
  const auto g = two_parallel();
  try {
    (void)sc::allocate_servers(g, g.numbers(), {.budget = 3});
    FAIL() << "expected an error";
  } catch (const sc::error& e) {
    EXPECT_EQ(e.code(), sc::error_code::unstable);
    const std::string what = e.what();
    EXPECT_NE(what.find("'a' 3 more"), std::string::npos) << what;
    EXPECT_NE(what.find("'b' 1 more"), std::string::npos) << what;
    EXPECT_NE(what.find("4 servers in all"), std::string::npos) << what;
  }
}

TEST(AllocationTest, BadBudgetsAreRejected) {
  const auto g = two_parallel(4, 2);
  EXPECT_THROW((void)sc::allocate_servers(g, g.numbers(), {.budget = 1.5}), sc::error);
  EXPECT_THROW((void)sc::allocate_servers(g, g.numbers(), {.budget = -1}), sc::error);
  // Money with zero cost_per_time everywhere: no unit has a price.
  EXPECT_THROW((void)sc::allocate_servers(g, g.numbers(), {.budget = 10, .kind = sc::budget_kind::money}), sc::error);
  // A zero budget changes nothing.
  const auto r = sc::allocate_servers(g, g.numbers(), {.budget = 0});
  ASSERT_TRUE(r.objective_before.has_value());
  EXPECT_EQ(*r.objective_before, r.objective_after);
  EXPECT_TRUE(r.steps.empty());
}

// With money, a server costs cost_per_time / servers; the greedy buys the best gain per
// currency it can still afford and never overspends.
TEST(AllocationTest, MoneyBudgetUsesPricePerServer) {
  sc::organization org{.name = "money"};
  org.add_unit({.id = "a", .servers = 4, .service_time = 1.0, .cost_per_time = 40});  // 10 per server
  org.add_unit({.id = "b", .servers = 2, .service_time = 1.0, .cost_per_time = 6});   // 3 per server
  org.add_unit({.id = "ca", .external = true, .demand = 3.0});
  org.add_unit({.id = "cb", .external = true, .demand = 1.5});
  org.add_link({.from = "a", .to = "ca"});
  org.add_link({.from = "b", .to = "cb"});
  const auto g = sc::compile(org);
  const auto r = sc::allocate_servers(g, g.numbers(), {.budget = 12, .kind = sc::budget_kind::money});
  EXPECT_EQ(r.allocation[0].price, 10);
  EXPECT_EQ(r.allocation[1].price, 3);
  EXPECT_LE(r.budget_used, 12 + 1e-12);
  double spent = 0;
  for (const auto& a : r.allocation) spent += a.price * static_cast<double>(a.servers_added);
  EXPECT_NEAR(spent, r.budget_used, 1e-12);
  // Gains per currency at (4, 2): a +1 → (L(4,3) − L(5,3))/4.5/10, b +1 → (L(2,1.5) − L(3,1.5))/4.5/3.
  const double gain_a = (mmc_number_in_system(4, 3) - mmc_number_in_system(5, 3)) / 4.5 / 10;
  const double gain_b = (mmc_number_in_system(2, 1.5) - mmc_number_in_system(3, 1.5)) / 4.5 / 3;
  ASSERT_FALSE(r.steps.empty());
  EXPECT_EQ(g.id(r.steps[0].unit), gain_a > gain_b ? "a" : "b");
}

// Greedy = brute force on 100 random small models (Poisson arrivals: a separable convex
// objective). Brute force enumerates every way to place the servers left after making
// every unit stable, evaluating each with the library's analysis.
TEST(AllocationTest, GreedyEqualsBruteForceOnRandomSmallModels) {
  std::mt19937_64 rng(20261202);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  int compared = 0;
  for (int trial = 0; trial < 100; ++trial) {
    SCOPED_TRACE(trial);
    const int units = 2 + static_cast<int>(rng() % 2);    // 2 or 3 internal units
    const int customers = 1 + static_cast<int>(rng() % 2);  // 1 or 2 customers
    sc::organization org{.name = "random"};
    for (int i = 0; i < units; ++i) {
      org.add_unit({.id = std::string{"u"} + std::to_string(i), .servers = 1 + static_cast<std::int64_t>(rng() % 3),
                    .service_time = 0.3 + 1.2 * uniform(rng)});
    }
    for (int c = 0; c < customers; ++c) org.add_unit({.id = std::string{"c"} + std::to_string(c), .external = true, .demand = 0.5 + 2 * uniform(rng)});
    for (int c = 0; c < customers; ++c) {
      bool any = false;
      for (int i = 0; i < units; ++i) {
        if (rng() % 2 == 0 && !(i == units - 1 && !any)) continue;
        org.add_link({.from = std::string{"u"} + std::to_string(i), .to = std::string{"c"} + std::to_string(c),
                      .requests = 0.5 + 1.5 * uniform(rng)});
        any = true;
      }
    }
    // Sometimes a unit serves another (a chain): u0 -> u1.
    if (rng() % 2 == 0) org.add_link({.from = "u0", .to = "u1", .requests = 0.5 + uniform(rng)});
    const auto g = sc::compile(org);
    const int budget = static_cast<int>(rng() % 8);

    // The least servers per unit: as given, or ⌊a⌋ + 1 if saturated.
    const auto flows = sc::compute_load(g);
    std::vector<std::int64_t> least(units);
    int needed = 0;
    for (int i = 0; i < units; ++i) {
      const auto u = g.index_of(std::string{"u"} + std::to_string(i));
      const auto given = static_cast<std::int64_t>(g.numbers().unit(u).servers);
      least[i] = std::max(given, static_cast<std::int64_t>(std::floor(flows.total_work[u.value()])) + 1);
      needed += static_cast<int>(least[i] - given);
    }
    if (needed > budget) {
      EXPECT_THROW((void)sc::allocate_servers(g, g.numbers(), {.budget = static_cast<double>(budget)}), sc::error);
      continue;
    }
    const auto greedy = sc::allocate_servers(g, g.numbers(), {.budget = static_cast<double>(budget)});

    double best = std::numeric_limits<double>::infinity();
    std::vector<std::int64_t> extra(units, 0);
    std::function<void(int, int)> place = [&](int i, int left) {
      if (i == units - 1) {
        extra[i] = left;
        sc::model_numbers n = g.numbers();
        for (int k = 0; k < units; ++k) n.set_servers(g, g.index_of(std::string{"u"} + std::to_string(k)), least[k] + extra[k]);
        best = std::min(best, sc::weighted_mean_lead_time(g, n, sc::lead_time_weighting::demand));
        return;
      }
      for (int e = 0; e <= left; ++e) {
        extra[i] = e;
        place(i + 1, left - e);
      }
    };
    place(0, budget - needed);
    EXPECT_NEAR(greedy.objective_after, best, 1e-12 * best);
    EXPECT_EQ(greedy.budget_used, budget);
    ++compared;
  }
  EXPECT_GE(compared, 50);  // most trials reach the comparison
}

// Kleinrock's example: λ = (1, 4, 9), capacity 20. Σλ = 14, Σ√λ = 6, so μ_i = λ_i + 6√λ_i/6
// = (2, 6, 12); T = Σ (λ_i/Σλ)·1/(μ_i − λ_i) = (1/1 + 4/2 + 9/3)/14 = 6/14 = 0.428571...,
// which is also (Σ√λ)²/(Σλ(C − Σλ)) = 36/84.
TEST(AllocationTest, SquareRootAssignmentKleinrock) {
  const std::vector<double> lambda{1, 4, 9};
  const auto r = sc::square_root_assignment(lambda, 20);
  ASSERT_EQ(r.capacity.size(), 3u);
  EXPECT_NEAR(r.capacity[0], 2, 1e-12);
  EXPECT_NEAR(r.capacity[1], 6, 1e-12);
  EXPECT_NEAR(r.capacity[2], 12, 1e-12);
  EXPECT_NEAR(r.mean_delay, 6.0 / 14.0, 1e-12);
  EXPECT_NEAR(r.mean_delay, 0.4286, 5e-5);
  // Optimality: moving capacity between two queues only raises the delay.
  for (double shift : {-0.1, 0.1}) {
    const double t = (1 / (1 - 0) + 4 / (2 + shift) + 9 / (3 - shift)) / 14;
    EXPECT_GT(t, r.mean_delay);
  }
  EXPECT_THROW((void)sc::square_root_assignment(lambda, 14), sc::error);  // no spare capacity
  // With prices, the money spent is the budget.
  const std::vector<double> prices{1, 2, 3};
  const auto priced = sc::square_root_assignment(lambda, 60, {}, prices);
  double spent = 0;
  for (std::size_t i = 0; i < 3; ++i) spent += prices[i] * priced.capacity[i];
  EXPECT_NEAR(spent, 60, 1e-12);
}

// The model version: three units (s = 1) each serving its own customer with demands 1, 4, 9
// and one server each; a budget of 17 servers makes 20 in all → (2, 6, 12) as above.
TEST(AllocationTest, SquareRootServersOnAModel) {
  sc::organization org{.name = "kleinrock"};
  for (int i = 0; i < 3; ++i) org.add_unit({.id = std::string{"u"} + std::to_string(i), .service_time = 1.0});
  const double demand[] = {1, 4, 9};
  for (int i = 0; i < 3; ++i) {
    org.add_unit({.id = std::string{"c"} + std::to_string(i), .external = true, .demand = demand[i]});
    org.add_link({.from = std::string{"u"} + std::to_string(i), .to = std::string{"c"} + std::to_string(i)});
  }
  const auto g = sc::compile(org);
  const auto r = sc::square_root_servers(g, g.numbers(), {.budget = 17});
  ASSERT_EQ(r.units.size(), 3u);
  EXPECT_NEAR(r.units[0].servers, 2, 1e-12);
  EXPECT_NEAR(r.units[1].servers, 6, 1e-12);
  EXPECT_NEAR(r.units[2].servers, 12, 1e-12);
  EXPECT_NEAR(r.total, 20, 1e-12);
  EXPECT_NEAR(r.relaxed_objective, 6.0 / 14.0, 1e-12);
}

// The value-weighted objective: Σ d_c v_c L_c / Σ d_c v_c. Two M/M/c queues (4 and 2
// servers, λ = 3 and 1.5, s = 1) with values 1 and 3: weights 3 and 4.5.
TEST(AllocationTest, ValueWeightedObjective) {
  sc::organization org{.name = "values"};
  org.add_unit({.id = "a", .servers = 4, .service_time = 1.0});
  org.add_unit({.id = "b", .servers = 2, .service_time = 1.0});
  org.add_unit({.id = "ca", .external = true, .demand = 3.0, .value_per_request = 1});
  org.add_unit({.id = "cb", .external = true, .demand = 1.5, .value_per_request = 3});
  org.add_link({.from = "a", .to = "ca"});
  org.add_link({.from = "b", .to = "cb"});
  const auto g = sc::compile(org);
  const double wa = mmc_number_in_system(4, 3) / 3, wb = mmc_number_in_system(2, 1.5) / 1.5;  // sojourns (Little)
  EXPECT_NEAR(sc::weighted_mean_lead_time(g, g.numbers(), sc::lead_time_weighting::value), (3 * wa + 4.5 * wb) / 7.5,
              1e-12);
  EXPECT_NEAR(sc::weighted_mean_lead_time(g, g.numbers(), sc::lead_time_weighting::demand), (3 * wa + 1.5 * wb) / 4.5,
              1e-12);
}

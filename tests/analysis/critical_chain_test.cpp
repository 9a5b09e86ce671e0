#include "servicechain/analysis/critical_chain.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "support/oracles.hpp"

namespace sc = servicechain;
using sc_test::near_rel;

namespace {

std::vector<std::string> ids(const sc::service_graph& g, const std::vector<sc::unit_index>& units) {
  std::vector<std::string> out;
  for (auto u : units) out.push_back(g.id(u));
  return out;
}

// Brute force: the lead time every simple sync chain ending at `customer` carries
// (Horner form, the lead-time recursion of docs/semantics.md restricted to one input per unit), maximized.
double heaviest_simple_chain(const sc::service_graph& g, const sc::open_result& r, sc::unit_index customer) {
  std::vector<char> visiting(g.unit_count(), 0);
  // value(u): best chain ending at u, over simple paths avoiding units on the current path.
  std::function<double(sc::unit_index)> best = [&](sc::unit_index u) {
    visiting[u.value()] = 1;
    double rechecks = 0;
    for (auto l : g.in_links(u)) {
      const auto& link = g.numbers().link(l);
      if (g.link(l).mode == sc::link_mode::sync) rechecks += link.requests * link.rejections;
    }
    const double own = g.is_external(u) ? 0.0 : r.units[u.value()].sojourn * (1 + rechecks);
    double upstream = 0;
    for (auto l : g.in_links(u)) {
      const auto& link = g.numbers().link(l);
      const sc::unit_index provider = g.link(l).provider;
      if (g.link(l).mode != sc::link_mode::sync || visiting[provider.value()]) continue;
      upstream = std::max(upstream, link.requests * (best(provider) + link.rejections * r.units[provider.value()].sojourn));
    }
    visiting[u.value()] = 0;
    return own + upstream;
  };
  return best(customer);
}

// J serves the customer with two sync inputs in sequence: A, and B, which itself waits
// for C (worked by hand below).
sc::organization parallel_inputs() {
  sc::organization org;
  org.add_unit({.id = "A", .service_time = 0.5});
  org.add_unit({.id = "B", .service_time = 0.25});
  org.add_unit({.id = "C", .servers = 2, .service_time = 1.0});
  org.add_unit({.id = "J", .service_time = 0.125});
  org.add_unit({.id = "cust", .external = true, .demand = 1});
  org.add_link({.from = "A", .to = "J"});
  org.add_link({.from = "B", .to = "J"});
  org.add_link({.from = "C", .to = "B"});
  org.add_link({.from = "J", .to = "cust"});
  return org;
}

}  // namespace

// The worked example is a single chain: it carries the whole lead time, 7.
TEST(CriticalChainTest, SingleChainCarriesTheWholeLeadTime) {
  const auto g = sc::compile(sc::load_organization(sc_test::model_path("rework.json")));
  const auto r = sc::analyze_open(g);
  const auto chains = sc::critical_chains(g, r);
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(ids(g, chains[0].units), (std::vector<std::string>{"intake", "processing", "qa", "customer"}));
  EXPECT_TRUE(near_rel(chains[0].lead_time, 7.0, 1e-12));
  for (auto u : chains[0].units) {
    if (u != chains[0].customer) {
      EXPECT_EQ(chains[0].slack[u.value()], 0.0);
    }
  }
}

// By hand: J serves the customer with two sync inputs in sequence: A, and B, which itself
// waits for C. Demand 1, one visit each:
//   A: s = 0.5, 1 server   -> M/M/1, ρ = 0.5:  W = s/(1 − ρ) = 1
//   B: s = 0.25, 1 server  -> ρ = 0.25:        W = 1/3
//   C: s = 1, 2 servers    -> M/M/2, ρ = 0.5, Erlang C = 1/3: W = 1 + (1/3)·1/(2·0.5) = 4/3
//   J: s = 0.125           -> W = 1/7
// Chains: C->B->J->cust carries 4/3 + 1/3 + 1/7, A->J->cust 1 + 1/7: A's slack is 2/3.
TEST(CriticalChainTest, SlackOfAParallelInputByHand) {
  const auto g = sc::compile(parallel_inputs());
  const auto r = sc::analyze_open(g);
  const double wa = r.unit("A").sojourn, wb = r.unit("B").sojourn, wc = r.unit("C").sojourn, wj = r.unit("J").sojourn;
  // Closed forms: M/M/1 W = s/(1 − ρ); M/M/2 at ρ = 0.5: Wq = C s/(c(1 − ρ)), C = 1/3 -> W = 1 + 1/3.
  EXPECT_TRUE(near_rel(wa, 1.0, 1e-12));
  EXPECT_TRUE(near_rel(wb, 1.0 / 3.0, 1e-12));
  EXPECT_TRUE(near_rel(wc, 4.0 / 3.0, 1e-12));
  EXPECT_TRUE(near_rel(wj, 1.0 / 7.0, 1e-12));
  const auto chains = sc::critical_chains(g, r);
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(ids(g, chains[0].units), (std::vector<std::string>{"C", "B", "J", "cust"}));
  EXPECT_TRUE(near_rel(chains[0].lead_time, wc + wb + wj, 1e-12));
  ASSERT_TRUE(chains[0].slack[g.index_of("A").value()].has_value());
  EXPECT_TRUE(near_rel(*chains[0].slack[g.index_of("A").value()], 2.0 / 3.0, 1e-12));
  EXPECT_EQ(*chains[0].slack[g.index_of("C").value()], 0.0);
  // The customer's lead time counts both inputs: the chain is only part of it.
  EXPECT_TRUE(near_rel(r.customers[0].lead_time, wa + wb + wc + wj, 1e-12));
}

// The same worked example from the station figures alone (what a caller needing only the
// chains computes): the chain C -> B -> J carries 4/3 + 1/3 + 1/7 and A's slack is 2/3.
TEST(CriticalChainTest, FromStationFiguresAloneByHand) {
  const auto g = sc::compile(parallel_inputs());
  const auto stations = sc::analyze_stations(g, g.numbers(), sc::compute_load(g));
  const auto chains = sc::critical_chains(g, g.numbers(), stations);
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(ids(g, chains[0].units), (std::vector<std::string>{"C", "B", "J", "cust"}));
  EXPECT_TRUE(near_rel(chains[0].lead_time, 4.0 / 3.0 + 1.0 / 3.0 + 1.0 / 7.0, 1e-12));
  ASSERT_TRUE(chains[0].slack[g.index_of("A").value()].has_value());
  EXPECT_TRUE(near_rel(*chains[0].slack[g.index_of("A").value()], 2.0 / 3.0, 1e-12));

  // Station figures of another graph are refused, by their sizes.
  sc::station_result other;
  other.units.resize(2);
  try {
    (void)sc::critical_chains(g, g.numbers(), other);
    ADD_FAILURE() << "expected servicechain.invalid_argument for station figures of 2 units";
  } catch (const sc::error& e) {
    EXPECT_EQ(e.code(), sc::error_code::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("2 units and 0 links, but the graph has 5 and 4"), std::string::npos)
        << e.what();
  }
}

// On random acyclic models the chain agrees with brute force over every simple chain.
TEST(CriticalChainTest, MatchesBruteForceOnRandomDags) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> uniform(0, 1);
  for (int trial = 0; trial < 30; ++trial) {
    SCOPED_TRACE(trial);
    sc::organization org;
    const int n = 12;
    for (int i = 0; i < n; ++i) org.add_unit({.id = fmt::format("u{}", i), .service_time = 0.01 + 0.05 * uniform(rng)});
    org.add_unit({.id = "cust", .external = true, .demand = 1});
    for (int j = 1; j < n; ++j)
      for (int i = 0; i < j; ++i)
        if (uniform(rng) < 0.3)
          org.add_link({.from = fmt::format("u{}", i), .to = fmt::format("u{}", j), .requests = 0.2 + uniform(rng),
                        .mode = uniform(rng) < 0.2 ? sc::link_mode::async : sc::link_mode::sync,
                        .acceptance = uniform(rng) < 0.3 ? 0.8 : 1.0});
    for (int i = n - 3; i < n; ++i) org.add_link({.from = fmt::format("u{}", i), .to = "cust"});
    const auto g = sc::compile(org);
    const auto r = sc::analyze_open(g);
    const auto chains = sc::critical_chains(g, r);
    EXPECT_TRUE(near_rel(chains[0].lead_time, heaviest_simple_chain(g, r, g.index_of("cust")), 1e-12));
    for (std::uint32_t u = 0; u < g.unit_count(); ++u) {
      if (chains[0].slack[u]) {
        EXPECT_GE(*chains[0].slack[u], 0.0);
      }
    }
  }
}

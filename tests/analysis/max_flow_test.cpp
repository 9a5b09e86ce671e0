#include "servicechain/analysis/max_flow.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/oracles.hpp"

namespace sc = servicechain;
using sc_test::near_rel;
using ::testing::HasSubstr;

namespace {

constexpr double unlimited = std::numeric_limits<double>::infinity();

// A NetworkX graph case as a model: every node an internal unit, every edge a link (in the
// file's order, so link index = edge index) with small requests so that loops converge.
sc::organization graph_case_model(const nlohmann::json& c) {
  sc::organization org{.name = c.at("name").get<std::string>()};
  for (const auto& node : c.at("inputs").at("nodes")) org.add_unit({.id = node.get<std::string>(), .service_time = 1});
  for (const auto& e : c.at("inputs").at("edges"))
    org.add_link({.from = e.at("u").get<std::string>(), .to = e.at("v").get<std::string>(), .requests = 0.05});
  return org;
}

std::vector<double> edge_capacities(const nlohmann::json& c) {
  std::vector<double> caps;
  for (const auto& e : c.at("inputs").at("edges")) caps.push_back(e.at("capacity").get<double>());
  return caps;
}

using edge_set = std::set<std::pair<std::string, std::string>>;

edge_set cut_edges(const sc::service_graph& g, const sc::max_flow_result& r) {
  edge_set out;
  for (auto l : r.cut_links) out.emplace(g.id(g.link(l).provider), g.id(g.link(l).consumer));
  return out;
}

// Minimum cut by enumerating every vertex set S with source ∈ S, sink ∉ S: the capacity of
// the arcs leaving S, where a capacitated unit is two vertices (in, out) joined by its arc.
double brute_force_min_cut(std::size_t n, const std::vector<std::pair<int, int>>& arcs, const std::vector<double>& caps,
                           const std::vector<double>& unit_caps, int source, int sink) {
  // Vertex 2u is u's in half, 2u + 1 its out half (the same vertex when not capacitated).
  std::vector<int> free_halves;
  for (int u = 0; u < static_cast<int>(n); ++u) {
    if (u == source || u == sink) continue;
    free_halves.push_back(2 * u);
    if (!unit_caps.empty()) free_halves.push_back(2 * u + 1);
  }
  double best = std::numeric_limits<double>::infinity();
  for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << free_halves.size()); ++mask) {
    std::vector<char> side(2 * n, 0);
    side[2 * source] = side[2 * source + 1] = 1;
    for (std::size_t b = 0; b < free_halves.size(); ++b) {
      if (mask >> b & 1) side[free_halves[b]] = 1;
    }
    if (unit_caps.empty())
      for (std::size_t u = 0; u < n; ++u) side[2 * u + 1] = side[2 * u];
    double cut = 0;
    for (std::size_t a = 0; a < arcs.size(); ++a)
      if (side[2 * arcs[a].first + 1] && !side[2 * arcs[a].second]) cut += caps[a];
    if (!unit_caps.empty())
      for (std::size_t u = 0; u < n; ++u)
        if (static_cast<int>(u) != source && static_cast<int>(u) != sink && side[2 * u] && !side[2 * u + 1])
          cut += unit_caps[u];
    best = std::min(best, cut);
  }
  return best;
}

}  // namespace

TEST(MaxFlowTest, ValueAndMinCutMatchNetworkX) {
  for (const char* name :
       {"mesh_cyclic", "dag_customers", "clrs_flow", "flow_tied_cuts", "random_40", "lengauer_tarjan_example"}) {
    SCOPED_TRACE(name);
    const auto& c = sc_test::graph_case(name);
    const auto g = sc::compile(graph_case_model(c));
    const auto caps = edge_capacities(c);
    for (const auto& pair : c.at("outputs").at("max_flow")) {
      const auto source = pair.at("source").get<std::string>();
      const auto sink = pair.at("sink").get<std::string>();
      SCOPED_TRACE(source + " -> " + sink);
      const auto r = sc::max_flow_min_cut(g, g.index_of(source), g.index_of(sink), caps);
      EXPECT_TRUE(near_rel(r.value, pair.at("max_flow_value").get<double>(), 1e-12));

      edge_set want;
      for (const auto& e : pair.at("min_cut_edges")) want.emplace(e[0].get<std::string>(), e[1].get<std::string>());
      EXPECT_EQ(cut_edges(g, r), want);
      std::set<std::string> side, want_side;
      for (std::uint32_t u = 0; u < g.unit_count(); ++u)
        if (r.source_side[u]) side.insert(g.id(sc::unit_index{u}));
      for (const auto& id : pair.at("min_cut_source_side")) want_side.insert(id.get<std::string>());
      EXPECT_EQ(side, want_side);

      // The cut's capacity is the value; flows respect capacities and are conserved.
      double cut = 0;
      for (auto l : r.cut_links) cut += caps[l.value()];
      EXPECT_TRUE(near_rel(cut, r.value, 1e-12));
      std::vector<double> net(g.unit_count(), 0.0);
      for (std::uint32_t l = 0; l < g.link_count(); ++l) {
        EXPECT_GE(r.link_flow[l], 0.0);
        EXPECT_LE(r.link_flow[l], caps[l] * (1 + 1e-12));
        net[g.link(sc::link_index{l}).provider.value()] -= r.link_flow[l];
        net[g.link(sc::link_index{l}).consumer.value()] += r.link_flow[l];
      }
      for (std::uint32_t u = 0; u < g.unit_count(); ++u) {
        const auto id = g.id(sc::unit_index{u});
        if (id == source || id == sink) continue;
        EXPECT_NEAR(net[u], 0.0, 1e-12 * r.value) << id;
      }
    }
  }
}

TEST(MaxFlowTest, TiedMinimumCutsReportTheSourceMinimalOne) {
  // flow_tied_cuts has three minimum cuts of 3.75; the residual graph fixes the one at the source.
  const auto& c = sc_test::graph_case("flow_tied_cuts");
  const auto& pair = c.at("outputs").at("max_flow")[0];
  ASSERT_FALSE(pair.at("min_cut_edge_set_unique").get<bool>());
  const auto g = sc::compile(graph_case_model(c));
  const auto r = sc::max_flow_min_cut(g, g.index_of("s"), g.index_of("t"), edge_capacities(c));
  EXPECT_EQ(cut_edges(g, r), (edge_set{{"s", "a"}, {"s", "b"}}));
}

TEST(MaxFlowTest, ClrsTextbookValue) {
  // Cormen et al., Introduction to Algorithms, 3rd ed., Fig. 26.1: maximum flow 23.
  const auto& c = sc_test::graph_case("clrs_flow");
  const auto g = sc::compile(graph_case_model(c));
  const auto r = sc::max_flow_min_cut(g, g.index_of("s"), g.index_of("t"), edge_capacities(c));
  EXPECT_EQ(r.value, 23.0);
  EXPECT_EQ(r.unit_flow[g.index_of("t").value()], 23.0);
}

TEST(MaxFlowTest, UnitCapacitiesSplitUnitsIntoHalves) {
  // s -> a -> t and s -> b -> t, links of capacity 10; unit a holds 3, b holds 4: flow 7,
  // the cut is the two units.
  sc::organization org;
  for (const char* id : {"s", "a", "b", "t"}) org.add_unit({.id = id, .service_time = 1});
  org.add_link({.from = "s", .to = "a"});
  org.add_link({.from = "s", .to = "b"});
  org.add_link({.from = "a", .to = "t"});
  org.add_link({.from = "b", .to = "t"});
  const auto g = sc::compile(org);
  const std::vector<double> links(4, 10.0);
  const std::vector<double> units{1.0, 3.0, 4.0, 2.0};  // the source's and sink's own are ignored
  const auto r = sc::max_flow_min_cut(g, g.index_of("s"), g.index_of("t"), links, {.unit_capacity = units});
  EXPECT_EQ(r.value, 7.0);
  EXPECT_TRUE(r.cut_links.empty());
  ASSERT_EQ(r.cut_units.size(), 2u);
  EXPECT_EQ(g.id(r.cut_units[0]), "a");
  EXPECT_EQ(g.id(r.cut_units[1]), "b");
  EXPECT_EQ(r.unit_flow[g.index_of("a").value()], 3.0);

  // Against the links: from t back to s the same network carries the same 7.
  const auto back = sc::max_flow_min_cut(g, g.index_of("t"), g.index_of("s"), links,
                                         {.dir = sc::direction::with_demand, .unit_capacity = units});
  EXPECT_EQ(back.value, 7.0);
  // Along the links nothing flows from t to s.
  EXPECT_EQ(sc::max_flow_min_cut(g, g.index_of("t"), g.index_of("s"), links).value, 0.0);
}

TEST(MaxFlowTest, MatchesBruteForceMinCutOnRandomNetworks) {
  std::mt19937_64 rng(20261123);
  std::uniform_real_distribution<double> capacity(0.1, 5.0);
  for (int trial = 0; trial < 40; ++trial) {
    SCOPED_TRACE(trial);
    const int n = 6;
    sc::organization org;
    for (int u = 0; u < n; ++u) org.add_unit({.id = fmt::format("u{}", u), .service_time = 1});
    std::vector<std::pair<int, int>> arcs;
    std::vector<double> caps;
    for (int u = 0; u < n; ++u)
      for (int v = 0; v < n; ++v)
        if (u != v && rng() % 3 == 0) {
          org.add_link({.from = fmt::format("u{}", u), .to = fmt::format("u{}", v), .requests = 0.05});
          arcs.emplace_back(u, v);
          caps.push_back(capacity(rng));
        }
    const auto g = sc::compile(org);
    std::vector<double> unit_caps(n);
    for (auto& x : unit_caps) x = capacity(rng);
    const auto plain = sc::max_flow_min_cut(g, sc::unit_index{0}, sc::unit_index{n - 1}, caps);
    EXPECT_TRUE(near_rel(plain.value, brute_force_min_cut(n, arcs, caps, {}, 0, n - 1), 1e-12));
    const auto split =
        sc::max_flow_min_cut(g, sc::unit_index{0}, sc::unit_index{n - 1}, caps, {.unit_capacity = unit_caps});
    EXPECT_TRUE(near_rel(split.value, brute_force_min_cut(n, arcs, caps, unit_caps, 0, n - 1), 1e-12));
    double cut = 0;
    for (auto l : split.cut_links) cut += caps[l.value()];
    for (auto u : split.cut_units) cut += unit_caps[u.value()];
    EXPECT_TRUE(near_rel(cut, split.value, 1e-12));
  }
}

TEST(MaxFlowTest, UnlimitedCapacities) {
  sc::organization org;
  for (const char* id : {"s", "a", "t"}) org.add_unit({.id = id, .service_time = 1});
  org.add_link({.from = "s", .to = "a"});
  org.add_link({.from = "a", .to = "t"});
  const auto g = sc::compile(org);
  // An unlimited link behind a limited unit: the unit is the cut.
  const std::vector<double> units{unlimited, 2.5, unlimited};
  const auto r = sc::max_flow_min_cut(g, g.index_of("s"), g.index_of("t"), std::vector<double>{unlimited, unlimited},
                                      {.unit_capacity = units});
  EXPECT_EQ(r.value, 2.5);
  ASSERT_EQ(r.cut_units.size(), 1u);
  EXPECT_EQ(g.id(r.cut_units[0]), "a");
  // Nothing limited on the way: no finite maximum.
  EXPECT_THAT(
      [&] {
        (void)sc::max_flow_min_cut(g, g.index_of("s"), g.index_of("t"), std::vector<double>{unlimited, unlimited});
      },
      ::testing::ThrowsMessage<sc::error>(HasSubstr("unlimited capacity joins 's' to 't'")));
}

TEST(MaxFlowTest, BadArgumentsAreNamed) {
  sc::organization org;
  for (const char* id : {"s", "t"}) org.add_unit({.id = id, .service_time = 1});
  org.add_link({.from = "s", .to = "t"});
  const auto g = sc::compile(org);
  const auto s = g.index_of("s");
  const auto t = g.index_of("t");
  EXPECT_THAT([&] { (void)sc::max_flow_min_cut(g, s, t, std::vector<double>{-1.0}); },
              ::testing::ThrowsMessage<sc::error>(HasSubstr("link 's' -> 't' (/links/0): capacity = -1")));
  EXPECT_THAT(
      [&] {
        (void)sc::max_flow_min_cut(g, s, t, std::vector<double>{1.0, 2.0});
      },
      ::testing::ThrowsMessage<sc::error>(HasSubstr("2 link capacities given, but the graph has 1 links")));
  EXPECT_THAT([&] { (void)sc::max_flow_min_cut(g, s, s, std::vector<double>{1.0}); },
              ::testing::ThrowsMessage<sc::error>(HasSubstr("source and sink are both 's'")));
  const std::vector<double> nan_units{1.0, std::numeric_limits<double>::quiet_NaN()};
  EXPECT_THAT([&] { (void)sc::max_flow_min_cut(g, s, t, std::vector<double>{1.0}, {.unit_capacity = nan_units}); },
              ::testing::ThrowsMessage<sc::error>(HasSubstr("unit 't' (index 1): capacity = nan")));
}

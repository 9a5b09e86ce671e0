#include "servicechain/analysis/structure.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/max_flow.hpp"
#include "support/oracles.hpp"

namespace sc = servicechain;
using sc_test::near_rel;
using ::testing::HasSubstr;

namespace {

constexpr const char* graph_cases[] = {"mesh_cyclic", "dag_customers",  "lengauer_tarjan_example",
                                       "clrs_flow",   "flow_tied_cuts", "random_40"};

// A NetworkX graph case as a model: every node an internal unit, every edge a link in the
// file's order (link index = edge index), with small requests so that loops converge.
sc::organization graph_case_model(const nlohmann::json& c) {
  sc::organization org{.name = c.at("name").get<std::string>()};
  for (const auto& node : c.at("inputs").at("nodes")) org.add_unit({.id = node.get<std::string>(), .service_time = 1});
  for (const auto& e : c.at("inputs").at("edges"))
    org.add_link({.from = e.at("u").get<std::string>(), .to = e.at("v").get<std::string>(), .requests = 0.05});
  return org;
}

std::vector<std::pair<int, int>> graph_case_edges(const sc::service_graph& g) {
  std::vector<std::pair<int, int>> edges;
  for (const auto& l : g.links()) edges.emplace_back(l.provider.value(), l.consumer.value());
  return edges;
}

std::vector<std::string> bundled_models() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(SERVICECHAIN_EXAMPLES_DIR))
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

// Random organization: `internal` units u0…, customers c0…, links with requests in
// (0.05, 0.6) in both directions (loops), optionally one parallel link.
sc::organization random_organization(std::mt19937_64& rng, int internal, int customers, double density) {
  std::uniform_real_distribution<double> requests(0.05, 0.6);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  sc::organization org;
  for (int i = 0; i < internal; ++i) org.add_unit({.id = fmt::format("u{}", i), .service_time = 0.1});
  for (int c = 0; c < customers; ++c) org.add_unit({.id = fmt::format("c{}", c), .external = true, .demand = 1.0 + c});
  for (int i = 0; i < internal; ++i) {
    for (int j = 0; j < internal; ++j)
      if (i != j && unit(rng) < density)
        org.add_link({.from = fmt::format("u{}", i), .to = fmt::format("u{}", j), .requests = requests(rng)});
    for (int c = 0; c < customers; ++c)
      if (unit(rng) < 0.35)
        org.add_link({.from = fmt::format("u{}", i), .to = fmt::format("c{}", c), .requests = requests(rng)});
  }
  if (!org.links.empty()) {
    sc::link twin = org.links.front();
    twin.requests = requests(rng);
    org.add_link(twin);
  }
  return org;
}

// Every simple path from `from` to `to` along links with requests > 0, parallel links merged.
std::vector<std::pair<double, std::vector<std::uint32_t>>> all_simple_paths(const sc::service_graph& g,
                                                                            std::uint32_t from, std::uint32_t to) {
  const std::size_t n = g.unit_count();
  std::vector<std::map<std::uint32_t, double>> weight(n);
  for (std::uint32_t k = 0; k < g.link_count(); ++k) {
    const auto& l = g.link(sc::link_index{k});
    const double requests = g.numbers().link(sc::link_index{k}).requests;
    if (requests > 0) weight[l.provider.value()][l.consumer.value()] += requests;
  }
  std::vector<std::pair<double, std::vector<std::uint32_t>>> out;
  std::vector<std::uint32_t> path{from};
  std::vector<char> on_path(n, 0);
  on_path[from] = 1;
  std::function<void(double)> visit = [&](double gain) {
    const std::uint32_t u = path.back();
    if (u == to) {
      out.emplace_back(gain, path);
      return;
    }
    for (const auto& [v, w] : weight[u]) {
      if (on_path[v]) continue;
      on_path[v] = 1;
      path.push_back(v);
      visit(gain * w);
      path.pop_back();
      on_path[v] = 0;
    }
  };
  visit(1.0);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  return out;
}

// Number of connected components of the undirected structure without `removed` (−1: none).
int undirected_components(std::size_t n, const std::vector<std::pair<int, int>>& edges, int removed) {
  boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS> u(n);
  for (const auto& [a, b] : edges)
    if (a != removed && b != removed) boost::add_edge(a, b, u);
  std::vector<int> component(n);
  const int count = boost::connected_components(u, component.data());
  return removed >= 0 ? count - 1 : count;  // the removed vertex is left isolated
}

}  // namespace

// =============================================================== line of sight

TEST(LineOfSightTest, SharesOfEveryUnitSumToOneOnBundledModels) {
  const auto files = bundled_models();
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    const auto g = sc::compile(sc::load_organization(file));
    const auto load = sc::compute_load(g);
    const auto los = sc::line_of_sight(g, load);
    std::size_t with_load = 0;
    for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
      const sc::unit_index u{i};
      if (!los.has_load(u)) {
        EXPECT_EQ(los.share.row(i).sum(), 0.0) << g.id(u);
        continue;
      }
      ++with_load;
      EXPECT_TRUE(near_rel(los.share.row(i).sum(), 1.0, 1e-12)) << g.id(u);
      EXPECT_TRUE(near_rel(los.load[i], load.total_load[i], 1e-12)) << g.id(u);
      EXPECT_GE(los.share.row(i).minCoeff(), 0.0) << g.id(u);
    }
    EXPECT_GT(with_load, 0u);
  }
}

TEST(LineOfSightTest, SharedUnitSplitsByCustomerLoad) {
  // shared serves a (2 requests per item) and b (1 request per item); a serves customer
  // x (demand 3), b serves y (demand 4). Loads of shared: x 2·3 = 6, y 1·4 = 4.
  sc::organization org;
  org.add_unit({.id = "shared", .service_time = 0.01});
  org.add_unit({.id = "a", .service_time = 0.01});
  org.add_unit({.id = "b", .service_time = 0.01});
  org.add_unit({.id = "x", .external = true, .demand = 3});
  org.add_unit({.id = "y", .external = true, .demand = 4});
  org.add_link({.from = "shared", .to = "a", .requests = 2});
  org.add_link({.from = "shared", .to = "b"});
  org.add_link({.from = "a", .to = "x"});
  org.add_link({.from = "b", .to = "y"});
  const auto g = sc::compile(org);
  const auto los = sc::line_of_sight(g, sc::compute_load(g));
  EXPECT_TRUE(near_rel(los.share_of("shared", "x"), 0.6, 1e-15));
  EXPECT_TRUE(near_rel(los.share_of("shared", "y"), 0.4, 1e-15));
  EXPECT_EQ(los.share_of("a", "x"), 1.0);
  EXPECT_EQ(los.share_of("a", "y"), 0.0);
  // With throughputs given (e.g. from a closed analysis) the split follows them: 2·1 vs 1·2.
  const std::vector<double> throughput{1.0, 2.0};
  const auto given = sc::line_of_sight(g, sc::compute_load(g), throughput);
  EXPECT_TRUE(near_rel(given.share_of("shared", "x"), 0.5, 1e-15));
  EXPECT_THAT([&] { (void)los.share_of("shared", "a"); },
              ::testing::ThrowsMessage<sc::error>(HasSubstr("'a' is not an external customer")));
  const std::vector<double> bad{1.0, -2.0};
  EXPECT_THAT([&] { (void)sc::line_of_sight(g, sc::compute_load(g), bad); },
              ::testing::ThrowsMessage<sc::error>(HasSubstr("throughput of customer 'y' = -2")));
}

// =============================================================== heaviest chains

TEST(ChainsTest, HandExampleWithParallelLinksAndALoop) {
  // p -> q -> c (requests 0.5, then 2), p -> c directly (0.3 + 0.2 on two parallel links),
  // q <-> r loop (0.4 each way), r -> c (1). Chains of p: p q c 1.0, p c 0.5,
  // p q r c 0.5·0.4·1 = 0.2.
  sc::organization org;
  for (const char* id : {"p", "q", "r"}) org.add_unit({.id = id, .service_time = 0.01});
  org.add_unit({.id = "c", .external = true, .demand = 10});
  org.add_link({.from = "p", .to = "q", .requests = 0.5});
  org.add_link({.from = "q", .to = "c", .requests = 2});
  org.add_link({.from = "p", .to = "c", .requests = 0.3});
  org.add_link({.from = "p", .to = "c", .requests = 0.2});
  org.add_link({.from = "q", .to = "r", .requests = 0.4});
  org.add_link({.from = "r", .to = "q", .requests = 0.4});
  org.add_link({.from = "r", .to = "c", .requests = 1});
  const auto g = sc::compile(org);
  const auto load = sc::compute_load(g);
  const auto chains = sc::heaviest_chains(g, load, g.index_of("p"), {.k = 5});
  ASSERT_EQ(chains.size(), 1u);
  ASSERT_EQ(chains[0].size(), 3u);
  auto ids = [&](const sc::service_chain& ch) {
    std::vector<std::string> out;
    for (auto u : ch.units) out.push_back(g.id(u));
    return out;
  };
  EXPECT_EQ(ids(chains[0][0]), (std::vector<std::string>{"p", "q", "c"}));
  EXPECT_TRUE(near_rel(chains[0][0].gain, 1.0, 1e-15));
  EXPECT_TRUE(near_rel(chains[0][0].flow, 10.0, 1e-15));
  EXPECT_EQ(ids(chains[0][1]), (std::vector<std::string>{"p", "c"}));
  EXPECT_TRUE(near_rel(chains[0][1].gain, 0.5, 1e-15));
  EXPECT_EQ(ids(chains[0][2]), (std::vector<std::string>{"p", "q", "r", "c"}));
  EXPECT_TRUE(near_rel(chains[0][2].gain, 0.2, 1e-15));
  // v_p counts every walk: v_q = (2 + 0.4·1)/(1 − 0.16) = 20/7, v_p = 0.5 + 0.5·v_q = 27/14.
  EXPECT_TRUE(near_rel(chains[0][0].share, 1.0 / (27.0 / 14.0), 1e-12));
  EXPECT_THAT([&] { (void)sc::heaviest_chains(g, load, g.index_of("p"), {.k = 0}); },
              ::testing::ThrowsMessage<sc::error>(HasSubstr("k = 0")));
  // The customer itself has no chains; the all-units version agrees with the per-unit one.
  const auto all = sc::heaviest_chains(g, load, {.k = 5});
  EXPECT_TRUE(all.of("c", "c").empty());
  ASSERT_EQ(all.of("p", "c").size(), 3u);
  EXPECT_EQ(ids(all.of("p", "c")[2]), (std::vector<std::string>{"p", "q", "r", "c"}));
}

TEST(ChainsTest, AgreeWithBruteForceEnumerationOfSimplePaths) {
  std::mt19937_64 rng(4);
  int compared = 0;
  for (int trial = 0; trial < 60; ++trial) {
    SCOPED_TRACE(trial);
    const auto org = random_organization(rng, 7, 2, 0.3);
    sc::service_graph g = [&] {
      try {
        return sc::compile(org);
      } catch (const sc::loop_gain_error&) {
        return sc::compile(sc::organization{});
      }
    }();
    if (g.unit_count() == 0) continue;
    const auto load = sc::compute_load(g);
    for (std::size_t k : {1u, 3u, 6u}) {
      const auto all = sc::heaviest_chains(g, load, {.k = k});
      for (std::uint32_t u = 0; u < g.unit_count(); ++u) {
        if (g.is_external(sc::unit_index{u})) continue;
        const auto one = sc::heaviest_chains(g, load, sc::unit_index{u}, {.k = k});
        for (std::size_t c = 0; c < g.class_count(); ++c) {
          const auto want = all_simple_paths(g, u, g.customers()[c].value());
          const std::size_t expected = std::min(k, want.size());
          for (const auto* got : {&one[c], &all.chains[u][c]}) {
            ASSERT_EQ(got->size(), expected) << g.id(sc::unit_index{u}) << " to c" << c << " k = " << k
                                             << (got == &one[c] ? " (one unit)" : " (all units)");
            for (std::size_t r = 0; r < expected; ++r) {
              EXPECT_TRUE(near_rel((*got)[r].gain, want[r].first, 1e-12)) << "rank " << r;
              EXPECT_TRUE(near_rel((*got)[r].flow, want[r].first * load.demand[c], 1e-12));
              // The path itself is determined when its gain is not tied with a neighbour's.
              const bool tied = (r > 0 && want[r - 1].first <= want[r].first * (1 + 1e-9)) ||
                                (r + 1 < want.size() && want[r + 1].first >= want[r].first * (1 - 1e-9));
              if (tied) continue;
              std::vector<std::uint32_t> ids;
              for (auto x : (*got)[r].units) ids.push_back(x.value());
              EXPECT_EQ(ids, want[r].second) << "rank " << r;
              ++compared;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(compared, 500);
}

// =============================================================== loops of mutual service

TEST(LoopsTest, SccsMatchNetworkXAndGainsAreFlagged) {
  for (const char* name : graph_cases) {
    SCOPED_TRACE(name);
    const auto& c = sc_test::graph_case(name);
    const auto g = sc::compile(graph_case_model(c));
    std::set<std::set<std::string>> got, want;
    for (const auto& loop : sc::loops_of_mutual_service(g)) {
      std::set<std::string> ids;
      for (auto u : loop.units) ids.insert(g.id(u));
      got.insert(ids);
      EXPECT_FALSE(loop.fragile);  // requests 0.05: small gains
    }
    for (const auto& comp : c.at("outputs").at("nontrivial_sccs")) want.insert(comp.get<std::set<std::string>>());
    EXPECT_EQ(got, want);
  }
  // A ring of k units with requests r has gain r exactly (R is r times a permutation).
  for (double r : {0.5, 0.9, 0.95}) {
    sc::organization org;
    for (int i = 0; i < 4; ++i) org.add_unit({.id = fmt::format("u{}", i), .service_time = 1});
    for (int i = 0; i < 4; ++i)
      org.add_link({.from = fmt::format("u{}", i), .to = fmt::format("u{}", (i + 1) % 4), .requests = r});
    const auto loops = sc::loops_of_mutual_service(sc::compile(org));
    ASSERT_EQ(loops.size(), 1u);
    EXPECT_TRUE(near_rel(loops[0].gain, r, 1e-12));
    EXPECT_TRUE(near_rel(loops[0].amplification, 1.0 / (1.0 - r), 1e-9));
    EXPECT_EQ(loops[0].fragile, r >= 0.9) << r;
    EXPECT_TRUE(sc::loops_of_mutual_service(sc::compile(org), {.fragile_gain = 0.4})[0].fragile);
  }
  EXPECT_THAT([] { (void)sc::loops_of_mutual_service(sc::compile(sc::organization{}), {.fragile_gain = 1.5}); },
              ::testing::ThrowsMessage<sc::error>(HasSubstr("fragile_gain = 1.5, but must be in (0, 1]")));
}

// =============================================================== dominators and gatekeepers

TEST(DominatorTest, MatchNetworkXFromTheStatedRoot) {
  for (const char* name : graph_cases) {
    SCOPED_TRACE(name);
    const auto& c = sc_test::graph_case(name);
    const auto g = sc::compile(graph_case_model(c));
    const auto root = c.at("outputs").at("dominator_root").get<std::string>();
    const auto tree = sc::dominators(g, g.index_of(root), sc::direction::with_service);
    std::map<std::string, std::string> got, want;
    std::set<std::string> unreachable, want_unreachable;
    for (std::uint32_t u = 0; u < g.unit_count(); ++u) {
      const auto& idom = tree.immediate_dominator[u];
      if (idom) {
        got[g.id(sc::unit_index{u})] = g.id(*idom);
      } else {
        unreachable.insert(g.id(sc::unit_index{u}));
      }
    }
    for (const auto& [k, v] : c.at("outputs").at("immediate_dominators").items()) want[k] = v.get<std::string>();
    for (const auto& id : c.at("outputs").at("unreachable_from_root")) want_unreachable.insert(id.get<std::string>());
    EXPECT_EQ(got, want);
    EXPECT_EQ(unreachable, want_unreachable);
  }
  // Lengauer & Tarjan's own figure: the published dominators.
  const auto& lt = sc_test::graph_case("lengauer_tarjan_example");
  ASSERT_TRUE(lt.at("outputs").at("matches_published").get<bool>());
  const auto g = sc::compile(graph_case_model(lt));
  const auto tree = sc::dominators(g, g.index_of("R"), sc::direction::with_service);
  for (const auto& [k, v] : lt.at("outputs").at("published_immediate_dominators").items())
    EXPECT_EQ(g.id(*tree.immediate_dominator[g.index_of(k).value()]), v.get<std::string>()) << k;
  const auto chain = tree.dominators_of(g.index_of("J"));
  ASSERT_EQ(chain.size(), 3u);  // J: G, C, R
  EXPECT_EQ(g.id(chain[0]), "G");
  EXPECT_EQ(g.id(chain[2]), "R");
}

TEST(DominatorTest, MatchTheDefinitionInBothDirectionsOnRandomGraphs) {
  // By definition: d dominates u iff removing d cuts u off from the root; the immediate
  // dominator is the strict dominator that every other strict dominator dominates.
  // (Boost.Graph 1.74's lengauer_tarjan_dominator_tree is no reference here: on some of
  // these graphs it leaves reachable vertices without a dominator.)
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 80; ++trial) {
    SCOPED_TRACE(trial);
    const int n = 5 + static_cast<int>(rng() % 20);
    sc::organization org;
    for (int i = 0; i < n; ++i) org.add_unit({.id = fmt::format("u{}", i), .service_time = 1});
    std::vector<std::pair<int, int>> edges;
    const int count = n + static_cast<int>(rng() % (2 * n));
    for (int e = 0; e < count; ++e) {
      const int a = static_cast<int>(rng() % n);
      const int b = static_cast<int>(rng() % n);
      if (a == b) continue;
      org.add_link({.from = fmt::format("u{}", a), .to = fmt::format("u{}", b), .requests = 0.01});
      edges.emplace_back(a, b);
    }
    const auto g = sc::compile(org);
    const int root = static_cast<int>(rng() % n);
    for (auto dir : {sc::direction::with_service, sc::direction::with_demand}) {
      auto reach = [&](int removed) {
        std::vector<char> seen(n, 0);
        std::vector<int> stack{root};
        seen[root] = 1;
        while (!stack.empty()) {
          const int u = stack.back();
          stack.pop_back();
          for (auto [a, b] : edges) {
            const int from = dir == sc::direction::with_service ? a : b;
            const int to = dir == sc::direction::with_service ? b : a;
            if (from == u && to != removed && !seen[to]) {
              seen[to] = 1;
              stack.push_back(to);
            }
          }
        }
        return seen;
      };
      const auto reachable = reach(-1);
      std::vector<std::vector<char>> dominates(n, std::vector<char>(n, 0));  // [d][u]
      for (int d = 0; d < n; ++d) {
        const auto without = d == root ? std::vector<char>(n, 0) : reach(d);
        for (int u = 0; u < n; ++u) dominates[d][u] = reachable[u] && reachable[d] && u != d && !without[u];
      }
      const auto tree = sc::dominators(g, sc::unit_index{static_cast<std::uint32_t>(root)}, dir);
      for (int u = 0; u < n; ++u) {
        const auto& got = tree.immediate_dominator[u];
        if (!reachable[u]) {
          EXPECT_FALSE(got.has_value()) << u;
        } else if (u == root) {
          EXPECT_EQ(got, sc::unit_index{static_cast<std::uint32_t>(root)});
        } else {
          int want = -1;
          for (int d = 0; d < n; ++d) {
            if (!dominates[d][u]) continue;
            bool nearest = true;
            for (int e = 0; e < n; ++e)
              if (e != d && dominates[e][u] && !dominates[e][d]) nearest = false;
            if (nearest) want = d;
          }
          ASSERT_TRUE(got.has_value()) << u;
          EXPECT_EQ(static_cast<int>(got->value()), want) << u;
        }
      }
    }
  }
}

TEST(DominatorTest, LongPipelineRunsWithoutRecursion) {
  // root -> b, root -> a1 -> a2 -> ... -> aL -> b. Depth-first search reaches b first, so
  // aL -> b is a cross edge from the deepest unit: evaluating it compresses the whole
  // pipeline at once, which Boost.Graph's recursive path compression does L frames deep.
  const std::uint32_t length = 300000;
  sc::organization org;
  org.units.reserve(length + 2);
  org.links.reserve(length + 2);
  org.add_unit({.id = "root", .service_time = 1});
  org.add_unit({.id = "b", .service_time = 1});
  for (std::uint32_t i = 1; i <= length; ++i) org.add_unit({.id = fmt::format("a{}", i), .service_time = 1});
  org.add_link({.from = "root", .to = "b"});
  org.add_link({.from = "root", .to = "a1"});
  for (std::uint32_t i = 1; i < length; ++i)
    org.add_link({.from = fmt::format("a{}", i), .to = fmt::format("a{}", i + 1)});
  org.add_link({.from = fmt::format("a{}", length), .to = "b"});
  const auto g = sc::compile(org);
  const auto tree = sc::dominators(g, g.index_of("root"), sc::direction::with_service);
  EXPECT_EQ(g.id(*tree.immediate_dominator[g.index_of("b").value()]), "root");
  EXPECT_EQ(g.id(*tree.immediate_dominator[g.index_of("a1").value()]), "root");
  for (std::uint32_t i = 2; i <= length; ++i)  // unit a_i has index i + 1
    ASSERT_EQ(tree.immediate_dominator[i + 1]->value(), i) << "a" << i;
}

TEST(GatekeeperTest, TheSharedLastStepGatesTheCustomer) {
  // I -> A -> S, I -> L -> S, S -> Ext: every chain from Ext's providers passes through S.
  sc::organization org;
  for (const char* id : {"I", "A", "L", "S"}) org.add_unit({.id = id, .service_time = 0.1});
  org.add_unit({.id = "Ext", .external = true, .demand = 1});
  org.add_link({.from = "I", .to = "A"});
  org.add_link({.from = "I", .to = "L"});
  org.add_link({.from = "A", .to = "S"});
  org.add_link({.from = "L", .to = "S"});
  org.add_link({.from = "S", .to = "Ext"});
  const auto g = sc::compile(org);
  const auto all = sc::gatekeepers(g);
  ASSERT_EQ(all.size(), 1u);
  const auto& ext = all[0];
  EXPECT_EQ(g.id(ext.customer), "Ext");
  auto idom = [&](const char* id) { return g.id(*ext.tree.immediate_dominator[g.index_of(id).value()]); };
  EXPECT_EQ(idom("S"), "Ext");
  EXPECT_EQ(idom("A"), "S");
  EXPECT_EQ(idom("L"), "S");
  EXPECT_EQ(idom("I"), "S");
  ASSERT_EQ(ext.gatekeepers.size(), 1u);
  EXPECT_EQ(g.id(ext.gatekeepers[0].unit), "S");
  EXPECT_EQ(ext.gatekeepers[0].gated_units, 3u);
}

TEST(ArticulationPointsTest, MatchBruteForceVertexRemoval) {
  auto check = [](const sc::service_graph& g) {
    const auto edges = graph_case_edges(g);
    const int base = undirected_components(g.unit_count(), edges, -1);
    std::vector<std::uint32_t> want;
    for (int v = 0; v < static_cast<int>(g.unit_count()); ++v)
      if (undirected_components(g.unit_count(), edges, v) > base) want.push_back(static_cast<std::uint32_t>(v));
    std::vector<std::uint32_t> got;
    for (auto u : sc::articulation_points(g)) got.push_back(u.value());
    EXPECT_EQ(got, want);
    return want.size();
  };
  std::size_t found = 0;
  for (const char* name : graph_cases) {
    SCOPED_TRACE(name);
    found += check(sc::compile(graph_case_model(sc_test::graph_case(name))));
  }
  EXPECT_GT(found, 0u);
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 40; ++trial) {
    SCOPED_TRACE(trial);
    check(sc::compile(random_organization(rng, 8, 2, 0.12)));
  }
  for (const auto& file : bundled_models()) {
    SCOPED_TRACE(file);
    check(sc::compile(sc::load_organization(file)));
  }
}

// =============================================================== betweenness

TEST(BetweennessTest, MatchesNetworkXRawAndNormalizedUnweightedAndWeighted) {
  for (const char* name : graph_cases) {
    SCOPED_TRACE(name);
    const auto& c = sc_test::graph_case(name);
    const auto g = sc::compile(graph_case_model(c));
    std::vector<double> latency;
    for (const auto& e : c.at("inputs").at("edges")) latency.push_back(e.at("latency_ms").get<double>());
    const auto& out = c.at("outputs");
    struct variant {
      const char* label;
      sc::betweenness_options options;
    };
    std::vector<variant> variants;
    variants.push_back({"unweighted", {}});
    variants.push_back({"weighted", {.link_length = latency}});
    // The sampled code path with every unit as a source is exact too.
    std::vector<sc::unit_index> everyone;
    for (std::uint32_t u = 0; u < g.unit_count(); ++u) everyone.emplace_back(u);
    variants.push_back({"unweighted", {.sources = everyone}});
    variants.push_back({"weighted", {.link_length = latency, .sources = everyone}});
    for (const auto& [label, options] : variants) {
      SCOPED_TRACE(label);
      const auto b = sc::betweenness(g, options);
      EXPECT_TRUE(b.exact);
      EXPECT_EQ(b.sources_used, g.unit_count());
      const auto& raw = out.at(fmt::format("betweenness_{}_raw", label));
      const auto& normalized = out.at(fmt::format("betweenness_{}_normalized", label));
      for (std::uint32_t u = 0; u < g.unit_count(); ++u) {
        const auto& id = g.id(sc::unit_index{u});
        EXPECT_TRUE(near_rel(b.raw[u], raw.at(id).get<double>(), 1e-12)) << id;
        EXPECT_TRUE(near_rel(b.normalized[u], normalized.at(id).get<double>(), 1e-12)) << id;
        EXPECT_EQ(b.standard_error[u], 0.0) << id;
      }
    }
  }
}

TEST(BetweennessTest, SampledEstimatorIsUnbiasedWithTheStatedStandardError) {
  // Over every 3-subset of the 6 sources of clrs_flow: the mean estimate is the exact value,
  // and the mean squared standard error is the estimator's variance (E s² = S², Cochran ch. 2).
  const auto& c = sc_test::graph_case("clrs_flow");
  const auto g = sc::compile(graph_case_model(c));
  const std::size_t n = g.unit_count();
  const auto exact = sc::betweenness(g);
  std::vector<double> sum(n, 0.0), sum_sq(n, 0.0), sum_se2(n, 0.0);
  int subsets = 0;
  for (std::uint32_t mask = 0; mask < (1U << n); ++mask) {
    if (std::popcount(mask) != 3) continue;
    std::vector<sc::unit_index> sources;
    for (std::uint32_t u = 0; u < n; ++u)
      if (mask >> u & 1) sources.emplace_back(u);
    const auto b = sc::betweenness(g, {.sources = sources});
    EXPECT_FALSE(b.exact);
    for (std::size_t v = 0; v < n; ++v) {
      sum[v] += b.raw[v];
      sum_sq[v] += b.raw[v] * b.raw[v];
      sum_se2[v] += b.standard_error[v] * b.standard_error[v];
    }
    ++subsets;
  }
  ASSERT_EQ(subsets, 20);
  bool some_variance = false;
  for (std::size_t v = 0; v < n; ++v) {
    const auto& id = g.id(sc::unit_index{static_cast<std::uint32_t>(v)});
    const double mean = sum[v] / subsets;
    const double variance = sum_sq[v] / subsets - mean * mean;
    EXPECT_NEAR(mean, exact.raw[v], 1e-12 * std::max(1.0, exact.raw[v])) << id;
    EXPECT_NEAR(sum_se2[v] / subsets, variance, 1e-9 * std::max(1.0, variance)) << id;
    some_variance = some_variance || variance > 0.1;
  }
  EXPECT_TRUE(some_variance);

  // A sample's sources run in four groups merged in a fixed order (Chan et al.): the
  // estimate and its standard error are the same bits on one thread or several.
  std::vector<sc::unit_index> five;
  for (std::uint32_t u = 0; u < 5; ++u) five.emplace_back(u);
  const auto one = sc::betweenness(g, {.sources = five, .threads = 1});
  for (unsigned threads : {2U, 3U, 8U}) {
    const auto several = sc::betweenness(g, {.sources = five, .threads = threads});
    EXPECT_EQ(several.raw, one.raw) << threads << " threads";
    EXPECT_EQ(several.standard_error, one.standard_error) << threads << " threads";
  }

  // A random sample is reproducible from its seed.
  const auto a = sc::betweenness(g, {.sample_size = 3, .seed = 5});
  const auto b = sc::betweenness(g, {.sample_size = 3, .seed = 5});
  EXPECT_EQ(a.raw, b.raw);
  EXPECT_EQ(a.sources_used, 3u);
  EXPECT_THAT([&] { (void)sc::betweenness(g, {.sample_size = 1}); },
              ::testing::ThrowsMessage<sc::error>(HasSubstr("sample at least 2 sources")));
  const std::vector<double> bad(g.link_count(), 0.0);
  EXPECT_THAT([&] { (void)sc::betweenness(g, {.link_length = bad}); },
              ::testing::ThrowsMessage<sc::error>(HasSubstr("link 's' -> 'v1' (/links/0): length = 0")));
}

// =============================================================== misalignment

TEST(MisalignmentTest, DeadEndsAndReworkWithTheirCost) {
  // p -> cust with acceptance 0.4 (e = 1.5): p redoes 1.5 per request, so 60% of its load
  // is rework; q has no path to a customer. Costs: p 100 + 2·2·2.5 = 110, q 50.
  sc::organization org;
  org.add_unit({.id = "p", .service_time = 0.1, .cost_per_time = 100, .cost_per_request = 2});
  org.add_unit({.id = "q", .service_time = 0.1, .cost_per_time = 50, .cost_per_request = 3});
  org.add_unit({.id = "ok", .service_time = 0.1, .cost_per_time = 10});
  org.add_unit({.id = "cust", .external = true, .demand = 2});
  org.add_link({.from = "p", .to = "cust", .acceptance = 0.4});
  org.add_link({.from = "ok", .to = "cust"});
  org.add_link({.from = "ok", .to = "q"});
  const auto g = sc::compile(org);
  const auto m = sc::misaligned_units(g, sc::compute_load(g));
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(g.id(m[0].unit), "p");
  EXPECT_EQ(m[0].reason, sc::misalignment::mostly_rework);
  EXPECT_TRUE(near_rel(m[0].load, 5.0, 1e-12));
  EXPECT_TRUE(near_rel(m[0].rework_share, 0.6, 1e-12));
  EXPECT_TRUE(near_rel(m[0].cost, 110.0, 1e-12));
  EXPECT_EQ(g.id(m[1].unit), "q");
  EXPECT_EQ(m[1].reason, sc::misalignment::no_path_to_customer);
  EXPECT_EQ(m[1].cost, 50.0);
  EXPECT_TRUE(sc::misaligned_units(g, sc::compute_load(g), {.rework_threshold = 0.6}).size() == 1);
  EXPECT_THAT([&] { (void)sc::misaligned_units(g, sc::compute_load(g), {.rework_threshold = 1}); },
              ::testing::ThrowsMessage<sc::error>(HasSubstr("rework_threshold = 1, but must be in [0, 1)")));
}

TEST(MisalignmentTest, SoftwareCompanyDeadEnd) {
  // examples/models/README.md: bi_reporting serves only strategy_office, which serves nobody.
  const auto g = sc::compile(sc::load_organization(std::string(SERVICECHAIN_EXAMPLES_DIR) + "/software_company.json"));
  std::set<std::string> dead;
  for (const auto& m : sc::misaligned_units(g, sc::compute_load(g)))
    if (m.reason == sc::misalignment::no_path_to_customer) dead.insert(g.id(m.unit));
  EXPECT_EQ(dead, (std::set<std::string>{"bi_reporting", "strategy_office"}));
}

// =============================================================== everything

TEST(StructureTest, BetweennessSampleSizeFollowsTheLinkBudget) {
  std::mt19937_64 rng(3);
  const auto g = sc::compile(random_organization(rng, 30, 2, 0.05));
  const std::size_t links = g.link_count();
  ASSERT_GT(links, 20u);
  sc::structure_options o{.betweenness_exact_limit = 10, .betweenness_samples = 6};
  EXPECT_EQ(sc::betweenness_sample_size(g, o), 6u);  // the budget allows more: the cap
  o.betweenness_link_budget = 4 * links + links / 2;
  EXPECT_EQ(sc::betweenness_sample_size(g, o), 4u);  // floor(4.5)
  o.betweenness_link_budget = links - 1;
  EXPECT_EQ(sc::betweenness_sample_size(g, o), 2u);  // never below 2: the standard error needs them
  o.betweenness_exact_limit = g.unit_count();
  EXPECT_EQ(sc::betweenness_sample_size(g, o), 0u);  // exact

  // analyze_structure uses that many sources, the default seed's sample.
  o = {.betweenness_exact_limit = 10, .betweenness_samples = 500, .betweenness_link_budget = 5 * links};
  const auto s = sc::analyze_structure(g, o);
  EXPECT_FALSE(s.betweenness.exact);
  EXPECT_EQ(s.betweenness.sources_used, 5u);
  EXPECT_EQ(s.betweenness.raw, sc::betweenness(g, {.sample_size = 5}).raw);
}

TEST(StructureTest, AnalyzeStructureOnBundledModels) {
  for (const auto& file : bundled_models()) {
    SCOPED_TRACE(file);
    const auto g = sc::compile(sc::load_organization(file));
    const auto s = sc::analyze_structure(g);
    ASSERT_TRUE(s.chains.has_value());
    EXPECT_EQ(s.gatekeepers.size(), g.class_count());
    EXPECT_EQ(s.loops.size(), g.loops().size());
    EXPECT_TRUE(s.betweenness.exact);
    // Every chain of a unit with load to a customer starts at the unit and ends at the customer.
    for (std::uint32_t u = 0; u < g.unit_count(); ++u)
      for (std::size_t c = 0; c < g.class_count(); ++c)
        for (const auto& ch : s.chains->chains[u][c]) {
          EXPECT_EQ(ch.units.front().value(), u);
          EXPECT_EQ(ch.units.back(), g.customers()[c]);
          EXPECT_LE(ch.share, 1.0 + 1e-12);
        }
  }
}

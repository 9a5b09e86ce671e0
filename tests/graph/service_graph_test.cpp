#include "servicechain/graph/service_graph.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include <boost/range/iterator_range.hpp>

#include "servicechain/graph/bgl.hpp"
#include "support/oracles.hpp"

namespace sc = servicechain;
using ::testing::HasSubstr;

namespace {

// A NetworkX graph case as a model: every node an internal unit, every edge a link with a
// small `requests` so that every loop has a gain below 1.
sc::organization graph_case_model(const nlohmann::json& c, double requests) {
  sc::organization org{.name = c.at("name").get<std::string>()};
  for (const auto& node : c.at("inputs").at("nodes")) org.add_unit({.id = node.get<std::string>(), .service_time = 1});
  for (const auto& e : c.at("inputs").at("edges"))
    org.add_link({.from = e.at("u").get<std::string>(), .to = e.at("v").get<std::string>(), .requests = requests});
  return org;
}

sc::organization ring(int size, double requests) {
  sc::organization org;
  for (int i = 0; i < size; ++i) org.add_unit({.id = fmt::format("u{}", i), .service_time = 1});
  for (int i = 0; i < size; ++i)
    org.add_link({.from = fmt::format("u{}", i), .to = fmt::format("u{}", (i + 1) % size), .requests = requests});
  return org;
}

}  // namespace

TEST(ServiceGraphTest, IndicesAdjacencyAndCustomers) {
  sc::organization org;
  org.add_unit({.id = "a", .service_time = 1});
  org.add_unit({.id = "cust", .external = true, .demand = 2});
  org.add_unit({.id = "b", .name = "Bee", .service_time = 1});
  org.add_link({.from = "a", .to = "b"});
  org.add_link({.from = "b", .to = "cust"});
  org.add_link({.from = "a", .to = "cust", .requests = 0.5, .group = "g"});
  const auto g = sc::compile(org);

  ASSERT_EQ(g.unit_count(), 3u);
  ASSERT_EQ(g.link_count(), 3u);
  EXPECT_EQ(g.index_of("b").value(), 2u);
  EXPECT_EQ(g.display_name(g.index_of("b")), "Bee");
  EXPECT_EQ(g.display_name(g.index_of("a")), "a");
  EXPECT_FALSE(g.directory()->find("zzz").has_value());
  EXPECT_THAT([&] { (void)g.index_of("zzz"); }, ::testing::ThrowsMessage<sc::error>(HasSubstr("'zzz'")));

  const auto out_a = g.out_links(g.index_of("a"));
  ASSERT_EQ(out_a.size(), 2u);
  EXPECT_EQ(out_a[0].value(), 0u);  // stable in link order
  EXPECT_EQ(out_a[1].value(), 2u);
  const auto in_cust = g.in_links(g.index_of("cust"));
  ASSERT_EQ(in_cust.size(), 2u);
  EXPECT_EQ(g.link(in_cust[0]).provider, g.index_of("b"));

  ASSERT_EQ(g.class_count(), 1u);
  EXPECT_EQ(g.customers()[0], g.index_of("cust"));
  EXPECT_EQ(g.class_of(g.index_of("cust")), 0u);
  EXPECT_FALSE(g.class_of(g.index_of("a")).has_value());
  ASSERT_EQ(g.group_names().size(), 1u);
  EXPECT_EQ(g.link(sc::link_index{2}).group, 0);
  EXPECT_EQ(g.link(sc::link_index{0}).group, -1);
  EXPECT_TRUE(g.loops().empty());
}

TEST(ServiceGraphTest, RejectionsPerAcceptedDelivery) {
  sc::organization org;
  org.add_unit({.id = "p", .service_time = 1});
  org.add_unit({.id = "c", .external = true, .demand = 1});
  org.add_link({.from = "p", .to = "c", .acceptance = 0.8});
  const auto g = sc::compile(org);
  EXPECT_TRUE(sc_test::near_rel(g.numbers().link(sc::link_index{0}).rejections, 0.25, 1e-15));  // (1 − 0.8) / 0.8
}

TEST(ServiceGraphTest, TopologicalOrderOfCondensation) {
  for (const char* name : {"mesh_cyclic", "random_40", "dag_customers"}) {
    SCOPED_TRACE(name);
    const auto g = sc::compile(graph_case_model(sc_test::graph_case(name), 0.05));
    std::set<std::uint32_t> positions;
    for (std::uint32_t u = 0; u < g.unit_count(); ++u) positions.insert(g.order_position(sc::unit_index{u}));
    EXPECT_EQ(positions.size(), g.unit_count());
    for (const auto& l : g.links()) {
      EXPECT_LE(g.component_of(l.provider), g.component_of(l.consumer))
          << g.id(l.provider) << " -> " << g.id(l.consumer);
    }
    for (std::uint32_t c = 0; c < g.component_count(); ++c)
      for (auto u : g.component_units(c)) EXPECT_EQ(g.component_of(u), c);
  }
}

TEST(ServiceGraphTest, StronglyConnectedComponentsMatchNetworkX) {
  for (const char* name : {"mesh_cyclic", "random_40", "dag_customers", "lengauer_tarjan_example", "clrs_flow"}) {
    SCOPED_TRACE(name);
    const auto& c = sc_test::graph_case(name);
    const auto g = sc::compile(graph_case_model(c, 0.05));
    std::set<std::set<std::string>> got, want;
    for (std::uint32_t k = 0; k < g.component_count(); ++k) {
      std::set<std::string> ids;
      for (auto u : g.component_units(k)) ids.insert(g.id(u));
      got.insert(ids);
    }
    for (const auto& comp : c.at("outputs").at("strongly_connected_components"))
      want.insert(comp.get<std::set<std::string>>());
    EXPECT_EQ(got, want);
    std::set<std::set<std::string>> loops, want_loops;
    for (const auto& loop : g.loops()) {
      std::set<std::string> ids;
      for (auto u : loop.units) ids.insert(g.id(u));
      loops.insert(ids);
    }
    for (const auto& comp : c.at("outputs").at("nontrivial_sccs")) want_loops.insert(comp.get<std::set<std::string>>());
    EXPECT_EQ(loops, want_loops);
  }
}

TEST(ServiceGraphTest, LoopGainClosedForms) {
  // Two units serving each other with r = 0.5 and 0.8: R = [[0, .5], [.8, 0]], ρ = √0.4.
  sc::organization org;
  org.add_unit({.id = "a", .service_time = 1});
  org.add_unit({.id = "b", .service_time = 1});
  org.add_unit({.id = "c", .external = true, .demand = 1});
  org.add_link({.from = "a", .to = "b", .requests = 0.5});
  org.add_link({.from = "b", .to = "a", .requests = 0.8});
  org.add_link({.from = "a", .to = "c"});
  const auto g = sc::compile(org);
  ASSERT_EQ(g.loops().size(), 1u);
  EXPECT_TRUE(sc_test::near_rel(g.numbers().loop_gain(0), std::sqrt(0.4), 1e-12));

  // A ring of k units with requests r has R = r·(cyclic permutation): ρ = r. 300 units take
  // the iterative (Collatz–Wielandt) path, 50 the dense eigenvalue path.
  for (int size : {3, 50, 300}) {
    SCOPED_TRACE(size);
    const auto rg = sc::compile(ring(size, 0.9));
    ASSERT_EQ(rg.loops().size(), 1u);
    EXPECT_EQ(rg.loops()[0].units.size(), static_cast<std::size_t>(size));
    EXPECT_TRUE(sc_test::near_rel(rg.numbers().loop_gain(0), 0.9, 1e-9));
  }
}

TEST(ServiceGraphTest, DivergentLoopsAreRejectedWithUnitsAndGain) {
  sc::organization org = ring(3, 1.25);  // gain 1.25
  sc::organization other = ring(300, 1.0);
  for (auto& u : other.units) u.id = "big_" + u.id;
  for (auto& l : other.links) {
    l.from = "big_" + l.from;
    l.to = "big_" + l.to;
  }
  org.units.insert(org.units.end(), other.units.begin(), other.units.end());
  org.links.insert(org.links.end(), other.links.begin(), other.links.end());
  try {
    (void)sc::compile(org);
    FAIL() << "expected loop_gain_error";
  } catch (const sc::loop_gain_error& e) {
    ASSERT_EQ(e.loops().size(), 2u) << e.what();
    EXPECT_EQ(e.code(), "servicechain.loop_gain");
    EXPECT_THAT(e.what(), HasSubstr("'u0', 'u1', 'u2'"));
    EXPECT_THAT(e.what(), HasSubstr("loop gain = 1.25"));
    EXPECT_THAT(e.what(), HasSubstr("'big_u0'"));
    for (const auto& loop : e.loops()) EXPECT_GE(loop.gain, 1.0 - 1e-9);
  }
}

TEST(ServiceGraphTest, InvalidModelIsRejectedWithEveryProblem) {
  sc::organization org;
  org.add_unit({.id = "a"});  // no service_time
  org.add_unit({.id = "a", .service_time = 1});
  org.add_link({.from = "a", .to = "nowhere"});
  for (const bool given_up : {false, true}) {  // compile(const organization&), compile(organization&&)
    SCOPED_TRACE(given_up ? "given up" : "kept");
    sc::organization copy = org;
    try {
      (void)(given_up ? sc::compile(std::move(copy)) : sc::compile(copy));
      FAIL() << "expected invalid_model_error";
    } catch (const sc::invalid_model_error& e) {
      EXPECT_GE(e.diagnostics().size(), 3u) << e.what();
      EXPECT_THAT(e.what(), HasSubstr("'nowhere'"));
    }
  }
}

TEST(ServiceGraphTest, AGivenUpModelCompilesToTheSameGraphAndIsEmptied) {
  // compile(organization&&) frees the model's units and links as it reads them: the graph
  // must be the one compile(const organization&) makes, field by field.
  sc::organization org;
  org.add_unit({.id = "a", .service_time = 1});
  org.add_unit({.id = "b", .name = "Bee", .servers = 2, .service_time = 0.5});
  org.add_unit({.id = "cust", .external = true, .demand = 2});
  org.add_link({.from = "a", .to = "b", .requests = 0.5, .group = "g"});
  org.add_link({.from = "b", .to = "a", .requests = 0.8, .acceptance = 0.9});
  org.add_link({.from = "a", .to = "cust", .group = "h", .service_time = 3});
  org.add_link({.from = "b", .to = "cust", .priority = 2});
  const auto kept = sc::compile(org);
  sc::organization given = org;
  const auto g = sc::compile(std::move(given));
  EXPECT_TRUE(given.units.empty());
  EXPECT_TRUE(given.links.empty());

  ASSERT_EQ(g.unit_count(), kept.unit_count());
  ASSERT_EQ(g.link_count(), kept.link_count());
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const sc::unit_index u{i};
    EXPECT_EQ(g.id(u), kept.id(u));
    EXPECT_EQ(g.display_name(u), kept.display_name(u));
    EXPECT_EQ(g.is_external(u), kept.is_external(u));
    EXPECT_EQ(g.order_position(u), kept.order_position(u));
    EXPECT_EQ(g.numbers().unit(u).servers, kept.numbers().unit(u).servers);
    EXPECT_EQ(g.numbers().unit(u).speed, kept.numbers().unit(u).speed);
  }
  for (std::uint32_t j = 0; j < g.link_count(); ++j) {
    const sc::link_index l{j};
    EXPECT_EQ(g.link(l).provider, kept.link(l).provider);
    EXPECT_EQ(g.link(l).consumer, kept.link(l).consumer);
    EXPECT_EQ(g.link(l).group, kept.link(l).group);
    EXPECT_EQ(g.numbers().link(l).requests, kept.numbers().link(l).requests);
    EXPECT_EQ(g.numbers().link(l).rejections, kept.numbers().link(l).rejections);
    EXPECT_EQ(g.numbers().link(l).priority, kept.numbers().link(l).priority);
    EXPECT_EQ(g.numbers().link(l).service_time, kept.numbers().link(l).service_time);
  }
  EXPECT_EQ(g.group_names(), kept.group_names());
  EXPECT_EQ(g.numbers().link(sc::link_index{2}).service_time, 3.0);
  EXPECT_TRUE(sc_test::near_rel(g.numbers().link(sc::link_index{1}).rejections, 0.1 / 0.9, 1e-15));
  ASSERT_EQ(g.loops().size(), 1u);
  EXPECT_TRUE(sc_test::near_rel(g.numbers().loop_gain(0), std::sqrt(0.4), 1e-12));  // R = [[0, .5], [.8, 0]]
}

TEST(ServiceGraphTest, BglViewIsTheSameGraph) {
  const auto& c = sc_test::graph_case("random_40");
  const auto g = sc::compile(graph_case_model(c, 0.05));
  const auto& b = sc::bgl_view(g);
  EXPECT_EQ(boost::num_vertices(b), g.unit_count());
  EXPECT_EQ(boost::num_edges(b), g.link_count());
  std::size_t seen = 0;
  for (auto e : boost::make_iterator_range(boost::edges(b))) {
    const auto& l = g.link(sc::link_index{b[e].link});
    EXPECT_EQ(boost::source(e, b), l.provider.value());
    EXPECT_EQ(boost::target(e, b), l.consumer.value());
    ++seen;
  }
  EXPECT_EQ(seen, c.at("inputs").at("edges").size());
  const auto v = g.index_of(c.at("inputs").at("nodes")[0].get<std::string>()).value();
  EXPECT_EQ(boost::in_degree(v, b), g.in_links(sc::unit_index{v}).size());
}

#include "servicechain/analysis/load.hpp"

#include <gtest/gtest.h>

#include "support/oracles.hpp"

namespace sc = servicechain;
using sc_test::near_rel;

namespace {

void expect_oracle_loads(const char* file) {
  SCOPED_TRACE(file);
  std::ifstream in(sc_test::model_path(std::string(file) + ".expected.json"));
  const auto expected = nlohmann::json::parse(in).at("expected");
  const auto g = sc::compile(sc::load_organization(sc_test::model_path(std::string(file) + ".json")));
  const auto load = sc::compute_load(g);
  for (const auto& [id, unit] : expected.at("units").items()) {
    EXPECT_TRUE(near_rel(load.total_load[g.index_of(id).value()], unit.at("load").get<double>(), 1e-12)) << id;
  }
}

}  // namespace

// The worked example of docs/semantics.md: QA accepts 80% of Processing's deliveries: loads (1, 1.25, 1.25).
TEST(LoadTest, DesignWorkedExampleRework) { expect_oracle_loads("rework"); }

// The same network written as a Jackson routing loop gives the same loads.
TEST(LoadTest, DesignWorkedExampleAsJacksonLoop) { expect_oracle_loads("rework_jackson"); }

TEST(LoadTest, ReworkFlowsOfTheWorkedExample) {
  const auto g = sc::compile(sc::load_organization(sc_test::model_path("rework.json")));
  const auto load = sc::compute_load(g);
  // Processing -> QA, acceptance 0.8: 1 first-pass delivery and e = 0.25 redos per item.
  EXPECT_TRUE(near_rel(load.link_flow[1], 1.0, 1e-15));
  EXPECT_TRUE(near_rel(load.link_rework_flow[1], 0.25, 1e-15));
  EXPECT_EQ(load.link_rework_flow[0], 0.0);
  EXPECT_TRUE(near_rel(load.items(g.index_of("qa"), 0), 1.0, 1e-15));
}

// Open Jackson networks (qnosvisits + qnopen): per-station arrival rates and utilizations.
TEST(LoadTest, OpenJacksonNetworksMatchOctave) {
  for (const char* name : {"open_jackson_4_mm1", "open_jackson_6_multiserver"}) {
    SCOPED_TRACE(name);
    const auto& c = sc_test::queueing_case(name);
    const auto g = sc::compile(sc_test::open_network_model(c.at("inputs")));
    const auto load = sc::compute_load(g);
    const auto& names = c.at("inputs").at("station_names");
    const double total = g.numbers().unit(g.customers()[0]).demand;
    for (std::size_t k = 0; k < names.size(); ++k) {
      const auto u = g.index_of(names[k].get<std::string>());
      EXPECT_TRUE(near_rel(load.total_load[u.value()], c.at("outputs").at("arrival_rate")[k].get<double>(), 1e-12))
          << names[k];
      EXPECT_TRUE(near_rel(load.visits(u.value(), 0),
                           c.at("outputs").at("visit_ratio_per_arrival")[k].get<double>(), 1e-12))
          << names[k];
      EXPECT_TRUE(near_rel(load.items(u, 0), total * load.visits(u.value(), 0), 1e-15));
    }
  }
}

// Two open classes with their own visit vectors (qnopen with a vector lambda): per-class
// throughputs X(c, k) = λ_c V(c, k) and the total utilization at each station.
TEST(LoadTest, OpenMulticlassMatchesOctave) {
  const auto& c = sc_test::queueing_case("open_multiclass_2cls");
  const auto& in = c.at("inputs");
  sc::organization org;
  const auto& stations = in.at("station_names");
  const auto& classes = in.at("class_names");
  for (std::size_t k = 0; k < stations.size(); ++k) {
    const auto servers = in.at("servers")[k].get<std::int64_t>();
    // Class-dependent service times cannot be one unit's parameter; the loads do not need them.
    org.add_unit({.id = stations[k].get<std::string>(),
                  .servers = servers == 0 ? sc::server_count::unlimited() : sc::server_count(servers),
                  .service_time = 1});
  }
  for (std::size_t cl = 0; cl < classes.size(); ++cl) {
    org.add_unit({.id = classes[cl].get<std::string>(), .external = true,
                  .demand = in.at("class_arrival_rate")[cl].get<double>()});
    for (std::size_t k = 0; k < stations.size(); ++k) {
      const double v = in.at("visits_per_job")[cl][k].get<double>();
      if (v > 0) org.add_link({.from = stations[k].get<std::string>(), .to = classes[cl].get<std::string>(), .requests = v});
    }
  }
  const auto g = sc::compile(org);
  const auto load = sc::compute_load(g);
  for (std::size_t cl = 0; cl < classes.size(); ++cl) {
    for (std::size_t k = 0; k < stations.size(); ++k) {
      const auto u = g.index_of(stations[k].get<std::string>());
      EXPECT_TRUE(near_rel(load.load(u, cl), c.at("outputs").at("X")[cl][k].get<double>(), 1e-12))
          << classes[cl] << " at " << stations[k];
    }
  }
}

// Conservation: every internal unit delivers exactly its items over its out-links, and every
// customer receives its demand times the requests of its in-links.
TEST(LoadTest, FlowConservationOnOracleNetworks) {
  for (const char* name : {"open_jackson_4_mm1", "open_jackson_6_multiserver", "open_unstable"}) {
    SCOPED_TRACE(name);
    const auto g = sc::compile(sc_test::open_network_model(sc_test::queueing_case(name).at("inputs")));
    const auto load = sc::compute_load(g);
    for (std::uint32_t u = 0; u < g.unit_count(); ++u) {
      if (g.is_external(sc::unit_index{u})) continue;
      double out = 0;
      for (auto l : g.out_links(sc::unit_index{u})) out += load.link_flow[l.value()];
      EXPECT_TRUE(near_rel(out, load.items(sc::unit_index{u}, 0), 1e-12)) << g.id(sc::unit_index{u});
    }
  }
}

TEST(LoadTest, ClosedClassHasVisitsButNoLoad) {
  sc::organization org;
  org.add_unit({.id = "desk", .service_time = 0.5});
  org.add_unit({.id = "open", .external = true, .demand = 1});
  org.add_unit({.id = "closed", .external = true, .population = 5, .think_time = 2});
  org.add_link({.from = "desk", .to = "open"});
  org.add_link({.from = "desk", .to = "closed", .requests = 2});
  const auto g = sc::compile(org);
  const auto load = sc::compute_load(g);
  EXPECT_EQ(load.visits(0, 1), 2.0);
  EXPECT_EQ(load.demand[1], 0.0);
  EXPECT_EQ(load.total_load[0], 1.0);
}

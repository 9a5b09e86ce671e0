// Editing numbers without recompiling must give what recompiling the edited organization
// gives: the invariant that makes what-if, sensitivities and Shapley values cheap.

#include "servicechain/graph/model_numbers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "support/oracles.hpp"

namespace sc = servicechain;
using ::testing::HasSubstr;

namespace {

// Same value to 1e-12 relative (the order of operations is the same, so in practice exact).
void expect_same(double got, double want, const std::string& what) {
  const double scale = std::max({std::abs(got), std::abs(want), 1e-300});
  EXPECT_LE(std::abs(got - want) / scale, 1e-12) << what << ": edited " << got << ", recompiled " << want;
}

void expect_same_results(const sc::service_graph& g, const sc::open_result& edited, const sc::open_result& fresh) {
  for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
    const auto& a = edited.units[i];
    const auto& b = fresh.units[i];
    const std::string id = fmt::format("unit '{}' ", g.id(sc::unit_index{i}));
    expect_same(a.load, b.load, id + "load");
    expect_same(a.utilization, b.utilization, id + "utilization");
    expect_same(a.wait, b.wait, id + "wait");
    expect_same(a.sojourn, b.sojourn, id + "sojourn");
    expect_same(a.lead_time_per_item, b.lead_time_per_item, id + "lead_time_per_item");
    expect_same(a.cost_per_item, b.cost_per_item, id + "cost_per_item");
    expect_same(a.defect_free_per_item, b.defect_free_per_item, id + "defect_free_per_item");
  }
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    const std::string id = fmt::format("customer '{}' ", g.id(g.customers()[c]));
    expect_same(edited.customers[c].lead_time, fresh.customers[c].lead_time, id + "lead_time");
    expect_same(edited.customers[c].cost_to_serve, fresh.customers[c].cost_to_serve, id + "cost_to_serve");
    expect_same(edited.customers[c].defect_free, fresh.customers[c].defect_free, id + "defect_free");
    for (std::uint32_t l = 0; l < g.link_count(); ++l)
      expect_same(edited.lead_time_through(sc::link_index{l}, c), fresh.lead_time_through(sc::link_index{l}, c),
                  fmt::format("{}lead_time_through link {}", id, l));
  }
  expect_same(edited.total_cost, fresh.total_cost, "total_cost");
}

// A random edit of every kind a what-if makes, applied to both the numbers and the model.
struct edit {
  std::function<void(const sc::service_graph&, sc::model_numbers&)> on_numbers;
  std::function<void(sc::organization&)> on_model;
};

std::vector<edit> random_edits(const sc::organization& org, std::mt19937& rng) {
  std::vector<edit> edits;
  std::uniform_int_distribution<std::size_t> pick_unit(0, org.units.size() - 1);
  std::uniform_int_distribution<std::size_t> pick_link(0, org.links.size() - 1);
  for (int k = 0; k < 6; ++k) {
    const std::size_t i = pick_unit(rng);
    const sc::unit& u = org.units[i];
    const sc::unit_index ui{static_cast<std::uint32_t>(i)};
    if (u.external) {
      if (!u.demand) continue;
      const double demand = *u.demand * 0.9;
      edits.push_back({[=](auto& g, auto& n) { n.set(g, ui, sc::unit_field::demand, demand); },
                       [=](auto& o) { o.units[i].demand = demand; }});
      continue;
    }
    const double service_time = *u.service_time * 0.93;
    edits.push_back({[=](auto& g, auto& n) { n.set(g, ui, sc::unit_field::service_time, service_time); },
                     [=](auto& o) { o.units[i].service_time = service_time; }});
    const double scv = 0.25 + 0.5 * static_cast<double>(k);
    edits.push_back({[=](auto& g, auto& n) { n.set(g, ui, sc::unit_field::service_scv, scv); },
                     [=](auto& o) { o.units[i].service_scv = scv; }});
    const double cost = 7.5 * (k + 1);
    edits.push_back({[=](auto& g, auto& n) { n.set(g, ui, sc::unit_field::cost_per_time, cost); },
                     [=](auto& o) { o.units[i].cost_per_time = cost; }});
    if (!u.servers.is_unlimited()) {
      const auto servers = u.servers.count() + 1;
      edits.push_back({[=](auto& g, auto& n) { n.set_servers(g, ui, servers); },
                       [=](auto& o) { o.units[i].servers = servers; }});
    }
  }
  if (!org.links.empty()) {
    for (int k = 0; k < 4; ++k) {
      const std::size_t j = pick_link(rng);
      const sc::link_index lj{static_cast<std::uint32_t>(j)};
      const double requests = org.links[j].requests * 0.8;  // lowers every loop gain
      edits.push_back({[=](auto& g, auto& n) { n.set(g, lj, sc::link_field::requests, requests); },
                       [=](auto& o) { o.links[j].requests = requests; }});
      const double acceptance = 0.7 + 0.05 * k;
      edits.push_back({[=](auto& g, auto& n) { n.set(g, lj, sc::link_field::acceptance, acceptance); },
                       [=](auto& o) { o.links[j].acceptance = acceptance; }});
    }
  }
  return edits;
}

// Applies the edits both ways and compares the open analyses (or that both are unstable).
void check_edits_match_recompiling(const sc::organization& org, std::mt19937& rng) {
  const sc::service_graph g = sc::compile(org);
  sc::model_numbers numbers = g.numbers();
  sc::organization edited = org;
  for (const auto& e : random_edits(org, rng)) {
    e.on_numbers(g, numbers);
    e.on_model(edited);
  }
  const sc::service_graph fresh = sc::compile(edited);
  for (std::size_t k = 0; k < g.loops().size(); ++k)
    expect_same(numbers.loop_gain(k), fresh.numbers().loop_gain(k), "loop gain");
  for (auto variability : {sc::arrival_variability::poisson, sc::arrival_variability::propagate}) {
    bool edited_unstable = false, fresh_unstable = false;
    sc::open_result a, b;
    try {
      a = sc::analyze_open(g, numbers, {.variability = variability});
    } catch (const sc::unstable_error&) {
      edited_unstable = true;
    }
    try {
      b = sc::analyze_open(fresh, {.variability = variability});
    } catch (const sc::unstable_error&) {
      fresh_unstable = true;
    }
    ASSERT_EQ(edited_unstable, fresh_unstable);
    if (!edited_unstable) expect_same_results(g, a, b);
  }
}

// A random organization with loops, rework, async links and multi-server units, its
// demand scaled so that the busiest unit runs at 60%.
sc::organization random_model(std::mt19937& rng) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const int n = 3 + static_cast<int>(rng() % 12);
  sc::organization org{.name = "random"};
  for (int i = 0; i < n; ++i) {
    org.add_unit({.id = fmt::format("u{}", i),
                  .servers = uniform(rng) < 0.1 ? sc::server_count::unlimited()
                                                : sc::server_count(1 + static_cast<std::int64_t>(rng() % 4)),
                  .service_time = 0.1 + uniform(rng),
                  .service_scv = uniform(rng) < 0.5 ? 1.0 : 2 * uniform(rng),
                  .cost_per_time = 10 * uniform(rng),
                  .cost_per_request = uniform(rng),
                  .yield = 0.9 + 0.1 * uniform(rng)});
  }
  org.add_unit({.id = "c0", .external = true, .demand = 1});
  org.add_unit({.id = "c1", .external = true, .demand = 2});
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      if (i == j || uniform(rng) > 0.25) continue;
      org.add_link({.from = fmt::format("u{}", i),
                    .to = fmt::format("u{}", j),
                    // row sums ≈ 0.1–0.4 · n/4 · 4/n: every loop gain stays below 1
                    .requests = (0.1 + 0.3 * uniform(rng)) * 4.0 / n,
                    .mode = uniform(rng) < 0.2 ? sc::link_mode::async : sc::link_mode::sync,
                    .acceptance = uniform(rng) < 0.3 ? 0.75 + 0.2 * uniform(rng) : 1.0});
    }
    if (i % 2 == 0 || uniform(rng) < 0.3)
      org.add_link({.from = fmt::format("u{}", i), .to = i % 3 == 0 ? "c0" : "c1", .requests = 0.5 + uniform(rng),
                    .acceptance = uniform(rng) < 0.3 ? 0.9 : 1.0});
  }
  const auto cap = sc::analyze_capacity(sc::compile(org));
  const double scale = cap.max_demand_scale ? 0.6 * *cap.max_demand_scale : 1.0;
  for (auto& u : org.units)
    if (u.demand) *u.demand *= scale;
  return org;
}

}  // namespace

TEST(ModelNumbersTest, EditingBundledModelsEqualsRecompiling) {
  std::mt19937 rng(17);
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(SERVICECHAIN_EXAMPLES_DIR))
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  files.push_back(sc_test::model_path("rework.json"));
  files.push_back(sc_test::model_path("rework_jackson.json"));
  ASSERT_GE(files.size(), 5u);
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    for (int round = 0; round < 5; ++round) check_edits_match_recompiling(sc::load_organization(file), rng);
  }
}

TEST(ModelNumbersTest, EditingRandomModelsEqualsRecompiling) {
  std::mt19937 rng(2026);
  int with_loops = 0, with_multi_server = 0;
  for (int k = 0; k < 100; ++k) {
    SCOPED_TRACE(fmt::format("random model {}", k));
    const sc::organization org = random_model(rng);
    with_loops += sc::compile(org).loops().empty() ? 0 : 1;
    with_multi_server += std::any_of(org.units.begin(), org.units.end(), [](const sc::unit& u) {
      return !u.servers.is_unlimited() && u.servers.count() > 1;
    });
    check_edits_match_recompiling(org, rng);
  }
  EXPECT_GE(with_loops, 50);  // the case the loop-gain re-check is for
  EXPECT_GE(with_multi_server, 50);
}

TEST(ModelNumbersTest, BadEditsAreLocatedLikeValidationAndChangeNothing) {
  sc::organization org;
  org.add_unit({.id = "a", .service_time = 1});
  org.add_unit({.id = "b", .service_time = 1});
  org.add_unit({.id = "cust", .external = true, .demand = 0.2});
  org.add_link({.from = "a", .to = "b", .requests = 0.5});
  org.add_link({.from = "b", .to = "a", .requests = 0.5});
  org.add_link({.from = "b", .to = "cust"});
  const sc::service_graph g = sc::compile(org);
  sc::model_numbers n = g.numbers();

  EXPECT_THAT([&] { n.set(g, g.index_of("b"), sc::unit_field::service_time, -2); },
              ::testing::ThrowsMessage<sc::invalid_model_error>(
                  HasSubstr("unit 'b' (/units/1): service_time = -2, but must be a finite number > 0")));
  EXPECT_THAT([&] { n.set(g, sc::link_index{0}, sc::link_field::acceptance, 0); },
              ::testing::ThrowsMessage<sc::invalid_model_error>(
                  HasSubstr("link 'a' -> 'b' (/links/0): acceptance = 0, but must be in (0, 1]")));
  EXPECT_THAT([&] { n.set_servers(g, g.index_of("a"), 0); },
              ::testing::ThrowsMessage<sc::invalid_model_error>(HasSubstr("unit 'a' (/units/0): servers = 0")));
  // 0.5 · 2.5 = 1.25: the loop a <-> b would ask for infinitely many items of itself.
  EXPECT_THAT([&] { n.set(g, sc::link_index{1}, sc::link_field::requests, 2.5); },
              ::testing::ThrowsMessage<sc::loop_gain_error>(HasSubstr("'a', 'b'")));
  EXPECT_THAT([&] { n.set(g, g.index_of("cust"), sc::unit_field::service_time, 1); },
              ::testing::ThrowsMessage<sc::invalid_model_error>(HasSubstr("unit 'cust' (/units/2)")));

  // Nothing changed: the numbers still analyse exactly like the model.
  const auto before = sc::analyze_open(g);
  const auto after = sc::analyze_open(g, n);
  expect_same_results(g, after, before);
  EXPECT_DOUBLE_EQ(n.loop_gain(0), 0.5);  // √(0.5 · 0.5)

  // A good requests edit updates the loop gain: √(0.5 · 1.5).
  n.set(g, sc::link_index{1}, sc::link_field::requests, 1.5);
  EXPECT_TRUE(sc_test::near_rel(n.loop_gain(0), std::sqrt(0.75), 1e-12));
  // The edit reaches the loop's own solve (its weights live in the propagation kernel's
  // layout): the analysis equals that of the model edited and compiled anew.
  sc::organization edited = org;
  edited.links[1].requests = 1.5;
  expect_same_results(g, sc::analyze_open(g, n), sc::analyze_open(sc::compile(edited)));
}

TEST(ModelNumbersTest, DemandScaleAndPerLinkServiceTimes) {
  sc::organization org;
  org.add_unit({.id = "desk", .service_time = 1});
  org.add_unit({.id = "x", .external = true, .demand = 0.3});
  org.add_unit({.id = "y", .external = true, .demand = 0.2});
  org.add_link({.from = "desk", .to = "x", .service_time = 0.5});
  org.add_link({.from = "desk", .to = "y", .service_time = 2});
  const sc::service_graph g = sc::compile(org);
  // P-K with the mixture: λE[S²] = 0.3·2·0.25 + 0.2·2·4 = 1.75, ρ = 0.55 -> Wq = 1.75 / 0.9.
  const auto r = sc::analyze_open(g);
  EXPECT_TRUE(sc_test::near_rel(r.unit("desk").wait, 1.75 / 0.9, 1e-12));
  EXPECT_TRUE(sc_test::near_rel(r.customer("x").lead_time, 1.75 / 0.9 + 0.5, 1e-12));
  EXPECT_TRUE(sc_test::near_rel(r.customer("y").lead_time, 1.75 / 0.9 + 2, 1e-12));

  sc::model_numbers n = g.numbers();
  n.scale_demand(2);
  EXPECT_DOUBLE_EQ(n.unit(g.index_of("x")).demand, 0.6);
  EXPECT_THAT([&] { n.scale_demand(-1); }, ::testing::ThrowsMessage<sc::error>(HasSubstr("demand scale = -1")));
  n.clear_link_service(sc::link_index{0});
  EXPECT_DOUBLE_EQ(n.service_time(sc::link_index{0}), 1.0);
  EXPECT_TRUE(n.has_link_service());
  n.clear_link_service(sc::link_index{1});
  EXPECT_FALSE(n.has_link_service());
}

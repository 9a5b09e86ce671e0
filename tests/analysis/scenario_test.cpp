// What-if: a scenario against the base. Hand-worked M/M/1 and M/M/c numbers, the
// "nothing changes" invariant on the bundled models, and equality with a fresh analysis
// of the edited numbers (the scenario reuses the base's flows where it may).

#include "servicechain/analysis/scenario.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/error.hpp"
#include "servicechain/io/json.hpp"

namespace sc = servicechain;
using ::testing::HasSubstr;

namespace {

// One M/M/1 unit: λ = 2 per hour, s = 0.25 (μ = 4): W = 1 / (μ − λ) = 0.5.
sc::service_graph mm1(double service_time = 0.25, double demand = 2) {
  sc::organization org{.name = "mm1"};
  org.add_unit({.id = "desk", .service_time = service_time, .cost_per_time = 30});
  org.add_unit({.id = "walk_in", .external = true, .demand = demand});
  org.add_link({.from = "desk", .to = "walk_in"});
  return sc::compile(org);
}

sc::scenario edits(const sc::service_graph& g, const std::vector<std::string>& texts, double scale = 1) {
  sc::scenario s{.demand_scale = scale};
  for (const auto& t : texts) s.edits.push_back(sc::parse_parameter_edit(g, t));
  return s;
}

void expect_change(const sc::kpi_change& k, double before, double after, const char* what) {
  EXPECT_NEAR(k.before, before, 1e-12 * std::max(1.0, std::abs(before))) << what;
  EXPECT_NEAR(k.after, after, 1e-12 * std::max(1.0, std::abs(after))) << what;
  EXPECT_NEAR(k.difference, after - before, 1e-12 * std::max(1.0, std::abs(after))) << what;
}

// Every KPI of a comparison, to check "exactly 0" wholesale.
std::vector<const sc::kpi_change*> all_changes(const sc::scenario_comparison& c) {
  std::vector<const sc::kpi_change*> out{&c.total_cost, &c.mean_lead_time};
  for (const auto& u : c.units) {
    for (const auto* k : {&u.load, &u.utilization, &u.wait, &u.sojourn, &u.number_in_unit, &u.cost_per_service,
                          &u.cost_per_item, &u.lead_time_per_item, &u.defect_free_per_item})
      out.push_back(k);
  }
  for (const auto& l : c.links)
    for (const auto* k : {&l.load, &l.wait, &l.sojourn}) out.push_back(k);
  for (const auto& cu : c.customers)
    for (const auto* k : {&cu.demand, &cu.lead_time, &cu.cost_to_serve, &cu.defect_free}) out.push_back(k);
  return out;
}

}  // namespace

TEST(ScenarioTest, MM1ServiceTimeAndDemandByHand) {
  const auto g = mm1();
  // s = 0.4 (μ = 2.5): W = 1 / (2.5 − 2) = 2 hours, ρ = 0.8.
  const auto c = sc::compare(g, g.numbers(), sc::apply_scenario(g, g.numbers(), edits(g, {"units/desk/service_time=0.4"})));
  expect_change(c.customers[0].lead_time, 0.5, 2.0, "lead time");
  expect_change(c.units[0].utilization, 0.5, 0.8, "utilization");
  expect_change(c.units[0].wait, 0.25, 1.6, "wait");  // Wq = ρ / (μ − λ)
  expect_change(c.units[0].number_in_unit, 1.0, 4.0, "L");  // L = ρ / (1 − ρ)
  expect_change(c.customers[0].demand, 2.0, 2.0, "demand");
  EXPECT_EQ(c.customers[0].demand.difference, 0.0);
  // Cost: 30 per hour shared by 2 requests per hour, whatever the service time.
  expect_change(c.customers[0].cost_to_serve, 15.0, 15.0, "cost to serve");

  // Demand × 1.5: λ = 3, μ = 4: W = 1, ρ = 0.75; cost 30 / 3 = 10 per request.
  const auto d = sc::compare(g, g.numbers(), sc::apply_scenario(g, g.numbers(), edits(g, {}, 1.5)));
  expect_change(d.customers[0].lead_time, 0.5, 1.0, "lead time");
  expect_change(d.customers[0].demand, 2.0, 3.0, "demand");
  expect_change(d.units[0].load, 2.0, 3.0, "load");
  expect_change(d.customers[0].cost_to_serve, 15.0, 10.0, "cost to serve");
  expect_change(d.mean_lead_time, 0.5, 1.0, "mean lead time");
}

TEST(ScenarioTest, MMcServersByHand) {
  // λ = 3, s = 0.5 (μ = 2), a = λs = 1.5. Erlang C (Kleinrock, Queueing Systems I, §3.5):
  // C(c, a) = (a^c/c!)/(1 − ρ) / (Σ_{k<c} a^k/k! + (a^c/c!)/(1 − ρ)), Wq = C / (cμ − λ).
  // c = 2, ρ = 0.75: C = 4.5 / (2.5 + 4.5) = 9/14, Wq = 9/14.
  // c = 3, ρ = 0.5: C = 1.125 / (3.625 + 1.125) = 9/38, Wq = (9/38) / 3 = 3/38.
  sc::organization org{.name = "mmc"};
  org.add_unit({.id = "pool", .servers = 2, .service_time = 0.5});
  org.add_unit({.id = "c", .external = true, .demand = 3});
  org.add_link({.from = "pool", .to = "c"});
  const auto g = sc::compile(org);
  const auto c = sc::compare(g, g.numbers(), sc::apply_scenario(g, g.numbers(), edits(g, {"units/pool/servers=3"})));
  expect_change(c.customers[0].lead_time, 0.5 + 9.0 / 14.0, 0.5 + 3.0 / 38.0, "lead time");
  expect_change(c.units[0].utilization, 0.75, 0.5, "utilization");
}

TEST(ScenarioTest, NoEditsChangeNothingOnTheBundledModels) {
  int compared = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SERVICECHAIN_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    const auto g = sc::compile(sc::load_organization(entry.path()));
    if (sc::has_closed_classes(g, g.numbers())) continue;
    for (const auto variability : {sc::arrival_variability::poisson, sc::arrival_variability::propagate}) {
      const auto c = sc::compare(g, g.numbers(), sc::apply_scenario(g, g.numbers(), {}), {.variability = variability});
      for (const auto* k : all_changes(c)) {
        EXPECT_EQ(k->difference, 0.0);
        EXPECT_EQ(k->before, k->after);
      }
      EXPECT_EQ(c.units.size(), g.unit_count());
      EXPECT_EQ(c.links.size(), g.link_count());
      EXPECT_EQ(c.customers.size(), g.class_count());
    }
    ++compared;
  }
  EXPECT_GE(compared, 3);
}

TEST(ScenarioTest, ScenarioEqualsAFreshAnalysisOfTheEditedNumbers) {
  // Edits that keep the flows (reused) and edits that change them, on every bundled open
  // model and both variability modes: "after" must be a fresh analysis of the edited numbers.
  for (const auto& entry : std::filesystem::directory_iterator(SERVICECHAIN_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    const auto g = sc::compile(sc::load_organization(entry.path()));
    if (sc::has_closed_classes(g, g.numbers())) continue;
    // The internal unit with the lowest utilization, so that slowing it keeps the model stable.
    const auto base = sc::analyze_open(g);
    sc::unit_index quiet{};
    double lowest = 2;
    for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
      const sc::unit_index u{i};
      if (g.is_external(u) || g.numbers().unit(u).unlimited_servers || base.units[i].load == 0) continue;
      if (base.units[i].utilization < lowest) lowest = base.units[i].utilization, quiet = u;
    }
    ASSERT_LT(lowest, 0.9);
    const double slower = g.numbers().unit(quiet).service_time * 1.1;
    const std::string path = sc::parameter_path(g, {.field = sc::parameter_field::service_time, .unit = quiet});
    for (const auto& s : {edits(g, {fmt::format("{}={}", path, slower)}), edits(g, {}, 0.9),
                          edits(g, {fmt::format("{}={}", path, slower)}, 0.9)}) {
      for (const auto variability : {sc::arrival_variability::poisson, sc::arrival_variability::propagate}) {
        const auto edited = sc::apply_scenario(g, g.numbers(), s);
        const auto c = sc::compare(g, g.numbers(), edited, {.variability = variability});
        const auto fresh = sc::analyze_open(g, edited, {.variability = variability});
        for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
          EXPECT_EQ(c.units[i].utilization.after, fresh.units[i].utilization) << g.id(sc::unit_index{i});
          EXPECT_EQ(c.units[i].sojourn.after, fresh.units[i].sojourn) << g.id(sc::unit_index{i});
          EXPECT_EQ(c.units[i].lead_time_per_item.after, fresh.units[i].lead_time_per_item) << g.id(sc::unit_index{i});
        }
        for (std::size_t k = 0; k < g.class_count(); ++k) {
          EXPECT_EQ(c.customers[k].lead_time.after, fresh.customers[k].lead_time);
          EXPECT_EQ(c.customers[k].cost_to_serve.after, fresh.customers[k].cost_to_serve);
        }
        EXPECT_EQ(c.total_cost.after, fresh.total_cost);
      }
    }
  }
}

TEST(ScenarioTest, ReusedFlowsFollowAnEditedServiceTime) {
  // Reusing the base's flows after a service-time edit must not keep the base's
  // busy-server time: the saturation check and ρ follow the edited numbers.
  const auto g = mm1();
  const auto base = sc::analyze_open(g);
  auto edited = sc::apply_scenario(g, g.numbers(), edits(g, {"units/desk/service_time=0.4"}));
  EXPECT_EQ(edited.flows_revision(), g.numbers().flows_revision());
  const auto reused = sc::analyze_open(g, edited, base.load);
  EXPECT_NEAR(reused.units[0].utilization, 0.8, 1e-15);
  EXPECT_NEAR(reused.customers[0].lead_time, 2.0, 1e-12);
  edited = sc::apply_scenario(g, g.numbers(), edits(g, {"units/desk/service_time=0.6"}));  // ρ = 1.2
  EXPECT_THROW((void)sc::analyze_open(g, edited, base.load), sc::unstable_error);
  // A link's own service time added by the scenario (none in the base).
  edited = sc::apply_scenario(g, g.numbers(), edits(g, {"links/desk/walk_in/service_time=0.4"}));
  const auto link_reused = sc::analyze_open(g, edited, base.load);
  EXPECT_NEAR(link_reused.units[0].utilization, 0.8, 1e-15);
  EXPECT_NEAR(link_reused.customers[0].lead_time, 2.0, 1e-12);
}

TEST(ScenarioTest, ReusedFlowsFollowAnEditedServiceTimeWithPropagatedVariability) {
  // QNA propagates the departure SCV c_d² = ρ² c_s² + (1 − ρ²) c_a² (Whitt 1983), so every
  // unit's ρ must be the edited one: reused flows must give the fresh analysis exactly.
  sc::organization org{.name = "qna"};
  org.add_unit({.id = "front", .service_time = 0.2, .service_scv = 3});
  org.add_unit({.id = "middle", .servers = 2, .service_time = 0.5, .service_scv = 0.5});
  org.add_unit({.id = "back", .service_time = 0.1, .service_scv = 2});
  org.add_unit({.id = "c", .external = true, .demand = 2});
  org.add_link({.from = "front", .to = "c"});
  org.add_link({.from = "middle", .to = "front"});
  org.add_link({.from = "back", .to = "middle", .requests = 2});
  const auto g = sc::compile(org);
  const sc::open_options qna{.variability = sc::arrival_variability::propagate};
  const auto base = sc::analyze_open(g, qna);
  for (const char* edit : {"units/front/service_time=0.35", "units/middle/service_time=0.8",
                           "units/back/service_time=0.2", "links/back/middle/service_time=0.2"}) {
    SCOPED_TRACE(edit);
    const auto edited = sc::apply_scenario(g, g.numbers(), edits(g, {edit}));
    const auto reused = sc::analyze_open(g, edited, base.load, qna);
    const auto fresh = sc::analyze_open(g, edited, qna);
    for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
      EXPECT_EQ(reused.units[i].utilization, fresh.units[i].utilization) << g.id(sc::unit_index{i});
      EXPECT_EQ(reused.units[i].arrival_scv, fresh.units[i].arrival_scv) << g.id(sc::unit_index{i});
      EXPECT_EQ(reused.units[i].wait, fresh.units[i].wait) << g.id(sc::unit_index{i});
    }
    EXPECT_EQ(reused.customers[0].lead_time, fresh.customers[0].lead_time);
  }
}

TEST(ScenarioTest, ASaturatedScenarioNamesItsUnits) {
  const auto g = mm1();
  try {
    (void)sc::compare(g, g.numbers(), sc::apply_scenario(g, g.numbers(), edits(g, {}, 2.5)));  // λ = 5 > μ = 4
    FAIL() << "no unstable_error";
  } catch (const sc::unstable_error& e) {
    ASSERT_EQ(e.units().size(), 1u);
    EXPECT_EQ(e.units()[0].id, "desk");
    EXPECT_NEAR(e.units()[0].utilization, 1.25, 1e-12);
  }
}

TEST(ScenarioTest, BadScenariosAreClearErrors) {
  const auto g = mm1();
  try {
    (void)sc::apply_scenario(g, g.numbers(), edits(g, {}, -1));
    FAIL() << "no error";
  } catch (const sc::error& e) {
    EXPECT_THAT(e.what(), HasSubstr("demand scale"));
  }
  try {
    (void)sc::apply_scenario(g, g.numbers(), edits(g, {"units/desk/service_time=0"}));
    FAIL() << "no error";
  } catch (const sc::error& e) {
    EXPECT_THAT(e.what(), HasSubstr("units/desk/service_time"));
  }
}

TEST(ScenarioTest, EditedOrganizationComparedById) {
  // Base: c (λ = 1) served by a (M/M/1, s = 0.5: W = 1), which waits for b (M/M/2, s = 0.8:
  // W = 20/21, Erlang C) and pool (unlimited, W = 0.3). Edited: pool replaced by d (M/M/1,
  // s = 0.25: W = 1/(4 − 1) = 1/3), and a second customer e of a (λ = 0.5): a's λ = 1.5, W = 2.
  sc::organization base{.name = "base"};
  base.add_unit({.id = "a", .service_time = 0.5});
  base.add_unit({.id = "b", .servers = 2, .service_time = 0.8});
  base.add_unit({.id = "pool", .servers = sc::server_count::unlimited(), .service_time = 0.3});
  base.add_unit({.id = "c", .external = true, .demand = 1});
  base.add_link({.from = "a", .to = "c"});
  base.add_link({.from = "b", .to = "a"});
  base.add_link({.from = "pool", .to = "a"});
  sc::organization edited{.name = "edited"};
  edited.add_unit({.id = "e", .external = true, .demand = 0.5});
  edited.add_unit({.id = "d", .service_time = 0.25});
  edited.add_unit({.id = "a", .service_time = 0.5});
  edited.add_unit({.id = "b", .servers = 2, .service_time = 0.8});
  edited.add_unit({.id = "c", .external = true, .demand = 1});
  edited.add_link({.from = "d", .to = "a"});
  edited.add_link({.from = "a", .to = "c"});
  edited.add_link({.from = "b", .to = "a"});
  edited.add_link({.from = "a", .to = "e"});
  const auto g0 = sc::compile(base);
  const auto g1 = sc::compile(edited);
  const auto r0 = sc::analyze_open(g0);
  const auto r1 = sc::analyze_open(g1);
  const auto o = sc::compare(g0, r0, g1, r1);
  EXPECT_EQ(o.added_units, (std::vector<std::string>{"e", "d"}));
  EXPECT_EQ(o.removed_units, std::vector<std::string>{"pool"});
  EXPECT_EQ(o.added_links, (std::vector<std::string>{"d->a", "a->e"}));
  EXPECT_EQ(o.removed_links, std::vector<std::string>{"pool->a"});
  ASSERT_EQ(o.common.customers.size(), 1u);
  EXPECT_EQ(g1.id(o.common.customers[0].customer), "c");
  // b: λ = 1.5, a = 1.2, ρ = 0.6: C = (0.72/0.4)/(1 + 1.2 + 0.72/0.4) = 0.45, Wq = 0.45/(2.5 − 1.5), W = 1.25.
  // d: λ = 1.5, W = 1/(4 − 1.5) = 0.4.
  expect_change(o.common.customers[0].lead_time, 1.0 + 20.0 / 21.0 + 0.3, 2.0 + 1.25 + 0.4, "lead time of c");
  ASSERT_EQ(o.common.units.size(), 3u);  // a, b, c in the edited model's order
  EXPECT_EQ(g1.id(o.common.units[0].unit), "a");
  expect_change(o.common.units[0].utilization, 0.5, 0.75, "a");
  expect_change(o.common.units[1].sojourn, 20.0 / 21.0, 1.25, "b");
  ASSERT_EQ(o.common.links.size(), 2u);  // a->c and b->a
  EXPECT_EQ(o.common.links[0].link, g1.link_between("a", "c"));
  expect_change(o.common.links[1].load, 1.0, 1.5, "b->a");
  // Mean lead time over c and e: (1 · L_c + 0.5 · L_e) / 1.5, L_e = L_c (same chain).
  expect_change(o.common.mean_lead_time, 1.0 + 20.0 / 21.0 + 0.3, 2.0 + 1.25 + 0.4, "mean lead time");

  // A model against itself: nothing added, removed or changed.
  const auto same = sc::compare(g0, r0, g0, r0);
  EXPECT_TRUE(same.added_units.empty() && same.removed_units.empty() && same.added_links.empty() &&
              same.removed_links.empty());
  for (const auto* k : all_changes(same.common)) EXPECT_EQ(k->difference, 0.0);
  EXPECT_EQ(same.common.units.size(), g0.unit_count());
}

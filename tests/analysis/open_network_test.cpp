#include "servicechain/analysis/open_network.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <vector>

#include "support/oracles.hpp"

namespace sc = servicechain;
using sc_test::near_rel;
using ::testing::HasSubstr;

namespace {

// Every decomposition must add up to its total, each computed along a different route:
// L_c as Σ_i κ_ic W_i, as Σ over links, and as T propagated towards the customer;
// K_c as Σ_i ℓ_ic k_i and as K propagated towards the customer; −log Q_c likewise.
void expect_decompositions_sum(const sc::service_graph& g, const sc::open_result& r, double tol) {
  // The all-classes form of lead_time_through, summed over links, class by class.
  std::vector<double> through(g.class_count()), by_link_all(g.class_count(), 0.0);
  for (std::uint32_t l = 0; l < g.link_count(); ++l) {
    r.lead_time_through(sc::link_index{l}, through);
    for (std::size_t c = 0; c < g.class_count(); ++c) by_link_all[c] += through[c];
  }
  for (std::size_t c = 0; c < g.class_count(); ++c) {
    SCOPED_TRACE("customer " + g.id(g.customers()[c]));
    const auto& cust = r.customers[c];
    double by_link = 0, by_unit = 0, cost = 0, defects = 0;
    for (std::uint32_t l = 0; l < g.link_count(); ++l) by_link += r.lead_time_through(sc::link_index{l}, c);
    for (std::uint32_t i = 0; i < g.unit_count(); ++i) {
      const sc::unit_index u{i};
      by_unit += r.lead_time_wait(u, c) + r.lead_time_service(u, c);
      cost += r.cost_by_unit(u, c);
      defects += r.defect_share(u, c);
    }
    const auto& at_customer = r.units[g.customers()[c].value()];
    EXPECT_TRUE(near_rel(cust.lead_time, at_customer.lead_time_per_item, tol));
    EXPECT_TRUE(near_rel(by_link, cust.lead_time, tol));
    EXPECT_TRUE(near_rel(by_link_all[c], cust.lead_time, tol));
    EXPECT_TRUE(near_rel(by_unit, cust.lead_time, tol));
    EXPECT_TRUE(near_rel(cust.cost_to_serve, at_customer.cost_per_item, tol));
    EXPECT_TRUE(near_rel(cost, cust.cost_to_serve, tol));
    EXPECT_TRUE(near_rel(cust.defect_free, at_customer.defect_free_per_item, tol));
    if (cust.defect_free < 1) {
      EXPECT_TRUE(near_rel(defects, 1.0, tol));
    }
  }
  EXPECT_TRUE(near_rel(r.allocated_cost + r.unallocated_cost, r.total_cost, tol));
}

}  // namespace

// The worked example of docs/semantics.md: lead time 7 split 1, 1, 5; sojourns 1, 0.8, 4.
TEST(OpenNetworkTest, DesignWorkedExample) {
  for (const char* file : {"rework", "rework_jackson"}) {
    SCOPED_TRACE(file);
    std::ifstream in(sc_test::model_path(std::string(file) + ".expected.json"));
    const auto expected = nlohmann::json::parse(in).at("expected");
    const auto g = sc::compile(sc::load_organization(sc_test::model_path(std::string(file) + ".json")));
    const auto r = sc::analyze_open(g);
    for (const auto& [id, unit] : expected.at("units").items())
      EXPECT_TRUE(near_rel(r.unit(id).sojourn, unit.at("sojourn").get<double>(), 1e-12)) << id;
    for (const auto& [id, cust] : expected.at("customers").items()) {
      const std::size_t c = *g.class_of(g.index_of(id));
      EXPECT_TRUE(near_rel(r.customers[c].lead_time, cust.at("lead_time").get<double>(), 1e-12));
      for (const auto& [unit, share] : cust.at("lead_time_by_unit").items())
        EXPECT_TRUE(near_rel(r.lead_time_contribution(g.index_of(unit), c), share.get<double>(), 1e-12)) << unit;
    }
    expect_decompositions_sum(g, r, 1e-12);
  }
}

// Open Jackson networks (qnopen): utilization, response time per visit, number at each
// station, and the system response time, which is the customer's lead time.
TEST(OpenNetworkTest, OpenJacksonNetworksMatchOctave) {
  for (const char* name : {"open_jackson_4_mm1", "open_jackson_6_multiserver"}) {
    SCOPED_TRACE(name);
    const auto& c = sc_test::queueing_case(name);
    const auto g = sc::compile(sc_test::open_network_model(c.at("inputs")));
    const auto r = sc::analyze_open(g);
    const auto& names = c.at("inputs").at("station_names");
    const auto& out = c.at("outputs");
    for (std::size_t k = 0; k < names.size(); ++k) {
      const auto& u = r.unit(names[k].get<std::string>());
      const bool delay = c.at("inputs").at("servers")[k].get<int>() == 0;
      EXPECT_TRUE(near_rel(delay ? u.busy_servers : u.utilization, out.at("U")[k].get<double>(), 1e-9)) << names[k];
      EXPECT_TRUE(near_rel(u.sojourn, out.at("R")[k].get<double>(), 1e-9)) << names[k];
      EXPECT_TRUE(near_rel(u.number_in_unit, out.at("Q")[k].get<double>(), 1e-9)) << names[k];
    }
    EXPECT_TRUE(near_rel(r.customers[0].lead_time, out.at("system_response_time").get<double>(), 1e-9));
    expect_decompositions_sum(g, r, 1e-12);
  }
}

TEST(OpenNetworkTest, SaturatedModelListsEverySaturatedUnit) {
  const auto& c = sc_test::queueing_case("open_unstable");
  const auto g = sc::compile(sc_test::open_network_model(c.at("inputs")));
  try {
    (void)sc::analyze_open(g);
    FAIL() << "expected unstable_error";
  } catch (const sc::unstable_error& e) {
    ASSERT_EQ(e.units().size(), 1u);
    EXPECT_EQ(e.units()[0].id, "db");
    EXPECT_TRUE(near_rel(e.units()[0].utilization, c.at("outputs").at("offered_utilization")[2].get<double>(), 1e-12));
    EXPECT_THAT(e.what(), HasSubstr("unit 'db': utilization = 1.0597"));
    EXPECT_THAT(e.what(), HasSubstr("capacity"));
  }
}

// An async link adds load, never lead time. By hand: A (s = 0.5) serves C synchronously,
// B (s = 0.25) asynchronously, demand 1: L = W_A = 0.5 / (1 − 0.5) = 1; B still runs at ρ 0.25.
TEST(OpenNetworkTest, AsyncLinksAddLoadNotLeadTime) {
  sc::organization org;
  org.add_unit({.id = "A", .service_time = 0.5});
  org.add_unit({.id = "B", .service_time = 0.25});
  org.add_unit({.id = "C", .external = true, .demand = 1});
  org.add_link({.from = "A", .to = "C"});
  org.add_link({.from = "B", .to = "C", .mode = sc::link_mode::async});
  const auto g = sc::compile(org);
  const auto r = sc::analyze_open(g);
  EXPECT_TRUE(near_rel(r.customers[0].lead_time, 1.0, 1e-12));
  EXPECT_TRUE(near_rel(r.unit("B").utilization, 0.25, 1e-12));
  EXPECT_EQ(r.lead_time_contribution(g.index_of("B"), 0), 0.0);
  EXPECT_EQ(r.lead_time_through(sc::link_index{1}, 0), 0.0);
  expect_decompositions_sum(g, r, 1e-12);
}

// Sync inputs in sequence, with requests: P (s = 0.1) serves J twice per item, J (s = 0.2)
// serves the customer, demand 2. λ_P = 4, ρ_P = 0.4, W_P = 0.1/0.6; ρ_J = 0.4, W_J = 0.2/0.6.
// L = W_J + 2 W_P = 2/3, split 1/3 and 1/3; link P->J carries 2 W_P = 1/3.
TEST(OpenNetworkTest, RequestsMultiplyLeadTimeByHand) {
  sc::organization org;
  org.add_unit({.id = "P", .service_time = 0.1});
  org.add_unit({.id = "J", .service_time = 0.2});
  org.add_unit({.id = "cust", .external = true, .demand = 2});
  org.add_link({.from = "P", .to = "J", .requests = 2});
  org.add_link({.from = "J", .to = "cust"});
  const auto g = sc::compile(org);
  const auto r = sc::analyze_open(g);
  EXPECT_TRUE(near_rel(r.customers[0].lead_time, 2.0 / 3.0, 1e-12));
  EXPECT_TRUE(near_rel(r.lead_time_contribution(g.index_of("P"), 0), 1.0 / 3.0, 1e-12));
  EXPECT_TRUE(near_rel(r.lead_time_through(sc::link_index{0}, 0), 1.0 / 3.0, 1e-12));
  EXPECT_TRUE(near_rel(r.lead_time_through(sc::link_index{1}, 0), 1.0 / 3.0, 1e-12));
  // Waiting part of P: κ Wq = 2 · (0.1/0.6 − 0.1); service part 2 · 0.1.
  EXPECT_TRUE(near_rel(r.lead_time_wait(g.index_of("P"), 0), 2.0 * (0.1 / 0.6 - 0.1), 1e-12));
  EXPECT_TRUE(near_rel(r.lead_time_service(g.index_of("P"), 0), 0.2, 1e-12));
}

// Cost by hand: P (salary 10/h, 1 per request) serves J (salary 20/h) twice per item; J
// serves the customer (demand 2/h), QA-style acceptance 0.8 on P -> J (e = 0.25).
// Loads: λ_P = 4 · 1.25 = 5, λ_J = 2 · (1 + 2 · 0.25) = 3.
// k_P = 1 + 10/5 = 3, k_J = 20/3. K_c = ℓ_P k_P + ℓ_J k_J = 2.5 · 3 + 1.5 · 20/3 = 17.5.
// Total cost 10 + 5 + 20 = 35 = 2 · 17.5; nothing unallocated. Rework: 1 redo/h at P and
// 1 re-check/h at J, costing 3 + 20/3.
TEST(OpenNetworkTest, CostToServeAndReworkCostByHand) {
  sc::organization org{.currency = "EUR"};
  org.add_unit({.id = "P", .service_time = 0.1, .cost_per_time = 10, .cost_per_request = 1});
  org.add_unit({.id = "J", .service_time = 0.2, .cost_per_time = 20});
  org.add_unit({.id = "idle", .service_time = 1, .cost_per_time = 7});  // serves nobody
  org.add_unit({.id = "cust", .external = true, .demand = 2});
  org.add_link({.from = "P", .to = "J", .requests = 2, .acceptance = 0.8});
  org.add_link({.from = "J", .to = "cust"});
  const auto g = sc::compile(org);
  const auto r = sc::analyze_open(g);
  EXPECT_TRUE(near_rel(r.unit("P").cost_per_service, 3.0, 1e-12));
  EXPECT_TRUE(near_rel(r.customers[0].cost_to_serve, 17.5, 1e-12));
  EXPECT_TRUE(near_rel(r.total_cost, 42.0, 1e-12));
  EXPECT_TRUE(near_rel(r.unallocated_cost, 7.0, 1e-12));
  EXPECT_TRUE(near_rel(r.allocated_cost, 35.0, 1e-12));
  ASSERT_EQ(r.misaligned.size(), 1u);
  EXPECT_EQ(g.id(r.misaligned[0]), "idle");
  EXPECT_FALSE(r.unit("idle").aligned);
  ASSERT_EQ(r.rework.size(), 1u);
  EXPECT_TRUE(near_rel(r.rework[0].rework_flow, 1.0, 1e-12));
  EXPECT_TRUE(near_rel(r.rework[0].extra_load, 2.0, 1e-12));
  EXPECT_TRUE(near_rel(r.rework[0].extra_cost, 3.0 + 20.0 / 3.0, 1e-12));
  expect_decompositions_sum(g, r, 1e-12);
}

// The worked example's rejections cost, by the Jackson closed form: with acceptance 1,
// loads are (1, 1, 1), W = (1, 0.4/0.6, (2/3)/(1/3)) and L = 1 + 2/3 + 2; with 0.8, L = 7.
TEST(OpenNetworkTest, ExtraLeadTimeOfRejectionsMatchesReSolvedNetwork) {
  const auto g = sc::compile(sc::load_organization(sc_test::model_path("rework.json")));
  const auto r = sc::analyze_open(g);
  ASSERT_EQ(r.rework.size(), 1u);
  EXPECT_TRUE(near_rel(r.rework[0].extra_lead_time[0], 7.0 - (1.0 + 2.0 / 3.0 + 2.0), 1e-12));
  EXPECT_TRUE(near_rel(r.rework[0].extra_load, 0.5, 1e-12));
}

// Quality by hand: supplier (yield 0.9) serves maker (yield 0.8) twice per item:
// Q = 0.8 · 0.9² = 0.648; −log Q splits as 2·(−log 0.9) and −log 0.8.
TEST(OpenNetworkTest, DefectFreeProbabilityAndSharesByHand) {
  sc::organization org;
  org.add_unit({.id = "supplier", .service_time = 0.01, .yield = 0.9});
  org.add_unit({.id = "maker", .service_time = 0.01, .yield = 0.8});
  org.add_unit({.id = "cust", .external = true, .demand = 1});
  org.add_link({.from = "supplier", .to = "maker", .requests = 2});
  org.add_link({.from = "maker", .to = "cust"});
  const auto g = sc::compile(org);
  const auto r = sc::analyze_open(g);
  EXPECT_TRUE(near_rel(r.customers[0].defect_free, 0.648, 1e-12));
  const double total = -std::log(0.648);
  EXPECT_TRUE(near_rel(r.defect_share(g.index_of("supplier"), 0), -2 * std::log(0.9) / total, 1e-12));
  EXPECT_TRUE(near_rel(r.defect_share(g.index_of("maker"), 0), -std::log(0.8) / total, 1e-12));
}

// QNA (Whitt 1983): a tandem line. The first unit (ρ = 0.8, cs² = 0.25) has Poisson
// arrivals; its departures, cd² = 1 + 0.64 · (0.25 − 1) = 0.52, are the second unit's
// arrivals; with requests 0.3 the stream is split: 0.3 · 0.52 + 0.7 = 0.856.
TEST(OpenNetworkTest, QnaPropagatesVariabilityAlongATandemLine) {
  for (double requests : {1.0, 0.3}) {
    SCOPED_TRACE(requests);
    sc::organization org;
    org.add_unit({.id = "second", .service_time = 0.5});
    org.add_unit({.id = "first", .service_time = 0.8, .service_scv = 0.25});
    org.add_unit({.id = "cust", .external = true, .demand = 1});
    org.add_link({.from = "first", .to = "cust"});
    org.add_link({.from = "second", .to = "first", .requests = requests});
    const auto g = sc::compile(org);
    const auto r = sc::analyze_open(g, {.variability = sc::arrival_variability::propagate});
    EXPECT_TRUE(near_rel(r.unit("first").arrival_scv, 1.0, 1e-12));
    EXPECT_TRUE(near_rel(r.unit("second").arrival_scv, requests == 1.0 ? 0.52 : 0.856, 1e-12));
    // Allen–Cunneen at the second unit with that ca² (M/M/1 wait times (ca² + 1)/2).
    const double rho = 0.5 * requests;
    const double ca2 = r.unit("second").arrival_scv;
    EXPECT_TRUE(near_rel(r.unit("second").wait, rho * 0.5 / (1 - rho) * (ca2 + 1) / 2, 1e-12));
    // Poisson everywhere stays Poisson.
    const auto poisson = sc::analyze_open(g);
    EXPECT_EQ(poisson.unit("second").arrival_scv, 1.0);
  }
}

// Invariants on every bundled example model and on random models with loops, rework,
// async links, unlimited servers and costs.
TEST(OpenNetworkTest, InvariantsHoldOnExampleModels) {
  std::size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SERVICECHAIN_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().filename().string());
    sc::service_graph g = sc::compile(sc::load_organization(entry.path()));
    for (auto variability : {sc::arrival_variability::poisson, sc::arrival_variability::propagate}) {
      const auto r = sc::analyze_open(g, {.variability = variability});
      expect_decompositions_sum(g, r, 1e-12);
    }
    ++seen;
  }
  EXPECT_GE(seen, 3u);
}

TEST(OpenNetworkTest, InvariantsHoldOnRandomModels) {
  std::mt19937_64 rng(2026);
  std::uniform_real_distribution<double> uniform(0, 1);
  for (int trial = 0; trial < 20; ++trial) {
    SCOPED_TRACE(trial);
    sc::organization org;
    const int n = 30;
    for (int i = 0; i < n; ++i) {
      org.add_unit({.id = fmt::format("u{}", i),
                    .servers = i % 7 == 3 ? sc::server_count::unlimited() : sc::server_count(1 + i % 3),
                    .service_time = 0.001 + 0.01 * uniform(rng),
                    .service_scv = 2 * uniform(rng),
                    .cost_per_time = 100 * uniform(rng),
                    .cost_per_request = uniform(rng),
                    .yield = 0.9 + 0.1 * uniform(rng)});
    }
    for (int c = 0; c < 3; ++c) org.add_unit({.id = fmt::format("c{}", c), .external = true, .demand = 1 + c});
    for (int j = 0; j < n; ++j) {
      for (int k = 0; k < 3; ++k) {
        const int i = static_cast<int>(uniform(rng) * n);
        if (i == j) continue;
        org.add_link({.from = fmt::format("u{}", i), .to = fmt::format("u{}", j), .requests = 0.3 * uniform(rng),
                      .mode = uniform(rng) < 0.2 ? sc::link_mode::async : sc::link_mode::sync,
                      .acceptance = uniform(rng) < 0.3 ? 0.6 + 0.4 * uniform(rng) : 1.0});
      }
    }
    for (int c = 0; c < 3; ++c)
      for (int k = 0; k < 4; ++k)
        org.add_link({.from = fmt::format("u{}", static_cast<int>(uniform(rng) * n)), .to = fmt::format("c{}", c),
                      .acceptance = uniform(rng) < 0.3 ? 0.9 : 1.0});
    const auto g = sc::compile(org);
    for (auto variability : {sc::arrival_variability::poisson, sc::arrival_variability::propagate})
      expect_decompositions_sum(g, sc::analyze_open(g, {.variability = variability}), 1e-12);
  }
}

// QNA when the consumer itself redoes work: the customer accepts half of J's deliveries
// (e = 1), so J serves λ_J = 2 per request while sending P one request per fresh item.
// J: Poisson arrivals, cs² = 0.25, ρ = 2 · 0.4 = 0.8: cd² = 1 + 0.64 · (0.25 − 1) = 0.52.
// Half of J's departures go to P (q = a / λ_J = 1/2): ca²_P = 0.5 · 0.52 + 0.5 = 0.76.
TEST(OpenNetworkTest, QnaSplitsByTheShareOfTheConsumersDepartures) {
  sc::organization org;
  org.add_unit({.id = "P", .service_time = 0.1});
  org.add_unit({.id = "J", .service_time = 0.4, .service_scv = 0.25});
  org.add_unit({.id = "cust", .external = true, .demand = 1});
  org.add_link({.from = "P", .to = "J"});
  org.add_link({.from = "J", .to = "cust", .acceptance = 0.5});
  const auto g = sc::compile(org);
  const auto r = sc::analyze_open(g, {.variability = sc::arrival_variability::propagate});
  EXPECT_TRUE(near_rel(r.unit("J").load, 2.0, 1e-12));
  EXPECT_TRUE(near_rel(r.unit("J").arrival_scv, 1.0, 1e-12));
  EXPECT_TRUE(near_rel(r.unit("P").arrival_scv, 0.76, 1e-12));
}

// A what-if that edits only service times, servers or costs reuses the base's flows stage:
// the same result, bit for bit, as the full analysis of the edited numbers; flows from
// numbers whose requests, acceptance or demands differ are refused.
TEST(OpenNetworkTest, ReusedFlowsGiveTheFullAnalysis) {
  std::size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SERVICECHAIN_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const sc::service_graph g = sc::compile(sc::load_organization(entry.path()));
    const sc::open_result base = sc::analyze_open(g);
    sc::model_numbers edited = g.numbers();
    const sc::unit_index u = g.links()[0].provider;  // an internal unit with work
    edited.set(g, u, sc::unit_field::service_time, 0.9 * edited.unit(u).service_time);
    edited.set(g, u, sc::unit_field::cost_per_time, 2 * edited.unit(u).cost_per_time + 1);
    const sc::open_result full = sc::analyze_open(g, edited);
    const sc::open_result reused = sc::analyze_open(g, edited, base.load);
    for (std::size_t c = 0; c < g.class_count(); ++c) {
      EXPECT_EQ(reused.customers[c].lead_time, full.customers[c].lead_time);
      EXPECT_EQ(reused.customers[c].cost_to_serve, full.customers[c].cost_to_serve);
    }
    for (std::size_t i = 0; i < g.unit_count(); ++i) EXPECT_EQ(reused.units[i].wait, full.units[i].wait);
    EXPECT_NE(full.customers[0].lead_time, base.customers[0].lead_time);  // the edit mattered

    sc::model_numbers rerouted = edited;
    rerouted.set(g, sc::link_index{0}, sc::link_field::acceptance, 0.5);
    EXPECT_THAT([&] { (void)sc::analyze_open(g, rerouted, base.load); },
                ::testing::ThrowsMessage<sc::error>(::testing::HasSubstr("compute them with compute_load")));
    ++seen;
  }
  EXPECT_GE(seen, 4u);
}

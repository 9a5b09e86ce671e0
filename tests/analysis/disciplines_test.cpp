// Scheduling disciplines in the network: the hand-worked cases of the "customer first"
// question, per-link waits, the FIFO comparison and its invariants.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "support/oracles.hpp"

namespace sc = servicechain;
using sc_test::near_rel;

namespace {

// A manager (one server, exponential service mean 1) serves walk-in customers directly and
// approves the files of a loan officer (a pure delay of negligible time) for the other
// customers: λ = 0.4 per class at the manager.
//
//   manager ──> walk_in (external, 0.4/h)
//      └──────> officer (unlimited, s = 1e-9) ──> loans (external, 0.4/h)
sc::organization branch(sc::discipline d, bool preemptive = false, std::int64_t servers = 1, double service = 1.0,
                        double demand = 0.4) {
  sc::organization org{.name = "branch"};
  org.add_unit({.id = "manager", .servers = servers, .service_time = service, .queue_discipline = d,
                .preemptive = preemptive});
  org.add_unit({.id = "officer", .servers = sc::server_count::unlimited(), .service_time = 1e-9});
  org.add_unit({.id = "walk_in", .external = true, .demand = demand});
  org.add_unit({.id = "loans", .external = true, .demand = demand});
  org.add_link({.from = "manager", .to = "walk_in", .priority = 0});
  org.add_link({.from = "manager", .to = "officer", .priority = 1});
  org.add_link({.from = "officer", .to = "loans"});
  return org;
}

double wait_of(const sc::open_result& r, const sc::service_graph& g, std::string_view to) {
  return r.stations.links[g.link_between("manager", to).value()].wait;
}

}  // namespace

TEST(DisciplinesTest, CustomerFirstOnOneServerNonPreemptive) {
  const auto g = sc::compile(branch(sc::discipline::external_first));
  const auto r = sc::analyze_open(g);
  // Cobham: W0 = Σλ E[S²]/2 = 0.8; waits W0/(1−0.4) = 4/3 and W0/((1−0.4)(1−0.8)) = 20/3.
  EXPECT_TRUE(near_rel(wait_of(r, g, "walk_in"), 4.0 / 3.0, 1e-9));
  EXPECT_TRUE(near_rel(wait_of(r, g, "officer"), 20.0 / 3.0, 1e-9));
  // FIFO: M/M/1 at ρ = 0.8, Wq = 4 for both.
  EXPECT_TRUE(near_rel(r.stations.links[0].wait_fifo, 4.0, 1e-9));
  EXPECT_TRUE(near_rel(r.stations.links[1].wait_fifo, 4.0, 1e-9));
  // The lead times follow along the chain: service 1 plus the wait (the officer adds 1e-9).
  EXPECT_TRUE(near_rel(r.customer("walk_in").lead_time, 1 + 4.0 / 3.0, 1e-9));
  EXPECT_TRUE(near_rel(r.customer("loans").lead_time, 1 + 20.0 / 3.0 + 1e-9, 1e-9));
  EXPECT_TRUE(near_rel(r.customer("walk_in").lead_time_fifo, 5.0, 1e-9));
  EXPECT_TRUE(near_rel(r.customer("loans").lead_time_fifo, 5.0 + 1e-9, 1e-9));
  EXPECT_EQ(r.stations.unit("manager").method, "Cobham M/G/1 priority");
  // Internal first is the mirror image; `priority` with the links' priorities equals external first.
  const auto g2 = sc::compile(branch(sc::discipline::internal_first));
  EXPECT_TRUE(near_rel(wait_of(sc::analyze_open(g2), g2, "officer"), 4.0 / 3.0, 1e-9));
  const auto g3 = sc::compile(branch(sc::discipline::priority));
  EXPECT_TRUE(near_rel(wait_of(sc::analyze_open(g3), g3, "officer"), 20.0 / 3.0, 1e-9));
}

TEST(DisciplinesTest, PreemptiveResumeAndProcessorSharing) {
  {
    const auto g = sc::compile(branch(sc::discipline::external_first, /*preemptive=*/true));
    const auto r = sc::analyze_open(g);
    // Sojourns s/(1−σ_{p−1}) + R/((1−σ_{p−1})(1−σ_p)): 1 + 0.4/0.6 = 5/3, 1/0.6 + 0.8/(0.6·0.2) = 25/3.
    EXPECT_TRUE(near_rel(r.stations.links[0].sojourn, 5.0 / 3.0, 1e-9));
    EXPECT_TRUE(near_rel(r.stations.links[1].sojourn, 25.0 / 3.0, 1e-9));
  }
  {
    const auto g = sc::compile(branch(sc::discipline::shared));
    const auto r = sc::analyze_open(g);
    // Processor sharing: s/(1 − ρ) = 5 for both, insensitive to the service law.
    EXPECT_TRUE(near_rel(r.stations.links[0].sojourn, 5.0, 1e-9));
    EXPECT_TRUE(near_rel(r.stations.links[1].sojourn, 5.0, 1e-9));
    EXPECT_TRUE(near_rel(r.customer("walk_in").lead_time, 5.0, 1e-9));
  }
}

TEST(DisciplinesTest, TwoServersNonPreemptiveEqualMeans) {
  // M/M/2, μ = 0.75 (s = 4/3), λ = 0.5 per class: a = 4/3, C(2, 4/3) = 8/15 · ... → waits 8/15 and 8/5.
  const auto g = sc::compile(branch(sc::discipline::external_first, false, 2, 4.0 / 3.0, 0.5));
  const auto r = sc::analyze_open(g);
  EXPECT_TRUE(near_rel(wait_of(r, g, "walk_in"), 8.0 / 15.0, 1e-9));
  EXPECT_TRUE(near_rel(wait_of(r, g, "officer"), 8.0 / 5.0, 1e-9));
  EXPECT_TRUE(r.stations.unit("manager").exact);
}

TEST(DisciplinesTest, WorkConservationHoldsAtEveryNonPreemptiveUnit) {
  // Kleinrock's conservation law (1965): at a non-preemptive work-conserving unit the
  // work-weighted wait Σ ρ_l Wq_l does not depend on the order of service, with one server
  // (any service laws) or with equal exponential service (M/M/c).
  std::mt19937 rng(8);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int k = 0; k < 50; ++k) {
    const std::int64_t servers = k % 2 == 0 ? 1 : 1 + static_cast<std::int64_t>(rng() % 4);
    sc::organization org;
    org.add_unit({.id = "desk", .servers = servers, .service_time = 1, .service_scv = servers == 1 ? 2 * u(rng) : 1,
                  .queue_discipline = sc::discipline::priority});
    const int consumers = 2 + static_cast<int>(rng() % 4);
    for (int c = 0; c < consumers; ++c) {
      const std::string id = fmt::format("c{}", c);
      org.add_unit({.id = id, .external = true, .demand = 0.15 * static_cast<double>(servers) * u(rng)});
      sc::link l{.from = "desk", .to = id, .priority = static_cast<std::int64_t>(rng() % 3)};
      if (servers == 1) l.service_time = 0.3 + u(rng);  // per-consumer service times
      org.add_link(l);
    }
    const auto g = sc::compile(org);
    const auto r = sc::analyze_open(g);
    double with_priority = 0, fifo = 0;
    for (std::uint32_t l = 0; l < g.link_count(); ++l) {
      const auto& ls = r.stations.links[l];
      with_priority += ls.load * ls.service_time * ls.wait;
      fifo += ls.load * ls.service_time * ls.wait_fifo;
    }
    EXPECT_TRUE(near_rel(with_priority, fifo, 1e-9)) << "case " << k << " servers " << servers << " " << with_priority << " vs " << fifo;
  }
}

TEST(DisciplinesTest, AllFifoModelKeepsItsResultsAndFifoComparisonIsExact) {
  // A model with disciplines: its all-FIFO lead time equals analysing the model with
  // every unit set to FIFO.
  for (const char* file : {"retail_bank.json", "hospital.json", "software_company.json"}) {
    SCOPED_TRACE(file);
    const auto g = sc::compile(sc::load_organization(std::string(SERVICECHAIN_EXAMPLES_DIR "/") + file));
    sc::model_numbers fifo = g.numbers();
    for (std::uint32_t i = 0; i < g.unit_count(); ++i) fifo.set_discipline(g, sc::unit_index{i}, sc::discipline::fifo);
    const auto given = sc::analyze_open(g);
    const auto all_fifo = sc::analyze_open(g, fifo);
    for (std::size_t c = 0; c < g.class_count(); ++c) {
      EXPECT_TRUE(near_rel(given.customers[c].lead_time_fifo, all_fifo.customers[c].lead_time, 1e-9));
      EXPECT_TRUE(near_rel(all_fifo.customers[c].lead_time_fifo, all_fifo.customers[c].lead_time, 1e-15));
      double sum = 0;  // the per-link decomposition sums to the lead time
      for (std::uint32_t l = 0; l < g.link_count(); ++l) sum += given.link_lead_time(sc::link_index{l}, c);
      EXPECT_TRUE(near_rel(sum, given.customers[c].lead_time, 1e-9));
      double through = 0, by_unit = 0;
      for (std::uint32_t l = 0; l < g.link_count(); ++l) through += given.lead_time_through(sc::link_index{l}, c);
      for (std::uint32_t i = 0; i < g.unit_count(); ++i) by_unit += given.lead_time_contribution(sc::unit_index{i}, c);
      EXPECT_TRUE(near_rel(through, given.customers[c].lead_time, 1e-9));
      EXPECT_TRUE(near_rel(by_unit, given.customers[c].lead_time, 1e-9));
    }
  }
}

TEST(PolicyTest, EveryAlternativeEqualsAFullReanalysis) {
  for (const char* file : {"retail_bank.json", "hospital.json", "software_company.json"}) {
    SCOPED_TRACE(file);
    const auto g = sc::compile(sc::load_organization(std::string(SERVICECHAIN_EXAMPLES_DIR "/") + file));
    const auto given = sc::analyze_open(g);
    const auto policies = sc::compare_policies(g, g.numbers(), given);
    ASSERT_FALSE(policies.units.empty());
    for (const auto& up : policies.units) {
      for (const auto& a : up.alternatives) {
        SCOPED_TRACE(g.id(up.unit) + ": " + a.name);
        sc::model_numbers edited = g.numbers();
        edited.set_discipline(g, up.unit, a.queue_discipline, a.preemptive);
        if (a.name == "cmu")
          for (std::size_t k = 0; k < up.cmu_order.size(); ++k)
            edited.set_priority(up.cmu_order[k], static_cast<std::int64_t>(k));
        const auto full = sc::analyze_open(g, edited);
        for (std::size_t c = 0; c < g.class_count(); ++c)
          EXPECT_TRUE(near_rel(a.lead_time[c], full.customers[c].lead_time, 1e-9));
      }
      EXPECT_LE(up.alternatives[up.best].mean_lead_time, up.alternatives[0].mean_lead_time);
    }
  }
}

TEST(PolicyTest, CustomerFirstAtTheManager) {
  // The branch of the tests above: FIFO at the manager gives both customers 5; external
  // first gives the walk-ins 1 + 4/3 and the loans 1 + 20/3 (+ the officer's 1e-9).
  const auto g = sc::compile(branch(sc::discipline::fifo));
  const auto policies = sc::compare_policies(g, g.numbers(), sc::analyze_open(g), {.units = {g.index_of("manager")}});
  ASSERT_EQ(policies.units.size(), 1u);
  const auto& alternatives = policies.units[0].alternatives;
  const auto it = std::find_if(alternatives.begin(), alternatives.end(),
                               [](const auto& a) { return a.name == "external_first"; });
  ASSERT_NE(it, alternatives.end());
  EXPECT_TRUE(near_rel(it->lead_time[0], 1 + 4.0 / 3.0, 1e-9));
  EXPECT_TRUE(near_rel(it->lead_time[1], 1 + 20.0 / 3.0 + 1e-9, 1e-9));
  // Equal demands: the mean lead time is the same under every non-preemptive order with
  // equal service times (conservation), 5 + 5e-10.
  EXPECT_TRUE(near_rel(it->mean_lead_time, 5 + 0.5e-9, 1e-9));
}

TEST(DisciplinesTest, ReworkLeadTimeEqualsReanalysisWithFullAcceptance) {
  // The extra lead time of a link's rejections is exactly the lead time minus the lead time
  // with that link's acceptance at 1 (everything else unchanged), at units of any discipline
  // and with per-link service times.
  for (int variant = 0; variant < 3; ++variant) {
    SCOPED_TRACE(variant);
    sc::organization org{.name = "r"};
    org.add_unit({.id = "manager", .service_time = 1.0,
                  .queue_discipline = variant == 0 ? sc::discipline::external_first : sc::discipline::fifo});
    org.add_unit({.id = "officer", .servers = variant == 2 ? sc::server_count(1) : sc::server_count::unlimited(),
                  .service_time = variant == 2 ? 0.5 : 1e-9,
                  .queue_discipline = variant == 2 ? sc::discipline::shared : sc::discipline::fifo});
    org.add_unit({.id = "walk_in", .external = true, .demand = 0.3});
    org.add_unit({.id = "loans", .external = true, .demand = 0.3});
    org.add_link({.from = "manager", .to = "walk_in"});
    sc::link file{.from = "manager", .to = "officer", .acceptance = 0.8};
    if (variant == 1) file.service_time = 0.4;
    org.add_link(file);
    org.add_link({.from = "officer", .to = "loans"});
    org.add_link({.from = "officer", .to = "walk_in", .requests = 0.5, .acceptance = 0.9});
    const auto g = sc::compile(org);
    const auto r = sc::analyze_open(g);
    ASSERT_EQ(r.rework.size(), 2u);
    for (const auto& rc : r.rework) {
      sc::model_numbers accepted = g.numbers();
      accepted.set(g, rc.link, sc::link_field::acceptance, 1.0);
      const auto without = sc::analyze_open(g, accepted);
      // The difference of two lead times cancels: compare to 1e-9 of the lead time itself.
      for (std::size_t c = 0; c < g.class_count(); ++c)
        EXPECT_NEAR(rc.extra_lead_time[c], r.customers[c].lead_time - without.customers[c].lead_time,
                    1e-9 * r.customers[c].lead_time)
            << "link " << rc.link.value() << " class " << c << ": " << rc.extra_lead_time[c] << " vs "
            << r.customers[c].lead_time - without.customers[c].lead_time;
    }
  }
}

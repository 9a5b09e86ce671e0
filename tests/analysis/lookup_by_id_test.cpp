// Lookups by id on every result with per-customer (or per-unit) entries.
//
// On the bundled hospital model (three open classes), each lookup must return the entry
// that belongs to the id asked for — checked through the entry's own `customer`/`unit`
// field against the graph's directory, or against the same figure read from the open
// analysis by another path — and an id that is not a customer must throw
// `servicechain.unknown_id` naming it.

#include <gtest/gtest.h>

#include <filesystem>
#include <iterator>
#include <string>

#include "servicechain/analysis/capacity.hpp"
#include "servicechain/analysis/knockout.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/analysis/policy.hpp"
#include "servicechain/analysis/scenario.hpp"
#include "servicechain/analysis/structure.hpp"
#include "servicechain/analysis/sweep.hpp"
#include "servicechain/error.hpp"
#include "servicechain/io/json.hpp"

namespace sc = servicechain;

namespace {

const char* const customers[] = {"emergency_patients", "elective_inpatients", "outpatients"};
const double demands[] = {5, 1, 12};  // as in hospital.json, requests per time unit

sc::organization hospital() {
  return sc::load_organization(std::filesystem::path(SERVICECHAIN_EXAMPLES_DIR) / "hospital.json");
}

/// Runs `lookup` and expects `servicechain.unknown_id` with `id` in the message.
template <typename Lookup>
void expect_unknown(Lookup&& lookup, const std::string& id) {
  try {
    (void)lookup();
    ADD_FAILURE() << "expected servicechain.unknown_id for '" << id << "', got no exception";
  } catch (const sc::error& e) {
    EXPECT_EQ(e.code(), sc::error_code::unknown_id) << e.what();
    EXPECT_NE(std::string(e.what()).find(id), std::string::npos) << "message does not name '" << id << "': " << e.what();
  }
}

class LookupById : public ::testing::Test {
 protected:
  sc::service_graph g = sc::compile(hospital());
  sc::open_result open = sc::analyze_open(g);
  std::string internal_unit = "lab";
};

TEST_F(LookupById, CapacityCustomer) {
  const sc::capacity_result cap = sc::analyze_capacity(g, sc::compute_load(g));
  for (std::size_t k = 0; k < std::size(customers); ++k) {
    const char* id = customers[k];
    EXPECT_EQ(cap.customer(id).customer, g.directory()->at(id)) << id;
    EXPECT_EQ(cap.customer(id).demand, demands[k]) << id;
  }
  expect_unknown([&] { return cap.customer("nobody"); }, "nobody");
  expect_unknown([&] { return cap.customer(internal_unit); }, internal_unit);
}

TEST_F(LookupById, ScenarioUnitAndCustomer) {
  sc::model_numbers edited = g.numbers();
  const sc::scenario_comparison cmp = sc::compare(g, g.numbers(), edited);
  for (const char* id : customers) {
    EXPECT_EQ(cmp.customer(id).customer, g.directory()->at(id)) << id;
    EXPECT_DOUBLE_EQ(cmp.customer(id).lead_time.before, open.customer(id).lead_time) << id;
  }
  EXPECT_EQ(cmp.unit(internal_unit).unit, g.directory()->at(internal_unit));
  EXPECT_DOUBLE_EQ(cmp.unit(internal_unit).utilization.before, open.unit(internal_unit).utilization);
  expect_unknown([&] { return cmp.customer("nobody"); }, "nobody");
  expect_unknown([&] { return cmp.unit("nobody"); }, "nobody");
}

TEST_F(LookupById, OrganizationComparisonSkipsWhatTheBaseLacks) {
  sc::organization bigger = hospital();
  bigger.add_unit({.id = "visitors", .external = true, .demand = 1});
  bigger.add_link({.from = internal_unit, .to = "visitors"});
  const sc::service_graph g2 = sc::compile(bigger);
  const sc::organization_comparison cmp = sc::compare(g, open, g2, sc::analyze_open(g2));
  for (const char* id : customers) EXPECT_EQ(cmp.common.customer(id).customer, g2.directory()->at(id)) << id;
  EXPECT_EQ(cmp.common.unit(internal_unit).unit, g2.directory()->at(internal_unit));
  // In the edited model but not in the base: no entry to return.
  expect_unknown([&] { return cmp.common.customer("visitors"); }, "visitors");
  expect_unknown([&] { return cmp.common.unit("visitors"); }, "visitors");
}

TEST_F(LookupById, PolicyKnockoutSweepLeadTimes) {
  const sc::policy_result policy = sc::compare_policies(g, g.numbers(), open);
  const sc::knockout_result ko = sc::knockout(g, g.numbers());
  const sc::sweep_result sw = sc::sweep(g, g.numbers(), {.from = 1, .to = 1, .step = 1});
  ASSERT_EQ(sw.steps.size(), 1u);
  for (const char* id : customers) {
    const double expected = open.customer(id).lead_time;
    EXPECT_DOUBLE_EQ(policy.lead_time_of(id), expected) << id;
    EXPECT_DOUBLE_EQ(ko.lead_time_of(id), expected) << id;
    EXPECT_DOUBLE_EQ(sw.steps[0].lead_time[sw.class_of(id)], expected) << id;
  }
  EXPECT_EQ(ko.unit(internal_unit).unit, g.directory()->at(internal_unit));
  expect_unknown([&] { return policy.lead_time_of("nobody"); }, "nobody");
  expect_unknown([&] { return ko.lead_time_of(internal_unit); }, internal_unit);
  expect_unknown([&] { return sw.class_of("nobody"); }, "nobody");
  // Only internal units lose capacity.
  expect_unknown([&] { return ko.unit("outpatients"); }, "outpatients");
}

TEST_F(LookupById, StructureGatekeepersAndCriticalChains) {
  const sc::structure_result s = sc::analyze_structure(g);
  ASSERT_TRUE(s.critical_chains.has_value());
  for (const char* id : customers) {
    EXPECT_EQ(s.gatekeepers_of(id).customer, g.directory()->at(id)) << id;
    const sc::critical_chain& chain = s.critical_chain_of(id);
    EXPECT_EQ(chain.customer, g.directory()->at(id)) << id;
    ASSERT_FALSE(chain.units.empty()) << id;
    EXPECT_EQ(chain.units.back(), g.directory()->at(id)) << "the chain ends at its customer";
  }
  expect_unknown([&] { return s.gatekeepers_of("nobody"); }, "nobody");
  expect_unknown([&] { return s.critical_chain_of(internal_unit); }, internal_unit);
}

}  // namespace

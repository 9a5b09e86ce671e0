#include "servicechain/analysis/needs.hpp"

#include <gtest/gtest.h>

#include "servicechain/error.hpp"

namespace sc = servicechain;

namespace {

// p serves a (1 request per item) and b (2 per item); a and b serve the customer c
// (demand 1), one server each (M/M/1). Loads: a 1, b 1, p 1·1 + 2·1 = 3.
// Ratings: p -> a {informed 2, friendly 3} (mean 2.5), p -> b {informed 4} (mean 4).
sc::organization small_model() {
  sc::organization org{.name = "needs"};
  org.add_unit({.id = "p", .service_time = 0.2});
  org.add_unit({.id = "a", .service_time = 0.2});
  org.add_unit({.id = "b", .service_time = 0.1});
  org.add_unit({.id = "c", .external = true, .demand = 1.0});
  org.add_link({.from = "p", .to = "a", .ratings = {{"informed", 2}, {"friendly", 3}}});
  org.add_link({.from = "p", .to = "b", .requests = 2, .ratings = {{"informed", 4}}});
  org.add_link({.from = "a", .to = "c"});
  org.add_link({.from = "b", .to = "c"});
  return org;
}

}  // namespace

// Hand-worked. Flow shares: link loads (1, 2, 1, 1)/5. Unit p's index: (1·2.5 + 2·4)/3 = 3.5;
// informed (1·2 + 2·4)/3 = 10/3, friendly 3 (only p -> a rates it).
TEST(NeedsTest, FlowImportanceAndUnitIndex) {
  const auto org = small_model();
  const auto g = sc::compile(org);
  const auto load = sc::compute_load(g);
  const auto r = sc::analyze_needs(g, org, load, nullptr, {.importance = sc::importance_basis::flow});
  ASSERT_EQ(r.links.size(), 4u);
  EXPECT_NEAR(r.links[0].importance, 0.2, 1e-12);
  EXPECT_NEAR(r.links[1].importance, 0.4, 1e-12);
  EXPECT_NEAR(r.links[2].importance, 0.2, 1e-12);
  EXPECT_NEAR(*r.links[0].performance, 2.5, 1e-12);
  EXPECT_NEAR(*r.links[1].performance, 4, 1e-12);
  EXPECT_FALSE(r.links[2].performance.has_value());
  // Threshold: mean importance of the rated links, (0.2 + 0.4)/2; performance 3.
  EXPECT_NEAR(r.importance_threshold, 0.3, 1e-12);
  EXPECT_EQ(r.performance_threshold, 3);
  EXPECT_EQ(*r.links[0].quadrant, sc::ipa_quadrant::low_priority);
  EXPECT_EQ(*r.links[1].quadrant, sc::ipa_quadrant::keep_up_the_good_work);
  ASSERT_EQ(r.unrated.size(), 2u);
  EXPECT_EQ(r.unrated[0].value(), 2u);
  EXPECT_EQ(r.unrated[1].value(), 3u);
  ASSERT_EQ(r.units.size(), 3u);  // p, a, b (the customer has no outgoing link)
  EXPECT_EQ(g.id(r.units[0].unit), "p");
  EXPECT_NEAR(*r.units[0].index, 3.5, 1e-12);
  EXPECT_NEAR(*r.units[0].by_need[0], 10.0 / 3, 1e-12);  // informed
  EXPECT_NEAR(*r.units[0].by_need[3], 3, 1e-12);         // friendly
  EXPECT_FALSE(r.units[0].by_need[1].has_value());       // nobody rates in_control
  EXPECT_EQ(r.units[0].rated_links, 2u);
  EXPECT_FALSE(r.units[1].index.has_value());  // a -> c is unrated
  // Overridden thresholds move the links between quadrants.
  const auto low = sc::analyze_needs(g, org, load, nullptr,
                                     {.importance = sc::importance_basis::flow, .importance_threshold = 0.1,
                                      .performance_threshold = 4.5});
  EXPECT_EQ(*low.links[0].quadrant, sc::ipa_quadrant::concentrate_here);
  EXPECT_EQ(*low.links[1].quadrant, sc::ipa_quadrant::concentrate_here);
  const auto high = sc::analyze_needs(g, org, load, nullptr,
                                      {.importance = sc::importance_basis::flow, .importance_threshold = 0.5,
                                       .performance_threshold = 2});
  EXPECT_EQ(*high.links[0].quadrant, sc::ipa_quadrant::possible_overkill);
}

// Lead-time shares by hand: W_p = 0.2/(1 − 0.6) = 0.5, W_a = 0.2/0.8 = 0.25,
// W_b = 0.1/0.9; L_c = (1·0.5 + 0.25) + (2·0.5 + 0.1/0.9) (sync inputs in sequence).
// Through p -> a: 0.5, p -> b: 1.0, a -> c: 0.25, b -> c: 1/9.
TEST(NeedsTest, LeadTimeImportance) {
  const auto org = small_model();
  const auto g = sc::compile(org);
  const auto open = sc::analyze_open(g);
  const double lead = 0.5 + 0.25 + 1.0 + 0.1 / 0.9;
  const auto r = sc::analyze_needs(g, org, open.load, &open);
  EXPECT_NEAR(r.links[0].importance, 0.5 / lead, 1e-12);
  EXPECT_NEAR(r.links[1].importance, 1.0 / lead, 1e-12);
  EXPECT_NEAR(r.links[2].importance, 0.25 / lead, 1e-12);
  EXPECT_NEAR(r.links[3].importance, (0.1 / 0.9) / lead, 1e-12);
  EXPECT_NEAR(r.importance_threshold, 0.75 / lead, 1e-12);
  EXPECT_EQ(*r.links[0].quadrant, sc::ipa_quadrant::low_priority);
  EXPECT_EQ(*r.links[1].quadrant, sc::ipa_quadrant::keep_up_the_good_work);
}

// Rework cost: only links that reject have a share; with one such link it is 1.
TEST(NeedsTest, ReworkCostImportance) {
  auto org = small_model();
  org.links[1].acceptance = 0.8;
  org.units[0].cost_per_time = 10;
  const auto g = sc::compile(org);
  const auto open = sc::analyze_open(g);
  const auto r = sc::analyze_needs(g, org, open.load, &open, {.importance = sc::importance_basis::rework_cost});
  EXPECT_NEAR(r.links[1].importance, 1, 1e-12);
  EXPECT_EQ(r.links[0].importance, 0);
  EXPECT_EQ(*r.links[1].quadrant, sc::ipa_quadrant::keep_up_the_good_work);
}

TEST(NeedsTest, BadOptionsAreRejected) {
  const auto org = small_model();
  const auto g = sc::compile(org);
  const auto load = sc::compute_load(g);
  EXPECT_THROW((void)sc::analyze_needs(g, org, load, nullptr), sc::error);  // lead_time needs the open analysis
  EXPECT_THROW((void)sc::analyze_needs(g, org, load, nullptr,
                                       {.importance = sc::importance_basis::flow, .importance_threshold = 2}),
               sc::error);
  EXPECT_THROW((void)sc::analyze_needs(g, org, load, nullptr,
                                       {.importance = sc::importance_basis::flow, .performance_threshold = 0}),
               sc::error);
  EXPECT_EQ(sc::parse_importance_basis("flow"), sc::importance_basis::flow);
  EXPECT_FALSE(sc::parse_importance_basis("speed").has_value());
}

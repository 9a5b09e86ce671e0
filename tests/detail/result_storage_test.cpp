// The open analysis makes its large result arrays ahead and faults them in on a second core
// (src/detail/result_storage.hpp): that only pays if the stages fill the storage reserved for
// them instead of making their own, and it must not change a figure.

#include "detail/result_storage.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "servicechain/servicechain.hpp"

namespace {

namespace sc = servicechain;

sc::service_graph example(const std::string& name) {
  return sc::compile(sc::load_organization(std::string(SERVICECHAIN_EXAMPLES_DIR) + "/" + name));
}

class ResultStorageTest : public ::testing::TestWithParam<const char*> {};

// `v`'s reserved storage is among the buffers a step listed for faulting in ahead: an array
// reserved but not listed would still be right, only slow, so no other test would see it.
template <typename T>
void expect_listed(const sc::detail::reserved_buffers& buffers, const std::vector<T>& v, const char* name) {
  const bool listed = std::any_of(buffers.begin(), buffers.end(), [&](const auto& b) {
    return b.data == v.data() && b.bytes == v.capacity() * sizeof(T);
  });
  EXPECT_TRUE(listed) << name << " (" << v.capacity() << " elements reserved) is not listed";
}

TEST_P(ResultStorageTest, StationsFillTheArraysReservedForThem) {
  const sc::service_graph g = example(GetParam());
  const sc::load_result load = sc::compute_load(g, g.numbers());
  sc::station_result storage;
  sc::detail::reserved_buffers buffers;
  sc::detail::reserve_stations(g, storage, buffers);
  EXPECT_EQ(buffers.size(), 2u);
  expect_listed(buffers, storage.units, "units");
  expect_listed(buffers, storage.links, "links");
  const auto* units = storage.units.data();
  const auto* links = storage.links.data();
  const sc::station_result r = sc::detail::analyze_stations(g, g.numbers(), load, {}, std::move(storage));
  EXPECT_EQ(r.units.data(), units);
  EXPECT_EQ(r.links.data(), links);
  ASSERT_EQ(r.units.size(), g.unit_count());
  ASSERT_EQ(r.links.size(), g.link_count());
}

TEST_P(ResultStorageTest, ChainFillsTheArraysReservedForIt) {
  const sc::service_graph g = example(GetParam());
  const sc::load_result load = sc::compute_load(g, g.numbers());
  const sc::station_result st = sc::analyze_stations(g, g.numbers(), load);
  sc::chain_result storage;
  sc::detail::reserved_buffers buffers;
  sc::detail::reserve_chain(g, storage, buffers);
  EXPECT_EQ(buffers.size(), 6u);
  expect_listed(buffers, storage.units, "units");
  expect_listed(buffers, storage.link_sync_services_per_item, "link_sync_services_per_item");
  expect_listed(buffers, storage.link_sync_requests, "link_sync_requests");
  expect_listed(buffers, storage.link_rejections, "link_rejections");
  expect_listed(buffers, storage.link_consumer, "link_consumer");
  expect_listed(buffers, storage.defect_risk, "defect_risk");
  const auto* units = storage.units.data();
  const auto* per_item = storage.link_sync_services_per_item.data();
  const auto* requests = storage.link_sync_requests.data();
  const auto* rejections = storage.link_rejections.data();
  const auto* consumers = storage.link_consumer.data();
  const auto* risk = storage.defect_risk.data();
  const sc::chain_result r = sc::detail::compute_chain(g, g.numbers(), load, st, std::move(storage));
  EXPECT_EQ(r.units.data(), units);
  EXPECT_EQ(r.link_sync_services_per_item.data(), per_item);
  EXPECT_EQ(r.link_sync_requests.data(), requests);
  EXPECT_EQ(r.link_rejections.data(), rejections);
  EXPECT_EQ(r.link_consumer.data(), consumers);
  EXPECT_EQ(r.defect_risk.data(), risk);
}

// analyze_open is documented as the stages run one after another: its figures must be
// those of the public stages, bit for bit, whatever storage it gave them.
TEST_P(ResultStorageTest, OpenAnalysisEqualsItsStagesRunApart) {
  const sc::service_graph g = example(GetParam());
  const sc::open_result open = sc::analyze_open(g);
  const sc::load_result load = sc::compute_load(g, g.numbers());
  const sc::station_result st = sc::analyze_stations(g, g.numbers(), load);
  const sc::chain_result chain = sc::compute_chain(g, g.numbers(), load, st);
  ASSERT_EQ(open.stations.units.size(), st.units.size());
  ASSERT_EQ(open.stations.links.size(), st.links.size());
  for (std::size_t i = 0; i < st.units.size(); ++i) {
    EXPECT_EQ(open.stations.units[i].sojourn, st.units[i].sojourn) << "unit " << i;
    EXPECT_EQ(open.stations.units[i].wait, st.units[i].wait) << "unit " << i;
    EXPECT_EQ(open.units[i].sojourn, st.units[i].sojourn) << "unit " << i;
    EXPECT_EQ(open.units[i].lead_time_per_item, chain.units[i].lead_time_per_item) << "unit " << i;
    EXPECT_EQ(open.units[i].cost_per_item, chain.units[i].cost_per_item) << "unit " << i;
    EXPECT_EQ(open.units[i].defect_free_per_item, chain.units[i].defect_free_per_item) << "unit " << i;
  }
  for (std::size_t l = 0; l < st.links.size(); ++l) {
    EXPECT_EQ(open.stations.links[l].sojourn, st.links[l].sojourn) << "link " << l;
    EXPECT_EQ(open.chain.link_sync_services_per_item[l], chain.link_sync_services_per_item[l]) << "link " << l;
    EXPECT_EQ(open.chain.link_rejections[l], chain.link_rejections[l]) << "link " << l;
  }
  ASSERT_EQ(open.customers.size(), chain.customers.size());
  for (std::size_t c = 0; c < chain.customers.size(); ++c) {
    EXPECT_EQ(open.customers[c].lead_time, chain.customers[c].lead_time) << "customer " << c;
    EXPECT_EQ(open.customers[c].cost_to_serve, chain.customers[c].cost_to_serve) << "customer " << c;
  }
}

// The open example models: rework, asynchronous links and several disciplines among them.
INSTANTIATE_TEST_SUITE_P(ExampleModels, ResultStorageTest,
                         ::testing::Values("branch.json", "hospital.json", "retail_bank.json", "software_company.json"),
                         [](const auto& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

}  // namespace

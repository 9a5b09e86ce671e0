// JMT JMVA interchange: hand-written .jmva files imported and solved against the book and
// against GNU Octave's queueing package; export and re-import round trips; located errors.

#include "servicechain/io/jmva.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "servicechain/analysis/closed_network.hpp"
#include "servicechain/analysis/load.hpp"
#include "servicechain/analysis/open_network.hpp"
#include "servicechain/error.hpp"
#include "servicechain/graph/service_graph.hpp"
#include "support/oracles.hpp"

namespace sc = servicechain;
using sc_test::near_rel;
using ::testing::HasSubstr;

namespace {

std::string data_file(std::string_view name) { return std::string(SERVICECHAIN_TEST_DATA_DIR "/jmva/") + std::string(name); }

std::string export_model(const sc::organization& org) {
  const auto g = sc::compile(org);
  return sc::to_jmva(g, sc::compute_load(g));
}

// A JMVA skeleton with one closed class "c" (population 2) and the given stations.
std::string one_class_file(const std::string& stations) {
  return R"(<?xml version="1.0"?>
<model><parameters>
  <classes number="1"><closedclass name="c" population="2"/></classes>
  <stations number="1">)" +
         stations + R"(</stations>
  <ReferenceStation number="1"><Class name="c" refStation="q"/></ReferenceStation>
</parameters></model>)";
}

template <class Fn>
std::string parse_message(Fn&& fn) {
  try {
    fn();
  } catch (const sc::parse_error& e) {
    return e.what();
  }
  return "(no parse_error)";
}

}  // namespace

// Lazowska et al., QSP (1984) p. 117: N = 3, Z = 15, S = (0.005, 0.03, 0.027), V = (121, 70, 50)
// -> X = 0.15151649 per second, R = 4.7998 s (the book's figures).
TEST(JmvaImport, LazowskaTimesharingSolvesToTheBookFigures) {
  const auto doc = sc::load_jmva(data_file("lazowska_qsp_p117.jmva"));
  const auto& org = doc.model;
  ASSERT_NE(org.find_unit("users"), nullptr);
  EXPECT_EQ(org.unit_by_id("users").population, 3);
  EXPECT_EQ(org.unit_by_id("users").think_time, 15.0);  // the terminals became the think time
  EXPECT_EQ(org.find_unit("terminals"), nullptr);
  ASSERT_EQ(doc.think_stations.size(), 1U);
  EXPECT_EQ(doc.think_stations[0], (std::pair<std::string, std::string>{"terminals", "users"}));
  EXPECT_EQ(org.unit_by_id("cpu").service_time, 0.005);
  EXPECT_EQ(org.unit_by_id("disk1").servers, sc::server_count(1));

  const auto r = sc::analyze_closed(sc::compile(org));
  EXPECT_THAT(r.method, HasSubstr("exact"));
  EXPECT_TRUE(near_rel(r.customer("users").throughput, 0.15151649, 1e-6));
  EXPECT_NEAR(r.customer("users").lead_time, 4.7998, 5e-5);  // the book gives 4 decimals
}

// Oracle case mixed_1open_1closed (GNU Octave queueing 1.2.7 `qnmix`): an open and a closed
// class with class-dependent service times at three single-server stations.
TEST(JmvaImport, MixedClassDependentMatchesOctave) {
  const auto doc = sc::load_jmva(data_file("mixed_class_dependent.jmva"));
  const auto& c = sc_test::queueing_case("mixed_1open_1closed");
  const auto& in = c.at("inputs");
  const auto& out = c.at("outputs");
  // Class-dependent times: processor sharing with per-link service times (BCMP product form).
  EXPECT_EQ(doc.model.unit_by_id("s2").queue_discipline, sc::discipline::shared);
  EXPECT_EQ(doc.model.unit_by_id("walk_ins").demand, 0.2917);

  const auto r = sc::analyze_closed(sc::compile(doc.model));
  EXPECT_TRUE(r.approximations.empty()) << r.approximations.front();
  EXPECT_TRUE(near_rel(r.customer("members").throughput, out.at("closed_class_throughput").get<double>(), 1e-6));
  EXPECT_TRUE(near_rel(r.customer("members").lead_time, out.at("closed_class_response_time").get<double>(), 1e-6));
  EXPECT_TRUE(near_rel(r.customer("walk_ins").lead_time, out.at("open_class_response_time").get<double>(), 1e-6));
  const char* classes[] = {"walk_ins", "members"};
  const char* stations[] = {"s1", "s2", "s3"};
  for (std::size_t cl = 0; cl < 2; ++cl) {
    for (std::size_t k = 0; k < 3; ++k) {
      SCOPED_TRACE(std::string(classes[cl]) + " at " + stations[k]);
      const double v = in.at("visit_ratio")[cl][k].get<double>();
      EXPECT_TRUE(near_rel(r.residence_time(stations[k], classes[cl]), v * out.at("R")[cl][k].get<double>(), 1e-6));
      EXPECT_TRUE(near_rel(r.queue_length(stations[k], classes[cl]), out.at("Q")[cl][k].get<double>(), 1e-6));
      EXPECT_TRUE(near_rel(r.utilization(stations[k], classes[cl]), out.at("U")[cl][k].get<double>(), 1e-6));
    }
  }
  // The file's <solutions> block: 3 stations x 2 classes x 4 measures.
  EXPECT_EQ(doc.solutions.size(), 24U);
}

TEST(JmvaRoundTrip, ExportedAndReimportedModelIsIdentical) {
  for (const char* file : {"lazowska_qsp_p117.jmva", "mixed_class_dependent.jmva"}) {
    SCOPED_TRACE(file);
    const auto first = sc::load_jmva(data_file(file));
    const std::string xml = export_model(first.model);
    auto again = sc::parse_jmva(xml, first.model.name);
    again.model.description = first.model.description;  // JMVA's description is not exported
    EXPECT_EQ(again.model, first.model) << xml;
    EXPECT_EQ(export_model(again.model), xml);  // and the text is a fixed point
  }
}

// A model with internal structure (a consumer chain with rework and a multi-server unit)
// exports as visits and per-class times; the re-imported, flattened model solves to the
// same figures, open and closed.
TEST(JmvaRoundTrip, StructuredModelKeepsItsFigures) {
  sc::organization org{.name = "structured", .time_unit = "hour"};
  org.add_unit({.id = "front", .service_time = 0.1});
  org.add_unit({.id = "back", .servers = 2, .service_time = 0.3});
  org.add_unit({.id = "archive", .servers = sc::server_count::unlimited(), .service_time = 2});
  org.add_unit({.id = "shared_desk", .service_time = 0.05, .queue_discipline = sc::discipline::shared});
  org.add_unit({.id = "shoppers", .external = true, .demand = 2});
  org.add_unit({.id = "members", .external = true, .population = 5, .think_time = 3});
  org.add_link({.from = "front", .to = "shoppers"});
  org.add_link({.from = "front", .to = "members", .requests = 2});
  org.add_link({.from = "back", .to = "front", .requests = 1.5, .acceptance = 0.8});
  org.add_link({.from = "archive", .to = "back", .requests = 0.5});
  org.add_link({.from = "shared_desk", .to = "members", .service_time = 0.2});
  org.add_link({.from = "shared_desk", .to = "shoppers"});
  const auto g = sc::compile(org);
  const auto reimported = sc::parse_jmva(sc::to_jmva(g, sc::compute_load(g)), "structured");
  const auto h = sc::compile(reimported.model);
  const auto a = sc::analyze_closed(g);
  const auto b = sc::analyze_closed(h);
  for (const char* customer : {"shoppers", "members"}) {
    SCOPED_TRACE(customer);
    EXPECT_TRUE(near_rel(b.customer(customer).throughput, a.customer(customer).throughput, 1e-12));
    EXPECT_TRUE(near_rel(b.customer(customer).lead_time, a.customer(customer).lead_time, 1e-12));
    for (const char* u : {"front", "back", "archive", "shared_desk"})
      EXPECT_TRUE(near_rel(b.queue_length(u, customer), a.queue_length(u, customer), 1e-12)) << u;
  }
  EXPECT_EQ(reimported.model.unit_by_id("archive").servers, sc::server_count::unlimited());
  EXPECT_EQ(reimported.model.unit_by_id("back").servers, sc::server_count(2));
}

TEST(JmvaExport, NamesEveryUnitAndLinkWithoutProductForm) {
  sc::organization org{.name = "not_product_form"};
  org.add_unit({.id = "priority_desk", .service_time = 0.1, .queue_discipline = sc::discipline::priority});
  org.add_unit({.id = "lognormal_desk", .service_time = 0.1, .service_scv = 2});
  org.add_unit({.id = "per_consumer_desk", .service_time = 0.1});
  org.add_unit({.id = "walk_in", .external = true, .demand = 1});
  org.add_unit({.id = "phone", .external = true, .demand = 1});
  org.add_link({.from = "priority_desk", .to = "walk_in"});
  org.add_link({.from = "lognormal_desk", .to = "walk_in", .mode = sc::link_mode::async});
  org.add_link({.from = "per_consumer_desk", .to = "walk_in", .service_time = 0.3});
  org.add_link({.from = "per_consumer_desk", .to = "phone"});
  const auto g = sc::compile(org);
  try {
    (void)sc::to_jmva(g, sc::compute_load(g));
    FAIL() << "expected invalid_model_error";
  } catch (const sc::invalid_model_error& e) {
    const std::string what = e.what();
    EXPECT_THAT(what, HasSubstr("unit 'priority_desk'"));
    EXPECT_THAT(what, HasSubstr("unit 'lognormal_desk': FIFO with service SCV != 1"));
    EXPECT_THAT(what, HasSubstr("unit 'per_consumer_desk': FIFO with per-consumer service times"));
    EXPECT_THAT(what, HasSubstr("link 'lognormal_desk' -> 'walk_in': an async link"));
    EXPECT_EQ(e.diagnostics().size(), 4U);
  }
}

TEST(JmvaExport, RefusesStaleFlows) {
  sc::organization org{.name = "m"};
  org.add_unit({.id = "a", .service_time = 0.1});
  org.add_unit({.id = "x", .external = true, .demand = 1});
  org.add_link({.from = "a", .to = "x"});
  const auto g = sc::compile(org);
  auto numbers = g.numbers();
  numbers.set(g, g.directory()->at("x"), sc::unit_field::demand, 2.0);
  EXPECT_THROW((void)sc::to_jmva(g, sc::compute_load(g, numbers)), sc::error);
}

TEST(JmvaImport, ErrorsNameTheElementAndLine) {
  EXPECT_THAT(parse_message([] { (void)sc::parse_jmva("<model><parameters>", "cut.jmva"); }),
              HasSubstr("cut.jmva at line 1"));
  EXPECT_THAT(parse_message([] { (void)sc::parse_jmva("<network/>", "other.jmva"); }), HasSubstr("root element must be <model>"));
  const std::string ld = one_class_file(R"(
    <ldstation name="q"><servicetimes><servicetimes customerclass="c">1;2</servicetimes></servicetimes>
      <visits><visit customerclass="c">1</visit></visits></ldstation>)");
  const std::string msg = parse_message([&] { (void)sc::parse_jmva(ld, "ld.jmva"); });
  EXPECT_THAT(msg, HasSubstr("ld.jmva (/model/parameters/stations/ldstation[@name='q']) at line 5"));
  EXPECT_THAT(msg, HasSubstr("ldstation[@name='q']"));
  EXPECT_THAT(msg, HasSubstr("load-dependent station"));
  const std::string unknown_class = one_class_file(R"(
    <listation name="q"><servicetimes><servicetime customerclass="d">1</servicetime></servicetimes>
      <visits><visit customerclass="c">1</visit></visits></listation>)");
  EXPECT_THAT(parse_message([&] { (void)sc::parse_jmva(unknown_class, "u.jmva"); }),
              HasSubstr("class 'd' is not declared"));
  const std::string bad_number = one_class_file(R"(
    <listation name="q"><servicetimes><servicetime customerclass="c">fast</servicetime></servicetimes>
      <visits><visit customerclass="c">1</visit></visits></listation>)");
  EXPECT_THAT(parse_message([&] { (void)sc::parse_jmva(bad_number, "n.jmva"); }),
              HasSubstr("servicetime = 'fast', but must be a finite number"));
  const std::string negative = one_class_file(R"(
    <listation name="q"><servicetimes><servicetime customerclass="c">1</servicetime></servicetimes>
      <visits><visit customerclass="c">-1</visit></visits></listation>)");
  EXPECT_THAT(parse_message([&] { (void)sc::parse_jmva(negative, "v.jmva"); }), HasSubstr("visit = -1, but must be >= 0"));
  EXPECT_THROW((void)sc::load_jmva(data_file("no_such_file.jmva")), sc::io_error);
}

// Parameter paths: parsing against a model, reading and writing model_numbers, and the
// messages of bad paths and values. The numbers are the model's own, written below.

#include "servicechain/analysis/parameters.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "servicechain/error.hpp"

namespace sc = servicechain;
using ::testing::HasSubstr;

namespace {

// legal (2 servers, s = 0.5) and print (s = 0.1, SCV 2) serve sales (s = 0.2), which serves
// the client (demand 3). print's service for sales takes 0.05 and is accepted 80% of the time.
sc::service_graph small_model() {
  sc::organization org{.name = "paths"};
  org.add_unit({.id = "legal", .servers = 2, .service_time = 0.5, .cost_per_time = 10});
  org.add_unit({.id = "print", .service_time = 0.1, .service_scv = 2, .yield = 0.99});
  org.add_unit({.id = "sales", .service_time = 0.2, .cost_per_request = 4});
  org.add_unit({.id = "team/a", .service_time = 0.05});
  org.add_unit({.id = "client", .external = true, .demand = 3, .value_per_request = 50});
  org.add_link({.from = "legal", .to = "sales", .requests = 2});
  org.add_link({.from = "print", .to = "sales", .acceptance = 0.8, .service_time = 0.05});
  org.add_link({.from = "team/a", .to = "sales", .requests = 0.5});
  org.add_link({.from = "sales", .to = "client"});
  return sc::compile(org);
}

// The message of the error `f` throws, with its code checked.
template <typename F>
std::string message_of(F f, const std::string& code) {
  try {
    f();
  } catch (const sc::error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return {};
}

}  // namespace

TEST(ParametersTest, ReadsEveryKindOfPath) {
  const auto g = small_model();
  const auto& n = g.numbers();
  const auto value = [&](const char* path) { return sc::parameter_value(g, n, sc::parse_parameter(g, path)); };
  EXPECT_EQ(value("units/legal/service_time"), 0.5);
  EXPECT_EQ(value("units/legal/servers"), 2.0);
  EXPECT_EQ(value("units/legal/cost_per_time"), 10.0);
  EXPECT_EQ(value("units/print/service_scv"), 2.0);
  EXPECT_EQ(value("units/print/yield"), 0.99);
  EXPECT_EQ(value("units/sales/cost_per_request"), 4.0);
  EXPECT_EQ(value("customers/client/demand"), 3.0);
  EXPECT_EQ(value("customers/client/value_per_request"), 50.0);
  EXPECT_EQ(value("links/legal/sales/requests"), 2.0);
  EXPECT_EQ(value("links/print/sales/acceptance"), 0.8);
  // A link's own service time, else its provider's.
  EXPECT_EQ(value("links/print/sales/service_time"), 0.05);
  EXPECT_EQ(value("links/legal/sales/service_time"), 0.5);
  EXPECT_EQ(value("links/print/sales/service_scv"), 2.0);
  // Ids holding '/'.
  EXPECT_EQ(value("units/team/a/service_time"), 0.05);
  EXPECT_EQ(value("links/team/a/sales/requests"), 0.5);
}

TEST(ParametersTest, ParsesToIndicesAndBackToTheCanonicalPath) {
  const auto g = small_model();
  const sc::parameter p = sc::parse_parameter(g, "links/print/sales/service_time");
  EXPECT_TRUE(p.on_link());
  EXPECT_EQ(p.field, sc::parameter_field::link_service_time);
  EXPECT_EQ(p.link, g.link_between("print", "sales"));
  EXPECT_EQ(sc::parameter_path(g, p), "links/print/sales/service_time");

  const sc::parameter u = sc::parse_parameter(g, "units/sales/servers");
  EXPECT_FALSE(u.on_link());
  EXPECT_EQ(u.unit, g.index_of("sales"));
  EXPECT_EQ(sc::parameter_path(g, u), "units/sales/servers");
  EXPECT_EQ(sc::parameter_path(g, sc::parse_parameter(g, "customers/client/demand")), "customers/client/demand");
  EXPECT_EQ(sc::parameter_path(g, sc::parse_parameter(g, "units/team/a/yield")), "units/team/a/yield");
}

TEST(ParametersTest, SetsACopyAndLeavesTheBaseAlone) {
  const auto g = small_model();
  sc::model_numbers n = g.numbers();
  const auto set = [&](const char* path, double v) { sc::set_parameter(g, n, sc::parse_parameter(g, path), v); };
  set("units/legal/service_time", 0.25);
  set("units/legal/servers", 3);
  set("customers/client/demand", 4.5);
  set("links/legal/sales/requests", 1.5);
  set("links/print/sales/acceptance", 0.5);
  set("links/legal/sales/service_time", 0.3);  // a new override for this consumer only
  EXPECT_EQ(n.unit(g.index_of("legal")).service_time, 0.25);
  EXPECT_EQ(n.unit(g.index_of("legal")).servers, 3.0);
  EXPECT_EQ(n.unit(g.index_of("client")).demand, 4.5);
  EXPECT_EQ(n.link(g.link_between("legal", "sales")).requests, 1.5);
  EXPECT_EQ(n.link(g.link_between("print", "sales")).acceptance, 0.5);
  EXPECT_EQ(n.link(g.link_between("print", "sales")).rejections, 1.0);  // e = (1 - a) / a
  EXPECT_EQ(n.service_time(g.link_between("legal", "sales")), 0.3);
  // The model's own numbers are untouched.
  EXPECT_EQ(g.numbers().unit(g.index_of("legal")).service_time, 0.5);
  EXPECT_EQ(g.numbers().unit(g.index_of("client")).demand, 3.0);

  set("units/legal/servers", std::numeric_limits<double>::infinity());
  EXPECT_TRUE(n.unit(g.index_of("legal")).unlimited_servers);
  EXPECT_TRUE(std::isinf(sc::parameter_value(g, n, sc::parse_parameter(g, "units/legal/servers"))));
}

TEST(ParametersTest, OnlyDemandsRequestsAndAcceptanceChangeTheFlows) {
  const auto g = small_model();
  const auto base = g.numbers().flows_revision();
  const auto edited = [&](const char* edit) {
    return sc::apply_edits(g, g.numbers(), {sc::parse_parameter_edit(g, edit)}).flows_revision();
  };
  EXPECT_EQ(edited("units/legal/service_time=0.3"), base);
  EXPECT_EQ(edited("units/legal/servers=4"), base);
  EXPECT_EQ(edited("links/print/sales/service_time=0.2"), base);
  EXPECT_NE(edited("customers/client/demand=2"), base);
  EXPECT_NE(edited("links/legal/sales/requests=1"), base);
  EXPECT_NE(edited("links/print/sales/acceptance=0.9"), base);
}

TEST(ParametersTest, ParsesEdits) {
  const auto g = small_model();
  const sc::parameter_edit e = sc::parse_parameter_edit(g, "units/print/service_time=0.125");
  EXPECT_EQ(e.target, sc::parse_parameter(g, "units/print/service_time"));
  EXPECT_EQ(e.value, 0.125);
  EXPECT_EQ(sc::parse_parameter_edit(g, "units/print/servers=unlimited").value, std::numeric_limits<double>::infinity());
  EXPECT_EQ(sc::parse_parameter_edit(g, "customers/client/demand=1e1").value, 10.0);
  const auto n = sc::apply_edits(g, g.numbers(),
                                 {sc::parse_parameter_edit(g, "units/print/service_time=0.125"),
                                  sc::parse_parameter_edit(g, "units/print/service_time=0.375")});
  EXPECT_EQ(n.unit(g.index_of("print")).service_time, 0.375);  // in order: the last wins
}

TEST(ParametersTest, BadPathsNameThePathAndSuggestTheNearestName) {
  const auto g = small_model();
  const auto parse = [&](const char* path) { return [&g, path] { (void)sc::parse_parameter(g, path); }; };
  std::string m = message_of(parse("units/legl/service_time"), sc::error_code::unknown_id);
  EXPECT_THAT(m, HasSubstr("units/legl/service_time"));
  EXPECT_THAT(m, HasSubstr("did you mean 'legal'"));

  m = message_of(parse("units/legal/servce_time"), sc::error_code::invalid_argument);
  EXPECT_THAT(m, HasSubstr("unknown field 'servce_time'"));
  EXPECT_THAT(m, HasSubstr("did you mean 'service_time'"));

  m = message_of(parse("units/client/demand"), sc::error_code::invalid_argument);
  EXPECT_THAT(m, HasSubstr("customers/<id>/demand"));

  m = message_of(parse("customers/legal/demand"), sc::error_code::invalid_argument);
  EXPECT_THAT(m, HasSubstr("'legal' is an internal unit"));

  m = message_of(parse("links/sales/legal/requests"), sc::error_code::unknown_id);
  EXPECT_THAT(m, HasSubstr("no link from 'sales' to 'legal'"));
  EXPECT_THAT(m, HasSubstr("there is one from 'legal' to 'sales'"));

  m = message_of(parse("links/legal/sailes/requests"), sc::error_code::unknown_id);
  EXPECT_THAT(m, HasSubstr("did you mean 'sales'"));

  m = message_of(parse("links/legal/sales/yield"), sc::error_code::invalid_argument);
  EXPECT_THAT(m, HasSubstr("unknown field 'yield' of a link"));

  m = message_of(parse("unit/legal/service_time"), sc::error_code::invalid_argument);
  EXPECT_THAT(m, HasSubstr("unknown root 'unit'"));
  (void)message_of(parse("units/legal"), sc::error_code::invalid_argument);
  (void)message_of(parse("service_time"), sc::error_code::invalid_argument);
}

TEST(ParametersTest, BadValuesNameThePathAndChangeNothing) {
  const auto g = small_model();
  sc::model_numbers n = g.numbers();
  const auto set = [&](const char* path, double v) {
    return [&, path, v] { sc::set_parameter(g, n, sc::parse_parameter(g, path), v); };
  };
  std::string m = message_of(set("units/legal/service_time", -1), sc::error_code::invalid_model);
  EXPECT_THAT(m, HasSubstr("units/legal/service_time"));
  EXPECT_THAT(m, HasSubstr("service_time"));
  m = message_of(set("units/legal/servers", 2.5), sc::error_code::invalid_argument);
  EXPECT_THAT(m, HasSubstr("whole number"));
  (void)message_of(set("units/legal/servers", 0), sc::error_code::invalid_argument);
  (void)message_of(set("units/print/yield", 1.5), sc::error_code::invalid_model);
  (void)message_of(set("links/print/sales/acceptance", 0), sc::error_code::invalid_model);
  (void)message_of(set("customers/client/demand", std::nan("")), sc::error_code::invalid_argument);
  EXPECT_EQ(n.unit(g.index_of("legal")).service_time, 0.5);
  EXPECT_EQ(n.unit(g.index_of("legal")).servers, 2.0);
  EXPECT_EQ(n.link(g.link_between("print", "sales")).acceptance, 0.8);

  const auto edit = [&](const char* text) { return [&g, text] { (void)sc::parse_parameter_edit(g, text); }; };
  m = message_of(edit("units/legal/service_time=fast"), sc::error_code::invalid_argument);
  EXPECT_THAT(m, HasSubstr("'fast' is not a finite number"));
  EXPECT_THAT(m, HasSubstr("units/legal/service_time"));
  (void)message_of(edit("units/legal/service_time=0.5x"), sc::error_code::invalid_argument);
  (void)message_of(edit("units/legal/service_time="), sc::error_code::invalid_argument);
  (void)message_of(edit("units/legal/service_time"), sc::error_code::invalid_argument);
  (void)message_of(edit("units/legal/service_time=inf"), sc::error_code::invalid_argument);
}

TEST(ParametersTest, LoopGainOfAnEditedLoopIsChecked) {
  // a and b serve each other: gain = sqrt(r_ab r_ba) must stay below 1.
  sc::organization org{.name = "loop"};
  org.add_unit({.id = "a", .service_time = 0.1});
  org.add_unit({.id = "b", .service_time = 0.1});
  org.add_unit({.id = "c", .external = true, .demand = 1});
  org.add_link({.from = "a", .to = "b", .requests = 0.5});
  org.add_link({.from = "b", .to = "a", .requests = 0.5});
  org.add_link({.from = "a", .to = "c"});
  const auto g = sc::compile(org);
  sc::model_numbers n = g.numbers();
  sc::set_parameter(g, n, sc::parse_parameter(g, "links/a/b/requests"), 1.5);  // gain sqrt(0.75) < 1
  const std::string m = message_of(
      [&] { sc::set_parameter(g, n, sc::parse_parameter(g, "links/b/a/requests"), 0.8); },  // gain sqrt(1.2)
      sc::error_code::loop_gain);
  EXPECT_THAT(m, HasSubstr("links/b/a/requests"));
  EXPECT_EQ(n.link(g.link_between("b", "a")).requests, 0.5);
}

// Reports of whatif, sweep and knockout: the documented JSON keys (docs/whatif.md) with
// the M/M/1 figures W = 1/(μ − λ), no NaN anywhere, and the gnuplot script and data.

#include "servicechain/io/scenario_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace sc = servicechain;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

// λ = 2, s = 0.25 (μ = 4): W = 0.5. A second, infinite-server unit that the customer also
// waits for (W = s = 0.1), whose id needs quoting in gnuplot.
sc::service_graph mm1() {
  sc::organization org{.name = "mm1", .time_unit = "hour"};
  org.add_unit({.id = "desk", .service_time = 0.25});
  org.add_unit({.id = "o'brien", .servers = sc::server_count::unlimited(), .service_time = 0.1});
  org.add_unit({.id = "walk_in", .external = true, .demand = 2});
  org.add_link({.from = "desk", .to = "walk_in"});
  org.add_link({.from = "o'brien", .to = "walk_in"});
  return sc::compile(org);
}

}  // namespace

TEST(ScenarioReportTest, WhatifJsonHasTheDocumentedKeys) {
  const auto g = mm1();
  sc::scenario s;
  s.edits.push_back(sc::parse_parameter_edit(g, "units/desk/service_time=0.4"));  // W = 1/(2.5 − 2) = 2
  s.edits.push_back(sc::parse_parameter_edit(g, "units/desk/servers=unlimited"));
  s.edits.push_back(sc::parse_parameter_edit(g, "units/desk/servers=1"));
  const auto edited = sc::apply_scenario(g, g.numbers(), s);
  const auto j = nlohmann::json::parse(
      sc::whatif_report(g, g.numbers(), s, sc::compare(g, g.numbers(), edited), sc::report_format::json));
  ASSERT_EQ(j.at("scenario").at("set").size(), 2u);  // each path once
  EXPECT_EQ(j["scenario"]["set"][0]["parameter"], "units/desk/service_time");
  EXPECT_EQ(j["scenario"]["set"][0]["before"], 0.25);
  EXPECT_EQ(j["scenario"]["set"][0]["after"], 0.4);
  EXPECT_EQ(j["scenario"]["set"][1]["parameter"], "units/desk/servers");
  EXPECT_EQ(j["scenario"]["set"][1]["after"], 1);
  EXPECT_EQ(j["scenario"]["demand_scale"], 1.0);
  const auto& lead = j.at("customers").at(0).at("lead_time");
  EXPECT_NEAR(lead.at("before").get<double>(), 0.5 + 0.1, 1e-12);
  EXPECT_NEAR(lead.at("after").get<double>(), 2.0 + 0.1, 1e-12);
  EXPECT_NEAR(lead.at("difference").get<double>(), 1.5, 1e-12);
  EXPECT_EQ(j.at("customers")[0].at("customer"), "walk_in");
  ASSERT_EQ(j.at("units").size(), 2u);  // internal units only
  EXPECT_EQ(j["units"][0]["unit"], "desk");
  EXPECT_NEAR(j["units"][0]["utilization"]["after"].get<double>(), 0.8, 1e-12);
  for (const char* key : {"load", "utilization", "wait", "sojourn", "number_in_unit", "cost_per_service",
                          "cost_per_item", "lead_time_per_item", "defect_free_per_item"})
    EXPECT_TRUE(j["units"][0].contains(key)) << key;
  ASSERT_EQ(j.at("links").size(), 2u);
  EXPECT_EQ(j["links"][0]["from"], "desk");
  EXPECT_EQ(j["links"][0]["to"], "walk_in");
  for (const char* key : {"model", "time_unit", "currency", "total_cost", "mean_lead_time"})
    EXPECT_TRUE(j.contains(key)) << key;

  sc::scenario unlimited;
  unlimited.edits.push_back(sc::parse_parameter_edit(g, "units/desk/servers=unlimited"));
  const auto u = nlohmann::json::parse(sc::whatif_report(
      g, g.numbers(), unlimited, sc::compare(g, g.numbers(), sc::apply_scenario(g, g.numbers(), unlimited)),
      sc::report_format::json));
  EXPECT_EQ(u["scenario"]["set"][0]["after"], "unlimited");
}

TEST(ScenarioReportTest, WhatifWithoutEditsSaysSo) {
  const auto g = mm1();
  const std::string text =
      sc::whatif_report(g, g.numbers(), {}, sc::compare(g, g.numbers(), g.numbers()), sc::report_format::table);
  EXPECT_THAT(text, HasSubstr("No edits"));
  EXPECT_THAT(text, HasSubstr("No unit's queue changes"));
  const std::string csv =
      sc::whatif_report(g, g.numbers(), {}, sc::compare(g, g.numbers(), g.numbers()), sc::report_format::csv);
  EXPECT_THAT(csv, HasSubstr("scope,id,kpi,before,after,difference\n"));
  EXPECT_THAT(csv, HasSubstr("\ncustomer,walk_in,demand,2,2,0\n"));
}

TEST(ScenarioReportTest, SweepJsonHasNoNaNAndNamesTheSaturatedSteps) {
  const auto g = mm1();
  const auto r = sc::sweep(g, g.numbers(), sc::parse_sweep_range("1:2.5:0.5", "x"));  // λ = 2, 3, 4, 5
  const std::string text = sc::sweep_report(g, r, sc::report_format::json);
  EXPECT_THAT(text, Not(HasSubstr("NaN")));
  EXPECT_THAT(text, Not(HasSubstr("nan")));
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j.at("parameter"), "demand_scale");
  EXPECT_EQ(j.at("first_saturated").at("value"), 2.0);
  EXPECT_EQ(j["first_saturated"]["units"][0], "desk");
  ASSERT_EQ(j.at("steps").size(), 4u);
  EXPECT_NEAR(j["steps"][1]["lead_time"]["walk_in"].get<double>(), 1.0 + 0.1, 1e-12);  // λ = 3: W = 1
  EXPECT_FALSE(j["steps"][1]["saturated"].get<bool>());
  EXPECT_TRUE(j["steps"][2]["saturated"].get<bool>());
  EXPECT_TRUE(j["steps"][2]["lead_time"].is_null());
  EXPECT_EQ(j["steps"][3]["saturated_units"][0]["unit"], "desk");
  EXPECT_NEAR(j["steps"][3]["saturated_units"][0]["utilization"].get<double>(), 1.25, 1e-12);
  EXPECT_EQ(j["steps"][0]["busiest"].size(), 1u);  // the unlimited unit has no utilization
}

TEST(ScenarioReportTest, SweepChartScriptAndData) {
  const auto g = mm1();
  const auto r = sc::sweep(g, g.numbers(), sc::parse_sweep_range("1:2.5:0.5", "x"));
  // Per step: value, lead time of walk_in (W_desk + 0.1), utilization of desk; a gap (NaN)
  // where saturated.
  std::istringstream data(sc::sweep_chart_data(g, r));
  const std::vector<std::vector<double>> want{{1, 0.6, 0.5}, {1.5, 1.1, 0.75}, {2, -1, 1}, {2.5, -1, 1.25}};
  for (const auto& row : want) {
    std::string cells[3];
    data >> cells[0] >> cells[1] >> cells[2];
    for (int k = 0; k < 3; ++k) {
      if (row[k] < 0) {
        EXPECT_EQ(cells[k], "NaN");
      } else {
        EXPECT_NEAR(std::stod(cells[k]), row[k], 1e-12) << cells[k];
      }
    }
  }
  std::string rest;
  EXPECT_FALSE(data >> rest) << rest;
  const std::string script = sc::sweep_chart_script(g, r, "/tmp/it's.dat", "/tmp/out.svg");
  EXPECT_THAT(script, HasSubstr("set terminal svg"));
  EXPECT_THAT(script, HasSubstr("set output '/tmp/out.svg'"));
  EXPECT_THAT(script, HasSubstr("'/tmp/it''s.dat' using 1:2"));  // a quote doubled
  EXPECT_THAT(script, HasSubstr("set arrow 1 from 2, graph 0 to 2, graph 1"));
  EXPECT_THAT(script, HasSubstr("'saturated: desk'"));
  EXPECT_THAT(script, HasSubstr("title 'desk'"));
}

TEST(ScenarioReportTest, KnockoutJsonAndCsv) {
  const auto g = mm1();
  const auto r = sc::knockout(g, g.numbers());
  const auto j = nlohmann::json::parse(sc::knockout_report(g, r, sc::report_format::json));
  EXPECT_EQ(j.at("loss"), "one_server");
  EXPECT_EQ(j.at("unstable"), nlohmann::json::array({"desk"}));
  ASSERT_EQ(j.at("units").size(), 2u);
  EXPECT_TRUE(j["units"][0]["loses_all_servers"].get<bool>());
  EXPECT_TRUE(j["units"][0]["lead_time"].is_null());
  EXPECT_TRUE(j["units"][0]["utilization_after"].is_null());
  EXPECT_FALSE(j["units"][1]["applicable"].get<bool>());
  EXPECT_EQ(j["units"][1]["lead_time_change"]["walk_in"], 0.0);

  const auto degraded = sc::knockout(g, g.numbers(), {.capacity_loss = 0.5});  // desk s = 0.5: ρ = 1
  const std::string csv = sc::knockout_report(g, degraded, sc::report_format::csv);
  EXPECT_THAT(csv, HasSubstr("unit,status,utilization_before,utilization_after,lead_time_change_walk_in,"
                             "mean_lead_time_change\n"));
  EXPECT_THAT(csv, HasSubstr("\ndesk,unstable: desk (utilization 1),0.5,1,,\n"));
  // o'brien: W = s = 0.1 / 0.5 = 0.2, +0.1.
  const auto row = csv.find("\no'brien,,0,0,");
  ASSERT_NE(row, std::string::npos) << csv;
  EXPECT_NEAR(std::stod(csv.substr(row + 14)), 0.1, 1e-12);
}

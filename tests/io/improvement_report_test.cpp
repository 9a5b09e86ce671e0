#include "servicechain/io/improvement_report.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

#include "servicechain/error.hpp"

namespace sc = servicechain;

namespace {

sc::service_graph two_units() {
  sc::organization org{.name = "two"};
  org.add_unit({.id = "desk", .servers = 2, .service_time = 0.5});
  org.add_unit({.id = "back/office", .service_time = 0.2});
  org.add_unit({.id = "walk_in", .external = true, .demand = 1.0});
  org.add_link({.from = "back/office", .to = "desk"});
  org.add_link({.from = "desk", .to = "walk_in"});
  return sc::compile(org);
}

// The parse_error's pointer for a programme text, or "" if it parses.
std::string error_pointer(const sc::service_graph& g, const std::string& text, std::string* message = nullptr) {
  try {
    (void)sc::parse_programme(text, g, "p.json");
  } catch (const sc::parse_error& e) {
    if (message != nullptr) *message = e.what();
    return e.pointer().empty() ? std::string{"(root)"} : e.pointer();
  }
  return "";
}

}  // namespace

TEST(ProgrammeFileTest, SetScaleAndAddAreRelativeToTheModel) {
  const auto g = two_units();
  const auto file = sc::parse_programme(R"({
    "kpi": "lead_time", "customer": "walk_in", "variability": "propagate",
    "sampling": {"seed": 7, "standard_error": 0.01, "min_pairs": 10, "max_pairs": 99, "exact_limit": 0},
    "players": [
      {"name": "more", "add": {"units/desk/servers": 2}},
      {"name": "faster", "scale": {"units/back/office/service_time": 0.5}, "set": {"links/back/office/desk/acceptance": 1}},
      {"name": "unlimited", "set": {"units/back/office/servers": "unlimited"}}
    ]})",
                                        g);
  const auto& p = file.programme;
  EXPECT_EQ(p.kpi, sc::programme_kpi::lead_time);
  EXPECT_EQ(p.customer, g.index_of("walk_in"));
  EXPECT_EQ(p.analysis.variability, sc::arrival_variability::propagate);
  EXPECT_EQ(file.sampling.seed, 7u);
  EXPECT_EQ(file.sampling.target_standard_error, 0.01);
  EXPECT_EQ(file.sampling.min_pairs, 10u);
  EXPECT_EQ(file.sampling.max_pairs, 99u);
  EXPECT_EQ(file.sampling.exact_limit, 0u);
  ASSERT_EQ(p.players.size(), 3u);
  EXPECT_EQ(p.players[0].edits[0].value, 4);      // 2 + 2 servers
  EXPECT_EQ(p.players[1].edits.size(), 2u);
  EXPECT_EQ(p.players[1].edits[1].value, 0.1);    // 0.2 × 0.5 ("scale" is read after "set")
  EXPECT_EQ(sc::parameter_path(g, p.players[1].edits[1].target), "units/back/office/service_time");
  EXPECT_TRUE(std::isinf(p.players[2].edits[0].value));
}

TEST(ProgrammeFileTest, ErrorsNameTheJsonLocation) {
  const auto g = two_units();
  std::string message;
  EXPECT_EQ(error_pointer(g, R"({"kpi": "speed", "players": []})", &message), "/kpi");
  EXPECT_NE(message.find("kpi = \"speed\""), std::string::npos) << message;
  EXPECT_EQ(error_pointer(g, R"({"kpi": "cost", "players": [], "extra": 1})"), "/extra");
  EXPECT_EQ(error_pointer(g, R"({"kpi": "cost", "players": []})"), "/players");
  EXPECT_EQ(error_pointer(g, R"({"kpi": "cost", "customer": "desk", "players": [{"name": "x", "add": {"units/desk/servers": 1}}]})",
                          &message),
            "/customer");
  EXPECT_NE(message.find("'walk_in'"), std::string::npos) << message;
  EXPECT_EQ(error_pointer(g, R"({"kpi": "cost", "players": [{"name": "x", "set": {"units/dsk/servers": 3}}]})", &message),
            "/players/0/set/units~1dsk~1servers");
  EXPECT_NE(message.find("player 'x'"), std::string::npos) << message;
  EXPECT_EQ(error_pointer(g, R"({"kpi": "cost", "players": [{"name": "x", "set": {"units/desk/servers": 0}}]})"),
            "/players/0/set/units~1desk~1servers");
  EXPECT_EQ(error_pointer(g, R"({"kpi": "cost", "players": [{"name": "x", "set": {"units/desk/servers": 3},
                                                              "add": {"units/desk/servers": 1}}]})",
                          &message),
            "/players/0/add/units~1desk~1servers");
  EXPECT_NE(message.find("twice"), std::string::npos) << message;
  EXPECT_EQ(error_pointer(g, R"({"kpi": "cost", "players": [{"name": "x"}]})"), "/players/0");
  EXPECT_EQ(error_pointer(g, R"({"kpi": "cost", "sampling": {"exact_limit": 30}, "players": [{"name": "x", "add": {"units/desk/servers": 1}}]})"),
            "/sampling/exact_limit");
  // Not JSON: line and column of the problem.
  try {
    (void)sc::parse_programme("{\n  \"kpi\": cost\n}", g, "p.json");
    FAIL();
  } catch (const sc::parse_error& e) {
    EXPECT_EQ(e.line(), 2u);
  }
  EXPECT_THROW((void)sc::load_programme("/nonexistent/programme.json", g), sc::io_error);
}

// The JSON report carries the keys issue 10 names, with the result's numbers.
TEST(ProgrammeFileTest, ShapleyJsonReportKeys) {
  const auto g = two_units();
  const auto file = sc::parse_programme(
      R"({"kpi": "lead_time", "players": [{"name": "more", "add": {"units/desk/servers": 1}},
                                           {"name": "faster", "scale": {"units/desk/service_time": 0.5}}]})",
      g);
  const auto result = sc::programme_shapley(g, g.numbers(), file.programme, file.sampling);
  const auto j = nlohmann::json::parse(sc::shapley_report(g, file.programme, result, sc::report_format::json));
  ASSERT_EQ(j.at("players").size(), 2u);
  for (const char* key : {"name", "shapley", "standard_error", "standalone", "knock_out"})
    EXPECT_TRUE(j.at("players")[0].contains(key)) << key;
  EXPECT_EQ(j.at("players")[1].at("name"), "faster");
  EXPECT_DOUBLE_EQ(j.at("total_gain").get<double>(), result.shapley.total_gain);
  EXPECT_DOUBLE_EQ(j.at("interaction").get<double>(), result.shapley.interaction);
  EXPECT_DOUBLE_EQ(j.at("players")[0].at("shapley").get<double>() + j.at("players")[1].at("shapley").get<double>(),
                   result.shapley.total_gain);
}
